import * as fs from "node:fs";
import * as path from "node:path";
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
} from "../../local-cloud";
import {
  type ArpWatcher,
  type CloudNetworkLayout,
  ROUTER_UPLINK_INTERFACE,
  attachInstance,
  createVpcRouter,
  deleteVpcRouter,
  detachInstance,
  instanceNamespace,
  instancePortName,
  listNamespaces,
  reconcileVpcRouter,
  type VpcRouterModel,
  vpcNamespace,
  watchAnnouncements,
} from "../cloud-network";
import type { ServerDiskSettings } from "../servers/lab-server-init";
import {
  destroyServer,
  createServer,
  rebootServer,
  reinstallServer,
  serverPowerState,
  setServerAuthorizedKeys,
  startServer,
  stopServer,
  type ServerImage,
} from "../servers/server-lifecycle";
import { type ServerLayout, serverLayout } from "../servers/server-layout";
import { type HostModel, emptyHostModel, nextRouterAddress, routerModelOf } from "./host-model";
import { readLabFaults } from "./lab-faults";

/** An image the lab can boot: a prepared release root, published under Tencent's naming. */
export interface LabImage extends BootableImage {
  readonly rootDir: string;
}

export interface LabCloudHostOptions {
  readonly network: CloudNetworkLayout;
  /** Where the host keeps its model and each machine's directory (disk, supervisor, console). */
  readonly stateDir: string;
  readonly images: () => readonly LabImage[];
  /** Where the images' package mirror host name points. */
  readonly mirrorAddress: string;
  /** The lab CA the machines trust. */
  readonly caCertPem: string;
  /** How long a machine may take from boot to sshd, and to shut down gracefully. @default 120000 */
  readonly machineTimeoutMs?: number;
  /** Problems of background work (an ARP watcher that died). @default - stderr */
  readonly onError?: (error: Error) => void;
}

/**
 * The local cloud's machinery in the lab: VPCs are router namespaces, instances are Debian
 * servers booted with systemd-nspawn on a port of their VPC's router, public IPs and EIPs are
 * NAT on the router's uplink, security groups are nftables rules on each instance's port, and an
 * HAVIP's traffic goes to the instance the cloud binds it to, having learned of each gratuitous
 * ARP from a watcher in the router's namespace.
 *
 * Its model (what exists and how it is wired) is kept in a file beside the machines, so a restarted
 * endpoint finds its routers, watchers and servers again (`resume`).
 */
export class LabCloudHost implements CloudHost {
  private model: HostModel;
  private readonly modelPath: string;
  private readonly watchers = new Map<string, ArpWatcher>();
  private listener: ((announcement: Announcement) => void) | undefined;
  /** One router change at a time per VPC: reconciling is a read-then-write of the router. */
  private readonly routerQueues = new Map<string, Promise<void>>();
  /** Security rules that came for a machine before its launch put it in the model. */
  private readonly pendingRules = new Map<string, MachineSecurityRules>();

  constructor(private readonly options: LabCloudHostOptions) {
    this.modelPath = path.join(options.stateDir, "host-model.json");
    this.model = fs.existsSync(this.modelPath) ? (JSON.parse(fs.readFileSync(this.modelPath, "utf8")) as HostModel) : emptyHostModel();
  }

  /** Brings back what a previous endpoint built: missing routers, ports and watchers; servers keep running as they are. */
  async resume(): Promise<void> {
    const existing = new Set(await listNamespaces());
    for (const vpc of Object.values(this.model.vpcs)) {
      if (!existing.has(vpcNamespace(this.options.network, vpc.vpcId)))
        await createVpcRouter(this.options.network, vpc.vpcId, vpc.uplinkAddress);
      await this.startWatcher(vpc.vpcId);
    }
    for (const instance of Object.values(this.model.instances)) {
      if (!existing.has(instanceNamespace(this.options.network, instance.instanceId))) {
        await attachInstance(this.options.network, instance.vpcId, instance);
      }
    }
    for (const vpcId of Object.keys(this.model.vpcs)) await this.reconcile(vpcId);
  }

  /** Stops the ARP watchers (the servers and routers stay: they are the cloud's resources). */
  close(): void {
    for (const watcher of this.watchers.values()) watcher.stop();
    this.watchers.clear();
  }

  private save(change: (model: HostModel) => void): void {
    const draft = structuredClone(this.model);
    change(draft);
    fs.mkdirSync(this.options.stateDir, { recursive: true, mode: 0o700 });
    const temporary = `${this.modelPath}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify(draft, null, 1)}\n`, { mode: 0o600 });
    fs.renameSync(temporary, this.modelPath);
    this.model = draft;
  }

  /**
   * Runs `change` with the VPC's router to itself: every change of a router (a port added or
   * removed, the model reconciled) is one step of the VPC's queue, so no reconcile sees a port
   * half made.
   */
  private withRouter<T>(vpcId: string, change: () => Promise<T>): Promise<T> {
    const previous = this.routerQueues.get(vpcId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(change);
    this.routerQueues.set(
      vpcId,
      next.then(
        () => undefined,
        () => undefined,
      ),
    );
    return next;
  }

  private async reconcileNow(vpcId: string): Promise<void> {
    const router: VpcRouterModel | undefined = routerModelOf(
      this.model,
      vpcId,
      ROUTER_UPLINK_INTERFACE,
      readLabFaults(this.options.stateDir),
    );
    if (router) await reconcileVpcRouter(this.options.network, router);
  }

  private reconcile(vpcId: string): Promise<void> {
    return this.withRouter(vpcId, () => this.reconcileNow(vpcId));
  }

  private async startWatcher(vpcId: string): Promise<void> {
    if (this.watchers.has(vpcId)) return;
    const watcher = await watchAnnouncements(vpcNamespace(this.options.network, vpcId), (seen) => {
      const instance = Object.values(this.model.instances).find(
        (candidate) => candidate.vpcId === vpcId && instancePortName(candidate.instanceId) === seen.port,
      );
      if (instance) this.listener?.({ instanceId: instance.instanceId, address: seen.address, at: seen.at });
    });
    this.watchers.set(vpcId, watcher);
  }

  private server(spec: Pick<MachineSpec, "instanceId" | "privateIp" | "prefixLength" | "gateway" | "hostName">): ServerLayout {
    return serverLayout({
      name: spec.instanceId,
      machineName: `${this.options.network.prefix}-${spec.instanceId}`,
      namespace: instanceNamespace(this.options.network, spec.instanceId),
      ip: spec.privateIp,
      prefixLength: spec.prefixLength,
      gateway: spec.gateway,
      hostname: spec.hostName,
      dir: path.join(this.options.stateDir, "machines", spec.instanceId),
    });
  }

  private serverOf(instanceId: string): ServerLayout {
    const instance = this.model.instances[instanceId];
    if (!instance) throw new Error(`the lab has no machine ${instanceId}`);
    return this.server(instance);
  }

  private image(imageKey: string): ServerImage {
    const image = this.options.images().find((candidate) => candidate.key === imageKey);
    if (!image)
      throw new Error(
        `the lab has no image ${imageKey} (it offers ${this.options
          .images()
          .map((i) => i.key)
          .join(", ")})`,
      );
    return { key: image.key, rootDir: image.rootDir };
  }

  private disk(machine: MachineSpec): ServerDiskSettings {
    return {
      authorizedKeys: machine.authorizedKeys,
      mirrorAddress: this.options.mirrorAddress,
      caCertPem: this.options.caCertPem,
      ...(machine.userData === undefined ? {} : { userData: machine.userData }),
    };
  }

  private get timeoutMs(): number {
    return this.options.machineTimeoutMs ?? 120_000;
  }

  async bootableImages(): Promise<readonly BootableImage[]> {
    return this.options.images().map(({ rootDir: _rootDir, ...image }) => image);
  }

  async createVpc(vpc: HostVpc): Promise<void> {
    const existing = this.model.vpcs[vpc.vpcId];
    const uplinkAddress = existing?.uplinkAddress ?? nextRouterAddress(this.model);
    if (!existing) this.save((model) => (model.vpcs[vpc.vpcId] = { vpcId: vpc.vpcId, cidrBlock: vpc.cidrBlock, uplinkAddress }));
    if (!(await listNamespaces()).includes(vpcNamespace(this.options.network, vpc.vpcId))) {
      await createVpcRouter(this.options.network, vpc.vpcId, uplinkAddress);
    }
    await this.startWatcher(vpc.vpcId);
    await this.reconcile(vpc.vpcId);
  }

  async deleteVpc(vpcId: string): Promise<void> {
    this.watchers.get(vpcId)?.stop();
    this.watchers.delete(vpcId);
    await this.withRouter(vpcId, async () => {
      await deleteVpcRouter(this.options.network, vpcId);
      this.save((model) => delete model.vpcs[vpcId]);
    });
    this.routerQueues.delete(vpcId);
  }

  async createSubnet(subnet: HostSubnet): Promise<void> {
    this.save(
      (model) =>
        (model.subnets[subnet.subnetId] = {
          subnetId: subnet.subnetId,
          vpcId: subnet.vpcId,
          cidrBlock: subnet.cidrBlock,
          gateway: subnet.gateway,
        }),
    );
    await this.reconcile(subnet.vpcId);
  }

  async deleteSubnet(subnetId: string): Promise<void> {
    const subnet = this.model.subnets[subnetId];
    if (!subnet) return;
    this.save((model) => delete model.subnets[subnetId]);
    await this.reconcile(subnet.vpcId);
  }

  async launchMachine(machine: MachineSpec): Promise<void> {
    await this.withRouter(machine.vpcId, async () => {
      // Also when its namespace exists: a launch carried on after a restart may find its port half made.
      await attachInstance(this.options.network, machine.vpcId, machine);
      // In the model (so in the router's routes and rules) only once its port exists and is up.
      if (!this.model.instances[machine.instanceId]) {
        this.save(
          (model) =>
            (model.instances[machine.instanceId] = {
              instanceId: machine.instanceId,
              vpcId: machine.vpcId,
              subnetId: machine.subnetId,
              privateIp: machine.privateIp,
              prefixLength: machine.prefixLength,
              gateway: machine.gateway,
              hostName: machine.hostName,
              ...(this.pendingRules.has(machine.instanceId) ? { firewall: this.pendingRules.get(machine.instanceId) } : {}),
            }),
        );
        this.pendingRules.delete(machine.instanceId);
      }
      await this.reconcileNow(machine.vpcId);
    });
    const server = this.server(machine);
    await createServer(server, this.image(machine.imageKey), this.disk(machine));
    await startServer(server, { timeoutMs: this.timeoutMs });
  }

  async stopMachine(instanceId: string, options: { readonly force: boolean }): Promise<void> {
    const server = this.serverOf(instanceId);
    if (options.force) return stopServer(server, { force: true });
    try {
      await stopServer(server, { force: false, timeoutMs: this.timeoutMs });
    } catch (error) {
      // Tencent's default stop is SOFT_FIRST: a machine that does not shut down is powered off.
      this.options.onError?.(new Error(`${(error as Error).message}; powering it off`));
      await stopServer(server, { force: true });
    }
  }

  async startMachine(instanceId: string): Promise<void> {
    await startServer(this.serverOf(instanceId), { timeoutMs: this.timeoutMs });
  }

  async rebootMachine(instanceId: string, options: { readonly force: boolean }): Promise<void> {
    const server = this.serverOf(instanceId);
    if (serverPowerState(server) !== "running") return startServer(server, { timeoutMs: this.timeoutMs });
    await rebootServer(server, { force: options.force, timeoutMs: this.timeoutMs });
  }

  async reinstallMachine(machine: MachineSpec): Promise<void> {
    await reinstallServer(this.serverOf(machine.instanceId), this.image(machine.imageKey), this.disk(machine));
  }

  // The lab gives its servers no resource limits: a new instance type changes what the API reports only.
  async resizeMachine(_instanceId: string, _size: MachineSize): Promise<void> {}

  async setAuthorizedKeys(instanceId: string, publicKeys: readonly string[]): Promise<void> {
    await setServerAuthorizedKeys(this.serverOf(instanceId), publicKeys);
  }

  async destroyMachine(instanceId: string): Promise<void> {
    const instance = this.model.instances[instanceId];
    if (!instance) return;
    await destroyServer(this.server(instance));
    await this.withRouter(instance.vpcId, async () => {
      this.save((model) => delete model.instances[instanceId]);
      await this.reconcileNow(instance.vpcId);
      await detachInstance(this.options.network, instance.vpcId, instanceId);
    });
  }

  async applySecurityRules(instanceId: string, rules: MachineSecurityRules): Promise<void> {
    const instance = this.model.instances[instanceId];
    if (!instance) {
      // Rules for a machine still being launched: they are in force from its first reconcile on.
      this.pendingRules.set(instanceId, rules);
      return;
    }
    this.save((model) => (model.instances[instanceId].firewall = rules));
    await this.reconcile(instance.vpcId);
  }

  async routePublicAddress(publicIp: string, target: PrivateAddress | undefined): Promise<void> {
    const vpcId = target?.vpcId ?? this.model.publicAddresses[publicIp]?.vpcId;
    this.save((model) => {
      if (target) model.publicAddresses[publicIp] = target;
      else delete model.publicAddresses[publicIp];
    });
    if (vpcId && this.model.vpcs[vpcId]) await this.reconcile(vpcId);
  }

  async routeAddress(address: PrivateAddress, instanceId: string | undefined): Promise<void> {
    const key = `${address.subnetId}/${address.address}`;
    this.save((model) => {
      if (instanceId) model.boundAddresses[key] = { ...address, instanceId };
      else delete model.boundAddresses[key];
    });
    if (this.model.vpcs[address.vpcId]) await this.reconcile(address.vpcId);
  }

  onAnnouncement(listener: (announcement: Announcement) => void): void {
    this.listener = listener;
  }
}
