import type { ClusterSpec } from "../core/cluster-settings";
import { DEFAULT_KEEPALIVED_FILE_PATHS, type KeepalivedFilePaths } from "../core/keepalived";
import { configTestNeedsRootScriptUser, keepalivedHasConfigTest } from "../core/keepalived";
import { APPLIED_FINGERPRINT_PATH, KEEPALIVED_CONFIG_TEST_SINCE } from "../core/limits";
import { keepalivedInputsFingerprint } from "../core/plan/plan-node-changes";
import type { RolloutStep } from "../core/plan/plan-rollout";
import { reloadKeepalived, startKeepalived, testKeepalivedConfig } from "./keepalived-service";
import { prepareRuntimePaths } from "./node-prerequisites";
import { renderFilesFor, type NodePlan } from "./provision-cluster";
import { installFiles, removeStagingDirectory, rollBackFiles, writeRemoteFile, writeStagedFiles } from "./remote-files";
import type { RemoteShell } from "./ssh/remote-shell";

export const STAGING_DIR = "/etc/keepalived/.havip-staging";

/** A configuration the node's own Keepalived rejected; the node keeps its running configuration. */
export class ConfigRejectedError extends Error {
  constructor(nodeName: string, keepalivedOutput: string, what = "the running configuration was left untouched") {
    super(`${nodeName}: keepalived -t rejected the new configuration; ${what}:\n${keepalivedOutput.trim()}`);
    this.name = "ConfigRejectedError";
  }
}

export interface ApplyOptions {
  /** Activate on nodes whose Keepalived has no config test (< 2.0.5) without checking. @default false */
  readonly allowUncheckedConfig?: boolean;
}

/** Keepalived may quote the config line it trips over: never let the VRRP password through. */
export function redact(text: string, secret: string): string {
  return secret === "" ? text : text.split(secret).join("********");
}

export function supportsConfigTest(keepalivedVersion: string): boolean {
  return keepalivedHasConfigTest(keepalivedVersion);
}

/** Staging copies: the real files' names in a private directory, so nothing live changes while they are checked. */
export function stagingPaths(): Partial<KeepalivedFilePaths> {
  const name = (path: string) => `${STAGING_DIR}/${path.split("/").pop()}`;
  return {
    configPath: name(DEFAULT_KEEPALIVED_FILE_PATHS.configPath),
    notifyScriptPath: name(DEFAULT_KEEPALIVED_FILE_PATHS.notifyScriptPath),
    healthCheckScriptPath: name(DEFAULT_KEEPALIVED_FILE_PATHS.healthCheckScriptPath),
    logrotatePath: name(DEFAULT_KEEPALIVED_FILE_PATHS.logrotatePath),
  };
}

/** After the swap: the installed scripts with a copy of the config in the staging directory. */
function installedCheckPaths(): Partial<KeepalivedFilePaths> {
  return { configPath: `${STAGING_DIR}/installed-check.conf`, logrotatePath: `${STAGING_DIR}/unused-logrotate` };
}

/**
 * The spec the check copies are rendered from. Keepalived 2.2.5-2.2.7's config test kills itself
 * (SIGTERM, exit 143) when it drops to a non-root `script_user` to check the scripts, whatever
 * the scripts are; on those releases the test runs with root as script user, and the real user is
 * made to exist and own what the scripts write (prepareRuntimePaths) before the files go live.
 */
export function specForConfigTest(spec: ClusterSpec, keepalivedVersion: string): ClusterSpec {
  return spec.scriptUser === "root" || !configTestNeedsRootScriptUser(keepalivedVersion) ? spec : { ...spec, scriptUser: "root" };
}

/** Writes a rendering into the staging directory and has the node's Keepalived check it; the staging directory is removed after. */
async function checkOnNode(
  shell: RemoteShell,
  nodePlan: NodePlan,
  spec: ClusterSpec,
  authPass: string,
  paths: Partial<KeepalivedFilePaths>,
): Promise<string | undefined> {
  const version = nodePlan.session.keepalivedVersion;
  const files = renderFilesFor(nodePlan.session, specForConfigTest(spec, version), authPass, paths);
  try {
    await writeStagedFiles(shell, STAGING_DIR, files.filter((file) => file.path.startsWith(STAGING_DIR)));
    const verdict = await testKeepalivedConfig(shell, version, paths.configPath as string);
    return verdict.accepted ? undefined : redact(`${verdict.reason}\n${verdict.output}`, authPass);
  } finally {
    await removeStagingDirectory(shell, STAGING_DIR);
  }
}

/**
 * Changes one node: the new files are checked by the node's Keepalived in a staging directory
 * before anything live changes; then swapped in (one backup each) and checked again in place,
 * rolled back if that fails; only then is Keepalived started or reloaded, and the node records
 * which files it now runs with.
 */
export async function applyNodePlan(
  spec: ClusterSpec,
  nodePlan: NodePlan,
  step: RolloutStep,
  authPass: string,
  progress: (message: string) => void,
  options: ApplyOptions = {},
): Promise<void> {
  const { session, changes } = nodePlan;
  const shell = session.shell;
  const name = session.node.name;
  const checkable = supportsConfigTest(session.keepalivedVersion);
  if (!checkable && !options.allowUncheckedConfig && (changes.pending.length > 0 || step.action !== "none")) {
    throw new Error(
      `${name}: Keepalived ${session.keepalivedVersion} has no config test (keepalived -t arrived in ${KEEPALIVED_CONFIG_TEST_SINCE}), ` +
        `so the new configuration cannot be checked on the node before it goes live; install Keepalived >= ${KEEPALIVED_CONFIG_TEST_SINCE} ` +
        "(the distribution's, or keepalivedSource) or run provision with --allow-unchecked-config",
    );
  }
  if (changes.pending.length > 0) {
    if (checkable) {
      progress("checking the new files with keepalived -t (staged copy)");
      const rejected = await checkOnNode(shell, nodePlan, spec, authPass, stagingPaths());
      if (rejected !== undefined) throw new ConfigRejectedError(name, rejected);
    } else {
      progress(`Keepalived ${session.keepalivedVersion} cannot check a configuration: installing unchecked (--allow-unchecked-config)`);
    }
    await prepareRuntimePaths(shell, spec);
    progress(`installing ${changes.pending.length} changed file(s)`);
    await installFiles(shell, changes.pending);
    if (checkable) {
      const rejected = await checkOnNode(shell, nodePlan, spec, authPass, installedCheckPaths());
      if (rejected !== undefined) {
        await rollBackFiles(shell, changes.pending);
        throw new ConfigRejectedError(name, rejected, "the previous files were put back and the running configuration was left untouched");
      }
    }
  }
  if (step.action === "start") {
    progress("starting keepalived");
    await startKeepalived(shell, session.facts.initSystem, DEFAULT_KEEPALIVED_FILE_PATHS.configPath);
  } else if (step.action === "reload") {
    progress("reloading keepalived");
    await reloadKeepalived(shell, session.facts.initSystem);
  }
  if (step.action !== "none") await writeRemoteFile(shell, APPLIED_FINGERPRINT_PATH, `${keepalivedInputsFingerprint(nodePlan.files)}\n`);
}
