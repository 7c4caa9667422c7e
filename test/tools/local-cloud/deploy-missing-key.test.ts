import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCdktfJson } from "../../../lab/cloud/operator-tools";
import { requireBuiltPackage } from "../../fixtures/package-build";
import { missingPrerequisite, ProviderLab, remainingResources, REPO_ROOT } from "./provider-lab";

/**
 * A private key that is not there must stop a deploy before the first cloud resource: `cdktf
 * deploy` stops at synth, and a stack synthesized while the key was there (then applied with
 * Terraform alone, as a pipeline does) stops at the cluster's preflight, which every resource
 * waits for. The real provider against the local cloud: its request log shows what was asked.
 */
const missing = missingPrerequisite();
const skip = missing !== undefined && process.env.CI !== "true";
if (skip) console.log(`deploy-with-a-missing-key tests skipped: ${missing}`);

const STACK = "havip-cluster";

/** Actions that create or change something in the cloud (the provider's reads are Describe*, Inquiry*). */
const CHANGING_ACTION = /^(Create|Run|Allocate|Associate|Import|Modify|Reset|Attach|Bind|Add)/;

describe.skipIf(skip)("a deploy with a missing private key, with the real provider against the local cloud", () => {
  const lab = new ProviderLab("HTTP");
  const projectDir = join(lab.dir, "project");
  const keyPath = join(lab.dir, "keys", "id_ed25519");
  const configPath = join(projectDir, "havip-cluster.config.json");

  /** The actions the local cloud was asked for, in order. */
  const actionsAsked = (): string[] =>
    existsSync(lab.requestLog)
      ? readFileSync(lab.requestLog, "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { action: string }).action)
      : [];

  beforeAll(async () => {
    if (missing) throw new Error(`the local cloud provider tests cannot run: ${missing}`);
    requireBuiltPackage();
    await lab.start();
    mkdirSync(join(lab.dir, "keys"));
    mkdirSync(projectDir);
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "operator@deploy-missing-key", "-f", keyPath]);
    writeFileSync(
      configPath,
      JSON.stringify({
        network: { availabilityZone: "ap-guangzhou-3" },
        nodes: { imageNameRegex: "^Debian 12\\." },
        sshPublicKeyFile: `${keyPath}.pub`,
        sshAllowedCidr: "203.0.113.7/32",
        ssh: { privateKeyPath: keyPath, trustOnFirstUse: true },
      }),
    );
    writeFileSync(join(projectDir, "cdktf.json"), renderCdktfJson(configPath));
  }, 60_000);
  afterAll(() => lab.stop(), 30_000);

  it("cdktf deploy stops at synth with one line naming the key and the fix; nothing is asked of the cloud", () => {
    rmSync(keyPath);
    const deploy = spawnSync(
      "ip",
      [
        "netns",
        "exec",
        lab.namespace,
        join(REPO_ROOT, "node_modules/.bin/cdktf"),
        "deploy",
        "--auto-approve",
        "--skip-provider-lock",
        STACK,
      ],
      { cwd: projectDir, encoding: "utf8", env: { ...lab.terraformEnv(), CI: "1" }, timeout: 180_000 },
    );
    const output = `${deploy.stdout}${deploy.stderr}`;
    expect(deploy.status, output).not.toBe(0);
    expect(output).toContain(`ssh.privateKeyPath ${keyPath}`);
    expect(output).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // no stack trace
    expect(existsSync(join(projectDir, "cdktf.out", "stacks", STACK, "cdk.tf.json"))).toBe(false);
    expect(actionsAsked()).toEqual([]);
  }, 200_000);

  it("terraform apply of a stack synthesized while the key was there stops at the preflight: no Create or Run action, nothing in the cloud", () => {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "operator@deploy-missing-key", "-f", keyPath]);
    execFileSync(join(REPO_ROOT, "node_modules/.bin/tsx"), [join(REPO_ROOT, "main.ts")], {
      cwd: projectDir,
      env: { ...process.env, CDKTF_OUTDIR: join(projectDir, "cdktf.out"), CHECKPOINT_DISABLE: "1", HAVIP_CLUSTER_CONFIG: configPath },
      timeout: 90_000,
    });
    const stackDir = join(projectDir, "cdktf.out", "stacks", STACK);
    lab.terraformOk(stackDir, ["init", "-input=false"]);
    rmSync(keyPath);
    const apply = lab.terraform(stackDir, ["apply", "-input=false", "-auto-approve"]);
    expect(apply.status, apply.output).not.toBe(0);
    expect(apply.output).toMatch(/terraform_data\.cluster_preflight_\w+ \(local-exec\): .*ssh\.privateKeyPath/);
    expect(apply.output).toContain(keyPath);
    expect(apply.output).not.toContain("Creation complete");
    // The provider read the images and zones it plans with; it created nothing.
    const asked = actionsAsked();
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.filter((action) => CHANGING_ACTION.test(action))).toEqual([]);
    expect(remainingResources(lab.cloudState())).toEqual({});
  }, 200_000);
});
