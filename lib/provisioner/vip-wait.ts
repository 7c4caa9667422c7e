import type { ClusterSpec } from "../core/cluster-settings";
import { HEALTHY_NODE_STATES, healthSettleMs, type KeepalivedObservation, nodeHealth, singleVipHolder, vipHolders } from "../core/health";
import type { KeepalivedStatus } from "../core/node/keepalived-service";
import type { InitSystem } from "../core/node/node-facts";
import { pollUntil } from "../core/poll-until";
import { readKeepalivedStatus } from "./keepalived-control";
import type { RemoteShell } from "./ssh/remote-shell";

/** A connected node whose Keepalived the waits read. */
export interface WatchedNode {
  readonly name: string;
  readonly shell: RemoteShell;
  readonly initSystem: InitSystem;
}

export interface VipWaitResult {
  readonly holder?: string;
  readonly holders: readonly string[];
  readonly elapsedMs: number;
}

async function observe(spec: ClusterSpec, node: WatchedNode): Promise<KeepalivedObservation> {
  return { node: node.name, reachable: true, keepalived: await readKeepalivedStatus(node.shell, node.initSystem, spec.interfaceName) };
}

/**
 * Polls the nodes until exactly one holds the VIPs (singleVipHolder) twice in a row, or the timeout
 * passes. `first`, the nodes' observation from before a run that changed nothing on them, counts
 * as the first of the two reads.
 */
export async function waitForSingleVipHolder(
  spec: ClusterSpec,
  nodes: readonly WatchedNode[],
  timeoutMs: number,
  options: { readonly pollMs?: number; readonly first?: readonly KeepalivedObservation[] } = {},
): Promise<VipWaitResult> {
  let previous = options.first ? singleVipHolder(spec.vips, options.first) : undefined;
  const outcome = await pollUntil(
    async () => {
      const observations = await Promise.all(nodes.map((node) => observe(spec, node)));
      const single = singleVipHolder(spec.vips, observations);
      const twiceInARow = single !== undefined && single === previous;
      previous = single;
      return { holders: vipHolders(spec.vips, observations), single, twiceInARow };
    },
    (seen) => seen.twiceInARow,
    { timeoutMs, intervalMs: options.pollMs ?? 300 },
  );
  const { holders, single } = outcome.value;
  return outcome.done ? { holder: single, holders, elapsedMs: outcome.elapsedMs } : { holders, elapsedMs: outcome.elapsedMs };
}

/**
 * Polls one node until it has stayed healthy (nodeHealth) for one fall window of its health check;
 * resolves with its state, throws with the last state seen past the timeout.
 */
export async function waitForHealthyNode(spec: ClusterSpec, node: WatchedNode, timeoutMs: number, pollMs = 500): Promise<string> {
  const settle = Math.min(healthSettleMs(spec.healthCheck), timeoutMs / 2);
  let healthySince: number | undefined;
  const outcome = await pollUntil(
    async () => {
      const seen = await observe(spec, node);
      if (!nodeHealth(seen).healthy) healthySince = undefined;
      else healthySince ??= Date.now();
      return seen.keepalived as KeepalivedStatus;
    },
    () => healthySince !== undefined && Date.now() - healthySince >= settle,
    { timeoutMs, intervalMs: pollMs },
  );
  const status = outcome.value;
  if (outcome.done) return status.notifiedState as string;
  const seen = !status?.running ? "Keepalived is not running" : `Keepalived reports ${status.notifiedState ?? "no state yet"}`;
  throw new Error(
    `${node.name}: not healthy after ${Math.round(timeoutMs / 1000)} s: ${seen} (wanted ${HEALTHY_NODE_STATES.join(" or ")} for ${Math.round(settle / 1000)} s)`,
  );
}
