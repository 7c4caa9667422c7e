import type { KeepalivedObservation } from "./keepalived-observation";
import { nodeHealth, type NodeHealth } from "./node-health";
import { vipCarriers, vipHolders } from "./vip-holders";

/** What the cloud says about the HAVIP binding, when it was asked. */
export interface CloudVerdict {
  /** Where the cloud and Keepalived disagree, in words. */
  readonly disagreements: readonly string[];
  /** The cloud could not be asked. @default - it answered */
  readonly error?: string;
}

export interface ClusterHealth {
  readonly healthy: boolean;
  readonly vipHolders: readonly string[];
  readonly nodes: readonly NodeHealth[];
  /** Everything that keeps the pair from being healthy, in words; empty when it is. */
  readonly problems: readonly string[];
}

/**
 * Is the pair healthy: every node healthy (nodeHealth), exactly one node holding every VIP and no
 * other carrying any, and, when the cloud was asked, the cloud binding the HAVIPs where Keepalived
 * holds them. The one verdict of `status`, the lab's drills and failover-test.
 */
export function clusterHealth(
  vips: readonly string[],
  observations: readonly KeepalivedObservation[],
  cloud?: CloudVerdict,
  /** What the messages call a node (the lab's are servers). @default "node" */
  noun = "node",
): ClusterHealth {
  const nodes = observations.map(nodeHealth);
  const holders = vipHolders(vips, observations);
  const carriers = vipCarriers(vips, observations);
  const problems = nodes.flatMap((node) => (node.problem === undefined ? [] : [node.problem]));
  if (holders.length !== 1) problems.push(`the VIP is held by ${holders.join(" and ") || "nobody"}, not by exactly one ${noun}`);
  else if (carriers.length > 1) problems.push(`${carriers.filter((node) => node !== holders[0]).join(" and ")} also carries a VIP`);
  if (cloud?.error !== undefined) problems.push(`the cloud could not be asked: ${cloud.error}`);
  problems.push(...(cloud?.disagreements ?? []));
  return { healthy: problems.length === 0, vipHolders: holders, nodes, problems };
}
