import { homedir } from "node:os";
import { resolve } from "node:path";
import type { SshSettings } from "../core/cluster-settings";

/**
 * A path on the operator's machine as whoever runs the command means it: `~/` is their home and a
 * relative path is relative to the directory the command runs in (the construct's local-exec runs
 * in the directory cdktf was started from). Absolute paths are kept.
 */
export function resolveOperatorPath(path: string, cwd: string = process.cwd(), home: string = homedir()): string {
  if (path === "") return path;
  return path === "~" || path.startsWith("~/") ? resolve(home, path.slice(2)) : resolve(cwd, path);
}

/** `keys/id (/home/ops/app/keys/id)`: the path as written, and the file it names when that reads differently. */
export function describeOperatorPath(path: string, cwd: string = process.cwd(), home: string = homedir()): string {
  const resolved = resolveOperatorPath(path, cwd, home);
  return resolved === path ? path : `${path} (${resolved})`;
}

/** The SSH settings with their file paths made absolute (see resolveOperatorPath). */
export function resolveSshSettingsPaths<T extends SshSettings | undefined>(
  ssh: T,
  cwd: string = process.cwd(),
  home: string = homedir(),
): T {
  if (ssh === undefined || ssh === null || typeof ssh !== "object") return ssh;
  return {
    ...ssh,
    ...(typeof ssh.privateKeyPath === "string" ? { privateKeyPath: resolveOperatorPath(ssh.privateKeyPath, cwd, home) } : {}),
    ...(typeof ssh.knownHostsPath === "string" ? { knownHostsPath: resolveOperatorPath(ssh.knownHostsPath, cwd, home) } : {}),
  };
}
