import type { ClusterSpec } from "../core/cluster-settings";
import { pollUntil } from "../core/poll-until";
import { readKeepalivedStatus } from "./keepalived-service";
import type { NodeSession } from "./node-session";
import { nodesCarryingAnyVip, nodesHoldingVips } from "./vip-holders";

export interface VipWaitResult {
  readonly holder?: string;
  readonly holders: readonly string[];
  readonly elapsedMs: number;
}

/** Polls both nodes until exactly one carries the VIPs twice in a row, or the timeout passes. */
export async function waitForSingleVipHolder(
  spec: ClusterSpec,
  sessions: readonly NodeSession[],
  timeoutMs: number,
  pollMs = 300,
): Promise<VipWaitResult> {
  let previous: string | undefined;
  const outcome = await pollUntil(
    async () => {
      const statuses = await Promise.all(
        sessions.map(async (session) => ({
          nodeName: session.node.name,
          status: await readKeepalivedStatus(session.shell, session.facts.initSystem, spec.interfaceName),
        })),
      );
      const holders = nodesHoldingVips(spec.vips, statuses);
      const carriers = nodesCarryingAnyVip(spec.vips, statuses);
      const single = holders.length === 1 && carriers.length === 1 ? holders[0] : undefined;
      const twiceInARow = single !== undefined && single === previous;
      previous = single;
      return { holders, single, twiceInARow };
    },
    (seen) => seen.twiceInARow,
    { timeoutMs, intervalMs: pollMs },
  );
  const { holders, single } = outcome.value;
  return outcome.done ? { holder: single, holders, elapsedMs: outcome.elapsedMs } : { holders, elapsedMs: outcome.elapsedMs };
}
