import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterSpec } from "../core/cluster-settings";
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
  const started = Date.now();
  let previous: string | undefined;
  let holders: string[] = [];
  while (Date.now() - started <= timeoutMs) {
    const statuses = await Promise.all(
      sessions.map(async (session) => ({
        nodeName: session.node.name,
        status: await readKeepalivedStatus(session.shell, session.facts.initSystem, spec.interfaceName),
      })),
    );
    holders = nodesHoldingVips(spec.vips, statuses);
    const carriers = nodesCarryingAnyVip(spec.vips, statuses);
    const single = holders.length === 1 && carriers.length === 1 ? holders[0] : undefined;
    if (single !== undefined && single === previous) return { holder: single, holders, elapsedMs: Date.now() - started };
    previous = single;
    await sleep(pollMs);
  }
  return { holders, elapsedMs: Date.now() - started };
}
