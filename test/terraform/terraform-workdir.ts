import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Whether `terraform` runs here; under CI=true a test file must fail instead of skipping without it. */
export const terraformAvailable =
  spawnSync("terraform", ["version"], { stdio: "ignore", env: { ...process.env, CHECKPOINT_DISABLE: "1" } }).status === 0;
export const skipTerraform = !terraformAvailable && process.env.CI !== "true";
if (skipTerraform) console.log("Terraform checks skipped: terraform is not on PATH");

export class TerraformCheckError extends Error {}

/** An empty provider mirror as the only source: `init` can find Terraform's built-in providers, and fails at once for any other. */
function writeOfflineCliConfig(dir: string): string {
  mkdirSync(join(dir, "no-providers"));
  const path = join(dir, "terraformrc");
  writeFileSync(
    path,
    `provider_installation {\n  filesystem_mirror {\n    path    = "${join(dir, "no-providers")}"\n    include = ["*/*/*"]\n  }\n}\n`,
  );
  return path;
}

/**
 * One Terraform working directory, run the way the tests need it: offline (built-in providers
 * only), no prompts, no update check, no TF_VAR_ from the caller's environment. Each command
 * returns Terraform's stdout or throws TerraformCheckError with its messages.
 */
export class TerraformWorkdir {
  /** Where the configuration and the state live. */
  readonly dir: string;
  /** The environment every command gets (also for running `command()` elsewhere, e.g. in a namespace). */
  readonly env: NodeJS.ProcessEnv;
  private readonly scratch: string;

  /** A working directory in a fresh scratch directory, or `dir` as it is (dispose() leaves a given `dir` alone). */
  constructor(dir?: string) {
    this.scratch = mkdtempSync(join(tmpdir(), "havip-tf-"));
    this.dir = dir ?? join(this.scratch, "stack");
    if (dir === undefined) mkdirSync(this.dir);
    this.env = {
      ...process.env,
      TF_CLI_CONFIG_FILE: writeOfflineCliConfig(this.scratch),
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
    };
    for (const key of Object.keys(this.env)) if (key.startsWith("TF_VAR_")) delete this.env[key];
  }

  /** Writes the configuration Terraform reads (replacing the previous one; the state stays). */
  write(config: object): void {
    writeFileSync(join(this.dir, "main.tf.json"), JSON.stringify(config, null, 2));
  }

  /** The argv of `terraform <args>` in this directory (without colours), to run with `env`. */
  command(args: readonly string[]): string[] {
    return ["terraform", `-chdir=${this.dir}`, ...args, "-no-color"];
  }

  run(args: readonly string[]): string {
    const [program, ...argv] = this.command(args);
    const run = spawnSync(program, argv, { encoding: "utf8", env: this.env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    if (run.error) throw new TerraformCheckError(`terraform ${args[0]}: ${run.error.message}`);
    if (run.status !== 0) throw new TerraformCheckError(`terraform ${args[0]} failed:\n${run.stderr}${run.stdout}`);
    return run.stdout;
  }

  init(): string {
    return this.run(["init", "-input=false"]);
  }

  validate(): string {
    return this.run(["validate"]);
  }

  /** `plan -refresh=false` into `plan.bin`, with `-var name=value` for each variable. */
  plan(variables: Readonly<Record<string, string>> = {}): string {
    const vars = Object.entries(variables).flatMap(([name, value]) => ["-var", `${name}=${value}`]);
    return this.run(["plan", "-refresh=false", "-input=false", "-lock=false", "-out=plan.bin", ...vars]);
  }

  /** The JSON form of the plan the last plan() saved. */
  showPlan(): unknown {
    return JSON.parse(this.run(["show", "-json", "plan.bin"]));
  }

  /** `apply -auto-approve` of the current configuration, with extra arguments such as `-replace=<address>`. */
  apply(extra: readonly string[] = []): string {
    return this.run(["apply", "-input=false", "-auto-approve", ...extra]);
  }

  destroy(): string {
    return this.run(["destroy", "-input=false", "-auto-approve"]);
  }

  /** Removes the scratch directory (and with it the working directory, unless one was given). */
  dispose(): void {
    rmSync(this.scratch, { recursive: true, force: true });
  }
}
