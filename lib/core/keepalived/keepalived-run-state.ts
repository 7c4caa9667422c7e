/**
 * Whether a node's Keepalived runs, decided from what the node reports. A gracefully stopping
 * Keepalived hands the VIP over within milliseconds but lives on for about a second (2.2.7,
 * measured: VIP gone and notify STOP written after 14 ms, process gone after 1.3 s), with its pid
 * file in place and, under systemd, its unit still `active` when the SIGTERM did not come from
 * systemd. Counting it as running makes a provisioning run started in that second do nothing and
 * leave the node stopped.
 */
export type KeepalivedRunState = "running" | "stopped" | "starting" | "stopping" | "reloading";

/** States that change by themselves within seconds: wait them out before deciding anything. */
export function isSettledRunState(state: KeepalivedRunState): boolean {
  return state === "running" || state === "stopped";
}

export interface KeepalivedProcessReport {
  /** `systemctl is-active keepalived` where the node runs systemd. */
  readonly unitState?: string;
  /** The main Keepalived process (systemd's MainPID, else the pid file or the oldest `keepalived`), when it exists. */
  readonly process?: {
    /** `/proc/PID/comm`. */
    readonly command: string;
    /** State letter of `/proc/PID/stat` (R, S, D, Z, ...). */
    readonly state: string;
    /** Seconds since the epoch, from the start time in `/proc/PID/stat`, `btime` and `CLK_TCK`. */
    readonly startedAt: number;
  };
  /** First line of the state file the notify script writes, and when it was written (seconds since the epoch). */
  readonly notifiedState?: string;
  readonly notifiedAt?: number;
}

/** `systemctl is-active` answers; anything else (inactive, failed, unknown) means not running. */
const UNIT_STATES: Readonly<Record<string, KeepalivedRunState>> = {
  active: "running",
  activating: "starting",
  deactivating: "stopping",
  reloading: "reloading",
  /** systemd 257 names a reload in progress this way too. */
  refreshing: "reloading",
};

/** Alive and not a zombie; without systemd the pid must also still be Keepalived's (a stale pid file may name a reused pid). */
function processAlive(report: KeepalivedProcessReport, checkCommand: boolean): boolean {
  const proc = report.process;
  return proc !== undefined && (!checkCommand || proc.command === "keepalived") && proc.state !== "Z" && proc.state !== "X";
}

/** The process recorded STOP after it started: it is shutting down, not a stale STOP from an earlier run. */
function notifiedItsOwnStop(report: KeepalivedProcessReport): boolean {
  const proc = report.process;
  return report.notifiedState === "STOP" && proc !== undefined && report.notifiedAt !== undefined && report.notifiedAt >= proc.startedAt;
}

export function keepalivedRunState(report: KeepalivedProcessReport): KeepalivedRunState {
  if (report.unitState !== undefined) {
    const state = UNIT_STATES[report.unitState] ?? "stopped";
    if (state !== "running") return state;
    // An active unit whose main process is already gone is about to become inactive.
    if (report.process !== undefined && !processAlive(report, false)) return "stopping";
    return notifiedItsOwnStop(report) ? "stopping" : "running";
  }
  if (!processAlive(report, true)) return "stopped";
  return notifiedItsOwnStop(report) ? "stopping" : "running";
}
