import type { ResolvedHealthCheck } from "../cluster-settings";
import type { KeepalivedObservation } from "./keepalived-observation";

/** Keepalived states of a node that can serve: it holds the VIP, or stands by for it. */
export const HEALTHY_NODE_STATES: readonly string[] = ["MASTER", "BACKUP"];

export interface NodeHealth {
  readonly node: string;
  readonly healthy: boolean;
  /** Why not, in words: `Keepalived is not running on b`. @default - healthy */
  readonly problem?: string;
}

/**
 * Is a node healthy: it answers, its Keepalived runs (not starting, stopping or reloading) and its
 * notify script last reported MASTER or BACKUP. A node in FAULT (its health check failing) or
 * without a state yet could not take the VIP over, so it is not healthy.
 */
export function nodeHealth(observation: KeepalivedObservation): NodeHealth {
  const { node, keepalived } = observation;
  if (!observation.reachable || keepalived === undefined) return { node, healthy: false, problem: `${node} does not answer` };
  if (!keepalived.running) return { node, healthy: false, problem: `Keepalived is not running on ${node}` };
  if (keepalived.notifiedState === undefined || !HEALTHY_NODE_STATES.includes(keepalived.notifiedState)) {
    return { node, healthy: false, problem: `${node} is in state ${keepalived.notifiedState ?? "unknown"}, not MASTER or BACKUP` };
  }
  return { node, healthy: true };
}

/**
 * How long a node must stay healthy before a deploy gate opens: one full `fall` window of its
 * health check, so a check that is about to fail has had the time to put the node in FAULT.
 */
export function healthSettleMs(healthCheck: Pick<ResolvedHealthCheck, "intervalSeconds" | "fall">): number {
  return healthCheck.intervalSeconds * healthCheck.fall * 1000;
}
