/**
 * The construct's post-apply hook under real Terraform, against the local lab: a stack holding
 * only the `terraform_data` + local-exec that HaVipCluster adds, with the lab's spec (in the same
 * JSON local the construct writes) instead of CVM addresses. `terraform_data` is built into
 * Terraform, so init needs no provider and no network. Shared by `npm run check:deploy-hook`
 * and test/lab/e2e/deploy-hook.test.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { App, TerraformStack, TerraformVariable } from "cdktf";
import type { ClusterSpec } from "../../lib/core/cluster-settings";
import { addPostApplyProvisioning, clusterSpecJson } from "../../lib/construct";
import { type CommandResult, type Lab, runInOperatorNamespace } from "..";

const STACK = "deploy-hook";
/** The Terraform variable that carries the VRRP password when the hook is synthesized with one. */
export const AUTH_PASS_VARIABLE = "vrrp_auth_pass";

export interface DeployHookStack {
  /** Where `terraform` runs (cdktf.out/stacks/deploy-hook). */
  readonly dir: string;
  /** The synthesized cdk.tf.json. */
  readonly json: string;
  /** Environment for `terraform`: offline, only built-in providers. */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Synthesizes the hook stack into `outdir`. With `authPassFromVariable`, the spec's password is
 * a sensitive Terraform variable (set TF_VAR_vrrp_auth_pass), as a user would pass it.
 */
export function synthesizeDeployHook(lab: Lab, outdir: string, options: { readonly authPassFromVariable?: boolean } = {}): DeployHookStack {
  const app = new App({ outdir });
  const stack = new TerraformStack(app, STACK);
  const labSpec = JSON.parse(readFileSync(lab.specPath, "utf8")) as ClusterSpec;
  const spec: ClusterSpec = options.authPassFromVariable
    ? { ...labSpec, authPass: new TerraformVariable(stack, AUTH_PASS_VARIABLE, { type: "string", sensitive: true }).stringValue }
    : labSpec;
  addPostApplyProvisioning(stack, clusterSpecJson(stack, "spec", spec), ["lab-a", "lab-b"], [], spec.authPass !== undefined);
  app.synth();
  const dir = join(outdir, "stacks", STACK);
  // An empty provider mirror: init finds only Terraform's built-in providers and never looks further.
  mkdirSync(join(outdir, "no-providers"), { recursive: true });
  const cliConfig = join(outdir, "terraformrc");
  writeFileSync(
    cliConfig,
    `provider_installation {\n  filesystem_mirror {\n    path    = "${join(outdir, "no-providers")}"\n    include = ["*/*/*"]\n  }\n}\n`,
  );
  const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
  return { dir, json: readFileSync(join(dir, "cdk.tf.json"), "utf8"), env };
}

/** `terraform <args>` in the hook's stack directory, inside the lab's operator namespace (the only place that reaches the lab). */
export function terraformInLab(
  lab: Lab,
  hook: DeployHookStack,
  args: readonly string[],
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<CommandResult> {
  return runInOperatorNamespace(lab, ["terraform", `-chdir=${hook.dir}`, ...args], {
    env: { ...hook.env, ...extraEnv },
    timeoutMs: 240_000,
  });
}

/** The hook's whole life: init, apply (provisions both servers), destroy (runs nothing on them). */
export const DEPLOY_HOOK_COMMANDS: readonly (readonly string[])[] = [
  ["init", "-input=false", "-no-color"],
  ["apply", "-auto-approve", "-input=false", "-no-color"],
  ["destroy", "-auto-approve", "-input=false", "-no-color"],
];
