import { accessSync, constants, readFileSync, statSync } from "node:fs";
import type { SshSettings } from "../core/cluster-settings";
import type { SettingsProblem } from "../core/settings-error";

/**
 * The private key file must be there and readable before any connection: a missing one is bad
 * input naming the path, not "cannot connect".
 */
export function sshKeyFileProblems(ssh: SshSettings, field: string): SettingsProblem[] {
  const path = ssh.privateKeyPath;
  if (typeof path !== "string") return [];
  try {
    if (!statSync(path).isFile())
      return [
        { field: `${field}.privateKeyPath`, value: path, rule: "is not a file (the provisioner signs in with the private key there)" },
      ];
    accessSync(path, constants.R_OK);
    // The usual slip is the .pub file: only a PEM/OpenSSH private key or a PuTTY key can sign in.
    const head = readFileSync(path, "utf8").slice(0, 200);
    if (!/^-----BEGIN [A-Z ]*PRIVATE KEY-----/m.test(head) && !head.startsWith("PuTTY-User-Key-File-")) {
      return [
        {
          field: `${field}.privateKeyPath`,
          value: path,
          rule: "is not a private key file (expected -----BEGIN ... PRIVATE KEY-----; is it the .pub file?)",
        },
      ];
    }
    return [];
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    const rule = missing
      ? "does not exist (the provisioner signs in with the private key there)"
      : `cannot be read: ${(error as Error).message}`;
    return [{ field: `${field}.privateKeyPath`, value: path, rule }];
  }
}
