import * as fs from "node:fs";
import * as path from "node:path";

const REQUIRED_EXECUTABLES: readonly { readonly name: string; readonly why: string }[] = [
  { name: "ip", why: "iproute2, for network namespaces" },
  { name: "bridge", why: "iproute2, for partitions" },
  { name: "unshare", why: "util-linux, for the servers' private namespaces" },
  { name: "nsenter", why: "util-linux, to run commands inside a server" },
  { name: "sysctl", why: "procps" },
  { name: "ssh", why: "openssh-client, the operator's SSH client" },
  { name: "ssh-keygen", why: "openssh-client, for the lab's keys" },
];

function findExecutable(name: string, searchPath: string): string | undefined {
  for (const dir of [...searchPath.split(":"), "/usr/sbin", "/sbin"]) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * What this machine lacks to run the lab, one line each; empty when the lab can run.
 * Tests skip with these lines as the reason, except under CI=true, where they fail.
 */
export function labPreflight(): string[] {
  const missing: string[] = [];
  if (process.platform !== "linux") return [`the lab needs Linux (this is ${process.platform})`];
  if (process.getuid?.() !== 0) missing.push("the lab needs root (network namespaces, mounts)");
  const searchPath = process.env.PATH ?? "/usr/bin:/bin";
  for (const { name, why } of REQUIRED_EXECUTABLES) {
    if (!findExecutable(name, searchPath)) missing.push(`no ${name} executable (${why})`);
  }
  if (!fs.existsSync("/usr/sbin/sshd")) missing.push("no /usr/sbin/sshd (install openssh-server)");
  if (!findExecutable("keepalived", searchPath)) {
    missing.push("no keepalived on the host (install it: `apt-get install keepalived` inside the lab works only then)");
  }
  try {
    if (!fs.readFileSync("/proc/filesystems", "utf8").includes("overlay")) missing.push("the kernel has no overlay filesystem");
  } catch {
    missing.push("cannot read /proc/filesystems");
  }
  return missing;
}
