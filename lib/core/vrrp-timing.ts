/**
 * Keepalived's master-down interval (RFC 3768 as Keepalived implements it): a backup declares the
 * master dead after 3 missed adverts plus a skew that favours higher priorities.
 */
export function masterDownIntervalSeconds(advertIntSeconds: number, priority: number): number {
  return 3 * advertIntSeconds + skewTimeSeconds(advertIntSeconds, priority);
}

/** The skew part of the master-down interval alone: how long a graceful handover (priority 0 advert) takes at most. */
export function skewTimeSeconds(advertIntSeconds: number, priority: number): number {
  return ((256 - priority) / 256) * advertIntSeconds;
}
