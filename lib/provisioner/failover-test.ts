import type { ClusterSpec, NodeSpec } from "../core/cluster-settings";
import { DEFAULT_KEEPALIVED_FILE_PATHS } from "../core/keepalived";
import { masterDownIntervalSeconds } from "../core/vrrp-timing";
import { readKeepalivedStatus, startKeepalived, stopKeepalived, type KeepalivedStatus } from "./keepalived-service";
import { readNodeFacts, type NodeFacts } from "./node-facts";
import { connectToNode } from "./ssh/connect-node";
import type { RemoteShell } from "./ssh/remote-shell";
import { vipHolders } from "./vip-holders";

export type FailoverFault = "stop-keepalived" | "reboot";

export interface FailoverObservation {
  /** Resolves with extra facts once the VIP moved (e.g. when the cloud binding followed). */
  onMoved?(from: NodeSpec, to: NodeSpec): Promise<void>;
}

export interface FailoverTestResult {
  readonly cluster: string;
  readonly fault: FailoverFault;
  readonly from: string;
  readonly to?: string;
  /** Seconds from the fault until the VIP was on the peer; undefined when it never moved. */
  readonly vipMovedAfterSeconds?: number;
  /** Master-down interval (3 x advert_int + skew): the bound for a crash, a stop is faster. */
  readonly vrrpBoundSeconds: number;
  /** Whether the VIP stayed on the new master after the old one came back (nopreempt). */
  readonly nopreemptHeld?: boolean;
  readonly holdersAtEnd: readonly string[];
  readonly passed: boolean;
  readonly problems: readonly string[];
}

interface Node {
  readonly spec: NodeSpec;
  readonly shell: RemoteShell;
  readonly facts: NodeFacts;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function statusOf(spec: ClusterSpec, node: Node): Promise<KeepalivedStatus> {
  return readKeepalivedStatus(node.shell, node.facts.initSystem, spec.interfaceName, DEFAULT_KEEPALIVED_FILE_PATHS.stateFilePath);
}

async function holders(spec: ClusterSpec, nodes: readonly Node[]): Promise<string[]> {
  const statuses = await Promise.all(nodes.map(async (node) => ({ nodeName: node.spec.name, status: await statusOf(spec, node).catch(() => ({ running: false, addresses: [] })) })));
  return vipHolders(spec.vips, statuses);
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, pollMs = 100): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await sleep(pollMs);
  }
  return undefined;
}

async function reconnectAfterReboot(spec: ClusterSpec, node: Node, timeoutMs: number): Promise<Node> {
  const deadline = Date.now() + timeoutMs;
  await sleep(5000);
  for (;;) {
    try {
      const shell = await connectToNode(node.spec, spec.ssh);
      return { ...node, shell, facts: await readNodeFacts(shell) };
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${node.spec.name} did not come back after the reboot: ${(error as Error).message}`);
      await sleep(2000);
    }
  }
}

/**
 * The guide's final step: stop Keepalived on the master (or reboot it), watch the VIP move,
 * bring the old master back and check that nopreempt keeps the VIP where it is.
 */
export async function runFailoverTest(
  spec: ClusterSpec,
  options: { readonly fault: FailoverFault; readonly progress: (line: string) => void; readonly observation?: FailoverObservation },
): Promise<FailoverTestResult> {
  const boundSeconds = masterDownIntervalSeconds(spec.advertIntSeconds, spec.priority);
  const moveTimeoutMs = Math.ceil((3 * boundSeconds + 10) * 1000);
  const nodes: Node[] = [];
  try {
    for (const nodeSpec of spec.nodes) {
      const shell = await connectToNode(nodeSpec, spec.ssh);
      nodes.push({ spec: nodeSpec, shell, facts: await readNodeFacts(shell) });
    }
    const before = await holders(spec, nodes);
    if (before.length !== 1) throw new Error(`failover-test needs exactly one VIP holder to start from; now: ${before.join(", ") || "none"}`);
    const master = nodes.find((node) => node.spec.name === before[0]) as Node;
    const peer = nodes.find((node) => node !== master) as Node;
    const problems: string[] = [];

    options.progress(`${options.fault === "reboot" ? "rebooting" : "stopping Keepalived on"} ${master.spec.name} (the master)`);
    const faultAt = Date.now();
    if (options.fault === "reboot") {
      await master.shell.run("(sleep 1; systemctl reboot || reboot) >/dev/null 2>&1 </dev/null &");
    } else {
      await stopKeepalived(master.shell, master.facts.initSystem);
    }
    const moved = await waitUntil(async () => {
      const statuses = [{ nodeName: peer.spec.name, status: await statusOf(spec, peer) }];
      return vipHolders(spec.vips, statuses).length === 1;
    }, moveTimeoutMs);
    const vipMovedAfterSeconds = moved === undefined ? undefined : (Date.now() - faultAt) / 1000;
    if (vipMovedAfterSeconds === undefined) problems.push(`the VIP did not reach ${peer.spec.name} within ${moveTimeoutMs / 1000} s`);
    else await options.observation?.onMoved?.(master.spec, peer.spec);

    let returned = master;
    if (options.fault === "reboot") {
      options.progress(`waiting for ${master.spec.name} to come back`);
      master.shell.close();
      returned = await reconnectAfterReboot(spec, master, 300_000);
      nodes[nodes.indexOf(master)] = returned;
    }
    if (!(await statusOf(spec, returned)).running) {
      options.progress(`starting Keepalived on ${master.spec.name} again`);
      await startKeepalived(returned.shell, returned.facts.initSystem, DEFAULT_KEEPALIVED_FILE_PATHS.configPath);
    }
    options.progress(`watching for ${Math.ceil(2 * boundSeconds)} s that the VIP stays on ${peer.spec.name} (nopreempt)`);
    let nopreemptHeld = true;
    const watchUntil = Date.now() + Math.ceil(2 * boundSeconds * 1000);
    while (Date.now() < watchUntil) {
      const now = await holders(spec, nodes);
      if (!(now.length === 1 && now[0] === peer.spec.name)) nopreemptHeld = false;
      await sleep(200);
    }
    if (vipMovedAfterSeconds !== undefined && !nopreemptHeld) problems.push(`the VIP did not stay on ${peer.spec.name} after ${master.spec.name} returned (nopreempt broken)`);
    const holdersAtEnd = await holders(spec, nodes);
    if (holdersAtEnd.length !== 1) problems.push(`at the end the VIP is held by ${holdersAtEnd.join(" and ") || "nobody"}`);
    return {
      cluster: spec.clusterName,
      fault: options.fault,
      from: master.spec.name,
      to: vipMovedAfterSeconds === undefined ? undefined : peer.spec.name,
      vipMovedAfterSeconds,
      vrrpBoundSeconds: boundSeconds,
      nopreemptHeld: vipMovedAfterSeconds === undefined ? undefined : nopreemptHeld,
      holdersAtEnd,
      passed: problems.length === 0,
      problems,
    };
  } finally {
    for (const node of nodes) node.shell.close();
  }
}
