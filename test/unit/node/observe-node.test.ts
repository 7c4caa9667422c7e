import { describe, expect, it } from "vitest";
import { parseNodeObservation, parseStatusObservation } from "../../../lib/core/node/observe-node";

const OUTPUT = [
  "os_id=debian",
  "os_pretty=Debian GNU/Linux 12 (bookworm)",
  "package_manager=apt-get",
  "init=systemd",
  "keepalived_version=Keepalived v2.2.7 (01/16,2022)",
  "interface=lo",
  "interface=eth0",
  "command=logrotate",
  "boot_id=1f0c/4242",
  "unit_state=active",
  "pid_comm=keepalived",
  "pid_state=S",
  "pid_start_ticks=1500",
  "clock_ticks=100",
  "boot_time=1700000000",
  "address=172.16.16.5/24",
  "address=172.16.16.12/24",
  "state=MASTER",
  "state_written_at=1700000100.5",
  "file=/etc/keepalived/keepalived.conf\t600 root root\t" + "a".repeat(64),
  "file=/etc/sysctl.d/90-havip-nonlocal-bind.conf\tmissing",
  "config_auth_pass=Pa55word",
  "applied=" + "b".repeat(64),
  "nonlocal_bind=0",
  "package=nginx",
  "keepalived_held=yes",
].join("\n");

describe("parseNodeObservation (the observation script's output)", () => {
  it("reads facts, Keepalived's status, file states, the running password, records, the sysctl, packages and the hold", () => {
    const seen = parseNodeObservation(OUTPUT);
    expect(seen.facts).toMatchObject({ osId: "debian", packageManager: "apt-get", initSystem: "systemd", bootId: "1f0c/4242" });
    expect(seen.keepalived).toEqual({
      running: true,
      runState: "running",
      addresses: ["172.16.16.5", "172.16.16.12"],
      notifiedState: "MASTER",
    });
    expect(seen.files).toEqual([
      { path: "/etc/keepalived/keepalived.conf", exists: true, mode: 0o600, owner: "root", group: "root", sha256: "a".repeat(64) },
      { path: "/etc/sysctl.d/90-havip-nonlocal-bind.conf", exists: false },
    ]);
    expect(seen).toMatchObject({
      configAuthPass: "Pa55word",
      appliedFingerprint: "b".repeat(64),
      serviceSetupFingerprint: undefined,
      nonlocalBind: "0",
      installedPackages: ["nginx"],
      keepalivedHeld: true,
    });
  });

  it("reads a bare node: nothing installed, nothing recorded, not held", () => {
    const seen = parseNodeObservation("os_id=debian\ninit=other\nnonlocal_bind=\n");
    expect(seen).toMatchObject({ installedPackages: [], keepalivedHeld: false, configAuthPass: undefined, nonlocalBind: undefined });
    expect(seen.keepalived).toMatchObject({ running: false, runState: "stopped" });
  });
});

describe("parseStatusObservation", () => {
  it("reads the notify log's last lines beside the status", () => {
    const seen = parseStatusObservation(`${OUTPUT}\nnotify_log=2026-12-06T10:00:00 havip_lab MASTER\nnotify_log=\n`);
    expect(seen.notifyLog).toEqual(["2026-12-06T10:00:00 havip_lab MASTER"]);
    expect(seen.keepalived.notifiedState).toBe("MASTER");
  });
});
