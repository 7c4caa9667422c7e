import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Testing, TerraformStack } from "cdktf";
import { afterAll, describe, expect, it } from "vitest";
import { HaVipCluster, type HaVipClusterProps } from "../../../lib/construct";
import { isEncryptedPrivateKey } from "../../../lib/spec/ssh-key-file";
import { guideProps } from "../../fixtures/synth-cluster";
import { writeTestKeyPair } from "../../fixtures/ssh-keys";

const scratch = mkdtempSync(join(tmpdir(), "havip-ssh-checks-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const keyPath = join(scratch, "id");
writeTestKeyPair(keyPath, "ops@example");

function build(ssh: HaVipClusterProps["ssh"], extra: Partial<HaVipClusterProps> = {}) {
  const stack = new TerraformStack(Testing.app(), "test");
  const cluster = new HaVipCluster(stack, "web", { ...guideProps, ssh, ...extra });
  return cluster.node.metadata.filter((entry) => entry.type === "@cdktf/warn").map((entry) => String(entry.data));
}

const trust = { knownHostsPath: ".havip/known_hosts", trustOnFirstUse: true };

describe("SSH settings a deploy's provisioning needs, checked at synth", () => {
  it("refuses a private key file that does not exist, naming the path as written and the file tried", () => {
    const written = relative(process.cwd(), join(scratch, "missing"));
    expect(() => build({ ...trust, privateKeyPath: written })).toThrow(
      `HaVipCluster 'test/web': ssh.privateKeyPath ${written} (${join(scratch, "missing")}) does not exist: give the path of the private key the provisioner signs in with, or leave ssh.privateKeyPath out to use the SSH agent`,
    );
  });

  it("refuses the public key file given as the private key", () => {
    expect(() => build({ ...trust, privateKeyPath: `${keyPath}.pub` })).toThrow(
      `ssh.privateKeyPath ${keyPath}.pub is not a private key file (expected -----BEGIN ... PRIVATE KEY-----; is it the .pub file?)`,
    );
  });

  it("refuses a key only a passphrase opens, pointing to the SSH agent", () => {
    const encrypted = join(scratch, "encrypted");
    const { privateKey } = generateKeyPairSync("ed25519");
    writeFileSync(encrypted, privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "passphrase1" }));
    expect(() => build({ ...trust, privateKeyPath: encrypted })).toThrow(
      `ssh.privateKeyPath ${encrypted} is protected by a passphrase, which the provisioner cannot ask for: load it into an SSH agent (ssh-add ${encrypted}) and leave ssh.privateKeyPath out`,
    );
  });

  it("refuses settings that leave no way to trust the new nodes' host keys", () => {
    expect(() => build({ privateKeyPath: keyPath })).toThrow(
      "HaVipCluster 'test/web': ssh (no knownHostsPath, hostKeyFingerprints or trustOnFirstUse) gives the provisioner no way to trust the new nodes' host keys: set ssh.knownHostsPath with ssh.trustOnFirstUse: true",
    );
    expect(() => build(undefined)).toThrow("gives the provisioner no way to trust the new nodes' host keys");
  });

  it("warns when the known_hosts file is not there yet and nothing else would trust the nodes", () => {
    const warnings = build({ privateKeyPath: keyPath, knownHostsPath: join(scratch, "known_hosts") });
    expect(warnings).toEqual([
      `HaVipCluster 'test/web': ssh.knownHostsPath ${join(scratch, "known_hosts")} does not exist, so no host key of the new nodes is known: set ssh.trustOnFirstUse: true (first-seen keys are recorded there, a changed key is refused), or pin ssh.hostKeyFingerprints; the deploy's preflight refuses it before creating anything`,
    ]);
  });

  it("accepts a key file with trust-on-first-use, pinned fingerprints or an existing known_hosts file", () => {
    writeFileSync(join(scratch, "known"), "");
    expect(build({ ...trust, privateKeyPath: keyPath })).toEqual([]);
    expect(build({ hostKeyFingerprints: { "203.0.113.5": `SHA256:${"A".repeat(43)}` } })).toEqual([]);
    expect(build({ knownHostsPath: join(scratch, "known") })).toEqual([]);
  });

  it("checks nothing of the kind with provisionOnDeploy: false", () => {
    expect(build({ privateKeyPath: join(scratch, "missing") }, { provisionOnDeploy: false })).toEqual([]);
  });
});

/** An OpenSSH private key file's armor around a blob that names `cipher` (the rest of the key does not matter here). */
function openSshKeyNaming(cipher: string): string {
  const text = (value: string) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(value.length);
    return Buffer.concat([length, Buffer.from(value, "latin1")]);
  };
  const blob = Buffer.concat([Buffer.from("openssh-key-v1\0", "latin1"), text(cipher), text(cipher === "none" ? "none" : "bcrypt")]);
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${blob.toString("base64")}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

describe("isEncryptedPrivateKey", () => {
  it("reads the cipher of an OpenSSH key and the PEM headers", () => {
    expect(isEncryptedPrivateKey(openSshKeyNaming("none"))).toBe(false);
    expect(isEncryptedPrivateKey(openSshKeyNaming("aes256-ctr"))).toBe(true);
    expect(isEncryptedPrivateKey(readFileSync(keyPath, "utf8"))).toBe(false);
    expect(isEncryptedPrivateKey("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n")).toBe(true);
    expect(isEncryptedPrivateKey("-----BEGIN ENCRYPTED PRIVATE KEY-----\n")).toBe(true);
  });
});
