/** What the provisioner knows about a node's Keepalived just before it changes anything. */
export interface NodeRolloutInput {
  readonly nodeName: string;
  readonly keepalivedRunning: boolean;
  readonly holdsVip: boolean;
  /** Files that Keepalived reads (config, scripts) differ from what is wanted. */
  readonly keepalivedInputsChanged: boolean;
  /** The node records that its running Keepalived was started or reloaded with exactly these files. */
  readonly appliedMatches: boolean;
}

export type RolloutAction = "start" | "reload" | "none";

export interface RolloutStep {
  readonly nodeName: string;
  readonly action: RolloutAction;
  readonly reason: string;
}

function actionFor(node: NodeRolloutInput): RolloutStep {
  if (!node.keepalivedRunning) {
    return { nodeName: node.nodeName, action: "start", reason: "Keepalived is not running" };
  }
  if (node.keepalivedInputsChanged) {
    return { nodeName: node.nodeName, action: "reload", reason: "its files changed" };
  }
  if (!node.appliedMatches) {
    return {
      nodeName: node.nodeName,
      action: "reload",
      reason: "its files were installed but never loaded (an earlier run was interrupted)",
    };
  }
  return { nodeName: node.nodeName, action: "none", reason: "nothing changed" };
}

/**
 * Orders the nodes of a pair for a change: nodes that do not hold the VIP first, the VIP holder
 * last, so a running pair drops the VIP at most once. Input order breaks ties (primary first).
 */
export function planRollout(nodes: readonly NodeRolloutInput[]): RolloutStep[] {
  const ordered = [...nodes.filter((node) => !node.holdsVip), ...nodes.filter((node) => node.holdsVip)];
  return ordered.map(actionFor);
}
