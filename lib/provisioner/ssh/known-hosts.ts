import { createHash, createHmac } from "node:crypto";

/** One usable line of an OpenSSH known_hosts file. */
export interface KnownHostEntry {
  /** Comma-separated host patterns, or a single hashed `|1|salt|hash` pattern. */
  readonly hostPatterns: readonly string[];
  readonly keyType: string;
  readonly keyBase64: string;
  readonly revoked: boolean;
  /** The disk trust-on-first-use recorded the key for (the `havip-disk=` comment this project writes). */
  readonly disk?: string;
}

/** The comment that names the disk a recorded key belongs to: `havip-disk=<instance id>/<image id>`. */
const DISK_MARKER = "havip-disk=";

/** Parses known_hosts text; comments, blank lines and @cert-authority lines are skipped. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const rawLine of text.split("\n")) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0].startsWith("@")) {
      const marker = fields.shift();
      if (marker !== "@revoked") continue;
      revoked = true;
    }
    if (fields.length < 3) continue;
    const disk = fields
      .slice(3)
      .find((word) => word.startsWith(DISK_MARKER))
      ?.slice(DISK_MARKER.length);
    entries.push({ hostPatterns: fields[0].split(","), keyType: fields[1], keyBase64: fields[2], revoked, ...(disk ? { disk } : {}) });
  }
  return entries;
}

/** How OpenSSH names a host in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function matchesHashedPattern(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split("|");
  if (magic !== "1" || !salt || !hash) return false;
  const digest = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
  return digest === hash;
}

/** OpenSSH host patterns: `*` and `?` wildcards, compared case-insensitively. */
function matchesGlob(pattern: string, name: string): boolean {
  const regex = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${regex}$`).test(name.toLowerCase());
}

function matchesPattern(pattern: string, name: string): boolean {
  return pattern.startsWith("|") ? matchesHashedPattern(pattern, name.toLowerCase()) : matchesGlob(pattern, name);
}

export function entryMatchesHost(entry: KnownHostEntry, name: string): boolean {
  const negated = entry.hostPatterns.some((p) => p.startsWith("!") && matchesPattern(p.slice(1), name));
  return !negated && entry.hostPatterns.some((p) => !p.startsWith("!") && matchesPattern(p, name));
}

/** `SHA256:...` fingerprint of an SSH public key blob, as `ssh-keygen -l` prints it. */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** The key type named inside an SSH public key blob (its first length-prefixed string). */
export function keyTypeOfBlob(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return "unknown";
  const length = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + length).toString("ascii");
}

export type HostKeyVerdict =
  | { readonly verdict: "accept"; readonly fingerprint: string }
  /** Record the key; with `replacesDisk`, instead of the lines recorded for the host's earlier disk(s). */
  | { readonly verdict: "record"; readonly fingerprint: string; readonly knownHostsLine: string; readonly replacesDisk?: string }
  | { readonly verdict: "reject"; readonly fingerprint: string; readonly reason: string };

export interface HostKeyQuestion {
  readonly host: string;
  readonly port: number;
  readonly offeredKey: Buffer;
  readonly knownHosts: readonly KnownHostEntry[];
  /** A fingerprint from the settings (`SHA256:...`); when set it alone decides. */
  readonly pinnedFingerprint?: string;
  readonly trustOnFirstUse: boolean;
  /** The front end's own option for trust-on-first-use, named beside the setting (the CLI's flag). @default - the setting alone */
  readonly trustOnFirstUseOption?: string;
  /** The disk the node runs now (`<instance id>/<image id>`, from the spec), when the cloud says. @default - unknown */
  readonly disk?: string;
}

/** `hostname`'s line that `decideHostKey` records, naming the disk when it is known. */
function recordedLine(name: string, offeredKey: Buffer, disk: string | undefined): string {
  return `${name} ${keyTypeOfBlob(offeredKey)} ${offeredKey.toString("base64")}${disk ? ` ${DISK_MARKER}${disk}` : ""}`;
}

/** known_hosts text without the lines trust-on-first-use recorded for `name` under another disk than `disk`. */
export function withoutOtherDisks(text: string, name: string, disk: string): string {
  return text
    .split("\n")
    .filter((line) => {
      const [entry] = parseKnownHosts(line);
      return !(entry && !entry.revoked && entryMatchesHost(entry, name) && entry.disk !== undefined && entry.disk !== disk);
    })
    .join("\n");
}

/**
 * Decides whether to trust a server's host key: pinned fingerprint first, then known_hosts;
 * an unknown host is recorded only with trust-on-first-use, and a changed key is refused, except
 * where trust-on-first-use recorded every key of the host for another disk than the one the cloud
 * says the node runs now (a replaced or reinstalled node: the first use of a new disk).
 */
export function decideHostKey(question: HostKeyQuestion): HostKeyVerdict {
  const { host, port, offeredKey } = question;
  const fingerprint = sha256Fingerprint(offeredKey);
  const name = knownHostsName(host, port);
  if (question.pinnedFingerprint !== undefined) {
    return question.pinnedFingerprint === fingerprint
      ? { verdict: "accept", fingerprint }
      : {
          verdict: "reject",
          fingerprint,
          reason: `host key of ${name} is ${fingerprint}, but the settings pin ${question.pinnedFingerprint}; refusing to connect`,
        };
  }
  const offeredBase64 = offeredKey.toString("base64");
  const forHost = question.knownHosts.filter((entry) => entryMatchesHost(entry, name));
  if (forHost.some((entry) => entry.revoked && entry.keyBase64 === offeredBase64)) {
    return { verdict: "reject", fingerprint, reason: `host key ${fingerprint} of ${name} is marked @revoked; refusing to connect` };
  }
  const trusted = forHost.filter((entry) => !entry.revoked);
  if (trusted.some((entry) => entry.keyBase64 === offeredBase64)) return { verdict: "accept", fingerprint };
  const otherDisks = trusted.every((entry) => entry.disk !== undefined && entry.disk !== question.disk);
  if (trusted.length > 0 && question.trustOnFirstUse && question.disk !== undefined && otherDisks) {
    return {
      verdict: "record",
      fingerprint,
      knownHostsLine: recordedLine(name, offeredKey, question.disk),
      replacesDisk: trusted.map((entry) => entry.disk).join(", "),
    };
  }
  if (trusted.length > 0) {
    const pinned = trusted.map((entry) => sha256Fingerprint(Buffer.from(entry.keyBase64, "base64"))).join(", ");
    return {
      verdict: "reject",
      fingerprint,
      reason: `host key of ${name} changed: it offers ${fingerprint}, known_hosts pins ${pinned}; refusing to connect (if the machine was rebuilt, remove its line from known_hosts after checking)`,
    };
  }
  if (question.trustOnFirstUse) {
    return { verdict: "record", fingerprint, knownHostsLine: recordedLine(name, offeredKey, question.disk) };
  }
  return {
    verdict: "reject",
    fingerprint,
    reason: `host key ${fingerprint} of ${name} is not in known_hosts; add it, pin its fingerprint, or allow trust-on-first-use explicitly (ssh.trustOnFirstUse${question.trustOnFirstUseOption ? ` / ${question.trustOnFirstUseOption}` : ""})`,
  };
}
