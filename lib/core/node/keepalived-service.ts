import { DEFAULT_KEEPALIVED_FILE_PATHS, type KeepalivedProcessReport, type KeepalivedRunState, keepalivedRunState } from "../keepalived";
import { KEEPALIVED_CONSOLE_LOG_PATH } from "../limits";
import { quoteShellWord } from "../shell-word";
import type { InitSystem } from "./node-facts";

/** Where Keepalived writes its parent's pid when not run by systemd (its compiled-in default). */
export const KEEPALIVED_PID_FILE = "/run/keepalived.pid";

/** How long the non-systemd stop waits for the process to exit, in 0.1 s steps. */
const STOP_WAIT_STEPS = 200;

export interface KeepalivedStatus {
  /** True only when Keepalived runs and is not on its way in or out (runState "running"). */
  readonly running: boolean;
  readonly runState: KeepalivedRunState;
  /** IPv4 addresses on the VRRP interface, without prefix length. */
  readonly addresses: readonly string[];
  /** First line of the state file the notify script writes (MASTER, BACKUP, FAULT, STOP). */
  readonly notifiedState?: string;
}

const SYSTEMD_MAIN_PID = [
  'echo "unit_state=$(systemctl is-active keepalived 2>/dev/null)"',
  // `show -p` without --value: systemd 219 (CentOS 7 era) has no --value.
  "pid=$(systemctl show -p MainPID keepalived 2>/dev/null | sed -n 's/^MainPID=//p')",
];

const PID_FILE_MAIN_PID = [
  `pid=; if [ -r ${KEEPALIVED_PID_FILE} ]; then pid=$(cat ${KEEPALIVED_PID_FILE}); fi`,
  'if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then pid=$(pgrep -o -x keepalived 2>/dev/null); fi',
];

/**
 * Prints the main Keepalived process's pid as `pid=`: systemd's MainPID, else the pid file, else
 * the oldest `keepalived`. "detect" decides on the node, for a first read that does not know yet.
 */
function mainPidScript(init: InitSystem | "detect"): string {
  if (init === "systemd") return SYSTEMD_MAIN_PID.join("\n");
  if (init === "other") return PID_FILE_MAIN_PID.join("\n");
  return ["if [ -d /run/systemd/system ]; then", ...SYSTEMD_MAIN_PID, "else", ...PID_FILE_MAIN_PID, "fi"].join("\n");
}

/** The shell script that reads Keepalived's status: `key=value` lines that parseKeepalivedStatus reads. */
export function keepalivedStatusScript(init: InitSystem | "detect", interfaceName: string): string {
  const stateFile = quoteShellWord(DEFAULT_KEEPALIVED_FILE_PATHS.stateFilePath);
  return [
    mainPidScript(init),
    'if [ -n "$pid" ] && [ "$pid" != 0 ] && [ -r "/proc/$pid/stat" ]; then',
    '  echo "pid_comm=$(cat "/proc/$pid/comm" 2>/dev/null)"',
    // Fields after "PID (COMM) ": 1 is the state letter, 20 the start time in clock ticks since boot.
    '  sed \'s/^.*) //\' "/proc/$pid/stat" | awk \'{print "pid_state=" $1; print "pid_start_ticks=" $20}\'',
    '  echo "clock_ticks=$(getconf CLK_TCK)"',
    "  sed -n 's/^btime /boot_time=/p' /proc/stat",
    "fi",
    `ip -o -4 addr show dev ${quoteShellWord(interfaceName)} 2>/dev/null | awk '{print "address=" $4}'`,
    `if [ -r ${stateFile} ]; then sed -n '1s/^/state=/p' ${stateFile}; echo "state_written_at=$(date -r ${stateFile} +%s.%N)"; fi`,
  ].join("\n");
}

export function parseKeepalivedStatus(output: string): KeepalivedStatus {
  const lines = output.split("\n");
  const value = (key: string) => lines.filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1).trim());
  const first = (key: string) => value(key)[0] || undefined;
  const number = (key: string) => {
    const text = first(key);
    return text !== undefined && /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
  };
  const [startTicks, clockTicks, bootTime] = [number("pid_start_ticks"), number("clock_ticks"), number("boot_time")];
  const pidState = first("pid_state");
  const report: KeepalivedProcessReport = {
    unitState: lines.some((l) => l.startsWith("unit_state=")) ? (first("unit_state") ?? "unknown") : undefined,
    process:
      pidState !== undefined && startTicks !== undefined && clockTicks && bootTime !== undefined
        ? { command: first("pid_comm") ?? "", state: pidState, startedAt: bootTime + startTicks / clockTicks }
        : undefined,
    notifiedState: first("state"),
    notifiedAt: number("state_written_at"),
  };
  const runState = keepalivedRunState(report);
  return {
    running: runState === "running",
    runState,
    addresses: value("address").map((cidr) => cidr.split("/")[0]),
    notifiedState: report.notifiedState,
  };
}

/** Fails with systemd's view of the unit unless it is exactly `active` (a unit whose condition failed starts "successfully" and stays inactive). */
const SYSTEMD_EXPECT_ACTIVE =
  '{ state=$(systemctl is-active keepalived); if [ "$state" != active ]; then echo "keepalived.service is $state" >&2; ' +
  "systemctl status --no-pager --lines=20 keepalived >&2; exit 1; fi; }";

/**
 * How Keepalived is started: by systemd where it runs (enabled, so it comes back after a
 * reboot), else detached with all three standard streams redirected (or the SSH session hangs)
 * and its console log in a file that logrotate rotates. Only run when Keepalived is stopped.
 */
export function startCommand(init: InitSystem, configPath: string): string {
  return init === "systemd"
    ? // enable and start apart: `enable --now` needs systemd 220.
      `systemctl --quiet enable keepalived && systemctl start keepalived && ${SYSTEMD_EXPECT_ACTIVE}`
    : `setsid keepalived --dont-fork --log-console -f ${quoteShellWord(configPath)} </dev/null >>${KEEPALIVED_CONSOLE_LOG_PATH} 2>&1 &`;
}

/** A real reload: every Debian unit (2.1.5, 2.2.7, 2.3.3) and upstream's have `ExecReload=/bin/kill -HUP $MAINPID`. */
export function reloadCommand(init: InitSystem): string {
  return init === "systemd" ? `systemctl reload keepalived && ${SYSTEMD_EXPECT_ACTIVE}` : `kill -HUP "$(cat ${KEEPALIVED_PID_FILE})"`;
}

/** Stops Keepalived and returns once it has exited; fails when it is still there. */
export function stopCommand(init: InitSystem): string {
  return init === "systemd"
    ? "systemctl stop keepalived"
    : `if [ -f ${KEEPALIVED_PID_FILE} ]; then pid=$(cat ${KEEPALIVED_PID_FILE}); kill -TERM "$pid" 2>/dev/null; ` +
        `i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt ${STOP_WAIT_STEPS} ]; do sleep 0.1; i=$((i+1)); done; ` +
        `if kill -0 "$pid" 2>/dev/null; then echo "keepalived (pid $pid) is still running ${STOP_WAIT_STEPS / 10} s after SIGTERM" >&2; exit 1; fi; fi`;
}
