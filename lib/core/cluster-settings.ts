/**
 * The shape of a cluster's Keepalived settings: what the user writes (`KeepalivedSettings`),
 * and the resolved form (`ClusterSpec`) that travels from the construct (as a Terraform output
 * and the local-exec environment) to the provisioner, which renders each node's files from it.
 */

/** Timing of the health check: `intervalSeconds` must be larger than `timeoutSeconds`. */
export interface HealthCheckTiming {
  /** Seconds between two runs of the check. @default 5 */
  readonly intervalSeconds?: number;
  /** Seconds after which a running check counts as failed. @default 3 */
  readonly timeoutSeconds?: number;
  /** Consecutive failures before the node goes to FAULT. @default 2 */
  readonly fall?: number;
  /** Consecutive successes before a FAULT node is healthy again. @default 2 */
  readonly rise?: number;
}

/**
 * What Keepalived's `track_script` checks on each node.
 * The default, `maintenance-flag`, fails only while an operator-created flag file exists, so a
 * fresh cluster that runs no service yet keeps its VIP.
 */
export type HealthCheck =
  | (HealthCheckTiming & {
      readonly kind: "maintenance-flag";
      /** @default "/etc/keepalived/maintenance" */
      readonly flagPath?: string;
    })
  | (HealthCheckTiming & { readonly kind: "process"; readonly processName: string })
  | (HealthCheckTiming & {
      readonly kind: "tcp-port";
      readonly port: number;
      /** @default "127.0.0.1" */
      readonly host?: string;
    })
  | (HealthCheckTiming & { readonly kind: "http"; readonly url: string })
  | (HealthCheckTiming & {
      readonly kind: "command";
      /** Run through `/bin/sh -c`; exit 0 means healthy. */
      readonly command: string;
    });

export type HealthCheckKind = HealthCheck["kind"];

/**
 * Commands the notify script runs after it has recorded a VRRP state change (promote or demote a
 * replica, reload nginx). Each runs through `/bin/sh -c` as the script user, detached from
 * Keepalived and under `timeout`, with the state as `$1` and its output appended to the notify log.
 */
export interface TransitionHooks {
  /** Run on becoming MASTER (the node now holds the VIPs). @default - nothing */
  readonly master?: string;
  /** Run on becoming BACKUP. @default - nothing */
  readonly backup?: string;
  /** Run on FAULT (the health check failed or the interface went down). @default - nothing */
  readonly fault?: string;
  /** Run when Keepalived stops (Keepalived >= 1.1.13 sends STOP). @default - nothing */
  readonly stop?: string;
  /** Seconds a hook may run before it is terminated (SIGTERM, SIGKILL 2 s later). @default 30 */
  readonly timeoutSeconds?: number;
}

/** Transition hooks with the timeout filled in. */
export type ResolvedTransitionHooks = Omit<TransitionHooks, "timeoutSeconds"> & { readonly timeoutSeconds: number };

/**
 * What the provisioner installs and runs on each node before Keepalived starts or reloads, one
 * node at a time (the one without the VIP first), so a health check never sees a service that is
 * not installed yet on both nodes at once.
 */
export interface ServiceSetup {
  /** Distribution packages to install (apt-get/dnf/yum names, e.g. `nginx`). @default [] */
  readonly packages?: readonly string[];
  /**
   * Run through `/bin/sh -c` as root after the packages, on a provisioning that finds it never ran
   * on the node, changed since it last ran there, or its packages just installed: make it idempotent.
   * @default - nothing
   */
  readonly command?: string;
}

/** Keepalived settings of one cluster, as the user writes them. */
export interface KeepalivedSettings {
  /** VRRP router id, 1-255, unique per cluster within a VPC. */
  readonly virtualRouterId: number;
  /**
   * Seconds between VRRP adverts. Small values detect a dead master sooner (after
   * 3 x advert_int + skew) but flap on a jittery network; large values slow failover.
   * A whole number 1-255 uses VRRPv2; a fraction (0.1-40.95 in steps of 0.01) switches both
   * nodes to VRRPv3, which has centisecond timers and no authentication (see docs/keepalived.md).
   * @default 2
   */
  readonly advertIntSeconds?: number;
  /**
   * Equal on both nodes (both are `state BACKUP` with `nopreempt`). High is fast: a graceful stop
   * hands over after the skew time (256 - priority)/256 s, 0.008 s at 254 against 0.61 s at the guide's 100.
   * @default 254
   */
  readonly priority?: number;
  /**
   * VRRP PASS password, at most 8 characters (Keepalived silently truncates longer ones).
   * In a construct, pass a sensitive Terraform variable (`new TerraformVariable(..., { sensitive: true }).stringValue`):
   * it stays out of cdk.tf.json and is checked by the provisioner. A literal is written in clear into cdk.tf.json.
   * @default - generated randomly on the first provisioning and kept on the nodes
   */
  readonly authPass?: string;
  /** Network interface that carries the VIP. @default "eth0" */
  readonly interfaceName?: string;
  /** @default - { kind: "maintenance-flag" } */
  readonly healthCheck?: HealthCheck;
  /** File the notify script appends state changes to (rotated by logrotate). @default "/var/log/keepalived.log" */
  readonly notifyLogPath?: string;
  /** User Keepalived runs scripts as (`enable_script_security`). @default "root" */
  readonly scriptUser?: string;
  /** Commands run on MASTER, BACKUP, FAULT and STOP. @default - none */
  readonly hooks?: TransitionHooks;
  /**
   * Persist `net.ipv4.ip_nonlocal_bind = 1` in /etc/sysctl.d/ and apply it, so a service
   * configured to listen on the VIP starts on the node that does not hold it yet. `false`
   * removes the file and sets the value back to 0.
   * @default true
   */
  readonly nonlocalBind?: boolean;
  /** Packages and a command that install the service behind the VIP. @default - none */
  readonly serviceSetup?: ServiceSetup;
}

/** Health check with every timing default filled in. */
export type ResolvedHealthCheck = HealthCheck & Required<HealthCheckTiming>;

/** One node of the pair as the provisioner sees it. */
export interface NodeSpec {
  /** Stable name, e.g. "primary" / "secondary" (used in logs and file names). */
  readonly name: string;
  /** Address inside the subnet: `unicast_src_ip` on this node, `unicast_peer` on the other. */
  readonly privateIp: string;
  /** Address the provisioner connects to over SSH (public IP, or the private IP via a jump host). */
  readonly sshHost: string;
  /** @default 22 */
  readonly sshPort?: number;
  /** Cloud instance id, when the node is a CVM. */
  readonly instanceId?: string;
  /**
   * The image the node's system disk was last installed from (a CVM's `image_id`). With the
   * instance id it names the disk: a host key that trust-on-first-use recorded for another disk
   * (a replaced or reinstalled node) is recorded anew instead of refused.
   */
  readonly imageId?: string;
}

/** How the provisioner reaches the nodes. Paths only: key material never enters the spec. */
export interface SshSettings {
  /** @default "root" */
  readonly user?: string;
  /**
   * Absolute path of the private key (the provisioner runs from another directory, and nothing expands `~`).
   * @default - the SSH agent from SSH_AUTH_SOCK
   */
  readonly privateKeyPath?: string;
  /** known_hosts file that pins the nodes' host keys (an absolute path). */
  readonly knownHostsPath?: string;
  /** Host key fingerprints (`SHA256:...`, as `ssh-keygen -lf` prints them) by SSH host; a pinned one alone decides. */
  readonly hostKeyFingerprints?: Readonly<Record<string, string>>;
  /** Accept and record unknown host keys in knownHostsPath (never changed ones). @default false */
  readonly trustOnFirstUse?: boolean;
  /** Bastion for nodes without a public IP. */
  readonly jumpHost?: { readonly host: string; readonly port?: number; readonly user?: string };
}

/**
 * Everything the provisioner needs for one cluster, with defaults resolved and addresses known.
 * Serialized as JSON in the stack output `<cluster>-spec` and in the local-exec environment.
 */
export interface ClusterSpec {
  readonly specVersion: 1;
  readonly clusterName: string;
  readonly virtualRouterId: number;
  readonly advertIntSeconds: number;
  readonly priority: number;
  readonly interfaceName: string;
  /** HAVIP addresses served by the pair, 1..5. */
  readonly vips: readonly string[];
  /** Prefix length of the subnet, used for `virtual_ipaddress` entries (`VIP/len dev IF`). */
  readonly subnetPrefixLength: number;
  readonly nodes: readonly [NodeSpec, NodeSpec];
  readonly healthCheck: ResolvedHealthCheck;
  readonly notifyLogPath: string;
  readonly scriptUser: string;
  /** Absent: the provisioner generates one and keeps it on the nodes. */
  readonly authPass?: string;
  /** Absent: no hooks. */
  readonly hooks?: ResolvedTransitionHooks;
  /** Absent: true (the default). */
  readonly nonlocalBind?: boolean;
  /** Absent: nothing to install. */
  readonly serviceSetup?: ServiceSetup;
  readonly ssh: SshSettings;
  /** Cloud-side facts for `status` and `failover-test` to compare with (absent in the lab). */
  readonly cloud?: {
    readonly region?: string;
    readonly vpcId?: string;
    /** HAVIP ids, in the order of `vips`. */
    readonly havipIds?: readonly string[];
    /** The EIP that should be attached to the first HAVIP. */
    readonly eip?: string;
  };
  /** Source tarball for nodes whose distribution ships a Keepalived older than 1.2.24. */
  readonly keepalivedSource?: { readonly url: string; readonly sha256: string };
  /**
   * Set only in a lab's spec: the network namespace its nodes are reachable from. Every command
   * refuses the spec anywhere else, so lab addresses never go out through the host's routes.
   */
  readonly labOperatorNamespace?: string;
}
