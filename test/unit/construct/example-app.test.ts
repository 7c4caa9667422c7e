import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { Testing } from "cdktf";
import { afterAll, describe, expect, it } from "vitest";
import { HaVipExampleStack, loadExampleConfig, parseExampleConfig } from "../../../app";
import { TEST_PUBLIC_KEY } from "../../fixtures/synth-cluster";
import { withAbsoluteSshPaths } from "../../../app/load-example-config";

const projectRoot = resolve(__dirname, "../../..");
const scratch = mkdtempSync(join(tmpdir(), "havip-example-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function synthExample(config: Parameters<typeof parseExampleConfig>[0]) {
  const app = Testing.app();
  const stack = new HaVipExampleStack(app, "havip-cluster", parseExampleConfig(config, "test config"));
  return JSON.parse(Testing.synth(stack)) as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
}

describe("example app config", () => {
  it("rejects an unknown key and lists the known ones", () => {
    expect(() => parseExampleConfig({ subnet: "172.16.16.0/24" }, "havip-cluster.config.json")).toThrow(
      /^havip-cluster\.config\.json: subnet \(a string\) is not a known key; known: \$schema, clusterName, network,/,
    );
  });

  it("rejects an unknown nested key with its path", () => {
    expect(() => parseExampleConfig({ network: { subnetCIDR: "x" } }, "cfg")).toThrow(
      "network.subnetCIDR (a string) is not a known key (did you mean subnetCidr?)",
    );
  });

  it("rejects a value of the wrong kind", () => {
    expect(() => parseExampleConfig({ keepalived: { virtualRouterId: "51" } }, "cfg")).toThrow(
      'keepalived.virtualRouterId "51" must be a whole number from 1 to 255 (VRRP router id, unique per cluster in the VPC), not a string',
    );
  });

  it("accepts eip as a boolean or an object", () => {
    expect(parseExampleConfig({ eip: true }, "cfg")).toEqual({});
    expect(parseExampleConfig({ eip: false }, "cfg")).toEqual({ eip: false });
    expect(parseExampleConfig({ eip: { bandwidthMbps: 5 } }, "cfg")).toEqual({ eip: { bandwidthMbps: 5 } });
  });

  it("makes SSH key and known_hosts paths absolute, since local-exec runs in cdktf.out", () => {
    writeFileSync(join(scratch, "ssh.json"), JSON.stringify({ ssh: { privateKeyPath: "keys/id", knownHostsPath: "kh" } }));
    expect(loadExampleConfig({ path: "ssh.json", baseDir: scratch }).ssh).toEqual({
      privateKeyPath: join(scratch, "keys", "id"),
      knownHostsPath: join(scratch, "kh"),
    });
  });

  it("reads nothing when the default file is absent, but insists on a named one", () => {
    expect(loadExampleConfig({ baseDir: scratch })).toEqual({ ssh: { knownHostsPath: join(scratch, ".havip", "known_hosts") } });
    expect(() => loadExampleConfig({ path: "missing.json", baseDir: scratch })).toThrow("does not exist");
  });

  it("inlines the public key from sshPublicKeyFile", () => {
    writeFileSync(join(scratch, "id.pub"), `${TEST_PUBLIC_KEY}\n`);
    writeFileSync(join(scratch, "cfg.json"), JSON.stringify({ sshPublicKeyFile: "id.pub" }));
    expect(loadExampleConfig({ path: "cfg.json", baseDir: scratch }).sshPublicKey).toBe(TEST_PUBLIC_KEY);
  });

  it("matches the committed example config", () => {
    const example = JSON.parse(readFileSync(join(projectRoot, "havip-cluster.config.example.json"), "utf8"));
    expect(() => parseExampleConfig(example, "example")).not.toThrow();
    // The app expands `~` and relative SSH paths against the config's directory; the construct refuses them unexpanded.
    expect(() => synthExample(withAbsoluteSshPaths(parseExampleConfig(example, "example"), projectRoot))).not.toThrow();
  });
});

describe("example app stack", () => {
  it("reproduces the guide's topology with no config", () => {
    const synth = synthExample({});
    expect(Object.values(synth.resource.tencentcloud_vpc)[0].cidr_block).toBe("172.16.0.0/16");
    expect(Object.values(synth.resource.tencentcloud_subnet)[0].cidr_block).toBe("172.16.16.0/24");
    expect(Object.values(synth.resource.tencentcloud_instance).map((i) => i.private_ip)).toEqual(["172.16.16.5", "172.16.16.6"]);
    expect(Object.values(synth.resource.tencentcloud_ha_vip)[0].vip).toBe("172.16.16.12");
  });

  it("asks Terraform for the SSH CIDR and public key, and checks the CIDR at plan time", () => {
    const synth = synthExample({});
    expect(Object.keys(synth.variable).sort()).toEqual(["availability_zone", "ssh_allowed_cidr", "ssh_public_key"]);
    expect(JSON.stringify(synth.variable.ssh_allowed_cidr)).toContain('var.ssh_allowed_cidr != \\"0.0.0.0/0\\"');
    expect(Object.values(synth.resource.tencentcloud_security_group_rule_set)[0].ingress).toEqual(
      expect.arrayContaining([expect.objectContaining({ port: "22", cidr_block: "${var.ssh_allowed_cidr}" })]),
    );
  });

  it("creates no variables for values the config gives", () => {
    const synth = synthExample({
      sshAllowedCidr: "198.51.100.0/24",
      sshPublicKey: TEST_PUBLIC_KEY,
      network: { availabilityZone: "ap-shanghai-2" },
    });
    expect(synth.variable).toBeUndefined();
  });

  it("keeps credentials and region out of the provider block", () => {
    const provider = (synthExample({}).provider as unknown as Record<string, Record<string, unknown>[]>).tencentcloud[0];
    expect(Object.keys(provider)).toEqual([]);
  });

  it("uses local state by default and COS state when the config names a bucket", () => {
    // No backend block: Terraform's local state.
    expect(synthExample({}).terraform.backend).toBeUndefined();
    const cos = synthExample({ backend: { cos: { bucket: "tfstate-1250000000", region: "ap-guangzhou" } } }).terraform.backend.cos;
    expect(cos).toMatchObject({ bucket: "tfstate-1250000000", region: "ap-guangzhou", prefix: "havip-cluster" });
  });

  it("uses derived addresses when the config moves the subnet", () => {
    const synth = synthExample({ network: { vpcCidr: "10.9.0.0/16", subnetCidr: "10.9.1.0/24" } });
    expect(Object.values(synth.resource.tencentcloud_instance).map((i) => i.private_ip)).toEqual(["10.9.1.5", "10.9.1.6"]);
    expect(Object.values(synth.resource.tencentcloud_ha_vip)[0].vip).toBeUndefined();
  });
});

describe("main.ts", () => {
  it("synthesizes offline without credentials, like `cdktf synth`", async () => {
    const outdir = join(scratch, "out");
    const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" };
    delete env.TENCENTCLOUD_SECRET_ID;
    delete env.TENCENTCLOUD_SECRET_KEY;
    delete env.HAVIP_CLUSTER_CONFIG;
    // Run from an empty directory, so a developer's own havip-cluster.config.json cannot change the result.
    const cwd = mkdtempSync(join(scratch, "cwd-"));
    await promisify(execFile)(join(projectRoot, "node_modules/.bin/tsx"), [join(projectRoot, "main.ts")], { cwd, env });
    const synth = JSON.parse(readFileSync(join(outdir, "stacks/havip-cluster/cdk.tf.json"), "utf8"));
    expect(Object.keys(synth.output)).toEqual(expect.arrayContaining(["cluster-spec", "cluster-havip-addresses"]));
    expect(synth.terraform.required_providers.tencentcloud).toEqual({ source: "tencentcloudstack/tencentcloud", version: "1.83.25" });
  }, 60_000);

  it("fails with a clear message for an invalid config file", async () => {
    const configPath = join(scratch, "bad.json");
    writeFileSync(configPath, JSON.stringify({ havips: [{ address: "172.16.17.3" }] }));
    const env = { ...process.env, CDKTF_OUTDIR: join(scratch, "bad-out"), HAVIP_CLUSTER_CONFIG: configPath };
    const failed = promisify(execFile)(join(projectRoot, "node_modules/.bin/tsx"), ["main.ts"], { cwd: projectRoot, env });
    // One message naming the field, value and rule; no stack trace, no source excerpt, exit code 1.
    await expect(failed).rejects.toMatchObject({
      code: 1,
      stderr: "HaVipCluster 'havip-cluster/cluster': havips[0].address 172.16.17.3 is outside subnet 172.16.16.0/24\n",
    });
  }, 60_000);

  it("shows the stack trace of a settings error with HAVIP_DEBUG=1", async () => {
    const configPath = join(scratch, "bad-debug.json");
    writeFileSync(configPath, JSON.stringify({ havips: [{ address: "172.16.17.3" }] }));
    const env = { ...process.env, CDKTF_OUTDIR: join(scratch, "bad-debug-out"), HAVIP_CLUSTER_CONFIG: configPath, HAVIP_DEBUG: "1" };
    const failed = promisify(execFile)(join(projectRoot, "node_modules/.bin/tsx"), ["main.ts"], { cwd: projectRoot, env });
    await expect(failed).rejects.toMatchObject({ stderr: expect.stringMatching(/SettingsError[\s\S]*\n\s+at /) });
  }, 60_000);
});
