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
 * advert_int in whole seconds. 2 s stays the default, from the local cloud's measurements
 * (docs/benchmarks.md, "The cloud's terms"): a client through the HAVIP waits for the
 * master-down interval plus the cloud's switch (about 4 s; up to 10 s), so a crash costs ~8.8 s
 * at 2 s, ~6.8 s at 1 s and ~4.3 s even at 0.1 s; below 2 s the switch is most of the outage,
 * while false failovers (each one a switch-long outage of its own) double with every halving of
 * advert_int on a lossy link. Tencent's guide uses 5 s (~18.9 s measured with the switch).
 */
export const ADVERT_INT_MIN_SECONDS = 1;
export const ADVERT_INT_MAX_SECONDS = 255;
export const DEFAULT_ADVERT_INT_SECONDS = 2;

/**
 * A fractional advert_int switches the pair to VRRPv3 (RFC 5798), whose 12-bit advert field counts
 * centiseconds: Keepalived rounds anything finer and caps it below 40.96 s (keepalived -t warns).
 * 0.1 s is our floor: ten adverts a second, a crash detected in ~0.3 s; below that a short stall of
 * either VM (steal time, a busy disk) already reads as a dead master and the VIP flaps.
 */
export const ADVERT_INT_FRACTIONAL_MIN_SECONDS = 0.1;
export const ADVERT_INT_FRACTIONAL_MAX_SECONDS = 40.95;

/**
 * Both nodes run `state BACKUP` with this equal priority and `nopreempt`. Tencent's guide uses
 * 100; the skew time (256 − priority)/256 s is what a graceful handover waits, so 254 hands over
 * in 0.008 s instead of 0.61 s (lab: 0.07 s against 0.69 s) and shortens every master-down interval.
 * Equal priorities keep the guide's rule: neither node is preferred, a recovered node never preempts.
 */
export const DEFAULT_PRIORITY = 254;
export const PRIORITY_MIN = 1;
export const PRIORITY_MAX = 254;

/** The guide's gratuitous-ARP timings: the cloud learns where the HAVIP lives from GARP. */
export const GARP_MASTER_DELAY_SECONDS = 1;
export const GARP_MASTER_REFRESH_SECONDS = 5;

/** The oldest Keepalived that has everything the guide relies on (unicast, nopreempt with BACKUP, notify_stop). */
export const MIN_KEEPALIVED_VERSION = "1.2.24";

/** `keepalived -t` (config test) exists from 2.0.4; the provisioner relies on it from 2.0.5 (see core/keepalived/keepalived-config-test.ts for how each release answers). */
export const KEEPALIVED_CONFIG_TEST_SINCE = "2.0.5";

/** Where a node records which files its running Keepalived was started or reloaded with. */
export const APPLIED_FINGERPRINT_PATH = "/var/keepalived/.havip-applied";
/** Where a node records the service setup (packages and command) that last ran on it. */
export const SERVICE_SETUP_FINGERPRINT_PATH = "/var/keepalived/.havip-service-setup";

export const DEFAULT_INTERFACE_NAME = "eth0";
export const DEFAULT_NOTIFY_LOG_PATH = "/var/log/keepalived.log";
/** Keepalived's own console log where the provisioner starts it without systemd (rotated with the notify log). */
export const KEEPALIVED_CONSOLE_LOG_PATH = "/var/log/keepalived-daemon.log";
export const DEFAULT_STATE_FILE_PATH = "/var/keepalived/state";
export const DEFAULT_SCRIPT_USER = "root";
export const DEFAULT_MAINTENANCE_FLAG_PATH = "/etc/keepalived/maintenance";

export const DEFAULT_HEALTH_CHECK_INTERVAL_SECONDS = 5;
export const DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS = 3;
export const DEFAULT_HEALTH_CHECK_FALL = 2;
export const DEFAULT_HEALTH_CHECK_RISE = 2;

// --- HaVipCluster construct (cloud side) ---

/**
 * Tencent VPC and subnet CIDRs: a private (RFC 1918) IPv4 block with a prefix of /12 to /28
 * (Tencent VPC docs, "Network planning"). A subnet lies inside its VPC.
 */
export const VPC_PREFIX_LENGTH_MIN = 12;
export const VPC_PREFIX_LENGTH_MAX = 28;
export const SUBNET_PREFIX_LENGTH_MAX = 28;

/** Default node addresses, as offsets from the subnet's network address (the guide's .5 and .6). */
export const DEFAULT_PRIMARY_HOST_OFFSET = 5;
export const DEFAULT_SECONDARY_HOST_OFFSET = 6;

/** Tencent resource names (VPC, subnet, CVM, HAVIP, security group, placement group) are 1-60 characters. */
export const TENCENT_NAME_MAX_LENGTH = 60;
/** Cluster names prefix every resource name (`<cluster>-secondary-eip` must stay within 60). */
export const CLUSTER_NAME_MAX_LENGTH = 40;
export const CLUSTER_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** 2 vCPU / 2 GiB: enough for Keepalived and a small service behind the VIP. */
export const DEFAULT_INSTANCE_TYPE = "S5.MEDIUM2";
export const DEFAULT_SYSTEM_DISK_TYPE = "CLOUD_PREMIUM";
export const DEFAULT_SYSTEM_DISK_SIZE_GB = 50;
/** Tencent CBS system disks are 20-1024 GB. */
export const SYSTEM_DISK_SIZE_MIN_GB = 20;
export const SYSTEM_DISK_SIZE_MAX_GB = 1024;

/**
 * Public image looked up when no image id is given: TencentOS Server 3 is maintained and ships
 * Keepalived 2.x (CentOS 7 reached end of life in June 2024).
 */
export const DEFAULT_IMAGE_NAME_REGEX = "^TencentOS Server 3\\.";

/** Public bandwidth (Mbit/s) of each node's SSH address and of the EIP. */
export const DEFAULT_PUBLIC_BANDWIDTH_MBPS = 1;
export const PUBLIC_BANDWIDTH_MIN_MBPS = 1;
export const PUBLIC_BANDWIDTH_MAX_MBPS = 200;

// --- Tencent Cloud API checks (status, failover-test) ---

/** DescribeHaVips returns at most 100 HAVIPs per call (Limit: default 20, maximum 100). */
export const DESCRIBE_HAVIPS_PAGE_SIZE = 100;
/** DescribeHaVips accepts at most 5 values in one Filter (and 10 Filters per call). */
export const DESCRIBE_HAVIPS_MAX_FILTER_VALUES = 5;
/** Pages read before giving up: 20 x 100 HAVIPs is far more than one cluster's query can match. */
export const DESCRIBE_HAVIPS_MAX_PAGES = 20;
/** The SDK waits 60 s by default; a status check should fail sooner. */
export const TENCENT_CLOUD_API_TIMEOUT_SECONDS = 10;
/** DescribeHaVips allows 20 calls per second; one a second leaves room for other tools. */
export const DEFAULT_HAVIP_BINDING_POLL_INTERVAL_MS = 1_000;
export const MIN_HAVIP_BINDING_POLL_INTERVAL_MS = 50;
export const DEFAULT_HAVIP_BINDING_WAIT_TIMEOUT_MS = 60_000;
export const MAX_HAVIP_BINDING_WAIT_TIMEOUT_MS = 600_000;

// --- Service behind the VIP (hooks, sysctl, service setup) ---

/** How long a transition hook may run before `timeout` sends SIGTERM; SIGKILL follows HOOK_KILL_AFTER_SECONDS later. */
export const DEFAULT_HOOK_TIMEOUT_SECONDS = 30;
export const HOOK_TIMEOUT_MAX_SECONDS = 3600;
export const HOOK_KILL_AFTER_SECONDS = 2;

/** The managed sysctl file that lets a service bind the VIP before the node holds it. */
export const NONLOCAL_BIND_SYSCTL_PATH = "/etc/sysctl.d/90-havip-nonlocal-bind.conf";

/**
 * Debian policy package names (also what dnf/yum accept): lower-case letters, digits, + - . ,
 * starting with a letter or digit; at least two characters.
 */
export const PACKAGE_NAME_PATTERN = /^[a-z0-9][a-z0-9+.-]+$/;
export const MAX_SERVICE_PACKAGES = 50;

/** Tencent CVM user data: at most 16 KB once base64-encoded (the provider's `user_data_raw`), so 12 KiB of text. */
export const USER_DATA_MAX_BASE64_BYTES = 16 * 1024;
