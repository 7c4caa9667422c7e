import { randomBytes } from "node:crypto";
import { createTwoFilesPatch } from "diff";
import { type ValidClusterSpec, withAuthPass } from "../core/validation";
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
import { readSettledKeepalivedStatus, type KeepalivedStatus } from "./keepalived-service";
import type { NodeSession } from "./node-session";
import { planNodeSteps, type NodeStepPlan } from "./node-steps";
import { readRemoteFile, readRemoteFileStates } from "./remote-files";
import type { RemoteShell } from "./ssh/remote-shell";
import { nodesHoldingVips } from "./vip-holders";

export interface NodePlan {
  readonly session: NodeSession;
  readonly files: readonly ManagedFile[];
  readonly changes: NodeChangePlan;
  readonly status: KeepalivedStatus;
  /** The fingerprint of the files the node's Keepalived last started or reloaded with, if recorded. */
  readonly applied?: string;
  /** What the node will do, in order: the one list the dry run prints and the apply performs. */
  readonly steps: NodeStepPlan;
  /** Each pending change as the dry run shows it (a diff, or a mode/owner change); only when asked for. */
  readonly changeDescriptions?: readonly string[];
}

export interface PlanOptions {
  /** Activate on nodes whose Keepalived has no config test (< 2.0.5) without checking. @default false */
  readonly allowUncheckedConfig?: boolean;
  /** Read the current content of each changed file and describe the change (for the dry run). @default false */
  readonly describeChanges?: boolean;
}

export interface ClusterPlan {
  readonly nodes: readonly NodePlan[];
  readonly rollout: readonly RolloutStep[];
  readonly authPassSource: "settings" | "nodes" | "generated";
}

export function renderFilesFor(session: NodeSession, spec: ValidClusterSpec, paths?: Partial<KeepalivedFilePaths>) {
  return renderNodeFiles(
    spec,
    { ownIp: session.node.privateIp, peerIp: session.peer.privateIp, keepalivedVersion: session.keepalivedVersion },
    paths,
  );
}

/**
 * Settles the VRRP password into the spec (the configured one, else the one the pair shares, else
 * a new one), renders both nodes' files, compares them with what the nodes have and orders the rollout.
 */
export async function planCluster(
  validSpec: ValidClusterSpec,
  sessions: readonly NodeSession[],
  options: PlanOptions = {},
  random: (n: number) => Uint8Array = randomBytes,
): Promise<{ readonly plan: ClusterPlan; readonly spec: ValidClusterSpec }> {
  const configPath = DEFAULT_KEEPALIVED_FILE_PATHS.configPath;
  const currentConfigs = await Promise.all(sessions.map((session) => readRemoteFile(session.shell, configPath)));
  const { authPass, source } = chooseAuthPass(validSpec.authPass, currentConfigs, () => generateAuthPass(random));
  const spec = withAuthPass(validSpec, authPass);
  const inspected = await Promise.all(
    sessions.map(async (session) => {
      const files = renderFilesFor(session, spec);
      const states = await readRemoteFileStates(
        session.shell,
        files.map((file) => file.path),
      );
      // Settled: a Keepalived that is still stopping is planned as stopped, not as running.
      const status = await readSettledKeepalivedStatus(session.shell, session.facts.initSystem, spec.interfaceName);
      const applied = (await readRemoteFile(session.shell, APPLIED_FINGERPRINT_PATH))?.trim();
      const changes = planNodeChanges(session.node.name, files, states);
      const changeDescriptions = options.describeChanges ? await describeChanges(session.shell, changes) : undefined;
      return { session, files, changes, status, applied, changeDescriptions };
    }),
  );
  const rollout = planRollout(
    inspected.map((nodePlan) => ({
      nodeName: nodePlan.session.node.name,
      keepalivedRunning: nodePlan.status.running,
      holdsVip: nodesHoldingVips(spec.vips, [{ nodeName: nodePlan.session.node.name, status: nodePlan.status }]).length > 0,
      keepalivedInputsChanged: changesKeepalivedInputs(nodePlan.changes),
      appliedMatches: nodePlan.applied === keepalivedInputsFingerprint(nodePlan.files),
    })),
  );
  const nodes = inspected.map((nodePlan): NodePlan => {
    const step = rollout.find((s) => s.nodeName === nodePlan.session.node.name) as RolloutStep;
    const steps = planNodeSteps({
      nodeName: nodePlan.session.node.name,
      keepalivedVersion: nodePlan.session.keepalivedVersion,
      initSystem: nodePlan.session.facts.initSystem,
      scriptUser: spec.scriptUser,
      pending: nodePlan.changes.pending,
      rollout: step,
      allowUncheckedConfig: options.allowUncheckedConfig,
    });
    return { ...nodePlan, steps };
  });
  return { plan: { nodes, rollout, authPassSource: source }, spec };
}

/** Each pending change as the dry run shows it; the current content is read once, here, and never for a secret file. */
async function describeChanges(shell: RemoteShell, changes: NodeChangePlan): Promise<string[]> {
  const lines: string[] = [];
  for (const change of changes.pending) {
    if (change.kind === "metadata") {
      lines.push(`${change.file.path}: mode/owner -> ${change.file.mode.toString(8)} ${change.file.owner}:${change.file.group}`);
      continue;
    }
    const before = change.kind === "create" ? undefined : change.file.secret ? "" : ((await readRemoteFile(shell, change.file.path)) ?? "");
    lines.push(describeFileChange(change.file, before).trimEnd());
  }
  return lines;
}

/** A unified diff of one file for the dry run; secret files show only that they differ. */
export function describeFileChange(file: ManagedFile, before: string | undefined): string {
  if (file.secret) return `${file.path}: content ${before === undefined ? "created" : "changed"} (holds a secret; diff not shown)`;
  return createTwoFilesPatch(before === undefined ? "/dev/null" : file.path, file.path, before ?? "", file.content, "", "", { context: 2 });
}
