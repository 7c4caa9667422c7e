import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  decideHostKey,
  entryMatchesHost,
  keyTypeOfBlob,
  knownHostsName,
  parseKnownHosts,
  sha256Fingerprint,
  type HostKeyQuestion,
  withoutOtherDisks,
} from "../../../lib/provisioner/ssh/known-hosts";

/** An SSH public key blob: length-prefixed key type, then arbitrary key material. */
function fakeKeyBlob(keyType: string, material: Buffer): Buffer {
  const name = Buffer.from(keyType, "ascii");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  const materialLength = Buffer.alloc(4);
  materialLength.writeUInt32BE(material.length);
  return Buffer.concat([length, name, materialLength, material]);
}

/** The hashed form `ssh-keygen -H` writes: `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`. */
function hashHostName(name: string, salt: Buffer = randomBytes(20)): string {
  return `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
}

const keyA = fakeKeyBlob("ssh-ed25519", Buffer.alloc(32, 1));
const keyB = fakeKeyBlob("ssh-ed25519", Buffer.alloc(32, 2));
const line = (hosts: string, key: Buffer, prefix = "") => `${prefix}${hosts} ${keyTypeOfBlob(key)} ${key.toString("base64")}`;

function ask(overrides: Partial<HostKeyQuestion>): ReturnType<typeof decideHostKey> {
  return decideHostKey({ host: "10.0.0.5", port: 22, offeredKey: keyA, knownHosts: [], trustOnFirstUse: false, ...overrides });
}

describe("parseKnownHosts", () => {
  it("skips comments, blank lines and @cert-authority lines, and splits comma host lists", () => {
    const text = [
      "# a comment",
      "",
      "   ",
      line("node1,10.0.0.5", keyA),
      line("*.example", keyB, "@cert-authority "),
      `${line("[10.0.0.6]:2222", keyB)} a trailing comment\r`,
    ].join("\n");
    const entries = parseKnownHosts(text);
    expect(entries).toEqual([
      { hostPatterns: ["node1", "10.0.0.5"], keyType: "ssh-ed25519", keyBase64: keyA.toString("base64"), revoked: false },
      { hostPatterns: ["[10.0.0.6]:2222"], keyType: "ssh-ed25519", keyBase64: keyB.toString("base64"), revoked: false },
    ]);
  });

  it("keeps @revoked lines, marked as revoked", () => {
    const [entry] = parseKnownHosts(line("10.0.0.5", keyA, "@revoked "));
    expect(entry.revoked).toBe(true);
    expect(entry.hostPatterns).toEqual(["10.0.0.5"]);
  });

  it("ignores lines with too few fields and unknown markers", () => {
    expect(parseKnownHosts("10.0.0.5 ssh-ed25519\n@weird 10.0.0.5 ssh-ed25519 AAAA\n")).toEqual([]);
  });
});

describe("knownHostsName", () => {
  it("names a host on port 22 by itself and any other port as [host]:port", () => {
    expect(knownHostsName("10.0.0.5", 22)).toBe("10.0.0.5");
    expect(knownHostsName("10.0.0.5", 2222)).toBe("[10.0.0.5]:2222");
  });
});

describe("entryMatchesHost", () => {
  it("matches a hashed host pattern built like ssh-keygen -H builds it", () => {
    const [entry] = parseKnownHosts(line(hashHostName("[10.0.0.5]:2222"), keyA));
    expect(entryMatchesHost(entry, "[10.0.0.5]:2222")).toBe(true);
    expect(entryMatchesHost(entry, "10.0.0.5")).toBe(false);
  });

  it("does not match a hashed pattern with another magic or a missing hash", () => {
    const salt = randomBytes(20);
    const good = hashHostName("10.0.0.5", salt);
    const otherMagic = good.replace("|1|", "|2|");
    expect(entryMatchesHost(parseKnownHosts(line(otherMagic, keyA))[0], "10.0.0.5")).toBe(false);
    expect(entryMatchesHost(parseKnownHosts(line(`|1|${salt.toString("base64")}|`, keyA))[0], "10.0.0.5")).toBe(false);
  });

  it("lets a negated pattern exclude a host the rest of the list names", () => {
    const [entry] = parseKnownHosts(line("10.0.0.5,!10.0.0.5,10.0.0.6", keyA));
    expect(entryMatchesHost(entry, "10.0.0.5")).toBe(false);
    expect(entryMatchesHost(entry, "10.0.0.6")).toBe(true);
  });

  it("lets a hashed negated pattern exclude a host", () => {
    const [entry] = parseKnownHosts(line(`10.0.0.5,!${hashHostName("10.0.0.5")}`, keyA));
    expect(entryMatchesHost(entry, "10.0.0.5")).toBe(false);
  });

  it("does not match a list made only of negations", () => {
    const [entry] = parseKnownHosts(line("!10.0.0.9", keyA));
    expect(entryMatchesHost(entry, "10.0.0.5")).toBe(false);
  });
});

describe("keyTypeOfBlob and sha256Fingerprint", () => {
  it("reads the key type from the blob's first string", () => {
    expect(keyTypeOfBlob(fakeKeyBlob("ecdsa-sha2-nistp256", Buffer.alloc(8)))).toBe("ecdsa-sha2-nistp256");
    expect(keyTypeOfBlob(Buffer.alloc(2))).toBe("unknown");
  });

  it("prints SHA256: and unpadded base64, as ssh-keygen does", () => {
    expect(sha256Fingerprint(keyA)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(sha256Fingerprint(keyA)).not.toBe(sha256Fingerprint(keyB));
  });
});

describe("decideHostKey", () => {
  it("accepts a key known_hosts holds for the host", () => {
    const verdict = ask({ knownHosts: parseKnownHosts(line("node1,10.0.0.5", keyA)) });
    expect(verdict).toEqual({ verdict: "accept", fingerprint: sha256Fingerprint(keyA) });
  });

  it("accepts a key known under [host]:port on a non-standard port", () => {
    const verdict = ask({ port: 2222, knownHosts: parseKnownHosts(line("[10.0.0.5]:2222", keyA)) });
    expect(verdict.verdict).toBe("accept");
  });

  it("records an unknown host with trust-on-first-use, as a line known_hosts can hold", () => {
    const verdict = ask({ port: 2222, trustOnFirstUse: true, knownHosts: parseKnownHosts(line("10.0.0.9", keyB)) });
    expect(verdict).toEqual({
      verdict: "record",
      fingerprint: sha256Fingerprint(keyA),
      knownHostsLine: `[10.0.0.5]:2222 ssh-ed25519 ${keyA.toString("base64")}`,
    });
    if (verdict.verdict !== "record") throw new Error("unreachable");
    const [recorded] = parseKnownHosts(verdict.knownHostsLine);
    expect(ask({ port: 2222, knownHosts: [recorded] }).verdict).toBe("accept");
  });

  it("rejects an unknown host without trust-on-first-use and says how to proceed", () => {
    const verdict = ask({});
    expect(verdict.verdict).toBe("reject");
    if (verdict.verdict !== "reject") throw new Error("unreachable");
    expect(verdict.reason).toContain("not in known_hosts");
    expect(verdict.reason).toContain("trust-on-first-use");
    expect(verdict.reason).toContain(sha256Fingerprint(keyA));
  });

  it("rejects a changed key even with trust-on-first-use, naming both fingerprints", () => {
    const verdict = ask({ offeredKey: keyB, trustOnFirstUse: true, knownHosts: parseKnownHosts(line("10.0.0.5", keyA)) });
    expect(verdict.verdict).toBe("reject");
    if (verdict.verdict !== "reject") throw new Error("unreachable");
    expect(verdict.fingerprint).toBe(sha256Fingerprint(keyB));
    expect(verdict.reason).toContain("changed");
    expect(verdict.reason).toContain(sha256Fingerprint(keyA));
    expect(verdict.reason).toContain(sha256Fingerprint(keyB));
  });

  it("rejects a key marked @revoked even when another line trusts it", () => {
    const knownHosts = parseKnownHosts([line("10.0.0.5", keyA), line("10.0.0.5", keyA, "@revoked ")].join("\n"));
    const verdict = ask({ knownHosts, trustOnFirstUse: true });
    expect(verdict.verdict).toBe("reject");
    if (verdict.verdict !== "reject") throw new Error("unreachable");
    expect(verdict.reason).toContain("@revoked");
  });

  it("ignores a line whose negation excludes the host", () => {
    const verdict = ask({ knownHosts: parseKnownHosts(line("10.0.0.5,!10.0.0.5", keyA)) });
    expect(verdict.verdict).toBe("reject");
  });

  it("lets a pinned fingerprint alone decide: accept when it matches", () => {
    const verdict = ask({ pinnedFingerprint: sha256Fingerprint(keyA), knownHosts: parseKnownHosts(line("10.0.0.5", keyB)) });
    expect(verdict).toEqual({ verdict: "accept", fingerprint: sha256Fingerprint(keyA) });
  });

  it("lets a pinned fingerprint alone decide: reject when it differs, even if known_hosts agrees", () => {
    const verdict = ask({
      pinnedFingerprint: sha256Fingerprint(keyB),
      knownHosts: parseKnownHosts(line("10.0.0.5", keyA)),
      trustOnFirstUse: true,
    });
    expect(verdict.verdict).toBe("reject");
    if (verdict.verdict !== "reject") throw new Error("unreachable");
    expect(verdict.reason).toContain(sha256Fingerprint(keyA));
    expect(verdict.reason).toContain(sha256Fingerprint(keyB));
  });
});

describe("trust on first use of a disk (a replaced or reinstalled node)", () => {
  const recordedFor = (disk: string, key: Buffer = keyA) => `${line("10.0.0.5", key)} havip-disk=${disk}`;

  it("names the disk in the line it records when the spec knows it, and reads it back", () => {
    const verdict = ask({ trustOnFirstUse: true, disk: "ins-1/img-a" });
    expect(verdict).toMatchObject({ verdict: "record", knownHostsLine: `${line("10.0.0.5", keyA)} havip-disk=ins-1/img-a` });
    if (verdict.verdict !== "record") throw new Error("unreachable");
    expect(parseKnownHosts(verdict.knownHostsLine)[0].disk).toBe("ins-1/img-a");
  });

  it("records the new key of a node the cloud says runs another disk, in place of the old one", () => {
    const verdict = ask({
      offeredKey: keyB,
      trustOnFirstUse: true,
      disk: "ins-1/img-b",
      knownHosts: parseKnownHosts(recordedFor("ins-1/img-a")),
    });
    expect(verdict).toEqual({
      verdict: "record",
      fingerprint: sha256Fingerprint(keyB),
      knownHostsLine: `${line("10.0.0.5", keyB)} havip-disk=ins-1/img-b`,
      replacesDisk: "ins-1/img-a",
    });
  });

  it("refuses a changed key on the same disk, a line without a disk, or without trust-on-first-use", () => {
    expect(
      ask({ offeredKey: keyB, trustOnFirstUse: true, disk: "ins-1/img-a", knownHosts: parseKnownHosts(recordedFor("ins-1/img-a")) })
        .verdict,
    ).toBe("reject");
    expect(
      ask({ offeredKey: keyB, trustOnFirstUse: true, disk: "ins-1/img-b", knownHosts: parseKnownHosts(line("10.0.0.5", keyA)) }).verdict,
    ).toBe("reject");
    expect(
      ask({ offeredKey: keyB, trustOnFirstUse: false, disk: "ins-1/img-b", knownHosts: parseKnownHosts(recordedFor("ins-1/img-a")) })
        .verdict,
    ).toBe("reject");
    expect(ask({ offeredKey: keyB, trustOnFirstUse: true, knownHosts: parseKnownHosts(recordedFor("ins-1/img-a")) }).verdict).toBe(
      "reject",
    );
  });

  it("drops only the host's lines recorded for other disks", () => {
    const text = [
      recordedFor("ins-1/img-a"),
      line("10.0.0.5", keyA),
      `${line("10.0.0.6", keyA)} havip-disk=ins-2/img-a`,
      "# a comment",
      "",
    ].join("\n");
    expect(withoutOtherDisks(text, "10.0.0.5", "ins-1/img-b")).toBe(
      [line("10.0.0.5", keyA), `${line("10.0.0.6", keyA)} havip-disk=ins-2/img-a`, "# a comment", ""].join("\n"),
    );
  });
});

describe("host patterns with wildcards", () => {
  it("matches * and ? wildcards and compares host names case-insensitively, like OpenSSH", () => {
    const [star] = parseKnownHosts(line("10.0.0.*", keyA));
    expect(entryMatchesHost(star, "10.0.0.17")).toBe(true);
    expect(entryMatchesHost(star, "10.0.1.17")).toBe(false);
    const [question] = parseKnownHosts(line("node?.example", keyA));
    expect(entryMatchesHost(question, "Node1.Example")).toBe(true);
    expect(entryMatchesHost(question, "node12.example")).toBe(false);
  });

  it("refuses a key revoked for every host even with trust-on-first-use", () => {
    const verdict = ask({ knownHosts: parseKnownHosts(line("*", keyA, "@revoked ")), offeredKey: keyA, trustOnFirstUse: true });
    expect(verdict.verdict).toBe("reject");
  });
});
