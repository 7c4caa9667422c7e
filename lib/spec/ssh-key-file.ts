import { accessSync, constants, readFileSync, statSync } from "node:fs";
import type { SshSettings } from "../core/cluster-settings";
import type { SettingsProblem } from "../core/settings-error";
import { describeOperatorPath, resolveOperatorPath } from "./operator-path";

const OPENSSH_KEY = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/;

/**
 * Whether a private key needs a passphrase, which nothing can type in during `cdktf deploy`:
 * a PEM key says `Proc-Type: 4,ENCRYPTED` (or is PKCS#8 `ENCRYPTED PRIVATE KEY`); an OpenSSH key
 * names its cipher right after its magic (`openssh-key-v1\0`, then a length-prefixed string).
 */
export function isEncryptedPrivateKey(text: string): boolean {
  if (/^Proc-Type: 4,ENCRYPTED/m.test(text) || text.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----")) return true;
  if (/^Encryption: (?!none)/m.test(text)) return true; // PuTTY
  const body = OPENSSH_KEY.exec(text)?.[1];
  if (body === undefined) return false;
  const blob = Buffer.from(body.replace(/\s+/g, ""), "base64");
  const magic = "openssh-key-v1\0";
  if (blob.subarray(0, magic.length).toString("latin1") !== magic || blob.length < magic.length + 4) return false;
  const length = blob.readUInt32BE(magic.length);
  const cipher = blob.subarray(magic.length + 4, magic.length + 4 + length).toString("latin1");
  return cipher !== "none";
}

/**
 * The private key file must be there, readable, a private key and usable without a passphrase
 * before any connection: a missing one is bad input naming the path, not "cannot connect".
 */
export function sshKeyFileProblems(ssh: SshSettings, field: string): SettingsProblem[] {
  const written = ssh.privateKeyPath;
  if (typeof written !== "string") return [];
  // The value shows the path as written and, when `~/` or a relative path makes it another, the file tried.
  const value = describeOperatorPath(written);
  const path = resolveOperatorPath(written);
  const refuse = (rule: string): SettingsProblem[] => [{ field: `${field}.privateKeyPath`, value, rule }];
  try {
    if (!statSync(path).isFile()) return refuse("is not a file (the provisioner signs in with the private key there)");
    accessSync(path, constants.R_OK);
    const text = readFileSync(path, "utf8").slice(0, 64 * 1024);
    // The usual slip is the .pub file: only a PEM/OpenSSH private key or a PuTTY key can sign in.
    if (!/^-----BEGIN [A-Z ]*PRIVATE KEY-----/m.test(text) && !text.startsWith("PuTTY-User-Key-File-")) {
      return refuse("is not a private key file (expected -----BEGIN ... PRIVATE KEY-----; is it the .pub file?)");
    }
    if (isEncryptedPrivateKey(text)) {
      return refuse(
        `is protected by a passphrase, which the provisioner cannot ask for: load it into an SSH agent (ssh-add ${written}) and leave ${field}.privateKeyPath out`,
      );
    }
    return [];
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    return refuse(
      missing
        ? `does not exist: give the path of the private key the provisioner signs in with, or leave ${field}.privateKeyPath out to use the SSH agent`
        : `cannot be read: ${(error as Error).message}`,
    );
  }
}
