import { setTimeout as sleep } from "node:timers/promises";
import { randomBytes } from "node:crypto";
import { createTwoFilesPatch } from "diff";
import type { ClusterSpec, NodeSpec } from "../core/cluster-settings";
import {
  DEFAULT_KEEPALIVED_FILE_PATHS,
  generateAuthPass,
  renderNodeFiles,
  type KeepalivedFilePaths,
  type ManagedFile,
} from "../core/keepalived";
import { APPLIED_FINGERPRINT_PATH } from "../core/limits";
import { changesKeepalivedInputs, keepalivedInputsFingerprint, planNodeChanges, type NodeChangePlan } from "../core/plan/plan-node-changes";
import { planRollout, type RolloutStep } from "../core/plan/plan-rollout";
import { chooseAuthPass } from "./auth-pass-choice";
import { ensureKeepalived, installedKeepalivedVersion, type KeepalivedInstallOutcome } from "./install-keepalived";
import { readKeepalivedStatus, type KeepalivedStatus } from "./keepalived-service";
import { readNodeFacts, type NodeFacts } from "./node-facts";
import { installMissingPackages, missingPackages } from "./node-prerequisites";
import { readRemoteFile, readRemoteFileStates } from "./remote-files";
import { connectToNode } from "./ssh/connect-node";
import type { RemoteShell } from "./ssh/remote-shell";
import { nodesHoldingVips, nodesCarryingAnyVip } from "./vip-holders";

/** Keepalived version assumed for rendering a dry run on a node that has none installed yet. */
const DRY_RUN_ASSUMED_VERSION = "2.2.7";
/** How long provisioning waits for sshd on a node that does not answer yet: a fresh CVM may still be booting. */
const CONNECT_RETRY_MS = 180_000;

/** One node, connected and inspected. */
export interface NodeSession {
  readonly node: NodeSpec;
  readonly peer: NodeSpec;
  readonly shell: RemoteShell;
  readonly facts: NodeFacts;
  /** Undefined only in a dry run on a node without Keepalived. */
  readonly install?: KeepalivedInstallOutcome;
  readonly keepalivedVersion: string;
}

export interface NodePlan {
  readonly session: NodeSession;
  readonly files: readonly ManagedFile[];
  readonly changes: NodeChangePlan;
  readonly status: KeepalivedStatus;
  /** The fingerprint of the files the node's Keepalived last started or reloaded with, if recorded. */
  readonly applied?: string;
}

export interface ClusterPlan {
  readonly nodes: readonly NodePlan[];
  readonly rollout: readonly RolloutStep[];
  readonly authPassSource: "settings" | "nodes" | "generated";
}

/** Connects to a node, reads its facts and (unless dry-running) installs Keepalived when needed. */
export async function openNodeSession(
  spec: ClusterSpec,
  index: 0 | 1,
  options: {
    readonly dryRun: boolean;
    readonly progress: (message: string) => void;
    readonly trace?: (line: string) => void;
    /** Runs right after connecting, before anything is read or installed (the node lock). */
    readonly afterConnect?: (shell: RemoteShell) => Promise<void>;
  },
): Promise<NodeSession> {
  const node = spec.nodes[index];
  const peer = spec.nodes[index === 0 ? 1 : 0];
  options.progress(`connecting to ${node.sshHost}`);
  const shell = await connectToNode(node, spec.ssh, {
    trace: options.trace,
    retryForMs: CONNECT_RETRY_MS,
    onRetry: options.progress,
  });
  try {
    await options.afterConnect?.(shell);
    options.progress("detecting the OS and Keepalived");
    const facts = await readNodeFacts(shell);
    if (options.dryRun) {
      const present = installedKeepalivedVersion(facts);
      return { node, peer, shell, facts, keepalivedVersion: present ?? DRY_RUN_ASSUMED_VERSION };
    }
    const install = await ensureKeepalived(shell, facts, spec, options.progress);
    const packages = missingPackages(spec, facts);
    if (packages.length > 0) options.progress(`installing ${packages.join(", ")}`);
    await installMissingPackages(shell, facts, packages);
    return { node, peer, shell, facts, install, keepalivedVersion: install.version };
  } catch (error) {
    shell.close();
    throw error;
  }
}

export function renderFilesFor(session: NodeSession, spec: ClusterSpec, authPass: string, paths?: Partial<KeepalivedFilePaths>) {
  return renderNodeFiles(
    spec,
    { ownIp: session.node.privateIp, peerIp: session.peer.privateIp, keepalivedVersion: session.keepalivedVersion },
    authPass,
    paths,
  );
}

/** Renders both nodes' files, compares them with what the nodes have and orders the rollout. */
export async function planCluster(
  spec: ClusterSpec,
  sessions: readonly NodeSession[],
  random: (n: number) => Uint8Array = randomBytes,
): Promise<{ readonly plan: ClusterPlan; readonly authPass: string }> {
  const configPath = DEFAULT_KEEPALIVED_FILE_PATHS.configPath;
  const currentConfigs = await Promise.all(sessions.map((session) => readRemoteFile(session.shell, configPath)));
  const { authPass, source } = chooseAuthPass(spec.authPass, currentConfigs, () => generateAuthPass(random));
  const nodes = await Promise.all(
    sessions.map(async (session): Promise<NodePlan> => {
      const files = renderFilesFor(session, spec, authPass);
      const states = await readRemoteFileStates(session.shell, files.map((file) => file.path));
      const status = await readKeepalivedStatus(session.shell, session.facts.initSystem, spec.interfaceName);
      const applied = (await readRemoteFile(session.shell, APPLIED_FINGERPRINT_PATH))?.trim();
      return { session, files, changes: planNodeChanges(session.node.name, files, states), status, applied };
    }),
  );
  const rollout = planRollout(
    nodes.map((nodePlan) => ({
      nodeName: nodePlan.session.node.name,
      keepalivedRunning: nodePlan.status.running,
      holdsVip: nodesHoldingVips(spec.vips, [{ nodeName: nodePlan.session.node.name, status: nodePlan.status }]).length > 0,
      keepalivedInputsChanged: changesKeepalivedInputs(nodePlan.changes),
      appliedMatches: nodePlan.applied === keepalivedInputsFingerprint(nodePlan.files),
    })),
  );
  return { plan: { nodes, rollout, authPassSource: source }, authPass };
}

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

/** A unified diff of one file for the dry run; secret files show only that they differ. */
export function describeFileChange(file: ManagedFile, before: string | undefined): string {
  if (file.secret) return `${file.path}: content ${before === undefined ? "created" : "changed"} (holds a secret; diff not shown)`;
  return createTwoFilesPatch(before === undefined ? "/dev/null" : file.path, file.path, before ?? "", file.content, "", "", { context: 2 });
}
