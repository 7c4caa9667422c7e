import {
  configTestCommand,
  configTestNeedsRootScriptUser,
  DEFAULT_KEEPALIVED_FILE_PATHS,
  keepalivedHasConfigTest,
  type KeepalivedFilePaths,
} from "../keepalived";
import { type ValidClusterSpec, withScriptUser } from "../validation/valid-cluster-spec";
import { APPLIED_FINGERPRINT_PATH, KEEPALIVED_CONFIG_TEST_SINCE } from "../limits";
import type { FileChange } from "./plan-node-changes";
import type { RolloutAction, RolloutStep } from "./plan-rollout";
import { reloadCommand, startCommand } from "../node/keepalived-service";
import type { InitSystem } from "../node/node-facts";

export const STAGING_DIR = "/etc/keepalived/.havip-staging";

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
export function installedCheckPaths(): Partial<KeepalivedFilePaths> {
  return { configPath: `${STAGING_DIR}/installed-check.conf`, logrotatePath: `${STAGING_DIR}/unused-logrotate` };
}

/** One effect on a node, in the order `applyNodePlan` performs them and `--dry-run` prints them. */
export type NodeStep =
  /** A non-root script user created before the staged check: Keepalived checks the scripts as that user. */
  | { readonly kind: "ensure-script-user"; readonly scriptUser: string }
  /** The new files, rendered into the staging directory, checked by the node's own Keepalived. */
  | { readonly kind: "check-staged"; readonly paths: Partial<KeepalivedFilePaths>; readonly command: string }
  /** The script user and the paths the scripts write exist before the scripts go live. */
  | { readonly kind: "prepare-runtime-paths"; readonly scriptUser: string }
  /** Each changed file uploaded beside its target, one backup kept, renamed into place. */
  | {
      readonly kind: "install-files";
      readonly paths: readonly string[];
      readonly unchecked: boolean;
      /** With `unchecked`: the option that allowed it, as the user set it. */
      readonly uncheckedBecause?: string;
    }
  /** The installed files checked again in place; rolled back if rejected. */
  | { readonly kind: "check-installed"; readonly paths: Partial<KeepalivedFilePaths>; readonly command: string }
  | { readonly kind: "start"; readonly command: string }
  | { readonly kind: "reload"; readonly command: string }
  /** The fingerprint of the files Keepalived now runs with, so an interrupted run is noticed. */
  | { readonly kind: "record-applied"; readonly path: string };

/** What one node will do (or refuses to do), decided once for both the dry run and the apply. */
export interface NodeStepPlan {
  readonly nodeName: string;
  readonly action: RolloutAction;
  readonly reason: string;
  /** Set when the node must not be changed; then `steps` is empty. */
  readonly refusal?: string;
  readonly steps: readonly NodeStep[];
}

export interface NodeStepInput {
  readonly nodeName: string;
  readonly keepalivedVersion: string;
  readonly initSystem: InitSystem;
  readonly scriptUser: string;
  readonly pending: readonly FileChange[];
  readonly rollout: RolloutStep;
  /** Activate on a node whose Keepalived has no config test (< 2.0.5) without checking. @default false */
  readonly allowUncheckedConfig?: boolean;
  /** How a message names that option where the user sets it. @default "allowUncheckedConfig" (the library's option) */
  readonly allowUncheckedConfigOption?: string;
}

function refusalFor(input: NodeStepInput): string {
  return (
    `${input.nodeName}: Keepalived ${input.keepalivedVersion} has no config test (keepalived -t arrived in ${KEEPALIVED_CONFIG_TEST_SINCE}), ` +
    `so the new configuration cannot be checked on the node before it goes live; install Keepalived >= ${KEEPALIVED_CONFIG_TEST_SINCE} ` +
    `(the distribution's, or keepalivedSource) or run provision with ${input.allowUncheckedConfigOption ?? "allowUncheckedConfig"}`
  );
}

/**
 * The steps one node goes through: the script user made to exist (Keepalived checks the scripts
 * as that user), config test of the staged files, install, config test in
 * place, then start or reload and the record of what was applied; or a refusal when the node's
 * Keepalived cannot check a configuration and unchecked activation was not allowed. Pure: the
 * dry run prints exactly this list and `applyNodePlan` performs exactly this list.
 */
export function planNodeSteps(input: NodeStepInput): NodeStepPlan {
  const { nodeName, rollout, pending } = input;
  const base = { nodeName, action: rollout.action, reason: rollout.reason };
  const checkable = supportsConfigTest(input.keepalivedVersion);
  const changes = pending.length > 0 || rollout.action !== "none";
  if (!checkable && !input.allowUncheckedConfig && changes) return { ...base, refusal: refusalFor(input), steps: [] };
  const steps: NodeStep[] = [];
  if (pending.length > 0) {
    const staged = stagingPaths();
    const installed = installedCheckPaths();
    if (checkable && input.scriptUser !== "root") steps.push({ kind: "ensure-script-user", scriptUser: input.scriptUser });
    if (checkable)
      steps.push({ kind: "check-staged", paths: staged, command: configTestCommand(input.keepalivedVersion, staged.configPath as string) });
    steps.push({ kind: "prepare-runtime-paths", scriptUser: input.scriptUser });
    steps.push({
      kind: "install-files",
      paths: pending.map((change) => change.file.path),
      unchecked: !checkable,
      ...(checkable ? {} : { uncheckedBecause: input.allowUncheckedConfigOption ?? "allowUncheckedConfig" }),
    });
    if (checkable)
      steps.push({
        kind: "check-installed",
        paths: installed,
        command: configTestCommand(input.keepalivedVersion, installed.configPath as string),
      });
  }
  if (rollout.action === "start")
    steps.push({ kind: "start", command: startCommand(input.initSystem, DEFAULT_KEEPALIVED_FILE_PATHS.configPath) });
  if (rollout.action === "reload") steps.push({ kind: "reload", command: reloadCommand(input.initSystem) });
  if (rollout.action !== "none") steps.push({ kind: "record-applied", path: APPLIED_FINGERPRINT_PATH });
  return { ...base, steps };
}

/** One line per step for the dry run: commands as `$ command`, the other steps as what they do. */
export function describeNodeStep(step: NodeStep): string {
  switch (step.kind) {
    case "ensure-script-user":
      return `# make sure script user ${step.scriptUser} exists (a system user; keepalived -t checks the scripts as it)`;
    case "check-staged":
      return `$ ${step.command}   # staged copy, before anything changes`;
    case "prepare-runtime-paths":
      return `# make sure script user ${step.scriptUser} exists and owns the paths the scripts write`;
    case "install-files":
      return `# install ${step.paths.join(", ")}: each uploaded beside its target, one *.havip-bak kept, renamed into place${step.unchecked ? ` (UNCHECKED: ${step.uncheckedBecause ?? "allowUncheckedConfig"})` : ""}`;
    case "check-installed":
      return `$ ${step.command}   # in place; rolled back if rejected`;
    case "start":
    case "reload":
      return `$ ${step.command}`;
    case "record-applied":
      return `# record the applied files' fingerprint in ${step.path}`;
  }
}

/**
 * The spec the check copies are rendered from. Keepalived 2.2.5-2.2.7's config test kills itself
 * (SIGTERM, exit 143) when it drops to a non-root `script_user` to check the scripts, whatever
 * the scripts are; on those releases the test runs with root as script user, and the real user is
 * made to exist and own what the scripts write (prepare-runtime-paths) before the files go live.
 */
export function specForConfigTest(spec: ValidClusterSpec, keepalivedVersion: string): ValidClusterSpec {
  return configTestNeedsRootScriptUser(keepalivedVersion) ? withScriptUser(spec, "root") : spec;
}

/** Keepalived may quote the config line it trips over: never let the VRRP password through. */
export function redact(text: string, secret: string | undefined): string {
  return secret === undefined || secret === "" ? text : text.split(secret).join("********");
}
