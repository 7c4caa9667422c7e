import { runCommand, runCommandOrThrow } from "../host/host-command";
import { LAB_SERVER_NAMES, type LabLayout, labNamespaces } from "../lab-layout";
import { namespaceInode } from "../../lib/cli/lab-spec-guard";

/** Namespaces that currently exist (`ip netns list`). */
export async function listNetworkNamespaces(): Promise<string[]> {
  const output = await runCommandOrThrow(["ip", "netns", "list"]);
  return output
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[0])
    .filter((name) => name.length > 0);
}

async function inNamespace(namespace: string, argv: readonly string[]): Promise<void> {
  await runCommandOrThrow(["ip", "netns", "exec", namespace, ...argv]);
}

/**
 * Creates the lab's namespaces, the bridge and one veth per namespace. The veths are created
 * from inside the switch namespace with the peer landing in the target namespace already named
 * eth0, so no interface ever appears in the host's namespace, even for a moment.
 */
export async function createLabNetwork(layout: LabLayout): Promise<void> {
  const sw = layout.switchNamespace;
  for (const namespace of labNamespaces(layout)) {
    await runCommandOrThrow(["ip", "netns", "add", namespace]);
    // IPv6 off: no link-local addresses, router solicitations or routes besides the lab subnet.
    await inNamespace(namespace, ["sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]);
    await runCommandOrThrow(["ip", "-n", namespace, "link", "set", "lo", "up"]);
  }
  await runCommandOrThrow([
    "ip",
    "-n",
    sw,
    "link",
    "add",
    layout.bridgeName,
    "type",
    "bridge",
    "forward_delay",
    "0",
    "stp_state",
    "0",
    "mcast_snooping",
    "0",
  ]);
  await runCommandOrThrow(["ip", "-n", sw, "link", "set", layout.bridgeName, "up"]);
  const attachments = [
    ...LAB_SERVER_NAMES.map((name) => layout.servers[name]).map((s) => ({ port: s.switchPort, namespace: s.namespace, ip: s.ip })),
    { port: layout.operatorSwitchPort, namespace: layout.operatorNamespace, ip: layout.operatorIp },
  ];
  for (const { port, namespace, ip } of attachments) {
    await runCommandOrThrow([
      "ip",
      "-n",
      sw,
      "link",
      "add",
      port,
      "type",
      "veth",
      "peer",
      "name",
      layout.interfaceName,
      "netns",
      namespace,
    ]);
    await runCommandOrThrow(["ip", "-n", sw, "link", "set", port, "master", layout.bridgeName, "up"]);
    await runCommandOrThrow(["ip", "-n", namespace, "addr", "add", `${ip}/${layout.subnetPrefixLength}`, "dev", layout.interfaceName]);
    await runCommandOrThrow(["ip", "-n", namespace, "link", "set", layout.interfaceName, "up"]);
  }
}

/** Deletes the lab's namespaces that exist; deleting the switch first removes every veth pair. */
export async function deleteLabNetwork(layout: LabLayout): Promise<void> {
  const existing = new Set(await listNetworkNamespaces());
  for (const namespace of labNamespaces(layout)) {
    if (!existing.has(namespace)) continue;
    const result = await runCommand(["ip", "netns", "del", namespace]);
    if (result.code !== 0 && (await listNetworkNamespaces()).includes(namespace)) {
      throw new Error(`cannot delete network namespace ${namespace}: ${result.stderr.trim()}`);
    }
  }
}

/** Why the operator namespace is not a safe place to send packets from; empty when it is. */
export function operatorIsolationProblems(
  layout: LabLayout,
  facts: {
    readonly namespaces: readonly string[];
    readonly links: string;
    readonly ipv4Routes: string;
    readonly ipv6Routes: string;
    readonly sameAsHost: boolean;
  },
): string[] {
  const problems: string[] = [];
  for (const namespace of labNamespaces(layout)) {
    if (!facts.namespaces.includes(namespace)) problems.push(`network namespace ${namespace} does not exist`);
  }
  if (problems.length > 0) return problems;
  if (facts.sameAsHost) problems.push(`${layout.operatorNamespace} is the host's own network namespace`);
  const linkNames = facts.links
    .split("\n")
    .filter((line) => line.trim().length > 0)
    .map((line) => line.split(":")[1]?.trim().split("@")[0] ?? "");
  const unexpectedLinks = linkNames.filter((name) => name !== "lo" && name !== layout.interfaceName);
  if (unexpectedLinks.length > 0) problems.push(`${layout.operatorNamespace} has unexpected interfaces: ${unexpectedLinks.join(", ")}`);
  const routes = (text: string) =>
    text
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.length > 0 && !/\btable local\b/.test(line) && !line.startsWith("multicast "));
  const ipv4 = routes(facts.ipv4Routes);
  const allowed = new RegExp(`^${layout.subnet.replace(/\./g, "\\.")} dev ${layout.interfaceName}\\b`);
  const unexpectedIpv4 = ipv4.filter((line) => !allowed.test(line) || /\bvia\b/.test(line));
  if (unexpectedIpv4.length > 0) {
    problems.push(
      `${layout.operatorNamespace} has routes other than ${layout.subnet} on ${layout.interfaceName}: ${unexpectedIpv4.join("; ")}`,
    );
  }
  const ipv6 = routes(facts.ipv6Routes);
  if (ipv6.length > 0) problems.push(`${layout.operatorNamespace} has IPv6 routes: ${ipv6.join("; ")}`);
  return problems;
}

/**
 * Refuses (throws) unless all the lab's namespaces exist and the operator namespace can reach
 * nothing but the lab subnet: no other interface, no other route, no default route.
 */
export async function assertOperatorNamespaceIsolated(layout: LabLayout): Promise<void> {
  const namespaces = await listNetworkNamespaces();
  let facts = { namespaces, links: "", ipv4Routes: "", ipv6Routes: "", sameAsHost: false };
  if (labNamespaces(layout).every((namespace) => namespaces.includes(namespace))) {
    const op = layout.operatorNamespace;
    const opInode = namespaceInode(`/run/netns/${op}`);
    facts = {
      namespaces,
      links: await runCommandOrThrow(["ip", "-n", op, "-o", "link", "show"]),
      ipv4Routes: await runCommandOrThrow(["ip", "-n", op, "-4", "route", "show", "table", "all"]),
      ipv6Routes: await runCommandOrThrow(["ip", "-n", op, "-6", "route", "show", "table", "all"]),
      sameAsHost: opInode === undefined || opInode === namespaceInode("/proc/1/ns/net") || opInode === namespaceInode("/proc/self/ns/net"),
    };
  }
  const problems = operatorIsolationProblems(layout, facts);
  if (problems.length > 0) {
    throw new Error(
      `refusing to run anything in the lab's operator namespace (is the lab up? \`npm run lab -- bare up\`):\n  - ${problems.join("\n  - ")}`,
    );
  }
}
