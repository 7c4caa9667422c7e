import { randomBytes } from "node:crypto";
import type { ClusterSpec } from "../core/cluster-settings";
import { requireValidClusterSpec, withAuthPass } from "../core/validation";
import { DEFAULT_KEEPALIVED_FILE_PATHS, generateAuthPass } from "../core/keepalived";
import { pollUntil } from "../core/poll-until";
import { applyNodePlan } from "./apply-node-plan";
import { chooseAuthPass } from "./auth-pass-choice";
import { readKeepalivedStatus, type KeepalivedStatus } from "./keepalived-service";
import { acquireNodeLock, type NodeLock } from "./node-lock";
import { planCluster } from "./cluster-plan";
import { openNodeSession, type NodeSession } from "./node-session";
import { prepareNodeForService } from "./service-setup";
import { readRemoteFile } from "./remote-files";
import { connectToNode } from "./ssh/connect-node";

/** Keepalived states of a node that can serve: it holds the VIP, or stands by for it. */
export const HEALTHY_NODE_STATES: readonly string[] = ["MASTER", "BACKUP"];

export interface ProvisionNodeOptions {
  readonly dryRun: boolean;
  /** Do not read the peer's VRRP password. */
  readonly withoutPeer?: boolean;
  /**
   * Reach the peer through this node (SSH to the peer's private IP, this node as the jump host):
   * for the first node's deploy gate, which cannot know the peer's public address.
   */
  readonly peerViaNode?: boolean;
  readonly healthTimeoutMs: number;
  readonly lockTimeoutMs?: number;
  readonly allowUncheckedConfig?: boolean;
  readonly progress: (message: string) => void;
  readonly trace?: (line: string) => void;
}

export interface NodeProvisionReport {
  readonly cluster: string;
  readonly node: string;
  readonly dryRun: boolean;
  readonly keepalivedVersion: string;
  readonly install: string;
  readonly changedFiles: readonly string[];
  readonly action: string;
  /** The Keepalived state the node settled in (MASTER or BACKUP); absent in a dry run. */
  readonly state?: string;
}

/** A node is healthy once Keepalived runs and its notify script last reported MASTER or BACKUP. */
export function isHealthyNodeStatus(status: KeepalivedStatus): boolean {
  return status.running && status.notifiedState !== undefined && HEALTHY_NODE_STATES.includes(status.notifiedState);
}

/** The peer's keepalived.conf, for its VRRP password; undefined (and a warning) when it cannot be read. */
async function readPeerConfig(spec: ClusterSpec, peerIndex: number, options: ProvisionNodeOptions): Promise<string | undefined> {
  const peer = spec.nodes[peerIndex];
  const node = spec.nodes[1 - peerIndex];
  const [target, ssh] = options.peerViaNode
    ? [
        { ...peer, sshHost: peer.privateIp, sshPort: undefined },
        { ...spec.ssh, jumpHost: { host: node.sshHost, port: node.sshPort, user: spec.ssh.user } },
      ]
    : [peer, spec.ssh];
  try {
    const shell = await connectToNode(target, ssh, { trace: options.trace });
    try {
      return await readRemoteFile(shell, DEFAULT_KEEPALIVED_FILE_PATHS.configPath);
    } finally {
      shell.close();
    }
  } catch (error) {
    options.progress(
      `warning: cannot read the VRRP password from ${peer.name} (${error instanceof Error ? error.message : String(error)}); using this node's own`,
    );
    return undefined;
  }
}

/**
 * How long a node must stay healthy before the gate opens: one full `fall` window of its health
 * check, so a check that is about to fail has had the time to put the node in FAULT.
 */
export function settleMs(spec: ClusterSpec): number {
  return spec.healthCheck.intervalSeconds * spec.healthCheck.fall * 1000;
}

/** Polls the node until it has stayed healthy for `settleMs`; throws with the last state seen past the timeout. */
export async function waitForHealthyNode(session: NodeSession, spec: ClusterSpec, timeoutMs: number, pollMs = 500): Promise<string> {
  const settle = Math.min(settleMs(spec), timeoutMs / 2);
  let healthySince: number | undefined;
  const outcome = await pollUntil(
    async () => {
      const status = await readKeepalivedStatus(session.shell, session.facts.initSystem, spec.interfaceName);
      if (!isHealthyNodeStatus(status)) healthySince = undefined;
      else healthySince ??= Date.now();
      return status;
    },
    () => healthySince !== undefined && Date.now() - healthySince >= settle,
    { timeoutMs, intervalMs: pollMs },
  );
  const status = outcome.value;
  if (outcome.done) return status.notifiedState as string;
  const seen = !status?.running ? "Keepalived is not running" : `Keepalived reports ${status.notifiedState ?? "no state yet"}`;
  throw new Error(
    `${session.node.name}: not healthy after ${Math.round(timeoutMs / 1000)} s: ${seen} (wanted ${HEALTHY_NODE_STATES.join(" or ")} for ${Math.round(settle / 1000)} s)`,
  );
}

/**
 * Provisions one node of the pair and waits until its Keepalived is healthy: the deploy gate
 * between two disruptive changes (the peer is only read, for the VRRP password the pair shares).
 */
export async function provisionOneNode(input: ClusterSpec, nodeName: string, options: ProvisionNodeOptions): Promise<NodeProvisionReport> {
  const spec = requireValidClusterSpec(input);
  const index = spec.nodes.findIndex((node) => node.name === nodeName);
  if (index !== 0 && index !== 1) throw new Error(`internal: no node named ${nodeName}`);
  let lock: NodeLock | undefined;
  const session = await openNodeSession(spec, index, {
    dryRun: options.dryRun,
    progress: options.progress,
    trace: options.trace,
    afterConnect: async (shell) => {
      lock = await acquireNodeLock(shell, { timeoutMs: options.lockTimeoutMs, onWait: options.progress });
    },
  });
  try {
    const configs: (string | undefined)[] = [undefined, undefined];
    configs[index] = await readRemoteFile(session.shell, DEFAULT_KEEPALIVED_FILE_PATHS.configPath);
    if (!options.withoutPeer) configs[1 - index] = await readPeerConfig(spec, 1 - index, options);
    // Primary's password first, as in a whole-pair run: the pair agrees whichever node is re-provisioned.
    const { authPass } = chooseAuthPass(spec.authPass, configs, () => generateAuthPass(randomBytes));
    const { plan, spec: nodeSpec } = await planCluster(withAuthPass(spec, authPass), [session], {
      allowUncheckedConfig: options.allowUncheckedConfig,
      describeChanges: options.dryRun,
    });
    const [nodePlan] = plan.nodes;
    const [step] = plan.rollout;
    let state: string | undefined;
    if (!options.dryRun) {
      await prepareNodeForService(nodeSpec, session, options.progress);
      await applyNodePlan(nodeSpec, nodePlan, options.progress);
      options.progress(`waiting for ${nodeName}'s Keepalived to be ${HEALTHY_NODE_STATES.join(" or ")}`);
      state = await waitForHealthyNode(session, spec, options.healthTimeoutMs);
    }
    return {
      cluster: spec.clusterName,
      node: nodeName,
      dryRun: options.dryRun,
      keepalivedVersion: session.keepalivedVersion,
      install: session.install?.action ?? (session.facts.keepalivedVersionLine ? "present" : "would-install"),
      changedFiles: nodePlan.changes.pending.map((change) => change.file.path),
      action: step.action,
      state,
    };
  } finally {
    lock?.release();
    session.shell.close();
  }
}
