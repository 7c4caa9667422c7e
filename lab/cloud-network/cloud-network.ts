import { runCommand, runCommandOrThrow } from "../host/host-command";
import * as fs from "node:fs";
import {
  API_ADDRESS,
  INTERNET_CIDR,
  type CloudNetworkLayout,
  INTERNET_PREFIX_LENGTH,
  MIRROR_ADDRESS,
  OPERATOR_ADDRESS,
  ROUTER_UPLINK_INTERFACE,
  instanceNamespace,
  instancePortName,
  routerUplinkPortName,
  vpcNamespace,
} from "./cloud-network-layout";
import { type VpcRouterModel, renderRouterRuleset, routerRoutes, uplinkAddresses } from "./vpc-router-model";

const ip = (...args: string[]) => runCommandOrThrow(["ip", ...args]);
const inNamespace = (namespace: string, ...argv: string[]) => runCommandOrThrow(["ip", "netns", "exec", namespace, ...argv]);

/** Namespaces that currently exist (`ip netns list`). */
export async function listNamespaces(): Promise<string[]> {
  const output = await runCommandOrThrow(["ip", "netns", "list"]);
  return output
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[0])
    .filter((name) => name.length > 0);
}

/** A new namespace with loopback up and IPv6 off (no link-local addresses, no router solicitations). */
async function addNamespace(namespace: string): Promise<void> {
  await ip("netns", "add", namespace);
  await inNamespace(namespace, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
  await ip("-n", namespace, "link", "set", "lo", "up");
}

/**
 * Plugs `namespace` into the internet bridge: a veth created inside the internet namespace whose
 * peer lands in `namespace` already named `inside`, so no interface ever appears in the host's namespace.
 */
async function plugIntoInternet(layout: CloudNetworkLayout, port: string, namespace: string, inside: string, addresses: readonly string[]) {
  await ip("-n", layout.internetNamespace, "link", "add", port, "type", "veth", "peer", "name", inside, "netns", namespace);
  await ip("-n", layout.internetNamespace, "link", "set", port, "master", layout.internetBridge, "up");
  for (const address of addresses) await ip("-n", namespace, "addr", "add", `${address}/${INTERNET_PREFIX_LENGTH}`, "dev", inside);
  await ip("-n", namespace, "link", "set", inside, "up");
}

/** The internet bridge, the operator's namespace and the cloud services' namespace. */
export async function createInternet(layout: CloudNetworkLayout): Promise<void> {
  for (const namespace of [layout.internetNamespace, layout.operatorNamespace, layout.servicesNamespace]) await addNamespace(namespace);
  await ip("-n", layout.internetNamespace, "link", "add", layout.internetBridge, "type", "bridge", "forward_delay", "0", "stp_state", "0");
  await ip("-n", layout.internetNamespace, "link", "set", layout.internetBridge, "up");
  await plugIntoInternet(layout, "op", layout.operatorNamespace, "eth0", [OPERATOR_ADDRESS]);
  await plugIntoInternet(layout, "svc", layout.servicesNamespace, "eth0", [API_ADDRESS, MIRROR_ADDRESS]);
}

/** A VPC's router: its namespace, forwarding on, its uplink on the internet bridge. Reconcile it afterwards. */
export async function createVpcRouter(layout: CloudNetworkLayout, vpcId: string, uplinkAddress: string): Promise<void> {
  const namespace = vpcNamespace(layout, vpcId);
  await addNamespace(namespace);
  await inNamespace(namespace, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
  await plugIntoInternet(layout, routerUplinkPortName(vpcId), namespace, ROUTER_UPLINK_INTERFACE, [uplinkAddress]);
}

export interface InstanceAttachment {
  readonly instanceId: string;
  readonly privateIp: string;
  /** The subnet's prefix length: the instance believes its subnet is on its link (the router answers ARP for all of it). */
  readonly prefixLength: number;
  readonly gateway: string;
}

/**
 * Creates the instance's namespace and its eth0, a veth whose other end is a port of the VPC's
 * router with proxy ARP (answered at once: proxy_delay 0). The instance's address and default
 * route are set here; its server machinery sets them again after every boot.
 */
export async function attachInstance(layout: CloudNetworkLayout, vpcId: string, instance: InstanceAttachment): Promise<string> {
  const router = vpcNamespace(layout, vpcId);
  const namespace = instanceNamespace(layout, instance.instanceId);
  const port = instancePortName(instance.instanceId);
  // Each step is skipped when done: an endpoint killed half-way (the namespace made, the port not
  // yet) finishes the attachment when it carries the launch on after its restart.
  if (!(await listNamespaces()).includes(namespace)) await addNamespace(namespace);
  if ((await runCommand(["ip", "-n", router, "link", "show", port])).code !== 0) {
    await ip("-n", router, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", namespace);
  }
  await inNamespace(router, "sysctl", "-q", "-w", `net.ipv4.conf.${port}.proxy_arp=1`, `net.ipv4.neigh.${port}.proxy_delay=0`);
  await ip("-n", router, "link", "set", port, "up");
  await configureInstanceInterface(namespace, instance);
  return namespace;
}

/** The instance side of the link: address, link up, default route via the subnet's gateway. Idempotent. */
export async function configureInstanceInterface(namespace: string, instance: InstanceAttachment): Promise<void> {
  await ip("-n", namespace, "-4", "addr", "flush", "dev", "eth0");
  await ip("-n", namespace, "addr", "add", `${instance.privateIp}/${instance.prefixLength}`, "dev", "eth0");
  await ip("-n", namespace, "link", "set", "eth0", "up");
  await ip("-n", namespace, "route", "replace", "default", "via", instance.gateway, "dev", "eth0");
}

/** Removes the instance's port (and with it the instance's eth0) and its namespace. Idempotent. */
export async function detachInstance(layout: CloudNetworkLayout, vpcId: string, instanceId: string): Promise<void> {
  const existing = new Set(await listNamespaces());
  const router = vpcNamespace(layout, vpcId);
  if (existing.has(router)) await runCommand(["ip", "-n", router, "link", "del", instancePortName(instanceId)]);
  const namespace = instanceNamespace(layout, instanceId);
  if (existing.has(namespace)) await ip("netns", "del", namespace);
}

/** Brings the router's routes, uplink addresses, gateway addresses and NAT rules to `model`. */
export async function reconcileVpcRouter(layout: CloudNetworkLayout, model: VpcRouterModel): Promise<void> {
  const router = vpcNamespace(layout, model.vpcId);
  await reconcileAddresses(
    router,
    "lo",
    model.gateways.map((gateway) => `${gateway}/32`),
    ["127.0.0.1/8"],
  );
  await reconcileAddresses(
    router,
    model.uplinkInterface,
    uplinkAddresses(model).map((address, index) => `${address}/${index === 0 ? INTERNET_PREFIX_LENGTH : 32}`),
    [],
  );
  const wanted = routerRoutes(model);
  for (const route of wanted) await ip("-n", router, "route", "replace", route.destination, "dev", route.port);
  const present = JSON.parse(await ip("-n", router, "-j", "-4", "route", "show", "scope", "link")) as { dst: string; dev: string }[];
  const wantedKeys = new Set(wanted.map((route) => `${route.destination.replace(/\/32$/, "")} ${route.port}`));
  for (const route of present) {
    if (route.dev === model.uplinkInterface || wantedKeys.has(`${route.dst} ${route.dev}`)) continue;
    await ip("-n", router, "route", "del", route.dst, "dev", route.dev);
  }
  await runCommandOrThrow(["ip", "netns", "exec", router, "nft", "-f", "-"], { input: renderRouterRuleset(model) });
}

async function reconcileAddresses(namespace: string, device: string, wanted: readonly string[], keep: readonly string[]): Promise<void> {
  const shown = JSON.parse(await ip("-n", namespace, "-j", "-4", "addr", "show", "dev", device)) as {
    addr_info: { local: string; prefixlen: number }[];
  }[];
  const present = (shown[0]?.addr_info ?? []).map((info) => `${info.local}/${info.prefixlen}`);
  for (const address of wanted) if (!present.includes(address)) await ip("-n", namespace, "addr", "add", address, "dev", device);
  for (const address of present) {
    if (!wanted.includes(address) && !keep.includes(address)) await ip("-n", namespace, "addr", "del", address, "dev", device);
  }
}

/**
 * Deletes a VPC router's namespace (with it its ports; the instances' eth0 go too), after killing
 * what runs there (an ARP watcher, link impairments), which would otherwise keep the namespace
 * alive unnamed. Idempotent.
 */
export async function deleteVpcRouter(layout: CloudNetworkLayout, vpcId: string): Promise<void> {
  const namespace = vpcNamespace(layout, vpcId);
  if (!(await listNamespaces()).includes(namespace)) return;
  await killNamespaceProcesses(namespace);
  await ip("netns", "del", namespace);
}

/** SIGKILL to every process in the namespace. */
async function killNamespaceProcesses(namespace: string): Promise<void> {
  const pids = (await runCommand(["ip", "netns", "pids", namespace])).stdout.split(/\s+/).filter((pid) => /^\d+$/.test(pid));
  for (const pid of pids) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Every namespace of this cloud network that exists (the internet, operator, services, routers, instances). */
export async function cloudNetworkNamespaces(layout: CloudNetworkLayout): Promise<string[]> {
  const own = new RegExp(`^${layout.prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(net|op|svc|vpc-[a-z0-9]+|ins-[a-z0-9]+)$`);
  return (await listNamespaces()).filter((namespace) => own.test(namespace));
}

/**
 * Kills what runs in the cloud network's namespaces and deletes them: routers first (their ports
 * take the instances' eth0 along), then the rest. Idempotent; the servers' machinery stops the
 * servers themselves before this.
 */
export async function deleteCloudNetwork(layout: CloudNetworkLayout): Promise<void> {
  const namespaces = await cloudNetworkNamespaces(layout);
  for (const namespace of namespaces) await killNamespaceProcesses(namespace);
  const routersFirst = [...namespaces].sort((x, y) => Number(y.includes("-vpc-")) - Number(x.includes("-vpc-")));
  for (const namespace of routersFirst) await runCommand(["ip", "netns", "del", namespace]);
  const left = await cloudNetworkNamespaces(layout);
  if (left.length > 0) throw new Error(`cannot delete the cloud network's namespaces ${left.join(", ")}`);
}

/**
 * Why the operator namespace is not a safe place to send packets from (empty when it is): it
 * must be a namespace of its own with only `lo` and `eth0`, and routes only to the internet
 * segment (no default route, no IPv6), so no address it sends to can be off the machine.
 */
export async function operatorNamespaceProblems(layout: CloudNetworkLayout): Promise<string[]> {
  const namespace = layout.operatorNamespace;
  if (!(await listNamespaces()).includes(namespace)) return [`network namespace ${namespace} does not exist`];
  const problems: string[] = [];
  try {
    if (fs.statSync(`/run/netns/${namespace}`).ino === fs.statSync("/proc/self/ns/net").ino)
      problems.push(`${namespace} is this process's own network namespace`);
  } catch {
    problems.push(`cannot read ${namespace}'s namespace file`);
  }
  const links = (JSON.parse(await ip("-n", namespace, "-j", "link", "show")) as { ifname: string }[]).map((link) => link.ifname);
  const others = links.filter((name) => name !== "lo" && name !== "eth0");
  if (others.length > 0) problems.push(`${namespace} has unexpected interfaces: ${others.join(", ")}`);
  const routes = (
    JSON.parse(await ip("-n", namespace, "-j", "-4", "route", "show", "table", "all")) as { dst: string; type?: string; table?: string }[]
  ).filter((route) => route.table !== "local" && route.type !== "broadcast" && route.type !== "local" && route.type !== "multicast");
  const unexpected = routes.filter((route) => route.dst !== INTERNET_CIDR);
  if (unexpected.length > 0)
    problems.push(`${namespace} has routes other than ${INTERNET_CIDR}: ${unexpected.map((route) => route.dst).join(", ")}`);
  const ipv6 = (await runCommand(["ip", "-n", namespace, "-6", "route", "show", "table", "all"])).stdout.trim();
  if (ipv6.split("\n").some((line) => line.trim() !== "" && !/\btable local\b/.test(line) && !line.startsWith("multicast "))) {
    problems.push(`${namespace} has IPv6 routes`);
  }
  return problems;
}
