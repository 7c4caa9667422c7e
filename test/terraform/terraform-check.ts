import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StandInOptions, withStandIns } from "./stand-in-config";

/** Whether `terraform` runs here; under CI=true a test file must fail instead of skipping without it. */
export const terraformAvailable = spawnSync("terraform", ["version"], { stdio: "ignore", env: { ...process.env, CHECKPOINT_DISABLE: "1" } }).status === 0;
export const skipTerraform = !terraformAvailable && process.env.CI !== "true";
if (skipTerraform) console.log("Terraform checks skipped: terraform is not on PATH");

export interface PlannedOutput {
  readonly value: unknown;
  readonly sensitive: boolean;
}

export interface TerraformCheckResult {
  /** Every `tencentcloud_*` block replaced by a stand-in. */
  readonly replaced: readonly string[];
  /** Planned output values by name (sensitive ones included, as `terraform show -json` has them). */
  readonly outputs: Readonly<Record<string, PlannedOutput>>;
  /** Planned resources by address, with their planned values. */
  readonly resources: Readonly<Record<string, Record<string, unknown>>>;
  /** The text `terraform plan` printed. */
  readonly planText: string;
}

export class TerraformCheckError extends Error {}

/** An empty provider mirror as the only source: `init` can find Terraform's built-in providers, and fails at once for any other. */
function writeOfflineCliConfig(dir: string): string {
  mkdirSync(join(dir, "no-providers"));
  const path = join(dir, "terraformrc");
  writeFileSync(path, `provider_installation {\n  filesystem_mirror {\n    path    = "${join(dir, "no-providers")}"\n    include = ["*/*/*"]\n  }\n}\n`);
  return path;
}

function terraform(dir: string, args: readonly string[], env: NodeJS.ProcessEnv): string {
  const run = spawnSync("terraform", [`-chdir=${dir}`, ...args], { encoding: "utf8", env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw new TerraformCheckError(`terraform ${args[0]}: ${run.error.message}`);
  if (run.status !== 0) throw new TerraformCheckError(`terraform ${args[0]} failed:\n${run.stderr}${run.stdout}`);
  return run.stdout;
}

/**
 * Puts a synthesized cdk.tf.json through Terraform itself, with built-in stand-ins for the
 * Tencent blocks: `init` (offline, built-in providers only), `validate`, and
 * `plan -refresh=false`, then reads the planned outputs from `terraform show -json`.
 * Throws TerraformCheckError with Terraform's own messages when any step fails.
 */
export function checkWithTerraform(
  cdkTfJson: string | object,
  options: StandInOptions & { readonly variables?: Readonly<Record<string, string>> } = {},
): TerraformCheckResult {
  const synthesized = (typeof cdkTfJson === "string" ? JSON.parse(cdkTfJson) : cdkTfJson) as Parameters<typeof withStandIns>[0];
  const { config, replaced } = withStandIns(synthesized, options);
  const scratch = mkdtempSync(join(tmpdir(), "havip-tf-check-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_CLI_CONFIG_FILE: writeOfflineCliConfig(scratch),
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
  };
  for (const key of Object.keys(env)) if (key.startsWith("TF_VAR_")) delete env[key];
  const dir = join(scratch, "stack");
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(config, null, 2));
    terraform(dir, ["init", "-input=false", "-no-color"], env);
    terraform(dir, ["validate", "-no-color"], env);
    const vars = Object.entries(options.variables ?? {}).flatMap(([name, value]) => ["-var", `${name}=${value}`]);
    const planText = terraform(dir, ["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", "-out=plan.bin", ...vars], env);
    const plan = JSON.parse(terraform(dir, ["show", "-json", "plan.bin"], env)) as {
      planned_values?: {
        outputs?: Record<string, { value?: unknown; sensitive?: boolean }>;
        root_module?: { resources?: { address: string; values: Record<string, unknown> }[] };
      };
    };
    const outputs = Object.fromEntries(
      Object.entries(plan.planned_values?.outputs ?? {}).map(([name, output]) => [name, { value: output.value, sensitive: output.sensitive === true }]),
    );
    const resources = Object.fromEntries((plan.planned_values?.root_module?.resources ?? []).map((resource) => [resource.address, resource.values]));
    return { replaced, outputs, resources, planText };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
