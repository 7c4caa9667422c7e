import type { SettingsProblem } from "../settings-error";

/** What follows the type name inside the blob of each key type (RFC 4253, 5656, 8709; OpenSSH PROTOCOL.u2f). */
type Part = "string" | "mpint" | { readonly bytes: number } | { readonly curve: string };
const KEY_LAYOUTS: { readonly [type: string]: readonly Part[] } = {
  "ssh-ed25519": [{ bytes: 32 }],
  "ssh-rsa": ["mpint", "mpint"],
  "ecdsa-sha2-nistp256": [{ curve: "nistp256" }, { bytes: 65 }],
  "ecdsa-sha2-nistp384": [{ curve: "nistp384" }, { bytes: 97 }],
  "ecdsa-sha2-nistp521": [{ curve: "nistp521" }, { bytes: 133 }],
  "sk-ssh-ed25519@openssh.com": [{ bytes: 32 }, "string"],
  "sk-ecdsa-sha2-nistp256@openssh.com": [{ curve: "nistp256" }, { bytes: 65 }, "string"],
};
export const SSH_PUBLIC_KEY_TYPES: readonly string[] = Object.keys(KEY_LAYOUTS);

const KEY_LINE = /^(\S+) ([A-Za-z0-9+/]+={0,2})( .*)?$/;

/** Reads SSH wire-format strings (uint32 length + bytes) one after another; undefined past the end. */
function stringReader(blob: Buffer) {
  let offset = 0;
  return {
    next(): Buffer | undefined {
      if (offset + 4 > blob.length) return undefined;
      const length = blob.readUInt32BE(offset);
      if (offset + 4 + length > blob.length) return undefined;
      const value = blob.subarray(offset + 4, offset + 4 + length);
      offset += 4 + length;
      return value;
    },
    atEnd: () => offset === blob.length,
  };
}

function partFits(part: Part, value: Buffer): boolean {
  if (part === "string") return true;
  if (part === "mpint") return value.length > 0;
  if ("bytes" in part) return value.length === part.bytes;
  return value.toString("latin1") === part.curve;
}

/**
 * Why an OpenSSH public key line is unusable, or undefined when it is a whole key: the type label
 * must be one sshd knows, the base64 blob must decode exactly, name the same type and hold every
 * part of such a key and nothing more (a truncated paste fails here, not at the provider or sshd).
 */
export function sshPublicKeyFlaw(line: string): string | undefined {
  const match = KEY_LINE.exec(line.trim());
  const layout = match ? KEY_LAYOUTS[match[1]] : undefined;
  if (!match || !layout) return `is not an OpenSSH public key line (${SSH_PUBLIC_KEY_TYPES.slice(0, 2).join(" AAAA... or ")} AAAA...)`;
  const [, label, base64] = match;
  const blob = Buffer.from(base64, "base64");
  const damaged = `is truncated or damaged: its base64 blob does not hold a whole ${label} key`;
  if (base64.length % 4 !== 0 || blob.toString("base64") !== base64) return damaged;
  const reader = stringReader(blob);
  const inner = reader.next()?.toString("latin1");
  if (inner === undefined) return damaged;
  if (inner !== label) return `has type label ${label} but the key inside it is ${KEY_LAYOUTS[inner] ? inner : "of another kind"}`;
  const whole = layout.every((part) => {
    const value = reader.next();
    return value !== undefined && partFits(part, value);
  });
  return whole && reader.atEnd() ? undefined : damaged;
}

/** The public key installed on both nodes. */
export function validateSshPublicKey(key: string, field: string): SettingsProblem[] {
  const flaw = sshPublicKeyFlaw(key);
  if (!flaw) return [];
  return [{ field, value: key.length > 24 ? `${key.slice(0, 24)}...` : key, rule: flaw }];
}
