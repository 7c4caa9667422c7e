import { usesVrrpV3 } from "./keepalived/vrrp-version";

/**
 * Keepalived's master-down interval: a backup declares the master dead after 3 missed adverts
 * plus a skew that favours higher priorities. The version follows advert_int as the renderer
 * decides it (a fractional advert_int is VRRPv3).
 */
export function masterDownIntervalSeconds(advertIntSeconds: number, priority: number): number {
  return 3 * advertIntSeconds + skewTimeSeconds(advertIntSeconds, priority);
}

/**
 * The skew part of the master-down interval alone: how long a graceful handover (priority 0
 * advert) takes at most. In VRRPv2 Keepalived computes it as (256 − priority)/256 of one second,
 * whatever advert_int is; VRRPv3 multiplies by the advert interval (`VRRP_TIMER_SKEW_CALC` in
 * keepalived/include/vrrp.h, 2.2.7: `(pri * (master_adver_int / TIMER_CENTI_HZ) * 625) / 16` µs
 * for v3, `pri * TIMER_HZ / 256` for v2). Measured 6.55 s master-down at advert_int 2, priority
 * 100 on 2.1.5, against 6.61 s from this formula.
 */
export function skewTimeSeconds(advertIntSeconds: number, priority: number): number {
  return ((256 - priority) / 256) * (usesVrrpV3(advertIntSeconds) ? advertIntSeconds : 1);
}

/** The master-down interval written out, as the reports print it: `3 x 1 s + (256 - 254)/256 s = 3.008 s` (VRRPv2). */
export function masterDownIntervalFormula(advertIntSeconds: number, priority: number): string {
  const skew = usesVrrpV3(advertIntSeconds) ? `(256 - ${priority})/256 x ${advertIntSeconds} s` : `(256 - ${priority})/256 s`;
  return `3 x ${advertIntSeconds} s + ${skew} = ${masterDownIntervalSeconds(advertIntSeconds, priority).toFixed(3)} s (VRRPv${usesVrrpV3(advertIntSeconds) ? 3 : 2})`;
}
