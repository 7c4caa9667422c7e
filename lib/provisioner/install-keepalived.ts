import type { ClusterSpec } from "../core/cluster-settings";
import { MIN_KEEPALIVED_VERSION } from "../core/limits";
import { isSupportedKeepalivedVersion, parseKeepalivedVersion } from "../core/keepalived";
import { quoteShellWord } from "../core/shell-word";
import type { NodeFacts, PackageManager } from "./node-facts";
import { installPackagesCommand } from "./node-prerequisites";
import { readNodeFacts } from "./node-facts";
import { INSTALL_COMMAND_TIMEOUT_MS, type RemoteShell } from "./ssh/remote-shell";

const SOURCE_BUILD_DEPENDENCIES: Record<PackageManager, string> = {
  "apt-get":
    "export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq build-essential pkg-config curl libssl-dev libnl-3-dev libnl-genl-3-dev </dev/null",
  dnf: "dnf install -y -q gcc make curl openssl-devel libnl3-devel </dev/null",
  yum: "yum install -y -q gcc make curl openssl-devel libnl3-devel </dev/null",
};

/** What `ensureKeepalived` did, for the report. */
export interface KeepalivedInstallOutcome {
  readonly version: string;
  readonly action: "present" | "installed-package" | "built-from-source";
}

export function installedKeepalivedVersion(facts: NodeFacts): string | undefined {
  return facts.keepalivedVersionLine ? parseKeepalivedVersion(facts.keepalivedVersionLine) : undefined;
}

/** Shell script that downloads, checks and builds a Keepalived source tarball (the guide's fallback). */
export function sourceBuildScript(source: { readonly url: string; readonly sha256: string }): string {
  return [
    "set -eu",
    "workdir=$(mktemp -d)",
    'trap \'rm -rf "$workdir"\' EXIT',
    'cd "$workdir"',
    `curl -fsSL --retry 2 -o keepalived.tar.gz ${quoteShellWord(source.url)}`,
    `echo ${quoteShellWord(`${source.sha256}  keepalived.tar.gz`)} | sha256sum --strict -c -`,
    "tar xzf keepalived.tar.gz --strip-components=1",
    // On a systemd node the build must install keepalived.service, or `systemctl start` has no unit to start.
    'if [ -d /run/systemd/system ]; then init="--with-init=systemd"; else init=""; fi',
    "./configure --prefix=/usr --sysconfdir=/etc $init >/dev/null",
    'make -j"$(nproc)" >/dev/null',
    "make install >/dev/null",
    "if [ -n \"$init\" ]; then systemctl daemon-reload; fi",
  ].join("\n");
}

/** Makes sure a Keepalived >= 1.2.24 is installed: package first, source tarball as the fallback. */
export async function ensureKeepalived(
  shell: RemoteShell,
  facts: NodeFacts,
  spec: ClusterSpec,
  progress: (message: string) => void,
): Promise<KeepalivedInstallOutcome> {
  const present = installedKeepalivedVersion(facts);
  if (present && isSupportedKeepalivedVersion(present)) return { version: present, action: "present" };
  if (!facts.packageManager) {
    throw new Error(`${shell.nodeName}: Keepalived ${present ?? "is not installed"} and no apt-get, dnf or yum was found to install it`);
  }
  let version = present;
  if (!present) {
    progress(`installing keepalived with ${facts.packageManager}`);
    try {
      await shell.check(`installing keepalived with ${facts.packageManager}`, installPackagesCommand(facts.packageManager, ["keepalived"]), {
        timeoutMs: INSTALL_COMMAND_TIMEOUT_MS,
      });
    } catch (error) {
      // A distribution that does not offer the package at all: the source tarball is the fallback too.
      if (!spec.keepalivedSource) throw error;
      progress(`${facts.packageManager} cannot install keepalived (${(error as Error).message.split("\n")[0]}); building from source`);
    }
    version = installedKeepalivedVersion(await readNodeFacts(shell));
    if (version && isSupportedKeepalivedVersion(version)) return { version, action: "installed-package" };
  }
  if (!spec.keepalivedSource) {
    throw new Error(
      `${shell.nodeName}: the distribution's Keepalived is ${version ?? "unknown"}, older than ${MIN_KEEPALIVED_VERSION}; ` +
        `name a source tarball (keepalivedSource: { url, sha256 }) to build a newer one`,
    );
  }
  progress(`building keepalived from ${spec.keepalivedSource.url}`);
  await shell.check("installing build dependencies", SOURCE_BUILD_DEPENDENCIES[facts.packageManager], { timeoutMs: INSTALL_COMMAND_TIMEOUT_MS });
  await shell.check("building keepalived from source", sourceBuildScript(spec.keepalivedSource), { timeoutMs: INSTALL_COMMAND_TIMEOUT_MS });
  const built = installedKeepalivedVersion(await readNodeFacts(shell));
  if (!built || !isSupportedKeepalivedVersion(built)) {
    throw new Error(`${shell.nodeName}: after building from source, keepalived reports ${built ?? "no version"}`);
  }
  return { version: built, action: "built-from-source" };
}
