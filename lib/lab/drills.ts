import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_MAINTENANCE_FLAG_PATH } from "../core/limits";
import { CLUSTER_SPEC_ENV } from "../cli/load-cluster-spec";
import { cliArgv, provisionArgv } from "../cli/provision-invocation";
import { readFileSync } from "node:fs";
import { formatDrillTable, masterDownIntervalSeconds, skewTimeSeconds, type DrillResult } from "./drill-measurement";
import { LAB_ADVERT_INT_SECONDS } from "./lab-cluster-spec";
import type { LabLayout, LabServerName } from "./lab-layout";
import { runInOperatorNamespace } from "./lab-operator";
import { healPartition, partitionServers } from "./lab-partition";
import { startOutageProbe } from "./outage-probe";
import { labStatus } from "./lab-status";
import { execInServer, setLink, signalKeepalived, vipHolders } from "./server-inspection";
import { DEFAULT_PRIORITY } from "../core/limits";

export const DRILL_NAMES = [
  "machine-crash",
  "graceful-stop",
  "link-down",
  "health-check-fails",
  "old-master-returns",
  "partition-heals",
] as const;
export type DrillName = (typeof DRILL_NAMES)[number];

export interface LabDrillResult extends DrillResult {
  /** Server that held the VIP when the fault was injected. */
  readonly faultOn: LabServerName;
  /** Who holds the VIP once the drill has restored the lab. Exactly one is a pass. */
  readonly finalHolders: readonly LabServerName[];
  readonly note?: string;
}

const peerOf = (server: LabServerName): LabServerName => (server === "a" ? "b" : "a");

const MASTER_DOWN_S = masterDownIntervalSeconds(LAB_ADVERT_INT_SECONDS, DEFAULT_PRIORITY);
const SKEW_S = skewTimeSeconds(LAB_ADVERT_INT_SECONDS, DEFAULT_PRIORITY);
/** The drills see a move by polling `ip addr` every 50 ms from another process: allow for that. */
const POLL_SLACK_S = 0.25;
/** How long a drill waits for an expected VIP move before calling it failed. */
const MOVE_TIMEOUT_MS = Math.ceil((3 * MASTER_DOWN_S + 5) * 1000);

/** Polls until `accept(holders)` holds; returns the elapsed seconds, or undefined on timeout. */
async function waitForHolders(lab: LabLayout, accept: (holders: LabServerName[]) => boolean, timeoutMs: number): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (accept(await vipHolders(lab))) return (Date.now() - started) / 1000;
    await sleep(50);
  }
  return undefined;
}

/**
 * Waits until the lab is ready for the next drill: one VIP holder, and Keepalived running on both
 * servers in MASTER or BACKUP (a server still in FAULT, e.g. waiting for `rise` good checks, could
 * not take over, and the next drill would measure that instead of its own fault).
 */
async function waitForSteadyLab(lab: LabLayout, timeoutMs: number): Promise<boolean> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const status = await labStatus(lab);
    const steady = status.servers.every((s) => s.keepalivedPid !== undefined && (s.vrrpState === "MASTER" || s.vrrpState === "BACKUP"));
    if (steady && status.vipHolders.length === 1) return true;
    await sleep(200);
  }
  return false;
}

async function singleHolder(lab: LabLayout): Promise<LabServerName> {
  const steady = await waitForSteadyLab(lab, MOVE_TIMEOUT_MS + 10_000);
  const holders = await vipHolders(lab);
  if (!steady || holders.length !== 1) {
    throw new Error(`a drill starts from a steady lab (Keepalived MASTER/BACKUP on both, one VIP holder); VIP holders now: ${holders.join(", ") || "none"}`);
  }
  return holders[0];
}

/** Runs the provisioner (the same command as `lab up` and cdktf's local-exec), quietly. */
async function reprovision(lab: LabLayout): Promise<void> {
  const env = { ...process.env, [CLUSTER_SPEC_ENV]: readFileSync(lab.specPath, "utf8") };
  const result = await runInOperatorNamespace(lab, [...provisionArgv(), "--json"], { env, timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`re-provisioning the lab failed (exit ${result.code}): ${result.stderr.trim()}`);
}

/** Runs `havip-cluster failover-test` in the operator namespace, as a user would against a cluster. */
async function runFailoverTestInLab(lab: LabLayout): Promise<void> {
  const env = { ...process.env, [CLUSTER_SPEC_ENV]: readFileSync(lab.specPath, "utf8") };
  const result = await runInOperatorNamespace(lab, [...cliArgv("failover-test"), "--json", "--probe-port", "9"], { env, timeoutMs: 120_000 });
  const report = result.stdout.trim() ? (JSON.parse(result.stdout) as { passed: boolean; problems: string[] }) : undefined;
  if (!report?.passed) {
    throw new Error(`failover-test failed (exit ${result.code}): ${report?.problems.join("; ") ?? result.stderr.trim()}`);
  }
}

async function inServer(lab: LabLayout, server: LabServerName, argv: string[]): Promise<void> {
  const result = await execInServer(lab, server, argv);
  if (result.code !== 0) throw new Error(`${argv.join(" ")} on ${server} failed: ${result.stderr.trim()}`);
}

interface DrillPlan {
  readonly expectedWithinSeconds: number;
  /** Injects the fault on the VIP holder. */
  readonly inject: (lab: LabLayout, master: LabServerName) => Promise<void>;
  /** What the VIP should do after the fault: move to the peer, or stay. */
  readonly expect: "moves" | "stays" | "single-after-heal";
  /** Puts the lab back into a state with Keepalived running on both servers. */
  readonly restore: (lab: LabLayout, master: LabServerName) => Promise<void>;
  readonly note?: string;
}

const DRILLS: Record<DrillName, DrillPlan> = {
  // kill -9 leaves the VIP on the dead node, so a crash is the cable first (nothing more leaves the
  // machine, not even the priority-0 advert a child would send if it saw its parent die), then kill -9.
  "machine-crash": {
    expectedWithinSeconds: MASTER_DOWN_S + POLL_SLACK_S,
    expect: "moves",
    inject: async (lab, master) => {
      await setLink(lab, master, "down");
      await signalKeepalived(lab, master, "SIGKILL", "all");
    },
    restore: async (lab, master) => {
      // A rebooted machine comes back without the VIP on its interface.
      await inServer(lab, master, ["ip", "-4", "addr", "flush", "dev", lab.interfaceName, "to", `${lab.vip}/32`]);
      await setLink(lab, master, "up");
      await reprovision(lab);
    },
  },
  "graceful-stop": {
    expectedWithinSeconds: SKEW_S + 0.5,
    expect: "moves",
    inject: async (lab, master) => void (await signalKeepalived(lab, master, "SIGTERM", "parent")),
    restore: async (lab) => reprovision(lab),
  },
  "link-down": {
    expectedWithinSeconds: MASTER_DOWN_S + POLL_SLACK_S,
    expect: "moves",
    inject: async (lab, master) => setLink(lab, master, "down"),
    restore: async (lab, master) => setLink(lab, master, "up"),
  },
  "health-check-fails": {
    // fall 2 failed checks at the lab's 2 s interval, then the priority-0 handover.
    expectedWithinSeconds: 2 * 2 + 1 + SKEW_S,
    expect: "moves",
    inject: async (lab, master) => inServer(lab, master, ["touch", DEFAULT_MAINTENANCE_FLAG_PATH]),
    restore: async (lab, master) => inServer(lab, master, ["rm", "-f", DEFAULT_MAINTENANCE_FLAG_PATH]),
  },
  // The guide's own test, as `havip-cluster failover-test` runs it against a cluster: stop Keepalived
  // on the master, watch the VIP move, start it again; the drill then checks the VIP stays put.
  "old-master-returns": {
    expectedWithinSeconds: 0,
    expect: "stays",
    note: "failover-test: graceful stop, VIP moves, old master restarted; nopreempt must keep the VIP where it is",
    inject: async (lab) => runFailoverTestInLab(lab),
    restore: async () => undefined,
  },
  "partition-heals": {
    expectedWithinSeconds: MASTER_DOWN_S,
    expect: "single-after-heal",
    note: "A and B cut from each other for 2 master-down intervals (both become MASTER), then healed",
    inject: async (lab) => {
      await partitionServers(lab);
      await sleep(Math.ceil(2 * MASTER_DOWN_S * 1000));
      await healPartition(lab);
    },
    restore: async (lab) => healPartition(lab),
  },
};

/** Injects the fault and returns seconds until the VIP settled as the drill expects (undefined: never). */
async function injectAndObserve(lab: LabLayout, drill: DrillPlan, master: LabServerName, faultAt: number): Promise<number | undefined> {
  await drill.inject(lab, master);
  // A partition's outcome is timed from the heal, which is where inject ends.
  const from = drill.expect === "single-after-heal" ? Date.now() : faultAt;
  if (drill.expect === "stays") {
    await sleep(Math.ceil(2 * MASTER_DOWN_S * 1000));
    return undefined;
  }
  // A crashed server may keep the VIP on its dead interface: what counts is that the peer has it.
  const wanted = drill.expect === "moves" ? (h: LabServerName[]) => h.includes(peerOf(master)) : (h: LabServerName[]) => h.length === 1;
  const waited = await waitForHolders(lab, wanted, MOVE_TIMEOUT_MS);
  return waited === undefined ? undefined : (Date.now() - from) / 1000;
}

async function runDrill(lab: LabLayout, name: DrillName, log: (line: string) => void): Promise<LabDrillResult> {
  const drill = DRILLS[name];
  const master = await singleHolder(lab);
  log(`${name}: VIP on ${master}; injecting the fault there`);
  const probe = await startOutageProbe(lab, { maxProbes: 1200 });
  await sleep(300);
  const faultAt = Date.now();
  let vipMovedAfterSeconds: number | undefined;
  try {
    vipMovedAfterSeconds = await injectAndObserve(lab, drill, master, faultAt);
    await sleep(300);
  } catch (error) {
    await probe.stop();
    throw error;
  }
  const outage = await probe.stop();
  log(`${name}: restoring ${master}`);
  await drill.restore(lab, master);
  const settled = await waitForSteadyLab(lab, MOVE_TIMEOUT_MS + 10_000);
  const finalHolders = await vipHolders(lab);
  log(`${name}: done; VIP on ${finalHolders.join(" and ") || "nobody"}${settled ? "" : " (did not settle)"}`);
  return {
    drill: name,
    faultOn: master,
    vipMovedAfterSeconds,
    longestGapMs: outage.longestGapMs,
    lost: outage.lost,
    sent: outage.sent,
    expectedWithinSeconds: drill.expect === "stays" ? undefined : drill.expectedWithinSeconds,
    expectsMove: drill.expect !== "stays",
    endedWithOneHolder: finalHolders.length === 1,
    finalHolders,
    note: drill.expect === "stays" ? `VIP stayed on ${finalHolders.join(",")} after ${master} returned` : drill.note,
  };
}

/** Runs the named drills one after another on a provisioned lab. */
export async function runDrills(lab: LabLayout, names: readonly string[], log: (line: string) => void): Promise<LabDrillResult[]> {
  const unknown = names.filter((name) => !(DRILL_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown drill(s) ${unknown.join(", ")}; choose from ${DRILL_NAMES.join(", ")}`);
  const results: LabDrillResult[] = [];
  for (const name of names as DrillName[]) results.push(await runDrill(lab, name, log));
  return results;
}

export function formatDrillReport(results: readonly LabDrillResult[]): string {
  const bound = `VRRP bound: master-down interval = 3 x ${LAB_ADVERT_INT_SECONDS} s + (256 - ${DEFAULT_PRIORITY})/256 x ${LAB_ADVERT_INT_SECONDS} s = ${MASTER_DOWN_S.toFixed(3)} s`;
  const endings = results.map((r) => `${r.drill}: fault on ${r.faultOn}, ends with VIP on ${r.finalHolders.join(" and ") || "nobody"}${r.finalHolders.length === 1 ? "" : "  <-- FAIL"}${r.note ? ` (${r.note})` : ""}`);
  return [formatDrillTable(results), "", bound, ...endings].join("\n");
}
