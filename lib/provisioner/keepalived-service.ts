import { DEFAULT_KEEPALIVED_FILE_PATHS, type ConfigTestVerdict, configTestCommand, configTestVerdict } from "../core/keepalived";
import { KEEPALIVED_CONSOLE_LOG_PATH } from "../core/limits";
import { quoteShellWord } from "../core/shell-word";
import type { InitSystem } from "./node-facts";
import type { RemoteShell } from "./ssh/remote-shell";

/** Where Keepalived writes its parent's pid when not run by systemd (its compiled-in default). */
export const KEEPALIVED_PID_FILE = "/run/keepalived.pid";

export interface KeepalivedStatus {
  readonly running: boolean;
  /** IPv4 addresses on the VRRP interface, without prefix length. */
  readonly addresses: readonly string[];
  /** First line of the state file the notify script writes (MASTER, BACKUP, FAULT, STOP). */
  readonly notifiedState?: string;
}

function runningCheck(init: InitSystem): string {
  return init === "systemd"
    ? "if systemctl is-active --quiet keepalived; then echo running=yes; else echo running=no; fi"
    : [
        `if [ -f ${KEEPALIVED_PID_FILE} ] && kill -0 "$(cat ${KEEPALIVED_PID_FILE})" 2>/dev/null; then echo running=yes`,
        "elif pgrep -x keepalived >/dev/null 2>&1; then echo running=yes",
        "else echo running=no; fi",
      ].join("\n");
}

export function parseKeepalivedStatus(output: string): KeepalivedStatus {
  const lines = output.split("\n");
  const value = (key: string) => lines.filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1).trim());
  return {
    running: value("running")[0] === "yes",
    addresses: value("address").map((cidr) => cidr.split("/")[0]),
    notifiedState: value("state")[0] || undefined,
  };
}

/** Whether Keepalived runs, which addresses the VRRP interface carries, and the state the notify script recorded. */
export async function readKeepalivedStatus(shell: RemoteShell, init: InitSystem, interfaceName: string): Promise<KeepalivedStatus> {
  const stateFilePath = DEFAULT_KEEPALIVED_FILE_PATHS.stateFilePath;
  const script = [
    runningCheck(init),
    `ip -o -4 addr show dev ${quoteShellWord(interfaceName)} 2>/dev/null | awk '{print "address=" $4}'`,
    `if [ -r ${quoteShellWord(stateFilePath)} ]; then sed -n '1s/^/state=/p' ${quoteShellWord(stateFilePath)}; fi`,
  ].join("\n");
  return parseKeepalivedStatus(await shell.check("reading Keepalived's state", script));
}

/** Has the node's Keepalived check a configuration file without touching the running one; the verdict is read as that release means it. */
export async function testKeepalivedConfig(shell: RemoteShell, keepalivedVersion: string, configPath: string): Promise<ConfigTestVerdict> {
  const result = await shell.run(configTestCommand(keepalivedVersion, configPath));
  return configTestVerdict(keepalivedVersion, { code: result.code, output: result.stdout + result.stderr });
}

/**
 * How Keepalived is started: by systemd where it runs, else detached with all three standard
 * streams redirected (or the SSH session hangs) and its console log in a file that logrotate rotates.
 */
export function startCommand(init: InitSystem, configPath: string): string {
  return init === "systemd"
    ? "systemctl enable keepalived >/dev/null 2>&1 || true; systemctl restart keepalived"
    : `setsid keepalived --dont-fork --log-console -f ${quoteShellWord(configPath)} </dev/null >>${KEEPALIVED_CONSOLE_LOG_PATH} 2>&1 &`;
}

export function reloadCommand(init: InitSystem): string {
  return init === "systemd" ? "systemctl reload keepalived" : `kill -HUP "$(cat ${KEEPALIVED_PID_FILE})"`;
}

export function stopCommand(init: InitSystem): string {
  return init === "systemd"
    ? "systemctl stop keepalived"
    : `if [ -f ${KEEPALIVED_PID_FILE} ]; then pid=$(cat ${KEEPALIVED_PID_FILE}); kill -TERM "$pid" 2>/dev/null || true; ` +
        `i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; fi`;
}

export async function startKeepalived(shell: RemoteShell, init: InitSystem, configPath: string): Promise<void> {
  await shell.check("starting keepalived", startCommand(init, configPath));
}

export async function reloadKeepalived(shell: RemoteShell, init: InitSystem): Promise<void> {
  await shell.check("reloading keepalived", reloadCommand(init));
}

export async function stopKeepalived(shell: RemoteShell, init: InitSystem): Promise<void> {
  await shell.check("stopping keepalived", stopCommand(init));
}
