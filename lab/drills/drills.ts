import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { pollUntil } from "../../lib/core/poll-until";
import { DEFAULT_MAINTENANCE_FLAG_PATH, DEFAULT_PRIORITY, DEFAULT_STATE_FILE_PATH } from "../../lib/core/limits";
import { CLUSTER_SPEC_ENV, cliArgv, provisionArgv } from "../../lib/spec/provision-invocation";
import type { FailoverTestResult } from "../../lib/operations/failover-test";
import { formatDrillTable, masterDownIntervalSeconds, skewTimeSeconds, type DrillResult } from "./drill-measurement";
import { LAB_ADVERT_INT_SECONDS, LAB_HEALTH_CHECK, LAB_SERVICE_PAGE_PATH, type LabService } from "../lab-cluster-spec";
import type { LabLayout, LabServerName } from "../lab-layout";
import { runInOperatorNamespace } from "../network/lab-operator";
import { healPartition, partitionServers } from "../network/lab-partition";
import { clusterHealth } from "../../lib/core/health";
import { labObservations, labStatus, type LabStatus } from "../lab-status";
import { startOutageProbe, type OutageSummary } from "../probe/outage-probe";
import {
  crashServer,
  execInServer,
  rebootServer,
  serverFileModifiedAt,
  setLink,
  signalKeepalived,
  vipHolders,
} from "../servers/server-inspection";

export const DRILL_NAMES = [
  "machine-crash",
  "graceful-stop",
  "link-down",
  "health-check-fails",
  "old-master-returns",
  "partition-heals",
  "reboot",
] as const;
/** Drills of a lab with a service behind the VIP (`lab up --service nginx`): the service fails, not Keepalived. */
export const SERVICE_DRILL_NAMES = ["nginx-dies-on-master", "nginx-dies-on-backup"] as const;
export type DrillName = (typeof DRILL_NAMES)[number] | (typeof SERVICE_DRILL_NAMES)[number];

/** A lab as the drills need it: its layout, and the service `lab up --service` put behind the VIP. */
export type DrillLab = LabLayout & { readonly service?: LabService };

/**
 * The drills that fit a lab: with a service, its two service drills replace health-check-fails
 * (the maintenance flag is not the health check then).
 */
export function drillNamesFor(lab: DrillLab): DrillName[] {
  if (lab.service === undefined) return [...DRILL_NAMES];
  return [...DRILL_NAMES.filter((name) => name !== "health-check-fails"), ...SERVICE_DRILL_NAMES];
}

export interface LabDrillResult extends DrillResult {
  /** Server the fault was injected on: the VIP holder, except in a drill that faults the backup. @default - the drill was not run */
  readonly faultOn?: LabServerName;
  /**
   * Servers whose page answered the HTTP probe through the VIP, in order, repeats collapsed
   * (`["a", "b"]`: a served, then b). @default - no service: the probe was a TCP connect
   */
  readonly httpResponders?: readonly string[];
  /**
   * The VRRP bound for this fault at the lab's timing: the master-down interval for a silent
   * master, the skew for a graceful handover, `fall` x interval + skew for a failing health check.
   * @default - the VIP must not move
   */
  readonly vrrpBoundSeconds?: number;
  /** Who holds the VIP once the drill has restored the lab. Exactly one is a pass. */
  readonly finalHolders: readonly LabServerName[];
  readonly note?: string;
}

const peerOf = (server: LabServerName): LabServerName => (server === "a" ? "b" : "a");
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

const MASTER_DOWN_S = masterDownIntervalSeconds(LAB_ADVERT_INT_SECONDS, DEFAULT_PRIORITY);
const SKEW_S = skewTimeSeconds(LAB_ADVERT_INT_SECONDS, DEFAULT_PRIORITY);
/** The drills see a move by polling `ip addr` every 50 ms from another process: allow for that. */
const POLL_SLACK_S = 0.25;
/** failover-test sees the move by reading the peer's addresses over SSH (~0.4 s measured on the lab). */
const SSH_POLL_SLACK_S = 1;
/** `systemctl reboot` returns before systemd has stopped Keepalived: allow for its queueing of the stop jobs. */
const SYSTEMD_STOP_SLACK_S = 1;
/** How long a drill waits for an expected VIP move before calling it failed. */
const MOVE_TIMEOUT_MS = Math.ceil((3 * MASTER_DOWN_S + 5) * 1000);
/** How long the lab may take to be steady again (before a drill, and after its restore). */
const SETTLE_TIMEOUT_MS = MOVE_TIMEOUT_MS + 10_000;

/** Polls until `accept(holders)` holds; returns the elapsed seconds, or undefined on timeout. */
async function waitForHolders(
  lab: LabLayout,
  accept: (holders: LabServerName[]) => boolean,
  timeoutMs: number,
): Promise<number | undefined> {
  const outcome = await pollUntil(() => vipHolders(lab), accept, { timeoutMs, intervalMs: 50 });
  return outcome.done ? outcome.elapsedMs / 1000 : undefined;
}

/**
 * What keeps the lab from being ready for a drill, or undefined when it is: one VIP holder, and
 * Keepalived running on both servers in MASTER or BACKUP (a server still in FAULT, e.g. waiting for
 * `rise` good checks, could not take over, and the next drill would measure that instead of its own fault).
 */
export function labUnsteadiness(status: LabStatus): string | undefined {
  const verdict = clusterHealth([status.vip], labObservations(status), undefined, "server");
  return verdict.healthy ? undefined : verdict.problems.join("; ");
}

/** Waits until the lab is steady (see labUnsteadiness); resolves with what is still wrong after timeoutMs, or undefined. */
async function waitForSteadyLab(lab: LabLayout, timeoutMs: number): Promise<string | undefined> {
  const outcome = await pollUntil(
    async () => labUnsteadiness(await labStatus(lab)),
    (unsteadiness) => unsteadiness === undefined,
    {
      timeoutMs,
      intervalMs: 200,
    },
  );
  return outcome.value;
}

/** Runs the provisioner (the same command as `lab up` and cdktf's local-exec), quietly. */
async function reprovision(lab: LabLayout): Promise<void> {
  const env = { ...process.env, [CLUSTER_SPEC_ENV]: readFileSync(lab.specPath, "utf8") };
  const result = await runInOperatorNamespace(lab, [...provisionArgv(), "--json"], { env, timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`re-provisioning the lab failed (exit ${result.code}): ${result.stderr.trim()}`);
}

type FailoverTestFacts = Pick<FailoverTestResult, "from" | "to" | "vipMovedAfterSeconds" | "nopreemptHeld" | "passed" | "problems">;

/** Runs `havip-cluster failover-test --json` in the operator namespace, as a user would against a cluster, and returns its report. */
async function runFailoverTestInLab(lab: LabLayout): Promise<FailoverTestFacts> {
  const env = { ...process.env, [CLUSTER_SPEC_ENV]: readFileSync(lab.specPath, "utf8") };
  const result = await runInOperatorNamespace(lab, [...cliArgv("failover-test"), "--json", "--probe-port", "9"], {
    env,
    timeoutMs: 120_000,
  });
  let report: FailoverTestFacts | undefined;
  try {
    report = JSON.parse(result.stdout) as FailoverTestFacts;
  } catch {
    report = undefined;
  }
  if (typeof report?.passed !== "boolean" || !Array.isArray(report.problems)) {
    throw new Error(`failover-test gave no report (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim() || "no output"}`);
  }
  return report;
}

async function inServer(lab: LabLayout, server: LabServerName, argv: string[]): Promise<void> {
  const result = await execInServer(lab, server, argv);
  if (result.code !== 0) throw new Error(`${argv.join(" ")} on ${server} failed: ${result.stderr.trim()}`);
}

/** What a drill saw between its fault and the VIP settling. */
interface Observation {
  readonly vipMovedAfterSeconds?: number;
  readonly nopreemptHeld?: boolean;
  readonly note?: string;
  /** Something the drill saw that fails it on its own (e.g. two holders at once). */
  readonly problem?: string;
}

type Fault = (lab: LabLayout, master: LabServerName) => Promise<unknown>;

interface DrillPlan {
  readonly expectedWithinSeconds?: number;
  /** What VRRP allows at the lab's timing, before any slack for the way a drill observes. @default - no move expected */
  readonly vrrpBoundSeconds?: number;
  /** False for a drill where the VIP must stay where it is. @default true */
  readonly expectsMove?: false;
  /** What the lab must have: the maintenance-flag health check (no service), or a service behind the VIP. @default - any lab */
  readonly needs?: "maintenance-flag" | "service";
  /** The fault hits the backup, not the VIP holder. @default false */
  readonly faultsBackup?: true;
  /** Injects the fault on the VIP holder and watches the VIP until it settled as the drill expects. */
  readonly injectAndObserve: (lab: LabLayout, master: LabServerName) => Promise<Observation>;
  /** Puts the lab back into a state with Keepalived running on both servers; runs even when the fault failed. */
  readonly restore: (lab: LabLayout, master: LabServerName) => Promise<unknown>;
  readonly note?: string;
}

/** The fault, then the time until the peer holds the VIP, from just before the fault. */
const peerTakesOver =
  (fault: Fault) =>
  async (lab: LabLayout, master: LabServerName): Promise<Observation> => {
    const faultAt = Date.now();
    await fault(lab, master);
    // A crashed server may keep the VIP on its dead interface: what counts is that the peer has it.
    const waited = await waitForHolders(lab, (holders) => holders.includes(peerOf(master)), MOVE_TIMEOUT_MS);
    return { vipMovedAfterSeconds: waited === undefined ? undefined : (Date.now() - faultAt) / 1000 };
  };

/** How long a restarted server may take to be back: boot, sshd, Keepalived from its unit, BACKUP. */
const RETURN_TIMEOUT_MS = 60_000;

/**
 * The master goes down and boots again (reboot or crash; the supervisor boots it again): the time
 * until the peer holds the VIP, then until the old master is back with systemd running and
 * Keepalived started by its unit in BACKUP (nopreempt: it must not take the VIP back). The
 * holders are sampled every 50 ms the whole time: two at once fails the drill.
 */
const peerTakesOverWhileMasterRestarts =
  (fault: Fault) =>
  async (lab: LabLayout, master: LabServerName): Promise<Observation> => {
    const peer = peerOf(master);
    const faultAt = Date.now();
    await fault(lab, master);
    let most = 0;
    let movedAt: number | undefined;
    let lastStatusAt = 0;
    const sample = async (): Promise<boolean> => {
      const holders = await vipHolders(lab);
      most = Math.max(most, holders.length);
      if (movedAt === undefined && holders.includes(peer)) movedAt = Date.now();
      if (movedAt === undefined || Date.now() - lastStatusAt <= 500) return false;
      lastStatusAt = Date.now();
      const returned = (await labStatus(lab)).servers.find((server) => server.name === master);
      return (
        returned?.systemState === "running" &&
        returned.sshdRunning &&
        returned.keepalivedPid !== undefined &&
        returned.vrrpState === "BACKUP"
      );
    };
    const watched = await pollUntil(sample, (isBack) => isBack, {
      timeoutMs: Math.max(0, faultAt + MOVE_TIMEOUT_MS + RETURN_TIMEOUT_MS - Date.now()),
      intervalMs: 50,
    });
    const back = watched.done;
    // A moment longer: a returning node that wrongly preempts would take the VIP now.
    if (back) await sleep(Math.ceil(MASTER_DOWN_S * 1000));
    const finalHolders = await vipHolders(lab);
    const problems = [
      ...(most > 1 ? ["both servers held the VIP at the same time"] : []),
      ...(movedAt !== undefined && !back
        ? [`${master} was not back (systemd running, sshd, Keepalived BACKUP) within ${RETURN_TIMEOUT_MS / 1000} s`]
        : []),
    ];
    return {
      vipMovedAfterSeconds: movedAt === undefined ? undefined : (movedAt - faultAt) / 1000,
      nopreemptHeld: back ? finalHolders.length === 1 && finalHolders[0] === peer : undefined,
      note: `${master} came back${back ? " as BACKUP" : " NOT as BACKUP"}; at most ${most} holder(s) at any time`,
      problem: problems.length === 0 ? undefined : problems.join("; "),
    };
  };

/** Waits until a server is back after a crash or reboot, then re-provisions only if its Keepalived did not come back on its own. */
async function waitForReturn(lab: LabLayout, server: LabServerName): Promise<void> {
  const returned = await pollUntil(
    async () => (await labStatus(lab)).servers.find((candidate) => candidate.name === server),
    (status) => status?.systemState === "running" && status.keepalivedPid !== undefined,
    { timeoutMs: RETURN_TIMEOUT_MS, intervalMs: 250 },
  );
  if (!returned.done) await reprovision(lab);
}

/** A partition's outcome is timed from the heal, which is where the fault ends. */
const oneHolderAfterHeal =
  (fault: Fault) =>
  async (lab: LabLayout, master: LabServerName): Promise<Observation> => {
    await fault(lab, master);
    const healedAt = Date.now();
    const waited = await waitForHolders(lab, (holders) => holders.length === 1, MOVE_TIMEOUT_MS);
    return { vipMovedAfterSeconds: waited === undefined ? undefined : (Date.now() - healedAt) / 1000 };
  };

/** The guide's own test, as `havip-cluster failover-test` runs it: graceful stop, VIP moves, old master restarted, VIP must stay. */
async function failoverTestObservation(lab: LabLayout): Promise<Observation> {
  const report = await runFailoverTestInLab(lab);
  const returned =
    report.nopreemptHeld === undefined
      ? ""
      : `; ${report.from} restarted, the VIP ${report.nopreemptHeld ? "stayed" : "did NOT stay"} on ${report.to ?? "the peer"}`;
  const problems = report.problems.length === 0 ? "" : `; failover-test: ${report.problems.join("; ")}`;
  return {
    vipMovedAfterSeconds: report.vipMovedAfterSeconds,
    nopreemptHeld: report.nopreemptHeld === true,
    note: `failover-test stopped Keepalived on ${report.from}${returned}${problems}`,
  };
}

/** How long a server's health check may take to fail after its service died: `fall` checks, plus one interval of phase. */
const SERVICE_FAULT_TIMEOUT_MS = ((LAB_HEALTH_CHECK.fall + 1) * LAB_HEALTH_CHECK.intervalSeconds + 5) * 1000;
/** The check fails at most `fall` intervals after the fault; then the priority-0 advert hands over within the skew. */
const HEALTH_CHECK_BOUND_S = LAB_HEALTH_CHECK.fall * LAB_HEALTH_CHECK.intervalSeconds + SKEW_S;
/** The same plus ~1 s measured between the last failed check and the handover. */
const HEALTH_CHECK_FAILOVER_S = HEALTH_CHECK_BOUND_S + 1;

/** nginx dies: SIGKILL to every process of its unit (Debian's nginx.service does not restart it). */
const killService = (lab: LabLayout, server: LabServerName) => inServer(lab, server, ["systemctl", "kill", "--signal=SIGKILL", "nginx"]);
const startService = (lab: LabLayout, server: LabServerName) => inServer(lab, server, ["systemctl", "start", "nginx"]);

/**
 * The backup's service dies: its health check takes it to FAULT, and the VIP must not move at
 * all. The holders are sampled until the backup is in FAULT and one master-down interval longer
 * (a move would come then); anything but "the master alone" at any sample counts as a move.
 */
async function serviceDiesOnBackup(lab: LabLayout, master: LabServerName): Promise<Observation> {
  const backup = peerOf(master);
  const faultAt = Date.now();
  let movedAt: number | undefined;
  let most = 0;
  const sampleHolders = async () => {
    const holders = await vipHolders(lab);
    most = Math.max(most, holders.length);
    if (movedAt === undefined && !(holders.length === 1 && holders[0] === master)) movedAt = Date.now();
  };
  await killService(lab, backup);
  const fault = await pollUntil(
    async () => {
      await sampleHolders();
      return (await labStatus(lab)).servers.find((server) => server.name === backup)?.vrrpState;
    },
    (state) => state === "FAULT",
    { timeoutMs: SERVICE_FAULT_TIMEOUT_MS, intervalMs: 100 },
  );
  // Not a wait for a condition: watching the holders for a fixed time (nothing may change in it).
  await pollUntil(sampleHolders, () => false, { timeoutMs: Math.ceil(MASTER_DOWN_S * 1000), intervalMs: 50 });
  const problems = [
    ...(fault.done
      ? []
      : [
          `${backup}'s health check did not take it to FAULT within ${SERVICE_FAULT_TIMEOUT_MS / 1000} s (last state ${fault.value ?? "unknown"})`,
        ]),
    ...(most > 1 ? ["both servers held the VIP at the same time"] : []),
  ];
  return {
    vipMovedAfterSeconds: movedAt === undefined ? undefined : (movedAt - faultAt) / 1000,
    note: `nginx killed on the backup ${backup}${fault.done ? `, which went FAULT after ${(fault.elapsedMs / 1000).toFixed(1)} s` : ""}; the VIP ${movedAt === undefined ? "stayed" : "did NOT stay"} on ${master}`,
    problem: problems.length === 0 ? undefined : problems.join("; "),
  };
}

const DRILLS: Record<DrillName, DrillPlan> = {
  // A crash: the cable first (nothing more leaves the machine, not even a priority-0 advert from
  // a Keepalived child that sees its parent die), then SIGKILL of the server's PID 1, which kills
  // everything in it at once. The supervisor boots it again without the VIP on its interface.
  "machine-crash": {
    expectedWithinSeconds: MASTER_DOWN_S + POLL_SLACK_S,
    vrrpBoundSeconds: MASTER_DOWN_S,
    injectAndObserve: peerTakesOverWhileMasterRestarts(async (lab, master) => {
      await setLink(lab, master, "down");
      await crashServer(lab, master);
    }),
    restore: (lab, master) => waitForReturn(lab, master),
  },
  "graceful-stop": {
    expectedWithinSeconds: SKEW_S + 0.5,
    vrrpBoundSeconds: SKEW_S,
    injectAndObserve: peerTakesOver((lab, master) => signalKeepalived(lab, master, "SIGTERM", "parent")),
    restore: (lab) => reprovision(lab),
  },
  "link-down": {
    expectedWithinSeconds: MASTER_DOWN_S + POLL_SLACK_S,
    vrrpBoundSeconds: MASTER_DOWN_S,
    injectAndObserve: peerTakesOver((lab, master) => setLink(lab, master, "down")),
    restore: (lab, master) => setLink(lab, master, "up"),
  },
  "health-check-fails": {
    // fall 2 failed checks at the lab's 2 s interval, then the priority-0 handover.
    expectedWithinSeconds: HEALTH_CHECK_FAILOVER_S,
    vrrpBoundSeconds: HEALTH_CHECK_BOUND_S,
    needs: "maintenance-flag",
    injectAndObserve: peerTakesOver((lab, master) => inServer(lab, master, ["touch", DEFAULT_MAINTENANCE_FLAG_PATH])),
    restore: (lab, master) => inServer(lab, master, ["rm", "-f", DEFAULT_MAINTENANCE_FLAG_PATH]),
  },
  // The move is failover-test's graceful stop, so it has the graceful bound, plus failover-test's
  // way of seeing it: polling the peer over SSH every 100 ms. failover-test itself starts
  // Keepalived again, but a failed run may leave it stopped: re-provisioning is idempotent.
  "old-master-returns": {
    expectedWithinSeconds: SKEW_S + 0.5 + SSH_POLL_SLACK_S,
    vrrpBoundSeconds: SKEW_S,
    injectAndObserve: (lab) => failoverTestObservation(lab),
    restore: async (lab) => {
      if ((await waitForSteadyLab(lab, 5_000)) !== undefined) await reprovision(lab);
    },
  },
  // `systemctl reboot`, as an operator would: systemd stops Keepalived first (a graceful handover).
  reboot: {
    expectedWithinSeconds: SKEW_S + 0.5 + SYSTEMD_STOP_SLACK_S,
    vrrpBoundSeconds: SKEW_S,
    injectAndObserve: peerTakesOverWhileMasterRestarts((lab, master) => rebootServer(lab, master)),
    restore: (lab, master) => waitForReturn(lab, master),
  },
  "partition-heals": {
    expectedWithinSeconds: MASTER_DOWN_S,
    // After the heal, the next advert of either master settles it.
    vrrpBoundSeconds: LAB_ADVERT_INT_SECONDS,
    note: "A and B cut from each other for 2 master-down intervals (both become MASTER), then healed",
    injectAndObserve: oneHolderAfterHeal(async (lab) => {
      await partitionServers(lab);
      await sleep(Math.ceil(2 * MASTER_DOWN_S * 1000));
      await healPartition(lab);
    }),
    restore: (lab) => healPartition(lab),
  },
  // The service fails, not Keepalived: the master's http health check fails `fall` times and the
  // master goes FAULT (priority 0 advert), so the VIP follows a working nginx.
  "nginx-dies-on-master": {
    expectedWithinSeconds: HEALTH_CHECK_FAILOVER_S,
    vrrpBoundSeconds: HEALTH_CHECK_BOUND_S,
    needs: "service",
    injectAndObserve: peerTakesOver((lab, master) => killService(lab, master)),
    restore: (lab, master) => startService(lab, master),
  },
  "nginx-dies-on-backup": {
    expectsMove: false,
    needs: "service",
    faultsBackup: true,
    injectAndObserve: serviceDiesOnBackup,
    restore: (lab, master) => startService(lab, peerOf(master)),
  },
};

/** Why a drill cannot run on this lab, or undefined when it can. */
function drillMismatch(lab: DrillLab, name: DrillName): string | undefined {
  const needs = DRILLS[name].needs;
  if (needs === "service" && lab.service === undefined) return `${name} needs a lab with a service behind the VIP (lab up --service nginx)`;
  if (needs === "maintenance-flag" && lab.service !== undefined) {
    return `${name} raises the maintenance flag, which is not the health check of a lab with --service ${lab.service} (nginx-dies-on-master is its counterpart)`;
  }
  return undefined;
}

/** Server names for the hostnames the lab's pages report (the HTTP probe's responders). */
function responderNames(lab: LabLayout, responders: readonly string[]): string[] {
  const byHostname = new Map(Object.values(lab.servers).map((server) => [server.hostname, server.name]));
  return responders.map((responder) => byHostname.get(responder) ?? responder);
}

/** A drill that did not run, or failed before it had anything to show. */
function failedDrill(drill: DrillName, error: string, finalHolders: readonly LabServerName[], faultOn?: LabServerName): LabDrillResult {
  return { drill, faultOn, error, longestGapMs: 0, lost: 0, sent: 0, endedWithOneHolder: finalHolders.length === 1, finalHolders };
}

interface DrillRun {
  readonly result: LabDrillResult;
  /** What kept the lab from being steady again after the drill; undefined when it is. */
  readonly unsteadiness?: string;
}

/**
 * Seconds since either server's Keepalived last changed state (the notify script rewrites the
 * state file on every transition): undefined when a state file is missing, 0 while a server is
 * between two boots (a restarting server is not quiet).
 */
async function secondsSinceLastTransition(lab: LabLayout): Promise<number | undefined> {
  let newest = 0;
  for (const name of ["a", "b"] as const) {
    const mtime = await serverFileModifiedAt(lab, name, DEFAULT_STATE_FILE_PATH);
    if (mtime === "offline") return 0;
    if (mtime === undefined) return undefined;
    newest = Math.max(newest, mtime);
  }
  return (Date.now() - newest) / 1000;
}

/**
 * Waits until neither server has changed state for a master-down interval. A server that just
 * became BACKUP (after a restart or the previous drill's restore) may still be running a
 * master-down timer it started before it heard the master; a fault injected then is "detected"
 * as soon as that old timer expires, long before VRRP could detect it (seen once: a crash
 * failover of 0.63 s, below the 2.6 s a crash can take at the earliest).
 */
async function waitForQuietLab(lab: LabLayout): Promise<void> {
  const quietSeconds = MASTER_DOWN_S + 0.5;
  let quiet: number | undefined;
  await pollUntil(
    async () => (quiet = await secondsSinceLastTransition(lab)),
    (seconds) => seconds === undefined || seconds >= quietSeconds,
    // Sleep exactly until the lab would have been quiet long enough, had nothing changed since.
    { timeoutMs: SETTLE_TIMEOUT_MS, intervalMs: () => Math.ceil((quietSeconds - (quiet ?? 0)) * 1000) },
  );
}

async function runDrill(lab: DrillLab, name: DrillName, master: LabServerName, log: (line: string) => void): Promise<DrillRun> {
  const drill = DRILLS[name];
  await waitForQuietLab(lab);
  log(`${name}: VIP on ${master}; injecting the fault on ${drill.faultsBackup ? `the backup ${peerOf(master)}` : "the VIP holder"}`);
  const errors: string[] = [];
  let observation: Observation = {};
  let outage: OutageSummary = { longestGapMs: 0, lost: 0, sent: 0 };
  // With a service the client is what a user runs: a GET of the page through the VIP every 50 ms.
  const probe = await startOutageProbe(
    lab,
    lab.service === undefined ? { maxProbes: 1200 } : { httpPath: LAB_SERVICE_PAGE_PATH, intervalMs: 50, maxProbes: 2400 },
  );
  try {
    await sleep(300);
    observation = await drill.injectAndObserve(lab, master);
    if (observation.problem) errors.push(observation.problem);
    await sleep(300);
  } catch (error) {
    errors.push(`the fault or its observation failed: ${messageOf(error)}`);
  } finally {
    outage = await probe.stop();
    log(`${name}: restoring ${master}`);
    await drill.restore(lab, master).catch((error: unknown) => errors.push(`restoring ${master} failed: ${messageOf(error)}`));
  }
  const unsteadiness = await waitForSteadyLab(lab, SETTLE_TIMEOUT_MS);
  if (unsteadiness !== undefined) errors.push(`the lab was not steady ${SETTLE_TIMEOUT_MS / 1000} s after the restore: ${unsteadiness}`);
  const finalHolders = await vipHolders(lab);
  log(`${name}: done; VIP on ${finalHolders.join(" and ") || "nobody"}${errors.length === 0 ? "" : ` (FAILED: ${errors.join("; ")})`}`);
  const result: LabDrillResult = {
    drill: name,
    faultOn: drill.faultsBackup ? peerOf(master) : master,
    ...(outage.responders === undefined ? {} : { httpResponders: responderNames(lab, outage.responders) }),
    vipMovedAfterSeconds: observation.vipMovedAfterSeconds,
    nopreemptHeld: observation.nopreemptHeld,
    longestGapMs: outage.longestGapMs,
    lost: outage.lost,
    sent: outage.sent,
    expectedWithinSeconds: drill.expectedWithinSeconds,
    vrrpBoundSeconds: drill.vrrpBoundSeconds,
    expectsMove: drill.expectsMove ?? true,
    endedWithOneHolder: finalHolders.length === 1,
    finalHolders,
    note: observation.note ?? drill.note,
    error: errors.length === 0 ? undefined : errors.join("; "),
  };
  return { result, unsteadiness };
}

/**
 * Runs the named drills one after another on a provisioned lab. A drill that fails is recorded with
 * its error and the next one runs; once the lab cannot be brought back to a steady state, the
 * remaining drills are recorded as not run, since each would only measure the previous failure.
 */
export async function runDrills(lab: DrillLab, names: readonly string[], log: (line: string) => void): Promise<LabDrillResult[]> {
  const known: readonly string[] = [...DRILL_NAMES, ...SERVICE_DRILL_NAMES];
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`unknown drill(s) ${unknown.join(", ")}; choose from ${known.join(", ")}`);
  const drills = names as readonly DrillName[];
  const mismatches = drills.map((name) => drillMismatch(lab, name)).filter((problem) => problem !== undefined);
  if (mismatches.length > 0) throw new Error(mismatches.join("; "));
  const results: LabDrillResult[] = [];
  let unsteadiness = await waitForSteadyLab(lab, SETTLE_TIMEOUT_MS);
  let unsteadyAfter = "before the first drill";
  for (const [index, name] of drills.entries()) {
    if (unsteadiness !== undefined) {
      const reason = `not run: the lab is not steady ${unsteadyAfter} (${unsteadiness})`;
      log(`stopping the drills: ${reason}`);
      const holders = await vipHolders(lab).catch(() => []);
      results.push(...drills.slice(index).map((skipped) => failedDrill(skipped, reason, holders)));
      break;
    }
    const master = (await vipHolders(lab))[0];
    try {
      const run = await runDrill(lab, name, master, log);
      results.push(run.result);
      unsteadiness = run.unsteadiness;
    } catch (error) {
      results.push(failedDrill(name, messageOf(error), await vipHolders(lab).catch(() => []), master));
      unsteadiness = await waitForSteadyLab(lab, SETTLE_TIMEOUT_MS);
    }
    unsteadyAfter = `after ${name}`;
  }
  return results;
}

export function formatDrillReport(results: readonly LabDrillResult[]): string {
  const bound = `VRRP bound: master-down interval = 3 x ${LAB_ADVERT_INT_SECONDS} s + (256 - ${DEFAULT_PRIORITY})/256 x ${LAB_ADVERT_INT_SECONDS} s = ${MASTER_DOWN_S.toFixed(3)} s`;
  const endings = results.map((r) => {
    const failed = r.error === undefined ? "" : `; FAILED: ${r.error}`;
    if (r.faultOn === undefined) return `${r.drill}: FAILED: ${r.error ?? "not run"}`;
    const holders = r.finalHolders.join(" and ") || "nobody";
    const http = r.httpResponders === undefined ? "" : `; HTTP answered by ${r.httpResponders.join(", then ") || "nobody"}`;
    return `${r.drill}: fault on ${r.faultOn}, ends with VIP on ${holders}${r.finalHolders.length === 1 ? "" : "  <-- FAIL"}${r.note ? ` (${r.note})` : ""}${http}${failed}`;
  });
  return [formatDrillTable(results), "", bound, ...endings].join("\n");
}
