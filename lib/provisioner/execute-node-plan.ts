import type { ClusterSpec } from "../core/cluster-settings";
import { configTestVerdict, type KeepalivedFilePaths, NONLOCAL_BIND_SYSCTL_KEY, renderNodeFiles } from "../core/keepalived";
import { NONLOCAL_BIND_SYSCTL_PATH } from "../core/limits";
import { nonlocalBindScript } from "../core/node/nonlocal-bind";
import { ensureScriptUserCommand, installPackagesCommand, runtimePathsScript } from "../core/node/packages";
import { serviceSetupCommand } from "../core/node/service-setup";
import { keepalivedInputsFingerprint } from "../core/plan/plan-node-changes";
import { redact, specForConfigTest, STAGING_DIR } from "../core/plan/plan-node-steps";
import type { PlannedNode } from "../core/plan/plan-provisioning";
import type { ServiceStep } from "../core/plan/plan-service-steps";
import type { ValidClusterSpec } from "../core/validation";
import { installFiles, removeStagingDirectory, rollBackFiles, writeRemoteFile, writeStagedFiles } from "./remote-files";
import { INSTALL_COMMAND_TIMEOUT_MS, type RemoteShell } from "./ssh/remote-shell";

/** A configuration the node's own Keepalived rejected; the node keeps its running configuration. */
export class ConfigRejectedError extends Error {
  constructor(nodeName: string, keepalivedOutput: string, what = "the running configuration was left untouched") {
    super(`${nodeName}: keepalived -t rejected the new configuration; ${what}:\n${keepalivedOutput.trim()}`);
    this.name = "ConfigRejectedError";
  }
}

/** A planned node with the connection its steps run over. */
export type NodeToChange = PlannedNode & { readonly shell: RemoteShell };

/**
 * Persists and applies ip_nonlocal_bind (or removes it), and checks the kernel's value after: only
 * this file is applied (`sysctl -p FILE`), never `sysctl --system`.
 */
async function setNonlocalBind(shell: RemoteShell, spec: ClusterSpec): Promise<void> {
  const { script, stdin } = nonlocalBindScript(spec);
  const value = (await shell.check(`setting ${NONLOCAL_BIND_SYSCTL_KEY}`, script, stdin === undefined ? {} : { stdin })).trim();
  const wanted = spec.nonlocalBind === false ? undefined : "1";
  if (wanted !== undefined && value !== wanted) {
    throw new Error(
      `${shell.nodeName}: ${NONLOCAL_BIND_SYSCTL_KEY} is ${value} after applying ${NONLOCAL_BIND_SYSCTL_PATH} (expected ${wanted})`,
    );
  }
}

async function runServiceStep(target: NodeToChange, spec: ClusterSpec, step: ServiceStep, progress: (message: string) => void) {
  const shell = target.shell;
  switch (step.kind) {
    case "set-nonlocal-bind":
      progress(step.enabled ? "setting ip_nonlocal_bind = 1" : "removing the ip_nonlocal_bind setting");
      return setNonlocalBind(shell, spec);
    case "install-service-packages": {
      const packageManager = target.observation.facts.packageManager;
      if (!packageManager) throw new Error(`${shell.nodeName}: cannot install ${step.packages.join(", ")}: no apt-get, dnf or yum`);
      progress(`installing ${step.packages.join(", ")}`);
      return shell.check(`installing ${step.packages.join(", ")}`, installPackagesCommand(packageManager, step.packages), {
        timeoutMs: INSTALL_COMMAND_TIMEOUT_MS,
      });
    }
    case "run-service-setup":
      progress("running the service setup command");
      return shell.check("running serviceSetup.command", serviceSetupCommand(step.command), { timeoutMs: INSTALL_COMMAND_TIMEOUT_MS });
    case "record-service-setup":
      return writeRemoteFile(shell, step.path, `${step.fingerprint}\n`);
  }
}

/** Writes a rendering into the staging directory and has the node's Keepalived check it; the staging directory is removed after. */
async function checkOnNode(
  target: NodeToChange,
  spec: ValidClusterSpec,
  step: { readonly paths: Partial<KeepalivedFilePaths>; readonly command: string },
): Promise<string | undefined> {
  const shell = target.shell;
  const version = target.keepalivedVersion;
  const files = renderNodeFiles(
    specForConfigTest(spec, version),
    { ownIp: target.node.privateIp, peerIp: target.peer.privateIp, keepalivedVersion: version },
    step.paths,
  );
  try {
    await writeStagedFiles(
      shell,
      STAGING_DIR,
      files.filter((file) => file.path.startsWith(STAGING_DIR)),
    );
    const run = await shell.run(step.command);
    // The verdict is read as the node's release means it (exit codes and, before 2.2.0, the output).
    const verdict = configTestVerdict(version, { code: run.code, output: run.stdout + run.stderr });
    return verdict.accepted ? undefined : redact(`${verdict.reason}\n${verdict.output}`, spec.authPass);
  } finally {
    await removeStagingDirectory(shell, STAGING_DIR);
  }
}

/**
 * Changes one node by performing its planned steps in order: first the service steps (the
 * nonlocal-bind sysctl, the service's packages and setup), then the Keepalived steps: the new files
 * checked by the node's Keepalived in a staging directory before anything live changes, swapped in
 * (one backup each) and checked again in place, rolled back if that fails; only then is Keepalived
 * started or reloaded, and the node records which files it now runs with.
 */
export async function executeNodePlan(spec: ValidClusterSpec, target: NodeToChange, progress: (message: string) => void): Promise<void> {
  const { shell, changes, steps } = target;
  const name = target.node.name;
  for (const step of target.service) await runServiceStep(target, spec, step, progress);
  if (steps.refusal !== undefined) throw new Error(steps.refusal);
  for (const step of steps.steps) {
    switch (step.kind) {
      case "ensure-script-user":
        await shell.check(`creating script user ${step.scriptUser}`, ensureScriptUserCommand(step.scriptUser));
        break;
      case "check-staged": {
        progress("checking the new files with keepalived -t (staged copy)");
        const rejected = await checkOnNode(target, spec, step);
        if (rejected !== undefined) throw new ConfigRejectedError(name, rejected);
        break;
      }
      case "prepare-runtime-paths":
        await shell.check(`preparing paths for script user ${spec.scriptUser}`, runtimePathsScript(spec));
        break;
      case "install-files":
        if (step.unchecked) {
          progress(
            `Keepalived ${target.keepalivedVersion} cannot check a configuration: installing unchecked (${step.uncheckedBecause ?? "allowUncheckedConfig"})`,
          );
        }
        progress(`installing ${step.paths.length} changed file(s)`);
        await installFiles(shell, changes.pending);
        break;
      case "check-installed": {
        const rejected = await checkOnNode(target, spec, step);
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
        await writeRemoteFile(shell, step.path, `${keepalivedInputsFingerprint(target.files)}\n`);
        break;
    }
  }
}
