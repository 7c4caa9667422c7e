import * as fs from "node:fs";
import * as path from "node:path";
import { runCommandOrThrow } from "../host/host-command";

/** Generates an ed25519 key pair without a passphrase at `privateKeyPath` (+ `.pub`); returns the public key line. */
export async function generateEd25519KeyPair(privateKeyPath: string, comment: string): Promise<string> {
  fs.mkdirSync(path.dirname(privateKeyPath), { recursive: true, mode: 0o700 });
  fs.rmSync(privateKeyPath, { force: true });
  fs.rmSync(`${privateKeyPath}.pub`, { force: true });
  await runCommandOrThrow(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", privateKeyPath]);
  return fs.readFileSync(`${privateKeyPath}.pub`, "utf8").trim();
}

/** known_hosts lines pinning each host's key: `172.16.16.5 ssh-ed25519 AAAA...` (the comment is dropped). */
export function renderKnownHosts(entries: readonly { readonly host: string; readonly publicKeyLine: string }[]): string {
  return entries
    .map(({ host, publicKeyLine }) => {
      const [type, key] = publicKeyLine.trim().split(/\s+/);
      if (!type || !key) throw new Error(`public key for ${host} is not "TYPE BASE64 [COMMENT]"`);
      return `${host} ${type} ${key}\n`;
    })
    .join("");
}
