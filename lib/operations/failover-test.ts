import { setTimeout as sleep } from "node:timers/promises";
import { pollUntil } from "../core/poll-until";
import type { ClusterSpec, NodeSpec } from "../core/cluster-settings";
import { DEFAULT_KEEPALIVED_FILE_PATHS } from "../core/keepalived";
import { masterDownIntervalSeconds } from "../core/vrrp-timing";
import { type KeepalivedObservation, vipHolders } from "../core/health";
import type { NodeFacts } from "../core/node/node-facts";
import { readKeepalivedStatus, startKeepalived, stopKeepalived } from "../provisioner/keepalived-control";
import { readNodeFacts } from "../provisioner/observe-node";
import { connectToNode, type SshOptionNames } from "../provisioner/ssh/connect-node";
import type { RemoteShell } from "../provisioner/ssh/remote-shell";

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

/** One read of a node's Keepalived; a node that does not answer (rebooting) is observed as unreachable. */
async function observe(spec: ClusterSpec, node: Node): Promise<KeepalivedObservation> {
  return readKeepalivedStatus(node.shell, node.facts.initSystem, spec.interfaceName).then(
    (keepalived) => ({ node: node.spec.name, reachable: true, keepalived }),
    () => ({ node: node.spec.name, reachable: false }),
  );
}

async function holders(spec: ClusterSpec, nodes: readonly Node[]): Promise<string[]> {
  return vipHolders(spec.vips, await Promise.all(nodes.map((node) => observe(spec, node))));
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, pollMs = 100): Promise<number | undefined> {
  const outcome = await pollUntil(check, (passed) => passed, { timeoutMs, intervalMs: pollMs });
  return outcome.done ? outcome.elapsedMs : undefined;
}

/** Connects and reads the node's facts; the connection is closed again if that fails. */
async function openNode(spec: ClusterSpec, nodeSpec: NodeSpec, optionNames?: SshOptionNames): Promise<Node> {
  const shell = await connectToNode(nodeSpec, spec.ssh, { optionNames });
  try {
    return { spec: nodeSpec, shell, facts: await readNodeFacts(shell) };
  } catch (error) {
    shell.close();
    throw error;
  }
}

/**
 * Connects again once the node has booted anew. A node that is slow to go down still answers SSH
 * from the boot that was told to reboot: such a connection is closed and tried again.
 */
async function reconnectAfterReboot(spec: ClusterSpec, rebooted: Node, timeoutMs: number, optionNames?: SshOptionNames): Promise<Node> {
  const nodeSpec = rebooted.spec;
  const firstTryAfterMs = 5000;
  await sleep(firstTryAfterMs);
  const outcome = await pollUntil(
    () =>
      openNode(spec, nodeSpec, optionNames).then(
        (node): { node: Node } | { error: Error } => {
          if (node.facts.bootId === undefined || node.facts.bootId !== rebooted.facts.bootId) return { node };
          node.shell.close();
          return { error: new Error("it still runs the boot that was told to reboot") };
        },
        (error: Error) => ({ error }),
      ),
    (result) => "node" in result,
    { timeoutMs: Math.max(0, timeoutMs - firstTryAfterMs), intervalMs: 2000 },
  );
  if ("node" in outcome.value) return outcome.value.node;
  throw new Error(`${nodeSpec.name} did not come back after the reboot: ${outcome.value.error.message}`);
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The guide's final step: stop Keepalived on the master (or reboot it), watch the VIP move,
 * bring the old master back and check that nopreempt keeps the VIP where it is. Whatever fails
 * after the fault, the old master's Keepalived is started again before this returns.
 */
export async function runFailoverTest(
  spec: ClusterSpec,
  options: {
    readonly fault: FailoverFault;
    readonly progress: (line: string) => void;
    readonly observation?: FailoverObservation;
    /** A front end's own SSH options, named in messages beside the settings. */
    readonly sshOptionNames?: SshOptionNames;
  },
): Promise<FailoverTestResult> {
  const boundSeconds = masterDownIntervalSeconds(spec.advertIntSeconds, spec.priority);
  const moveTimeoutMs = Math.ceil((3 * boundSeconds + 10) * 1000);
  const nodes: Node[] = [];
  try {
    for (const nodeSpec of spec.nodes) nodes.push(await openNode(spec, nodeSpec, options.sshOptionNames));
    const before = await holders(spec, nodes);
    if (before.length !== 1)
      throw new Error(`failover-test needs exactly one VIP holder to start from; now: ${before.join(", ") || "none"}`);
    const masterIndex = nodes.findIndex((node) => node.spec.name === before[0]);
    const master = nodes[masterIndex];
    const peer = nodes[1 - masterIndex];
    const problems: string[] = [];
    let vipMovedAfterSeconds: number | undefined;

    options.progress(`${options.fault === "reboot" ? "rebooting" : "stopping Keepalived on"} ${master.spec.name} (the master)`);
    const faultAt = Date.now();
    try {
      if (options.fault === "reboot") {
        await master.shell.run("(sleep 1; systemctl reboot || reboot) >/dev/null 2>&1 </dev/null &");
      } else {
        await stopKeepalived(master.shell, master.facts.initSystem);
      }
      const moved = await waitUntil(async () => {
        const keepalived = await readKeepalivedStatus(peer.shell, peer.facts.initSystem, spec.interfaceName);
        return vipHolders(spec.vips, [{ node: peer.spec.name, reachable: true, keepalived }]).length === 1;
      }, moveTimeoutMs);
      vipMovedAfterSeconds = moved === undefined ? undefined : (Date.now() - faultAt) / 1000;
      if (vipMovedAfterSeconds === undefined) problems.push(`the VIP did not reach ${peer.spec.name} within ${moveTimeoutMs / 1000} s`);
      else await options.observation?.onMoved?.(master.spec, peer.spec);
    } catch (error) {
      problems.push(`during the failover: ${message(error)}`);
    } finally {
      // Bring the old master back in every case: the test must not leave the pair with one node.
      try {
        if (options.fault === "reboot") {
          options.progress(`waiting for ${master.spec.name} to come back`);
          master.shell.close();
          nodes[masterIndex] = await reconnectAfterReboot(spec, master, 300_000, options.sshOptionNames);
        }
        const returned = nodes[masterIndex];
        if (!(await readKeepalivedStatus(returned.shell, returned.facts.initSystem, spec.interfaceName)).running) {
          options.progress(`starting Keepalived on ${master.spec.name} again`);
          await startKeepalived(returned.shell, returned.facts.initSystem, DEFAULT_KEEPALIVED_FILE_PATHS.configPath);
        }
      } catch (error) {
        problems.push(`bringing ${master.spec.name} back failed: ${message(error)}; start Keepalived there by hand (or run provision)`);
      }
    }

    let nopreemptHeld: boolean | undefined;
    if (vipMovedAfterSeconds !== undefined) {
      options.progress(`watching for ${Math.ceil(2 * boundSeconds)} s that the VIP stays on ${peer.spec.name} (nopreempt)`);
      // Watched until the first moment the VIP is anywhere but on the peer, or for the whole window.
      const moved = await pollUntil(
        () => holders(spec, nodes),
        (now) => !(now.length === 1 && now[0] === peer.spec.name),
        { timeoutMs: Math.ceil(2 * boundSeconds * 1000), intervalMs: 200 },
      );
      nopreemptHeld = !moved.done;
      if (!nopreemptHeld) problems.push(`the VIP did not stay on ${peer.spec.name} after ${master.spec.name} returned (nopreempt broken)`);
    }
    const holdersAtEnd = await holders(spec, nodes);
    if (holdersAtEnd.length !== 1) problems.push(`at the end the VIP is held by ${holdersAtEnd.join(" and ") || "nobody"}`);
    return {
      cluster: spec.clusterName,
      fault: options.fault,
      from: master.spec.name,
      to: vipMovedAfterSeconds === undefined ? undefined : peer.spec.name,
      vipMovedAfterSeconds,
      vrrpBoundSeconds: boundSeconds,
      nopreemptHeld,
      holdersAtEnd,
      passed: problems.length === 0,
      problems,
    };
  } finally {
    for (const node of nodes) node.shell.close();
  }
}
