import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Fn, LocalBackend, TerraformStack } from "cdktf";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { addPostApplyProvisioning } from "../../../lib/construct";
import { labDown, labUp, readServerFile, runInOperatorNamespace, type Lab } from "../../../lab";
import { skipTerraform, TerraformWorkdir } from "../../fixtures/terraform/terraform-workdir";
import { testLabPrefix } from "../test-lab-prefix";
import { cli, skipLab } from "./lab-fixture";

const PREFIX = testLabPrefix("gates");
const skip = skipLab || skipTerraform;
const authPassOf = (conf: string | undefined) => /auth_pass\s+(\S+)/.exec(conf ?? "")?.[1];

describe.skipIf(skip)("the node gates' local-exec, run by real Terraform against the lab", () => {
  let lab: Lab;
  let outdir: string;

  beforeAll(async () => {
    await labDown({ prefix: PREFIX });
    lab = await labUp({ prefix: PREFIX });
    outdir = mkdtempSync(join(tmpdir(), "havip-gates-"));
  }, 60_000);

  afterAll(async () => {
    await labDown({ prefix: PREFIX });
    rmSync(outdir, { recursive: true, force: true });
  }, 30_000);

  it("provisions a, then b, each through `provision --node`, then the pair; the lab ends healthy", async () => {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, "gates");
    new LocalBackend(stack, { path: join(outdir, "terraform.tfstate") });
    const specJson = Fn.jsonencode(JSON.parse(readFileSync(lab.specPath, "utf8")) as object);
    // As HaVipCluster wires them: the first gate reaches its peer through itself, the second follows the first.
    const first = addPostApplyProvisioning(stack, specJson, [], [], false, {
      id: "a-gate",
      args: ["--node", "a", "--peer-via-node"],
      triggersReplace: { node: "a" },
    });
    const second = addPostApplyProvisioning(stack, specJson, [], [first], false, {
      id: "b-gate",
      args: ["--node", "b"],
      triggersReplace: { node: "b", previous_gate: first.id },
    });
    addPostApplyProvisioning(stack, specJson, ["lab-a", "lab-b"], [first, second]);
    app.synth();
    // The synthesized stack as it is; Terraform runs in the operator namespace, where the lab's addresses are.
    const workdir = new TerraformWorkdir(join(outdir, "stacks", "gates"));
    onTestFinished(() => workdir.dispose());
    const terraform = (args: string[]) => runInOperatorNamespace(lab, workdir.command(args), { env: workdir.env, timeoutMs: 180_000 });

    expect((await terraform(["init", "-input=false"])).code).toBe(0);
    const applied = await terraform(["apply", "-auto-approve", "-input=false"]);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const lines = applied.stdout.split("\n");
    const at = (part: string) => lines.findIndex((line) => line.includes(part));
    expect(at("terraform_data.a-gate: Creation complete")).toBeGreaterThanOrEqual(0);
    expect(at("terraform_data.a-gate: Creation complete")).toBeLessThan(at("terraform_data.b-gate: Creating..."));
    expect(at("terraform_data.b-gate: Creation complete")).toBeLessThan(at("terraform_data.provision: Creating..."));
    expect(applied.stdout).toMatch(/a: keepalived .*; start keepalived; now (MASTER|BACKUP)/);
    expect(applied.stdout).toMatch(/b: keepalived .*; start keepalived; now (MASTER|BACKUP)/);
    // b read a's password: one password for the pair.
    const pass = authPassOf(await readServerFile(lab, "a", "/etc/keepalived/keepalived.conf"));
    expect(pass).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(authPassOf(await readServerFile(lab, "b", "/etc/keepalived/keepalived.conf"))).toBe(pass);
    const status = await cli(lab, ["status", "--json"]);
    expect((JSON.parse(status.stdout) as { healthy: boolean }).healthy).toBe(true);
    expect((await terraform(["destroy", "-auto-approve", "-input=false"])).code).toBe(0);
  }, 240_000);
});
