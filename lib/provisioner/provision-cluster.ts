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
import { planNodeChanges, type NodeChangePlan } from "../core/plan/plan-node-changes";
import { planRollout, type RolloutStep } from "../core/plan/plan-rollout";
import { chooseAuthPass } from "./auth-pass-choice";
import { ensureKeepalived, installedKeepalivedVersion, type KeepalivedInstallOutcome } from "./install-keepalived";
import {
  readKeepalivedStatus,
  reloadKeepalived,
  startKeepalived,
  testKeepalivedConfig,
  type KeepalivedStatus,
} from "./keepalived-service";
import { readNodeFacts, type NodeFacts } from "./node-facts";
import { installMissingPackages, missingPackages, prepareRuntimePaths } from "./node-prerequisites";
import { installFiles, readRemoteFile, readRemoteFileStates, removeStagingDirectory, writeStagedFiles } from "./remote-files";
import { connectToNode } from "./ssh/connect-node";
import type { RemoteShell } from "./ssh/remote-shell";
import { vipHolders, anyVipCarriers } from "./vip-holders";

/** Keepalived version assumed for rendering a dry run on a node that has none installed yet. */
const DRY_RUN_ASSUMED_VERSION = "2.2.7";
const STAGING_DIR = "/etc/keepalived/.havip-staging";

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
}

export interface ClusterPlan {
  readonly nodes: readonly NodePlan[];
  readonly rollout: readonly RolloutStep[];
  readonly authPassSource: "settings" | "nodes" | "generated";
}

/** A configuration the node's own Keepalived rejected; nothing was activated. */
export class ConfigRejectedError extends Error {
  constructor(nodeName: string, keepalivedOutput: string) {
    super(
      `${nodeName}: keepalived -t rejected the new configuration; the running configuration was left untouched:\n` +
        keepalivedOutput.trim(),
    );
    this.name = "ConfigRejectedError";
  }
}

/** Keepalived may quote the config line it trips over: never let the VRRP password through. */
export function redact(text: string, secret: string): string {
  return secret === "" ? text : text.split(secret).join("********");
}

export function stagingPaths(): Partial<KeepalivedFilePaths> {
  const name = (path: string) => `${STAGING_DIR}/${path.split("/").pop()}`;
  return {
    configPath: name(DEFAULT_KEEPALIVED_FILE_PATHS.configPath),
    notifyScriptPath: name(DEFAULT_KEEPALIVED_FILE_PATHS.notifyScriptPath),
    healthCheckScriptPath: name(DEFAULT_KEEPALIVED_FILE_PATHS.healthCheckScriptPath),
    logrotatePath: name(DEFAULT_KEEPALIVED_FILE_PATHS.logrotatePath),
  };
}

/**
 * The spec the staged copy is rendered from for `keepalived -t`. Keepalived 2.2.7's config test
 * kills itself (SIGTERM, exit 143) when it drops to a non-root `script_user` to check the scripts,
 * whatever the scripts are; so the test runs with root as script user, and the real user is made
 * to exist and own what the scripts write (prepareRuntimePaths) before the files go live.
 */
export function specForConfigTest(spec: ClusterSpec): ClusterSpec {
  return spec.scriptUser === "root" ? spec : { ...spec, scriptUser: "root" };
}

/** Connects to a node, reads its facts and (unless dry-running) installs Keepalived when needed. */
export async function openNodeSession(
  spec: ClusterSpec,
  index: 0 | 1,
  options: { readonly dryRun: boolean; readonly progress: (message: string) => void; readonly trace?: (line: string) => void },
): Promise<NodeSession> {
  const node = spec.nodes[index];
  const peer = spec.nodes[index === 0 ? 1 : 0];
  options.progress(`connecting to ${node.sshHost}`);
  const shell = await connectToNode(node, spec.ssh, options.trace);
  try {
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
      const status = await readKeepalivedStatus(session.shell, session.facts.initSystem, spec.interfaceName, DEFAULT_KEEPALIVED_FILE_PATHS.stateFilePath);
      return { session, files, changes: planNodeChanges(session.node.name, files, states), status };
    }),
  );
  const rollout = planRollout(
    nodes.map((nodePlan) => ({
      nodeName: nodePlan.session.node.name,
      keepalivedRunning: nodePlan.status.running,
      holdsVip: vipHolders(spec.vips, [{ nodeName: nodePlan.session.node.name, status: nodePlan.status }]).length > 0,
      filesChanged: nodePlan.changes.pending.length > 0,
    })),
  );
  return { plan: { nodes, rollout, authPassSource: source }, authPass };
}

/**
 * Stages a node's files, has the node's Keepalived check them, and only then swaps them in and
 * starts or reloads Keepalived. A rejected configuration leaves the node exactly as it was.
 */
export async function applyNodePlan(
  spec: ClusterSpec,
  nodePlan: NodePlan,
  step: RolloutStep,
  authPass: string,
  progress: (message: string) => void,
): Promise<void> {
  const { session, changes } = nodePlan;
  if (changes.pending.length > 0) {
    // keepalived -t resolves script_user, so the user (and what its scripts write) must exist first.
    await prepareRuntimePaths(session.shell, spec);
    progress("validating the new configuration with keepalived -t");
    const staged = renderFilesFor(session, specForConfigTest(spec), authPass, stagingPaths());
    try {
      await writeStagedFiles(session.shell, STAGING_DIR, staged.filter((file) => file.path.startsWith(STAGING_DIR)));
      const verdict = await testKeepalivedConfig(session.shell, stagingPaths().configPath as string);
      if (verdict.code !== 0) throw new ConfigRejectedError(session.node.name, redact(verdict.stdout + verdict.stderr, authPass));
    } finally {
      await removeStagingDirectory(session.shell, STAGING_DIR);
    }
    progress(`installing ${changes.pending.length} changed file(s)`);
    await installFiles(session.shell, changes.pending);
  }
  if (step.action === "start") {
    progress("starting keepalived");
    await startKeepalived(session.shell, session.facts.initSystem, DEFAULT_KEEPALIVED_FILE_PATHS.configPath);
  } else if (step.action === "reload") {
    progress("reloading keepalived");
    await reloadKeepalived(session.shell, session.facts.initSystem);
  }
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
        status: await readKeepalivedStatus(session.shell, session.facts.initSystem, spec.interfaceName, DEFAULT_KEEPALIVED_FILE_PATHS.stateFilePath),
      })),
    );
    holders = vipHolders(spec.vips, statuses);
    const carriers = anyVipCarriers(spec.vips, statuses);
    const single = holders.length === 1 && carriers.length === 1 ? holders[0] : undefined;
    if (single !== undefined && single === previous) return { holder: single, holders, elapsedMs: Date.now() - started };
    previous = single;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return { holders, elapsedMs: Date.now() - started };
}

/** A unified diff of one file for the dry run; secret files show only that they differ. */
export function describeFileChange(file: ManagedFile, before: string | undefined): string {
  if (file.secret) return `${file.path}: content ${before === undefined ? "created" : "changed"} (holds a secret; diff not shown)`;
  return createTwoFilesPatch(before === undefined ? "/dev/null" : file.path, file.path, before ?? "", file.content, "", "", { context: 2 });
}
