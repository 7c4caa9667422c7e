import { execFile, execFileSync, execSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_SPEC_ENV } from "../../../lib/spec/provision-invocation";
import { loadClusterSpec } from "../../../lib/spec/load-cluster-spec";
import { SSH_ALLOWED_CIDR_RULE } from "../../../app/example-config";
import { TEST_PUBLIC_KEY } from "../../fixtures/synth-cluster";
import { requireBuiltPackage } from "../../fixtures/package-build";
import { checkWithTerraform, skipTerraform, TerraformCheckError } from "../../fixtures/terraform/terraform-check";

const projectRoot = resolve(__dirname, "../../..");
const variables = { ssh_allowed_cidr: "203.0.113.7/32", ssh_public_key: TEST_PUBLIC_KEY };

/** Runs main.ts as `cdktf synth` does (its "app" command), from an empty directory, and returns cdk.tf.json. */
async function synthesizeExampleApp(scratch: string, configPath?: string): Promise<string> {
  const outdir = mkdtempSync(join(scratch, "out-"));
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" };
  delete env.HAVIP_CLUSTER_CONFIG;
  if (configPath) env.HAVIP_CLUSTER_CONFIG = configPath;
  const cwd = mkdtempSync(join(scratch, "cwd-"));
  await promisify(execFile)(join(projectRoot, "node_modules/.bin/tsx"), [join(projectRoot, "main.ts")], { cwd, env, timeout: 60_000 });
  return readFileSync(join(outdir, "stacks", "havip-cluster", "cdk.tf.json"), "utf8");
}

const specOf = (value: unknown) => loadClusterSpec({}, {}, { [CLUSTER_SPEC_ENV]: String(value) });

describe.skipIf(skipTerraform)("the example app and the consumer example through terraform validate and plan", () => {
  let scratch: string;
  let withoutConfig: string;
  let withConfig: string;
  let withPasswordVariable: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "havip-tf-examples-"));
    // The committed example config, with the public key file it names replaced by one of ours.
    const example = JSON.parse(readFileSync(join(projectRoot, "havip-cluster.config.example.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(scratch, "id.pub"), `${TEST_PUBLIC_KEY}\n`);
    // The provisioner's loader checks that the private key it names exists: give it a real one.
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(scratch, "id_ed25519")]);
    const configPath = join(scratch, "havip-cluster.config.json");
    const ssh = { ...(example.ssh as object), privateKeyPath: join(scratch, "id_ed25519") };
    writeFileSync(configPath, JSON.stringify({ ...example, sshPublicKeyFile: join(scratch, "id.pub"), ssh }));
    const passwordConfigPath = join(scratch, "password.config.json");
    const keepalived = { ...(example.keepalived as object), authPass: { variable: "vrrp_auth_pass" } };
    writeFileSync(passwordConfigPath, JSON.stringify({ ...example, sshPublicKeyFile: join(scratch, "id.pub"), ssh, keepalived }));
    [withoutConfig, withConfig, withPasswordVariable] = await Promise.all([
      synthesizeExampleApp(scratch),
      synthesizeExampleApp(scratch, configPath),
      synthesizeExampleApp(scratch, passwordConfigPath),
    ]);
  }, 120_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("plans main.ts without a config file, with the operator CIDR and key from variables", () => {
    const result = checkWithTerraform(withoutConfig, { variables });
    // 13 Tencent resources, the image lookup and the lookups of the two nodes and the HAVIP (adoption after a
    // killed deploy) stand in for the provider; the preflight, the provisioning terraform_data and the two node gates are real.
    expect(result.replaced).toHaveLength(17);
    expect(result.planText).toContain("Plan: 21 to add, 0 to change, 0 to destroy");
    const spec = specOf(result.outputs["cluster-spec"].value);
    expect(spec).toMatchObject({ clusterName: "havip-demo", virtualRouterId: 51, vips: ["172.16.16.12"] });
    const rules = Object.entries(result.resources).find(([address]) => address.includes("security_group_rule_set"))?.[1];
    expect(JSON.stringify(rules)).toContain('"cidr_block":"203.0.113.7/32"');
  });

  it.each([["0.0.0.0/0"], ["1.2.3.4/0"], ["not-a-cidr"]])("evaluates the ssh_allowed_cidr validation: refuses %s", (cidr) => {
    // Terraform wraps its messages at 80 columns.
    // The config file's own rule, word for word (Terraform wraps its messages at 80 columns).
    const rule = `ssh_allowed_cidr ${SSH_ALLOWED_CIDR_RULE}.`.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&").replace(/ /g, "\\s+");
    expect(() => checkWithTerraform(withoutConfig, { variables: { ...variables, ssh_allowed_cidr: cidr } })).toThrow(
      new RegExp(`Invalid value for variable[\\s\\S]*${rule}`),
    );
  });

  it("fails the check with the condition as a bare string, as before (issue 9 finding 1)", () => {
    const synthesized = JSON.parse(withoutConfig) as { variable: Record<string, { validation: { condition: string }[] }> };
    const validation = synthesized.variable.ssh_allowed_cidr.validation[0];
    validation.condition = validation.condition.replace(/^\$\{(.*)\}$/s, "$1");
    expect(() => checkWithTerraform(synthesized, { variables })).toThrow(TerraformCheckError);
    expect(() => checkWithTerraform(synthesized, { variables })).toThrow('The condition for variable "ssh_allowed_cidr" must refer to');
  });

  it("plans main.ts with the example config file", () => {
    const result = checkWithTerraform(withConfig);
    const spec = specOf(result.outputs["cluster-spec"].value);
    expect(spec).toMatchObject({ clusterName: "havip-demo", advertIntSeconds: 2, ssh: { trustOnFirstUse: true } });
    expect(spec.cloud?.eip).toBe(result.outputs["cluster-eip"].value);
    expect(Object.keys(result.outputs)).toContain("cluster-eip");
  });

  it("takes the VRRP password from the sensitive variable the config file names, and the provisioner reads it", () => {
    expect(withPasswordVariable).not.toContain("Pw%1:x[");
    const result = checkWithTerraform(withPasswordVariable, { variables: { vrrp_auth_pass: "Pw%1:x[" } });
    expect(result.outputs["cluster-spec"].sensitive).toBe(true);
    expect(specOf(result.outputs["cluster-spec"].value).authPass).toBe("Pw%1:x[");
  });

  it.each([["too-long-1"], ["has space"], ["no#hash"], [""]])(
    "refuses the password %j at plan time, before anything is created",
    (password) => {
      expect(() => checkWithTerraform(withPasswordVariable, { variables: { vrrp_auth_pass: password } })).toThrow(
        /Invalid value for variable[\s\S]*vrrp_auth_pass must be 1 to 8 characters/,
      );
    },
  );

  it("plans examples/consumer: two clusters in one VPC", () => {
    requireBuiltPackage();
    const exampleDir = join(projectRoot, "examples", "consumer");
    const outdir = mkdtempSync(join(scratch, "consumer-"));
    const { app } = JSON.parse(readFileSync(join(exampleDir, "cdktf.json"), "utf8")) as { app: string };
    execSync(app, {
      cwd: exampleDir,
      env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
      stdio: "pipe",
      timeout: 60_000,
    });
    const result = checkWithTerraform(readFileSync(join(outdir, "stacks", "shop", "cdk.tf.json"), "utf8"), {
      variables: { ssh_public_key: TEST_PUBLIC_KEY, operator_cidr: "203.0.113.7/32" },
    });
    const [web, db] = ["web", "db"].map((id) => specOf(result.outputs[`${id}-spec`].value));
    expect([web.virtualRouterId, db.virtualRouterId]).toEqual([51, 52]);
    expect(db.cloud?.vpcId).toBe(web.cloud?.vpcId);
    expect(result.outputs.database_address.value).toBe("10.20.1.20");
    expect(result.outputs.shop_url.value).toBe(`http://${String(web.cloud?.eip)}/`);
  }, 90_000);
});
