import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { writeTestKeyPair } from "../../fixtures/ssh-keys";
import { TEST_PUBLIC_KEY } from "../../fixtures/synth-cluster";
import { recordProvisionerRuns } from "../../fixtures/terraform/recorded-provisioners";
import { withStandIns } from "../../fixtures/terraform/stand-in-config";
import { skipTerraform, TerraformWorkdir } from "../../fixtures/terraform/terraform-workdir";

const projectRoot = resolve(__dirname, "../../..");
const scratch = mkdtempSync(join(tmpdir(), "havip-shared-state-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The config file both operators share (as a team commits it): paths relative to it or to each one's home. */
const SHARED_CONFIG = {
  sshPublicKey: TEST_PUBLIC_KEY,
  sshAllowedCidr: "203.0.113.7/32",
  ssh: { privateKeyPath: "~/.ssh/id_ed25519", knownHostsPath: ".havip/known_hosts", trustOnFirstUse: true },
  keepalived: { virtualRouterId: 51, hooks: { master: "systemctl reload nginx" } },
};

/** One operator: a checkout of the app in a directory of its own, a home of its own with its own key, `cdktf synth` there. */
async function operatorSynth(name: string): Promise<{ dir: string; home: string; json: Record<string, unknown> }> {
  const dir = join(scratch, name, "checkout");
  const home = join(scratch, name, "home");
  mkdirSync(join(home, ".ssh"), { recursive: true });
  mkdirSync(dir, { recursive: true });
  writeTestKeyPair(join(home, ".ssh", "id_ed25519"), `${name}@example`);
  writeFileSync(join(dir, "havip-cluster.config.json"), JSON.stringify(SHARED_CONFIG));
  const outdir = join(dir, "cdktf.out");
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" };
  delete env.HAVIP_CLUSTER_CONFIG;
  await promisify(execFile)(join(projectRoot, "node_modules/.bin/tsx"), [join(projectRoot, "main.ts")], { cwd: dir, env, timeout: 90_000 });
  return { dir, home, json: JSON.parse(readFileSync(join(outdir, "stacks", "havip-cluster", "cdk.tf.json"), "utf8")) };
}

/**
 * The configuration without what Terraform never stores in the state nor compares with it: the
 * provisioners (they run in each checkout's directory) and the backend block (where the local
 * state file is; a team's COS backend has no local path).
 */
function comparedParts(json: Record<string, unknown>): string {
  return JSON.stringify(json, (key, value: unknown) => (key === "provisioner" || key === "backend" ? undefined : value));
}

describe.skipIf(skipTerraform)("two operators sharing one state", () => {
  it("see no diff: nothing Terraform compares holds a path of either checkout or home", async () => {
    const [alice, bob] = await Promise.all([operatorSynth("alice"), operatorSynth("bob")]);
    for (const operator of [alice, bob]) {
      const compared = comparedParts(operator.json);
      expect(compared).not.toContain(operator.dir);
      expect(compared).not.toContain(operator.home);
    }

    const workdir = new TerraformWorkdir();
    const log = join(workdir.dir, "runs.log");
    const configOf = (json: Record<string, unknown>) => {
      const { config } = withStandIns(json as Parameters<typeof withStandIns>[0]);
      recordProvisionerRuns(config, log);
      return config;
    };
    try {
      workdir.write(configOf(alice.json));
      workdir.init();
      expect(workdir.apply()).toContain("Apply complete!");
      // Bob plans against the state Alice's deploy left: nothing to change, nothing to re-provision.
      workdir.write(configOf(bob.json));
      expect(workdir.plan()).toContain("No changes.");
    } finally {
      workdir.dispose();
    }
  }, 180_000);
});
