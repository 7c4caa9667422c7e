import { type ValidClusterSpec, withScriptUser } from "../core/validation";
import { configTestNeedsRootScriptUser, configTestVerdict, type KeepalivedFilePaths } from "../core/keepalived";
import { keepalivedInputsFingerprint } from "../core/plan/plan-node-changes";
import { ensureScriptUser, prepareRuntimePaths } from "./node-prerequisites";
import { STAGING_DIR } from "./node-steps";
import { renderFilesFor, type NodePlan } from "./cluster-plan";
import { installFiles, removeStagingDirectory, rollBackFiles, writeRemoteFile, writeStagedFiles } from "./remote-files";
import type { RemoteShell } from "./ssh/remote-shell";

/** A configuration the node's own Keepalived rejected; the node keeps its running configuration. */
export class ConfigRejectedError extends Error {
  constructor(nodeName: string, keepalivedOutput: string, what = "the running configuration was left untouched") {
    super(`${nodeName}: keepalived -t rejected the new configuration; ${what}:\n${keepalivedOutput.trim()}`);
    this.name = "ConfigRejectedError";
  }
}

/** Keepalived may quote the config line it trips over: never let the VRRP password through. */
export function redact(text: string, secret: string): string {
  return secret === "" ? text : text.split(secret).join("********");
}

/**
 * The spec the check copies are rendered from. Keepalived 2.2.5-2.2.7's config test kills itself
 * (SIGTERM, exit 143) when it drops to a non-root `script_user` to check the scripts, whatever
 * the scripts are; on those releases the test runs with root as script user, and the real user is
 * made to exist and own what the scripts write (prepareRuntimePaths) before the files go live.
 */
export function specForConfigTest(spec: ValidClusterSpec, keepalivedVersion: string): ValidClusterSpec {
  return configTestNeedsRootScriptUser(keepalivedVersion) ? withScriptUser(spec, "root") : spec;
}

/** Writes a rendering into the staging directory and has the node's Keepalived check it; the staging directory is removed after. */
async function checkOnNode(
  shell: RemoteShell,
  nodePlan: NodePlan,
  spec: ValidClusterSpec,
  step: { readonly paths: Partial<KeepalivedFilePaths>; readonly command: string },
): Promise<string | undefined> {
  const version = nodePlan.session.keepalivedVersion;
  const files = renderFilesFor(nodePlan.session, specForConfigTest(spec, version), step.paths);
  try {
    await writeStagedFiles(
      shell,
      STAGING_DIR,
      files.filter((file) => file.path.startsWith(STAGING_DIR)),
    );
    const run = await shell.run(step.command);
    // The verdict is read as the node's release means it (exit codes and, before 2.2.0, the output).
    const verdict = configTestVerdict(version, { code: run.code, output: run.stdout + run.stderr });
    return verdict.accepted ? undefined : redact(`${verdict.reason}\n${verdict.output}`, spec.authPass ?? "");
  } finally {
    await removeStagingDirectory(shell, STAGING_DIR);
  }
}

/**
 * Changes one node by performing its planned steps (`planNodeSteps`) in order: the new files
 * are checked by the node's Keepalived in a staging directory before anything live changes;
 * then swapped in (one backup each) and checked again in place, rolled back if that fails;
 * only then is Keepalived started or reloaded, and the node records which files it now runs with.
 */
export async function applyNodePlan(spec: ValidClusterSpec, nodePlan: NodePlan, progress: (message: string) => void): Promise<void> {
  const { session, changes, steps } = nodePlan;
  const shell = session.shell;
  const name = session.node.name;
  if (steps.refusal !== undefined) throw new Error(steps.refusal);
  for (const step of steps.steps) {
    switch (step.kind) {
      case "ensure-script-user":
        await ensureScriptUser(shell, step.scriptUser);
        break;
      case "check-staged": {
        progress("checking the new files with keepalived -t (staged copy)");
        const rejected = await checkOnNode(shell, nodePlan, spec, step);
        if (rejected !== undefined) throw new ConfigRejectedError(name, rejected);
        break;
      }
      case "prepare-runtime-paths":
        await prepareRuntimePaths(shell, spec);
        break;
      case "install-files":
        if (step.unchecked)
          progress(`Keepalived ${session.keepalivedVersion} cannot check a configuration: installing unchecked (--allow-unchecked-config)`);
        progress(`installing ${step.paths.length} changed file(s)`);
        await installFiles(shell, changes.pending);
        break;
      case "check-installed": {
        const rejected = await checkOnNode(shell, nodePlan, spec, step);
        if (rejected !== undefined) {
          await rollBackFiles(shell, changes.pending);
          throw new ConfigRejectedError(
            name,
            rejected,
            "the previous files were put back and the running configuration was left untouched",
          );
        }
        break;
      }
      case "start":
      case "reload": {
        const doing = `${step.kind === "start" ? "starting" : "reloading"} keepalived`;
        progress(doing);
        await shell.check(doing, step.command);
        break;
      }
      case "record-applied":
        await writeRemoteFile(shell, step.path, `${keepalivedInputsFingerprint(nodePlan.files)}\n`);
        break;
    }
  }
}
