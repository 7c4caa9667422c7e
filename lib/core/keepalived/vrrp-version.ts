/**
 * Which VRRP version a cluster speaks. Keepalived's VRRPv2 advert_int is whole seconds
 * (`keepalived -t`: "VRRPv2 advertisement interval 0.500000s must be an integer. rounding");
 * VRRPv3 (`vrrp_version 3`) counts centiseconds. Both nodes must speak the same version: a v2
 * node and a v3 node ignore each other's adverts and both become MASTER.
 */
export function usesVrrpV3(advertIntSeconds: number): boolean {
  return !Number.isInteger(advertIntSeconds);
}

/**
 * The oldest Keepalived we let speak VRRPv3 over unicast. Centisecond timers arrived in 1.2.17,
 * but the checksum of VRRPv3 adverts to unicast peers was wrong until 1.3.7 and again fixed in
 * 2.0.0 ("Fix the checksum calculation for VRRPv3 unicast peers"), which also made a backup
 * "transition to master as soon as decision is made" instead of one advert interval later.
 */
export const VRRP_V3_UNICAST_SINCE = "2.0.0";
