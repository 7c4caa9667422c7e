import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decideHostKey,
  entryMatchesHost,
  keyTypeOfBlob,
  knownHostsName,
  parseKnownHosts,
  sha256Fingerprint,
} from "../../../lib/provisioner/ssh/known-hosts";

describe("against real ssh-keygen output", () => {
  let dir: string;
  let publicKey: { type: string; base64: string; blob: Buffer };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "havip-known-hosts-"));
    const keygen = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", join(dir, "key")], { encoding: "utf8" });
    expect(keygen.status, keygen.stderr).toBe(0);
    const [type, base64] = readFileSync(join(dir, "key.pub"), "utf8").trim().split(/\s+/);
    publicKey = { type, base64, blob: Buffer.from(base64, "base64") };
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("computes the fingerprint ssh-keygen -lf prints", () => {
    const listed = spawnSync("ssh-keygen", ["-lf", join(dir, "key.pub")], { encoding: "utf8" });
    expect(listed.status, listed.stderr).toBe(0);
    const printed = listed.stdout.split(/\s+/)[1];
    expect(printed).toMatch(/^SHA256:/);
    expect(sha256Fingerprint(publicKey.blob)).toBe(printed);
  });

  it("reads the key type ssh-keygen wrote", () => {
    expect(keyTypeOfBlob(publicKey.blob)).toBe("ssh-ed25519");
    expect(publicKey.type).toBe("ssh-ed25519");
  });

  it("computes ssh-keygen's fingerprint and key type for an ECDSA key too", () => {
    const keygen = spawnSync("ssh-keygen", ["-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", join(dir, "ecdsa")], { encoding: "utf8" });
    expect(keygen.status, keygen.stderr).toBe(0);
    const blob = Buffer.from(readFileSync(join(dir, "ecdsa.pub"), "utf8").split(/\s+/)[1], "base64");
    const printed = spawnSync("ssh-keygen", ["-lf", join(dir, "ecdsa.pub")], { encoding: "utf8" }).stdout.split(/\s+/)[1];
    expect(sha256Fingerprint(blob)).toBe(printed);
    expect(keyTypeOfBlob(blob)).toBe("ecdsa-sha2-nistp256");
  });

  it("records a trust-on-first-use line that ssh-keygen -F finds under the same name", () => {
    const verdict = decideHostKey({ host: "10.0.0.5", port: 2222, offeredKey: publicKey.blob, knownHosts: [], trustOnFirstUse: true });
    if (verdict.verdict !== "record") throw new Error(`expected record, got ${verdict.verdict}`);
    const file = join(dir, "recorded_known_hosts");
    writeFileSync(file, `${verdict.knownHostsLine}\n`);
    const found = spawnSync("ssh-keygen", ["-F", "[10.0.0.5]:2222", "-f", file], { encoding: "utf8" });
    expect(found.status, found.stderr).toBe(0);
    expect(found.stdout).toContain(publicKey.base64);
    expect(spawnSync("ssh-keygen", ["-F", "10.0.0.5", "-f", file]).status).not.toBe(0);
  });

  it("finds hosts in a file hashed by ssh-keygen -H, on port 22 and on another port", () => {
    const file = join(dir, "known_hosts");
    writeFileSync(file, `10.0.0.5 ${publicKey.type} ${publicKey.base64}\n[10.0.0.6]:2222 ${publicKey.type} ${publicKey.base64}\n`);
    const hashed = spawnSync("ssh-keygen", ["-H", "-f", file], { encoding: "utf8" });
    expect(hashed.status, hashed.stderr).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain("10.0.0.5");
    const entries = parseKnownHosts(text);
    expect(entries).toHaveLength(2);
    expect(entries.every((entry) => entry.hostPatterns[0].startsWith("|1|"))).toBe(true);
    expect(entries.filter((entry) => entryMatchesHost(entry, knownHostsName("10.0.0.5", 22)))).toHaveLength(1);
    expect(entries.filter((entry) => entryMatchesHost(entry, knownHostsName("10.0.0.6", 2222)))).toHaveLength(1);
    expect(entries.filter((entry) => entryMatchesHost(entry, knownHostsName("10.0.0.6", 22)))).toHaveLength(0);
    expect(
      decideHostKey({ host: "10.0.0.6", port: 2222, offeredKey: publicKey.blob, knownHosts: entries, trustOnFirstUse: false }).verdict,
    ).toBe("accept");
  });
});
