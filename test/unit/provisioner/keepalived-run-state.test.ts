import { describe, expect, it } from "vitest";
import { keepalivedRunState, type KeepalivedProcessReport } from "../../../lib/core/keepalived";
import { parseKeepalivedStatus } from "../../../lib/core/node/keepalived-service";

const STARTED = 1_700_000_000.5;
const alive = { command: "keepalived", state: "S", startedAt: STARTED };

describe("keepalivedRunState", () => {
  it.each<[string, KeepalivedProcessReport, string]>([
    ["an active unit", { unitState: "active", process: alive, notifiedState: "BACKUP", notifiedAt: STARTED + 1 }, "running"],
    [
      "an active unit with a STOP left from before it started",
      { unitState: "active", process: alive, notifiedState: "STOP", notifiedAt: STARTED - 30 },
      "running",
    ],
    [
      "an active unit whose process recorded its own STOP (SIGTERM not from systemd)",
      { unitState: "active", process: alive, notifiedState: "STOP", notifiedAt: STARTED + 60 },
      "stopping",
    ],
    ["an active unit whose main process is a zombie", { unitState: "active", process: { ...alive, state: "Z" } }, "stopping"],
    ["an active unit without a main pid", { unitState: "active" }, "running"],
    ["a deactivating unit", { unitState: "deactivating", process: alive }, "stopping"],
    ["an activating unit", { unitState: "activating" }, "starting"],
    ["a reloading unit", { unitState: "reloading", process: alive }, "reloading"],
    ["a refreshing unit (systemd 257)", { unitState: "refreshing", process: alive }, "reloading"],
    ["an inactive unit", { unitState: "inactive" }, "stopped"],
    ["a failed unit", { unitState: "failed" }, "stopped"],
    ["a unit systemd does not know", { unitState: "unknown" }, "stopped"],
    ["no systemd, a live keepalived", { process: alive, notifiedState: "MASTER", notifiedAt: STARTED + 2 }, "running"],
    [
      "no systemd, a live keepalived that recorded its own STOP",
      { process: alive, notifiedState: "STOP", notifiedAt: STARTED + 2 },
      "stopping",
    ],
    ["no systemd, a live keepalived with an older STOP", { process: alive, notifiedState: "STOP", notifiedAt: STARTED - 0.2 }, "running"],
    ["no systemd, a pid file naming a reused pid", { process: { ...alive, command: "bash" } }, "stopped"],
    ["no systemd, a zombie", { process: { ...alive, state: "Z" } }, "stopped"],
    ["no systemd, no process", { notifiedState: "STOP", notifiedAt: STARTED }, "stopped"],
  ])("%s: %s", (_name, report, state) => {
    expect(keepalivedRunState(report)).toBe(state);
  });
});

describe("parseKeepalivedStatus", () => {
  const proc = "pid_comm=keepalived\npid_state=S\npid_start_ticks=150000\nclock_ticks=100\nboot_time=1700000000\n";

  it("reads a running Keepalived, addresses without prefix length and the notified state", () => {
    const status = parseKeepalivedStatus(
      `${proc}address=172.16.16.5/24\naddress=172.16.16.12/24\nstate=MASTER\nstate_written_at=1700001600.25\n`,
    );
    expect(status).toEqual({ running: true, runState: "running", addresses: ["172.16.16.5", "172.16.16.12"], notifiedState: "MASTER" });
  });

  it("computes the process start from boot time and clock ticks: a STOP written after it means stopping", () => {
    // started at 1700000000 + 150000/100 = 1700001500
    expect(parseKeepalivedStatus(`${proc}state=STOP\nstate_written_at=1700001500.01\n`).runState).toBe("stopping");
    expect(parseKeepalivedStatus(`${proc}state=STOP\nstate_written_at=1700001499.99\n`).runState).toBe("running");
  });

  it("reads systemd's unit state, and an empty answer as unknown (stopped)", () => {
    expect(parseKeepalivedStatus(`unit_state=deactivating\n${proc}`)).toMatchObject({ running: false, runState: "stopping" });
    expect(parseKeepalivedStatus(`unit_state=active\n${proc}`)).toMatchObject({ running: true, runState: "running" });
    expect(parseKeepalivedStatus("unit_state=\n")).toMatchObject({ running: false, runState: "stopped" });
  });

  it("reads a stopped node without a state file", () => {
    expect(parseKeepalivedStatus("address=172.16.16.6/24\n")).toEqual({
      running: false,
      runState: "stopped",
      addresses: ["172.16.16.6"],
      notifiedState: undefined,
    });
  });

  it("treats missing or garbled process facts as no process", () => {
    expect(parseKeepalivedStatus("").running).toBe(false);
    expect(parseKeepalivedStatus("pid_comm=keepalived\npid_state=S\npid_start_ticks=x\nclock_ticks=100\nboot_time=1\n").running).toBe(
      false,
    );
    expect(parseKeepalivedStatus("pid_comm=keepalived\npid_state=S\npid_start_ticks=5\nclock_ticks=0\nboot_time=1\n").running).toBe(false);
  });

  it("treats an empty state line as no state", () => {
    expect(parseKeepalivedStatus(`${proc}state=\n`).notifiedState).toBeUndefined();
  });
});
