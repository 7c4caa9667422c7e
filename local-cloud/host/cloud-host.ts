/**
 * What the local cloud asks of the machinery that runs its resources (the lab's network
 * namespaces and systemd-nspawn servers, or the in-memory double its own tests use). The API
 * layer owns everything Tencent's API shows (ids, states, names, errors, quotas); the host only
 * does things and says when they are done.
 *
 * Every call may come again for the same resource after the local cloud restarted in the middle
 * of an operation (it carries unfinished operations to their end on start): make each one
 * idempotent (launching a machine that already runs, deleting what is gone: success).
 * A rejected promise fails the operation (an instance launch becomes LAUNCH_FAILED, with the
 * error's message as LatestOperationErrorMsg).
 */
export interface CloudHost {
  /** What this host can boot now; the local cloud publishes each as a public image, and nothing else. */
  bootableImages(): Promise<readonly BootableImage[]>;

  /** A VPC was created (`cidrBlock` is its private range) or deleted. */
  createVpc(vpc: HostVpc): Promise<void>;
  deleteVpc(vpcId: string): Promise<void>;
  /** A subnet was created in a VPC (its segment: instances and HAVIPs of the subnet share it) or deleted. */
  createSubnet(subnet: HostSubnet): Promise<void>;
  deleteSubnet(subnetId: string): Promise<void>;

  /** Creates and boots a machine; resolves once it runs (booted, its services starting). */
  launchMachine(machine: MachineSpec): Promise<void>;
  /** Shuts a machine down (`force`: power off at once); resolves once it is off. */
  stopMachine(instanceId: string, options: { readonly force: boolean }): Promise<void>;
  /** Boots a stopped machine; resolves once it runs. */
  startMachine(instanceId: string): Promise<void>;
  /** Reboots a running machine; resolves once it runs again. */
  rebootMachine(instanceId: string, options: { readonly force: boolean }): Promise<void>;
  /**
   * Reinstalls a stopped machine: a fresh system disk from `machine.image` (new SSH host keys),
   * same instance id, addresses and hostname, the given keys authorized for root, and the user
   * data run once at the next (first) boot. Does not start it.
   */
  reinstallMachine(machine: MachineSpec): Promise<void>;
  /** Gives a stopped machine a new size. Does not start it. */
  resizeMachine(instanceId: string, size: MachineSize): Promise<void>;
  /** Replaces the keys authorized for root on a stopped machine. Does not start it. */
  setAuthorizedKeys(instanceId: string, publicKeys: readonly string[]): Promise<void>;
  /** Powers a machine off for good and removes it with its disk. */
  destroyMachine(instanceId: string): Promise<void>;

  /**
   * The security group rules now in force for a machine (the rules of its security groups, in
   * the order of the groups, each group's rules in their order). Called whenever they change.
   */
  applySecurityRules(instanceId: string, rules: MachineSecurityRules): Promise<void>;

  /**
   * Routes a public address to a private address in a subnet (a CVM's public IP to its private
   * IP; an EIP to an HAVIP's address, which then goes where `routeAddress` sends it), or stops
   * routing it (`target` undefined).
   */
  routePublicAddress(publicIp: string, target: PrivateAddress | undefined): Promise<void>;

  /**
   * From now on, traffic for `address` (an HAVIP) goes to this machine, or to none (`undefined`).
   * Called whenever the cloud moves a binding, and for every HAVIP when the cloud starts.
   */
  routeAddress(address: PrivateAddress, instanceId: string | undefined): Promise<void>;

  /**
   * Registers the cloud's listener for the gratuitous ARPs the host sees: a machine announcing
   * that an address is at its interface (how Tencent learns where an HAVIP should go).
   */
  onAnnouncement(listener: (announcement: Announcement) => void): void;
}

/** A machine announced an address (a gratuitous ARP seen on its subnet). */
export interface Announcement {
  readonly instanceId: string;
  readonly address: string;
  /** When it was seen (ms since the epoch). */
  readonly at: number;
}

export interface BootableImage {
  /** The host's own name for it (stable: the local cloud keeps one image id per key). */
  readonly key: string;
  /** `Debian`: the local cloud names the image the way Tencent names its public images of that platform. */
  readonly platform: "Debian";
  /** The point release, e.g. `12.8` (from the root's `/etc/debian_version`). */
  readonly osVersion: string;
  readonly architecture: "x86_64" | "arm_64";
  /** When it was published (ISO 8601); the newest of a release is what a name regex lookup picks first. */
  readonly createdTime: string;
  readonly sizeGiB: number;
}

export interface HostVpc {
  readonly vpcId: string;
  readonly cidrBlock: string;
}

export interface HostSubnet {
  readonly vpcId: string;
  readonly subnetId: string;
  readonly cidrBlock: string;
  /** The subnet's gateway address (its first host address). */
  readonly gateway: string;
  readonly zone: string;
}

export interface MachineSize {
  readonly instanceType: string;
  readonly cpu: number;
  readonly memoryGiB: number;
}

export interface MachineSpec {
  readonly instanceId: string;
  readonly hostName: string;
  /** `BootableImage.key` of the image to boot or reinstall from. */
  readonly imageKey: string;
  readonly vpcId: string;
  readonly subnetId: string;
  readonly privateIp: string;
  readonly prefixLength: number;
  readonly gateway: string;
  readonly size: MachineSize;
  readonly systemDiskGiB: number;
  /** OpenSSH public keys to authorize for root. */
  readonly authorizedKeys: readonly string[];
  /** The user data, decoded, to run once at first boot as cloud-init runs a script; undefined without. */
  readonly userData: string | undefined;
}

export interface SecurityRule {
  readonly action: "ACCEPT" | "DROP";
  /** `TCP`, `UDP`, `ICMP`, `ICMPv6`, `GRE` or `ALL`. */
  readonly protocol: string;
  /** `ALL`, a port (`22`), ports (`80,443`) or a range (`8000-8010`). */
  readonly port: string;
  /** The peer: an IPv4 CIDR block, or the private IPs of the instances of a referenced security group. */
  readonly cidrBlocks: readonly string[];
}

/** The first rule that matches a packet decides; a packet no rule matches is dropped (Tencent's semantics). */
export interface MachineSecurityRules {
  readonly ingress: readonly SecurityRule[];
  readonly egress: readonly SecurityRule[];
}

export interface PrivateAddress {
  readonly vpcId: string;
  readonly subnetId: string;
  readonly address: string;
}
