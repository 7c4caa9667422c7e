import { posix } from "node:path";
import type { ClusterSpec } from "../cluster-settings";
import { DEFAULT_KEEPALIVED_FILE_PATHS } from "../keepalived";
import { quoteShellWord } from "../shell-word";
import type { NodeFacts, PackageManager } from "./node-facts";
import { withPackageLock } from "./package-lock";

/**
 * Distribution packages the rendered files need beyond Keepalived: curl for an `http` health
 * check (without it the check fails on both nodes and nobody holds the VIP), logrotate for the
 * log rule. Same package names on Debian/Ubuntu and TencentOS/CentOS.
 */
export function missingPackages(spec: ClusterSpec, facts: NodeFacts): string[] {
  const needed = [...(spec.healthCheck.kind === "http" ? ["curl"] : []), "logrotate"];
  return needed.filter((command) => !facts.commands.includes(command));
}

const INSTALL: Record<PackageManager, (packages: string) => string> = {
  "apt-get": (packages) => `export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq ${packages} </dev/null`,
  dnf: (packages) => `dnf install -y -q ${packages} </dev/null`,
  yum: (packages) => `yum install -y -q ${packages} </dev/null`,
};

export function installPackagesCommand(packageManager: PackageManager, packages: readonly string[]): string {
  return withPackageLock(INSTALL[packageManager](packages.map(quoteShellWord).join(" ")));
}

/** Creates the script user as a system user unless it exists; idempotent, and nothing for root (which always exists). */
export function ensureScriptUserCommand(scriptUser: string): string {
  const user = quoteShellWord(scriptUser);
  return `if ! id -u ${user} >/dev/null 2>&1; then useradd --system --no-create-home --shell /usr/sbin/nologin ${user}; fi`;
}

/**
 * Makes sure Keepalived's script user exists and can write what the notify and check scripts
 * write (state, failure counter, notify log): with `enable_script_security` the scripts run as
 * that user, and a script that cannot write fails silently from Keepalived's point of view.
 * Idempotent; for root it only creates the directories.
 */
export function runtimePathsScript(spec: ClusterSpec): string {
  const user = quoteShellWord(spec.scriptUser);
  const dirs = [posix.dirname(DEFAULT_KEEPALIVED_FILE_PATHS.stateFilePath), posix.dirname(DEFAULT_KEEPALIVED_FILE_PATHS.failureCountPath)];
  const log = quoteShellWord(spec.notifyLogPath);
  return [
    "set -eu",
    ensureScriptUserCommand(spec.scriptUser),
    ...[...new Set(dirs)].map((dir) => `install -d -m 0755 -o ${user} ${quoteShellWord(dir)}`),
    `mkdir -p ${quoteShellWord(posix.dirname(spec.notifyLogPath))}`,
    `touch ${log} && chown ${user} ${log} && chmod 0640 ${log}`,
  ].join("\n");
}
