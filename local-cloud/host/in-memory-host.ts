import { setTimeout as sleep } from "node:timers/promises";
import type {
  Announcement,
  BootableImage,
  CloudHost,
  HostSubnet,
  HostVpc,
  MachineSecurityRules,
  MachineSize,
  MachineSpec,
  PrivateAddress,
} from "./cloud-host";

export interface InMemoryMachine {
  spec: MachineSpec;
  running: boolean;
  /** Raised by each reinstall: a fresh disk. */
  diskGeneration: number;
  /** Changes with every reinstall, as a machine's SSH host key does. */
  hostKey: string;
  /** Times the user data ran (once per fresh disk). */
  userDataRuns: number;
  size: MachineSize;
  rules: MachineSecurityRules;
}

export interface InMemoryHostOptions {
  /** What it can boot. */
  readonly images: readonly BootableImage[];
  /** How long a boot, shutdown or reinstall takes. @default 200 */
  readonly operationDelayMs?: number;
}

/**
 * A double of the lab machinery, not of the cloud: machines that "boot" after a delay, networks
 * that are only records, and an address table the test sets (what gratuitous ARP would teach the
 * subnet). It keeps every call, so tests see what the API asked the machinery to do.
 */
export class InMemoryHost implements CloudHost {
  readonly vpcs = new Map<string, HostVpc>();
  readonly subnets = new Map<string, HostSubnet>();
  readonly machines = new Map<string, InMemoryMachine>();
  readonly publicRoutes = new Map<string, PrivateAddress>();
  /** `subnetId/address` -> the machine the cloud routes the address to (`routeAddress`). */
  readonly addressRoutes = new Map<string, string>();
  private announcementListener: ((announcement: Announcement) => void) | undefined;
  readonly calls: string[] = [];
  private images: readonly BootableImage[];
  private readonly delayMs: number;
  private launchesToFail = 0;
  private hostKeys = 0;

  constructor(options: InMemoryHostOptions) {
    this.images = options.images;
    this.delayMs = options.operationDelayMs ?? 200;
  }

  /** Replaces what the host can boot (a newer image published, an old one withdrawn). */
  setImages(images: readonly BootableImage[]): void {
    this.images = images;
  }

  /** The next launch fails, as a machine that does not boot. */
  failNextLaunch(): void {
    this.launchesToFail += 1;
  }

  /** A machine sends a gratuitous ARP for `address` (the cloud hears of it as the lab's router would report it). */
  announce(instanceId: string, address: string): void {
    this.calls.push(`announce ${instanceId} ${address}`);
    this.announcementListener?.({ instanceId, address, at: Date.now() });
  }

  private machine(instanceId: string): InMemoryMachine {
    const machine = this.machines.get(instanceId);
    if (!machine) throw new Error(`no machine ${instanceId}`);
    return machine;
  }

  private newHostKey(): string {
    this.hostKeys += 1;
    return `host-key-${this.hostKeys}`;
  }

  async bootableImages(): Promise<readonly BootableImage[]> {
    return this.images;
  }

  async createVpc(vpc: HostVpc): Promise<void> {
    this.calls.push(`createVpc ${vpc.vpcId}`);
    this.vpcs.set(vpc.vpcId, vpc);
  }

  async deleteVpc(vpcId: string): Promise<void> {
    this.calls.push(`deleteVpc ${vpcId}`);
    this.vpcs.delete(vpcId);
  }

  async createSubnet(subnet: HostSubnet): Promise<void> {
    this.calls.push(`createSubnet ${subnet.subnetId}`);
    this.subnets.set(subnet.subnetId, subnet);
  }

  async deleteSubnet(subnetId: string): Promise<void> {
    this.calls.push(`deleteSubnet ${subnetId}`);
    this.subnets.delete(subnetId);
  }

  async launchMachine(spec: MachineSpec): Promise<void> {
    this.calls.push(`launchMachine ${spec.instanceId}`);
    if (this.machines.get(spec.instanceId)?.running) return;
    await sleep(this.delayMs);
    if (this.launchesToFail > 0) {
      this.launchesToFail -= 1;
      throw new Error(`the machine ${spec.instanceId} did not boot`);
    }
    if (!this.images.some((image) => image.key === spec.imageKey)) throw new Error(`no bootable image ${spec.imageKey}`);
    this.machines.set(spec.instanceId, {
      spec,
      running: true,
      diskGeneration: 1,
      hostKey: this.newHostKey(),
      userDataRuns: spec.userData === undefined ? 0 : 1,
      size: spec.size,
      rules: { ingress: [], egress: [] },
    });
  }

  async stopMachine(instanceId: string, options: { readonly force: boolean }): Promise<void> {
    this.calls.push(`stopMachine ${instanceId}${options.force ? " force" : ""}`);
    await sleep(this.delayMs);
    this.machine(instanceId).running = false;
  }

  async startMachine(instanceId: string): Promise<void> {
    this.calls.push(`startMachine ${instanceId}`);
    await sleep(this.delayMs);
    this.machine(instanceId).running = true;
  }

  async rebootMachine(instanceId: string): Promise<void> {
    this.calls.push(`rebootMachine ${instanceId}`);
    await sleep(this.delayMs);
    this.machine(instanceId).running = true;
  }

  async reinstallMachine(spec: MachineSpec): Promise<void> {
    this.calls.push(`reinstallMachine ${spec.instanceId} ${spec.imageKey}`);
    const machine = this.machine(spec.instanceId);
    if (machine.running) throw new Error(`the machine ${spec.instanceId} is running; reinstall needs it stopped`);
    await sleep(this.delayMs);
    machine.spec = spec;
    machine.diskGeneration += 1;
    machine.hostKey = this.newHostKey();
    machine.userDataRuns += spec.userData === undefined ? 0 : 1;
  }

  async resizeMachine(instanceId: string, size: MachineSize): Promise<void> {
    this.calls.push(`resizeMachine ${instanceId} ${size.instanceType}`);
    const machine = this.machine(instanceId);
    if (machine.running) throw new Error(`the machine ${instanceId} is running; a resize needs it stopped`);
    machine.size = size;
  }

  async setAuthorizedKeys(instanceId: string, publicKeys: readonly string[]): Promise<void> {
    this.calls.push(`setAuthorizedKeys ${instanceId}`);
    const machine = this.machine(instanceId);
    machine.spec = { ...machine.spec, authorizedKeys: publicKeys };
  }

  async destroyMachine(instanceId: string): Promise<void> {
    this.calls.push(`destroyMachine ${instanceId}`);
    await sleep(this.delayMs);
    this.machines.delete(instanceId);
  }

  async applySecurityRules(instanceId: string, rules: MachineSecurityRules): Promise<void> {
    const machine = this.machines.get(instanceId);
    if (machine) machine.rules = rules;
  }

  async routePublicAddress(publicIp: string, target: PrivateAddress | undefined): Promise<void> {
    this.calls.push(`routePublicAddress ${publicIp} ${target ? `${target.subnetId}/${target.address}` : "-"}`);
    if (target) this.publicRoutes.set(publicIp, target);
    else this.publicRoutes.delete(publicIp);
  }

  async routeAddress(address: PrivateAddress, instanceId: string | undefined): Promise<void> {
    this.calls.push(`routeAddress ${address.subnetId}/${address.address} ${instanceId ?? "-"}`);
    if (instanceId === undefined) this.addressRoutes.delete(`${address.subnetId}/${address.address}`);
    else this.addressRoutes.set(`${address.subnetId}/${address.address}`, instanceId);
  }

  onAnnouncement(listener: (announcement: Announcement) => void): void {
    this.announcementListener = listener;
  }
}
