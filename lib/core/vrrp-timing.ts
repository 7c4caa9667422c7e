/**
 * Keepalived's master-down interval for VRRPv2, the version this project renders (Keepalived's
 * default): a backup declares the master dead after 3 missed adverts plus a skew that favours
 * higher priorities.
 */
export function masterDownIntervalSeconds(advertIntSeconds: number, priority: number): number {
  return 3 * advertIntSeconds + skewTimeSeconds(advertIntSeconds, priority);
}

/**
 * The skew part of the master-down interval alone: how long a graceful handover (priority 0
 * advert) takes at most. In VRRPv2 Keepalived computes it as (256 − priority)/256 of one second,
 * whatever advert_int is (`VRRP_TIMER_SKEW`: `(256 - priority) * TIMER_HZ / 256`; only VRRPv3
 * multiplies by the advert interval); measured 6.55 s master-down at advert_int 2, priority 100
 * on 2.1.5, against 6.61 s from this formula. advertIntSeconds is kept so callers need not care.
 */
export function skewTimeSeconds(_advertIntSeconds: number, priority: number): number {
  return (256 - priority) / 256;
}

/** The master-down interval written out, as the reports print it: `3 x 1 s + (256 - 254)/256 s = 3.008 s` (VRRPv2). */
export function masterDownIntervalFormula(advertIntSeconds: number, priority: number): string {
  return `3 x ${advertIntSeconds} s + (256 - ${priority})/256 s = ${masterDownIntervalSeconds(advertIntSeconds, priority).toFixed(3)} s`;
}
