import { posix } from "node:path";
import type { ClusterSpec } from "../core/cluster-settings";
import { DEFAULT_KEEPALIVED_FILE_PATHS } from "../core/keepalived";
import { quoteShellWord } from "../core/shell-word";
import type { NodeFacts, PackageManager } from "./node-facts";
import { INSTALL_COMMAND_TIMEOUT_MS, type RemoteShell } from "./ssh/remote-shell";

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
  return INSTALL[packageManager](packages.map(quoteShellWord).join(" "));
}

export async function installMissingPackages(shell: RemoteShell, facts: NodeFacts, packages: readonly string[]): Promise<void> {
  if (packages.length === 0) return;
  if (!facts.packageManager) {
    throw new Error(`${shell.nodeName}: ${packages.join(", ")} missing and no apt-get, dnf or yum to install them`);
  }
  await shell.check(`installing ${packages.join(", ")}`, installPackagesCommand(facts.packageManager, packages), {
    timeoutMs: INSTALL_COMMAND_TIMEOUT_MS,
  });
}

/** Creates the script user as a system user unless it exists; idempotent, and nothing for root (which always exists). */
export function ensureScriptUserCommand(scriptUser: string): string {
  const user = quoteShellWord(scriptUser);
  return `if ! id -u ${user} >/dev/null 2>&1; then useradd --system --no-create-home --shell /usr/sbin/nologin ${user}; fi`;
}

/**
 * Keepalived resolves `script_user` and checks each script as that user even under `-t`, so the
 * user must exist before the staged check; creating it changes nothing Keepalived runs with.
 */
export async function ensureScriptUser(shell: RemoteShell, scriptUser: string): Promise<void> {
  await shell.check(`creating script user ${scriptUser}`, ensureScriptUserCommand(scriptUser));
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

export async function prepareRuntimePaths(shell: RemoteShell, spec: ClusterSpec): Promise<void> {
  await shell.check(`preparing paths for script user ${spec.scriptUser}`, runtimePathsScript(spec));
}
