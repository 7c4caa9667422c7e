import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterSpec } from "../../../lib/core/cluster-settings";
import { NONLOCAL_BIND_SYSCTL_PATH } from "../../../lib/core/limits";
import { type Lab, execInServer, keepalivedPid, labDown, labUp, readServerFile, signalKeepalived, vipHolders } from "../../../lab";
import { testLabPrefix } from "../test-lab-prefix";
import { cli, labSpec, provision, skipLab, waitFor } from "./lab-fixture";

const PREFIX = testLabPrefix("havip-svc");
const LOG = "/var/log/keepalived.log";
const SETUP_MARKER = "/var/tmp/havip-service-setup-ran";

/** Hooks that say which state and node they ran for, so each log line proves one transition. */
function serviceSpec(lab: Lab, overrides: Partial<ClusterSpec> = {}): ClusterSpec {
  return {
    ...labSpec(lab),
    hooks: {
      master: 'echo "hook-output $1 on $(hostname)"',
      backup: 'echo "hook-output $1 on $(hostname)"',
      fault: 'echo "hook-output $1 on $(hostname)"',
      stop: 'echo "hook-output $1 on $(hostname)"',
      timeoutSeconds: 10,
    },
    serviceSetup: { command: `echo "setup on $(hostname)" > ${SETUP_MARKER}` },
    ...overrides,
  };
}

async function waitForLog(lab: Lab, server: "a" | "b", pattern: RegExp, ms = 15_000): Promise<string> {
  const log = await waitFor(
    async () => (await readServerFile(lab, server, LOG)) ?? "",
    (text) => pattern.test(text),
    ms,
    (last) => `${server}: ${pattern} not in ${LOG} within ${ms} ms:\n${last}`,
  );
  return log;
}

async function singleHolder(lab: Lab, ms = 15_000): Promise<"a" | "b"> {
  const holders = await waitFor(
    () => vipHolders(lab),
    (found) => found.length === 1,
    ms,
    (last) => `VIP holders after ${ms} ms: ${last.join(", ") || "none"}`,
  );
  return holders[0] as "a" | "b";
}

/** Waits (up to `until`, a time) until Keepalived has exited on `server`. */
async function waitForKeepalivedGone(lab: Lab, server: "a" | "b", until: number): Promise<void> {
  await waitFor(
    () => keepalivedPid(lab, server),
    (pid) => pid === undefined,
    until - Date.now(),
  );
}

describe.skipIf(skipLab)("the service behind the VIP, provisioned over SSH into the lab", () => {
  let lab: Lab;

  beforeAll(async () => {
    await labDown({ prefix: PREFIX });
    lab = await labUp({ prefix: PREFIX });
  }, 60_000);

  afterAll(async () => {
    await labDown({ prefix: PREFIX });
  }, 30_000);

  it("lists the sysctl, package hold and service setup in --dry-run and changes nothing", async () => {
    const dryRun = await cli(lab, ["provision", "--dry-run"], serviceSpec(lab));
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain("package: would apt-mark hold keepalived");
    expect(dryRun.stdout).toContain("would sysctl: net.ipv4.ip_nonlocal_bind = 1 (persisted, applied)");
    expect(dryRun.stdout).toContain("would service: run /bin/sh -c ");
    for (const server of ["a", "b"] as const) {
      expect(await readServerFile(lab, server, NONLOCAL_BIND_SYSCTL_PATH)).toBeUndefined();
      expect(await readServerFile(lab, server, SETUP_MARKER)).toBeUndefined();
    }
  }, 60_000);

  it("runs the service setup, persists and applies ip_nonlocal_bind, and holds the keepalived package on both nodes", async () => {
    const result = await provision(lab, serviceSpec(lab));
    expect(result.stderr).not.toMatch(/failed/i);
    expect(result.code).toBe(0);
    for (const server of ["a", "b"] as const) {
      expect(await readServerFile(lab, server, SETUP_MARKER)).toMatch(/^setup on /);
      expect(await readServerFile(lab, server, NONLOCAL_BIND_SYSCTL_PATH)).toMatch(/^net\.ipv4\.ip_nonlocal_bind = 1$/m);
      expect((await execInServer(lab, server, ["sysctl", "-n", "net.ipv4.ip_nonlocal_bind"])).stdout.trim()).toBe("1");
      expect((await execInServer(lab, server, ["apt-mark", "showhold"])).stdout.split("\n")).toContain("keepalived");
    }
    const report = result.report as unknown as { nodes: { packageHold?: string }[] };
    expect(report.nodes.map((node) => node.packageHold)).toEqual(["held", "held"]);
  }, 90_000);

  it("runs the MASTER hook on the VIP holder and the BACKUP hook on the other, with their output in the notify log", async () => {
    const holder = await singleHolder(lab);
    const backup = holder === "a" ? "b" : "a";
    const masterLog = await waitForLog(lab, holder, /MASTER hook: exited 0/);
    expect(masterLog).toMatch(/hook-output MASTER on /);
    const backupLog = await waitForLog(lab, backup, /BACKUP hook: exited 0/);
    expect(backupLog).toMatch(/hook-output BACKUP on /);
  }, 30_000);

  it("runs the STOP hook when the master stops gracefully, and the MASTER hook on the peer that takes over", async () => {
    const holder = await singleHolder(lab);
    const peer = holder === "a" ? "b" : "a";
    const peerMastersBefore = ((await readServerFile(lab, peer, LOG)) ?? "").match(/MASTER hook: exited 0/g)?.length ?? 0;
    await signalKeepalived(lab, holder, "SIGTERM", "parent");
    const stopped = await waitForLog(lab, holder, /STOP hook: exited 0/);
    expect(stopped).toMatch(/hook-output STOP on /);
    expect(await singleHolder(lab)).toBe(peer);
    const deadline = Date.now() + 15_000;
    const peerLog = await waitFor(
      async () => (await readServerFile(lab, peer, LOG)) ?? "",
      (log) => (log.match(/MASTER hook: exited 0/g)?.length ?? 0) > peerMastersBefore,
      deadline - Date.now(),
    );
    expect(peerLog.match(/MASTER hook: exited 0/g)?.length ?? 0).toBeGreaterThan(peerMastersBefore);
    await waitForKeepalivedGone(lab, holder, deadline);
    const restored = await provision(lab, serviceSpec(lab));
    expect(restored.code).toBe(0);
    expect(restored.report?.nodes.find((node) => node.node === holder)?.action).toBe("start");
  }, 90_000);

  it("keeps recording states when a hook fails or hangs", async () => {
    const spec = serviceSpec(lab, { hooks: { backup: "sleep 60", stop: "exit 7", timeoutSeconds: 1 } });
    expect((await provision(lab, spec)).code).toBe(0);
    const backup = (await singleHolder(lab)) === "a" ? "b" : "a";
    await signalKeepalived(lab, backup, "SIGTERM", "parent");
    await waitForLog(lab, backup, /STOP hook: exited 7/);
    expect((await readServerFile(lab, backup, "/var/keepalived/state"))?.trim()).toBe("STOP");
    const deadline = Date.now() + 10_000;
    await waitForKeepalivedGone(lab, backup, deadline);
    expect((await provision(lab, spec)).code).toBe(0);
    // The BACKUP hook hangs; the timeout ends it, and the state was recorded first.
    await waitForLog(lab, backup, /BACKUP hook: timed out after 1 s/);
    expect((await readServerFile(lab, backup, "/var/keepalived/state"))?.trim()).toBe("BACKUP");
  }, 90_000);

  it("removes the sysctl file and sets 0 when nonlocalBind is turned off", async () => {
    const result = await provision(lab, serviceSpec(lab, { nonlocalBind: false }));
    expect(result.code).toBe(0);
    for (const server of ["a", "b"] as const) {
      expect(await readServerFile(lab, server, NONLOCAL_BIND_SYSCTL_PATH)).toBeUndefined();
      expect((await execInServer(lab, server, ["sysctl", "-n", "net.ipv4.ip_nonlocal_bind"])).stdout.trim()).toBe("0");
    }
  }, 90_000);

  it("upgrades Keepalived with --upgrade-keepalived one node at a time, the VIP holder last, and keeps the package held", async () => {
    // The lab has no newer package, so the upgrade changes no version; the order, the hold and one VIP holder throughout are real.
    const holder = await singleHolder(lab);
    const result = await provision(lab, serviceSpec(lab), ["--upgrade-keepalived"]);
    expect(result.code).toBe(0);
    const upgrade = (result.report as unknown as { keepalivedUpgrade: { nodeName: string; before: string; after: string }[] })
      .keepalivedUpgrade;
    expect(upgrade.map((step) => step.nodeName)).toEqual([holder === "a" ? "b" : "a", holder]);
    expect(upgrade.every((step) => step.after === step.before)).toBe(true);
    expect(await vipHolders(lab)).toEqual([holder]);
    for (const server of ["a", "b"] as const) {
      expect((await execInServer(lab, server, ["apt-mark", "showhold"])).stdout.split("\n")).toContain("keepalived");
    }
  }, 120_000);

  it("runs a 0.2 s advert interval as VRRPv3 on the real Keepalived: one holder, a graceful stop hands over, hooks still run", async () => {
    const fast = serviceSpec(lab, { advertIntSeconds: 0.2 });
    const result = await provision(lab, fast);
    expect(result.code).toBe(0);
    for (const server of ["a", "b"] as const) {
      const conf = (await readServerFile(lab, server, "/etc/keepalived/keepalived.conf")) ?? "";
      expect(conf).toMatch(/vrrp_version 3\n/);
      expect(conf).toMatch(/advert_int 0\.2\n/);
      expect(conf).not.toMatch(/auth_pass/);
    }
    const holder = await singleHolder(lab);
    const peer = holder === "a" ? "b" : "a";
    await signalKeepalived(lab, holder, "SIGTERM", "parent");
    expect(await singleHolder(lab)).toBe(peer);
    await waitForLog(lab, holder, /STOP hook: exited 0/);
    const deadline = Date.now() + 10_000;
    await waitForKeepalivedGone(lab, holder, deadline);
    const restored = await provision(lab, fast);
    expect(restored.code).toBe(0);
    expect(restored.report?.vipHolder).toBe(peer);
  }, 120_000);
});
