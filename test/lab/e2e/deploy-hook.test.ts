import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_SPEC_ENV, cliArgv } from "../../../lib/spec/provision-invocation";
import { type Lab, labDown, labUp, runInOperatorNamespace, sshFromOperator } from "../../../lab";
import { AUTH_PASS_VARIABLE, type DeployHookStack, synthesizeDeployHook, terraformInLab } from "../../../lab/deploy-hook/deploy-hook";
import { skipTerraform } from "../../fixtures/terraform/terraform-check";
import { testLabPrefix } from "../test-lab-prefix";
import { skipLab } from "./lab-fixture";

const PREFIX = testLabPrefix("havip-hook");
const PASSWORD = "Hk4dP9wz";

/** keepalived.conf as a client sees it: read over SSH from the operator namespace with the lab's pinned host key. */
async function keepalivedConfOn(lab: Lab, server: "a" | "b"): Promise<string> {
  const result = await sshFromOperator(lab, lab.servers[server], ["cat", "/etc/keepalived/keepalived.conf"]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

async function status(lab: Lab): Promise<{ healthy: boolean; vipHolders: string[] }> {
  const result = await runInOperatorNamespace(lab, [...cliArgv("status"), "--json"], {
    env: { ...process.env, [CLUSTER_SPEC_ENV]: readFileSync(lab.specPath, "utf8") },
  });
  return JSON.parse(result.stdout) as { healthy: boolean; vipHolders: string[] };
}

// The lab fixture's own test fails under CI=true when the lab cannot run; terraform-check's when terraform is missing.
describe.skipIf(skipLab || skipTerraform)("the construct's deploy hook under real Terraform, against the lab", () => {
  let lab: Lab;
  let outdir: string;
  let hook: DeployHookStack;
  const tfVars = { [`TF_VAR_${AUTH_PASS_VARIABLE}`]: PASSWORD };

  beforeAll(async () => {
    await labDown({ prefix: PREFIX });
    lab = await labUp({ prefix: PREFIX });
    outdir = mkdtempSync(join(tmpdir(), "havip-deploy-hook-test-"));
    hook = synthesizeDeployHook(lab, outdir, { authPassFromVariable: true });
  }, 120_000);

  afterAll(async () => {
    await labDown({ prefix: PREFIX });
    rmSync(outdir, { recursive: true, force: true });
  }, 60_000);

  it("keeps the password out of the synthesized stack", () => {
    expect(hook.json).not.toContain(PASSWORD);
    expect(hook.json).toContain(`"sensitive": true`);
  });

  it("initializes offline with only built-in providers", async () => {
    const init = await terraformInLab(lab, hook, ["init", "-input=false", "-no-color"]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain("Terraform has been successfully initialized");
  }, 60_000);

  it("provisions both servers on apply, with the password from the sensitive variable, and never prints it", async () => {
    const apply = await terraformInLab(lab, hook, ["apply", "-auto-approve", "-input=false", "-no-color"], tfVars);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain("Apply complete! Resources: 1 added");
    // Terraform hides a provisioner's output when its configuration holds a sensitive value.
    expect(apply.stdout).toContain("(output suppressed due to sensitive value in config)");
    expect(apply.stdout + apply.stderr).not.toContain(PASSWORD);
    const after = await status(lab);
    expect(after.healthy).toBe(true);
    expect(after.vipHolders).toHaveLength(1);
    for (const server of ["a", "b"] as const) expect(await keepalivedConfOn(lab, server)).toMatch(new RegExp(`auth_pass ${PASSWORD}\\n`));
  }, 240_000);

  it("plans no change afterwards: the trigger hash is stable", async () => {
    const plan = await terraformInLab(lab, hook, ["plan", "-input=false", "-no-color", "-detailed-exitcode"], tfVars);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain("No changes.");
  }, 60_000);

  it("re-runs the provisioner when the password changes", async () => {
    const changed = "Nw2pQ8rt";
    const apply = await terraformInLab(lab, hook, ["apply", "-auto-approve", "-input=false", "-no-color"], {
      [`TF_VAR_${AUTH_PASS_VARIABLE}`]: changed,
    });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain("1 added, 0 changed, 1 destroyed");
    for (const server of ["a", "b"] as const) expect(await keepalivedConfOn(lab, server)).toMatch(new RegExp(`auth_pass ${changed}\\n`));
    expect((await status(lab)).healthy).toBe(true);
  }, 240_000);

  it("destroys without touching the servers: Keepalived keeps serving the VIP", async () => {
    const destroy = await terraformInLab(lab, hook, ["destroy", "-auto-approve", "-input=false", "-no-color"], tfVars);
    expect(destroy.code, destroy.stdout + destroy.stderr).toBe(0);
    expect(destroy.stdout).toContain("Destroy complete! Resources: 1 destroyed");
    expect((await status(lab)).healthy).toBe(true);
  }, 120_000);
});
