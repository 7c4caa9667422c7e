/**
 * Limits and defaults that validation, rendering, docs and tests share.
 * Each one has a source; change it here and everything follows.
 */

/** VRRP (RFC 5798) router ids are 1..255; Keepalived rejects anything else. */
export const VIRTUAL_ROUTER_ID_MIN = 1;
export const VIRTUAL_ROUTER_ID_MAX = 255;

/** Tencent Cloud binds at most 5 HAVIPs to one ENI. */
export const MAX_VIPS_PER_ENI = 5;

/** Keepalived's PASS authentication keeps only the first 8 characters of auth_pass. */
export const MAX_AUTH_PASS_LENGTH = 8;

/**
 * advert_int in whole seconds. 1 s detects a dead master in ~3.6 s but flaps on a jittery
 * network; Tencent's guide uses 5 s, which takes ~16 s to fail over. 2 s is our middle ground.
 */
export const ADVERT_INT_MIN_SECONDS = 1;
export const ADVERT_INT_MAX_SECONDS = 255;
export const DEFAULT_ADVERT_INT_SECONDS = 2;

/** Both nodes run `state BACKUP` with this equal priority and `nopreempt`. */
export const DEFAULT_PRIORITY = 100;
export const PRIORITY_MIN = 1;
export const PRIORITY_MAX = 254;

/** The guide's gratuitous-ARP timings: the cloud learns where the HAVIP lives from GARP. */
export const GARP_MASTER_DELAY_SECONDS = 1;
export const GARP_MASTER_REFRESH_SECONDS = 5;

/** The oldest Keepalived that has everything the guide relies on (unicast, nopreempt with BACKUP, notify_stop). */
export const MIN_KEEPALIVED_VERSION = "1.2.24";

export const DEFAULT_INTERFACE_NAME = "eth0";
export const DEFAULT_NOTIFY_LOG_PATH = "/var/log/keepalived.log";
export const DEFAULT_STATE_FILE_PATH = "/var/keepalived/state";
export const DEFAULT_SCRIPT_USER = "root";
export const DEFAULT_MAINTENANCE_FLAG_PATH = "/etc/keepalived/maintenance";

export const DEFAULT_HEALTH_CHECK_INTERVAL_SECONDS = 5;
export const DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS = 3;
export const DEFAULT_HEALTH_CHECK_FALL = 2;
export const DEFAULT_HEALTH_CHECK_RISE = 2;
