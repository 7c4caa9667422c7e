import * as fs from "node:fs";
import * as path from "node:path";
import { PACKAGE_SERVER_PYTHON } from "./roots/lab-package-server";

const REQUIRED_EXECUTABLES: readonly { readonly name: string; readonly why: string }[] = [
  { name: "ip", why: "iproute2, for network namespaces" },
  { name: "bridge", why: "iproute2, for partitions" },
  { name: "unshare", why: "util-linux, for the servers' private namespaces" },
  { name: "nsenter", why: "util-linux, to run commands inside a server" },
  { name: "sysctl", why: "procps" },
  { name: "ssh", why: "openssh-client, the operator's SSH client" },
  { name: "ssh-keygen", why: "openssh-client, for the lab's keys" },
  { name: "systemd-nspawn", why: "systemd-container, to boot the servers" },
  { name: "debootstrap", why: "debootstrap, to build the servers' Debian roots" },
  { name: "dpkg-scanpackages", why: "dpkg-dev, to index the lab's package source" },
  { name: "flock", why: "util-linux, so two labs build a release root once" },
  { name: "chroot", why: "coreutils, to download the lab's packages" },
  { name: "nft", why: "nftables, for the cloud network's routers (NAT, security groups)" },
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
  if (!fs.existsSync(PACKAGE_SERVER_PYTHON)) missing.push(`no ${PACKAGE_SERVER_PYTHON} (install python3: it serves the lab's packages)`);
  for (const hierarchy of ["/sys/fs/cgroup/unified", "/sys/fs/cgroup/systemd"]) {
    if (!fs.existsSync(`${hierarchy}/cgroup.procs`))
      missing.push(`no cgroup hierarchy at ${hierarchy} (the lab needs the hybrid cgroup layout)`);
  }
  try {
    if (!fs.readFileSync("/proc/filesystems", "utf8").includes("overlay")) missing.push("the kernel has no overlay filesystem");
  } catch {
    missing.push("cannot read /proc/filesystems");
  }
  return missing;
}
