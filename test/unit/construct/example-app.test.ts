import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { Testing } from "cdktf";
import { afterAll, describe, expect, it } from "vitest";
import { HaVipExampleStack, loadExampleConfig, parseExampleConfig, SSH_ALLOWED_CIDR_RULE } from "../../../app";
import { TEST_PUBLIC_KEY } from "../../fixtures/synth-cluster";
import { portablePath, withPortableSshPaths } from "../../../app/load-example-config";
import { writeTestKeyPair } from "../../fixtures/ssh-keys";

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

  it("keeps SSH paths portable: relative to the working directory below it, ~/ as written, absolute outside it", () => {
    expect(portablePath("keys/id", join(scratch, "conf"), scratch)).toBe(join("conf", "keys", "id"));
    expect(portablePath("~/.ssh/id_ed25519", join(scratch, "conf"), scratch)).toBe("~/.ssh/id_ed25519");
    expect(portablePath("../kh", join(scratch, "conf"), join(scratch, "app"))).toBe(join(scratch, "kh"));
    expect(portablePath("/etc/ssh/key", scratch, scratch)).toBe("/etc/ssh/key");
  });

  it("resolves relative paths against the config file's folder, not the working directory", () => {
    const configDir = mkdtempSync(join(scratch, "conf-"));
    writeTestKeyPair(join(configDir, "id"), "ops@example");
    writeFileSync(join(configDir, "ssh.json"), JSON.stringify({ ssh: { privateKeyPath: "id", knownHostsPath: "kh" } }));
    const config = loadExampleConfig({ path: join(configDir, "ssh.json"), baseDir: scratch });
    expect(config.ssh).toEqual({
      privateKeyPath: join(configDir.slice(scratch.length + 1), "id"),
      knownHostsPath: join(configDir.slice(scratch.length + 1), "kh"),
    });
  });

  it("names a missing file as written and as tried", () => {
    const configDir = mkdtempSync(join(scratch, "conf-"));
    writeFileSync(join(configDir, "c.json"), JSON.stringify({ sshPublicKeyFile: "keys/id.pub" }));
    expect(() => loadExampleConfig({ path: join(configDir, "c.json"), baseDir: scratch })).toThrow(
      `sshPublicKeyFile keys/id.pub (${join(configDir, "keys", "id.pub")}) does not exist (relative paths are read from the config file's folder)`,
    );
    writeFileSync(join(configDir, "k.json"), JSON.stringify({ ssh: { privateKeyPath: "keys/id" } }));
    expect(() => loadExampleConfig({ path: join(configDir, "k.json"), baseDir: scratch })).toThrow(
      `ssh.privateKeyPath keys/id (${join(configDir, "keys", "id")}) does not exist: give the path of the private key the provisioner signs in with, or leave ssh.privateKeyPath out to use the SSH agent`,
    );
  });

  it("reads nothing when the default file is absent, but insists on a named one", () => {
    expect(loadExampleConfig({ baseDir: scratch })).toEqual({ ssh: { knownHostsPath: join(".havip", "known_hosts") } });
    expect(() => loadExampleConfig({ path: "missing.json", baseDir: scratch })).toThrow(
      `config file missing.json (${join(scratch, "missing.json")}) does not exist`,
    );
  });

  it("inlines the public key from sshPublicKeyFile", () => {
    writeFileSync(join(scratch, "id.pub"), `${TEST_PUBLIC_KEY}\n`);
    writeFileSync(join(scratch, "cfg.json"), JSON.stringify({ sshPublicKeyFile: "id.pub" }));
    expect(loadExampleConfig({ path: "cfg.json", baseDir: scratch }).sshPublicKey).toBe(TEST_PUBLIC_KEY);
  });

  it("matches the committed example config", () => {
    const example = JSON.parse(readFileSync(join(projectRoot, "havip-cluster.config.example.json"), "utf8"));
    expect(() => parseExampleConfig(example, "example")).not.toThrow();
    // Its private key is ~/.ssh/id_ed25519, which synth checks: a home that has one.
    const home = mkdtempSync(join(scratch, "home-"));
    mkdirSync(join(home, ".ssh"));
    writeTestKeyPair(join(home, ".ssh", "id_ed25519"), "ops@example");
    const savedHome = process.env.HOME;
    process.env.HOME = home;
    try {
      expect(() => synthExample(withPortableSshPaths(parseExampleConfig(example, "example"), projectRoot, projectRoot))).not.toThrow();
    } finally {
      process.env.HOME = savedHome;
    }
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
    expect(JSON.stringify(synth.variable.ssh_allowed_cidr)).toContain('!endswith(var.ssh_allowed_cidr, \\"/0\\")');
    expect(Object.values(synth.resource.tencentcloud_security_group_rule_set)[0].ingress).toEqual(
      expect.arrayContaining([expect.objectContaining({ port: "22", cidr_block: "${var.ssh_allowed_cidr}" })]),
    );
  });

  it("refuses a literal sshAllowedCidr that opens SSH to everyone, as the variable does", () => {
    expect(() => parseExampleConfig({ sshAllowedCidr: "0.0.0.0/0" }, "cfg")).toThrow(
      `cfg: sshAllowedCidr 0.0.0.0/0 ${SSH_ALLOWED_CIDR_RULE}; give the operator's address, e.g. 203.0.113.7/32`,
    );
    expect(JSON.stringify(synthExample({}).variable.ssh_allowed_cidr)).toContain(SSH_ALLOWED_CIDR_RULE);
  });

  it("takes the VRRP password from a sensitive variable the config names, checked at plan time", () => {
    const synth = synthExample({ keepalived: { authPass: { variable: "vrrp_auth_pass" } } });
    const variable = synth.variable.vrrp_auth_pass as unknown as { sensitive: boolean; validation: { condition: string }[] };
    expect(variable.sensitive).toBe(true);
    expect(variable.validation[0].condition).toContain("length(var.vrrp_auth_pass) <= 8");
    expect(JSON.stringify(synth)).toContain("var.vrrp_auth_pass");
    expect((synth.output["cluster-spec"] as unknown as { sensitive: boolean }).sensitive).toBe(true);
  });

  it("refuses a password variable whose name Terraform cannot take, and never shows a literal password", () => {
    expect(() => parseExampleConfig({ keepalived: { authPass: { variable: "1pass" } } }, "cfg")).toThrow(
      "keepalived.authPass.variable 1pass must be a Terraform variable name",
    );
    expect(() => parseExampleConfig({ keepalived: { authPass: "Secret123" } }, "cfg")).toThrow(
      "keepalived.authPass (9 characters) is too long",
    );
    expect(() => parseExampleConfig({ keepalived: { authPass: "Secret123" } }, "cfg")).not.toThrow(/Secret/);
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
