import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { FailoverTestResult } from "../../lib/operations/failover-test";
import { pollUntil } from "../../lib/core/poll-until";
import { CLUSTER_SPEC_ENV, cliArgv, provisionArgv } from "../../lib/spec/provision-invocation";
import type { LabLayout, LabServerName } from "../lab-layout";
import { labStatus } from "../lab-status";
import { runInOperatorNamespace } from "../network/lab-operator";
import { execInServer, vipHolders } from "../servers/server-inspection";
import { MASTER_DOWN_S, MOVE_TIMEOUT_MS, RETURN_TIMEOUT_MS, SERVICE_FAULT_TIMEOUT_MS } from "./drill-timing";

/** How the drills inject a fault and watch what the VIP does: the strategies the drill table combines. */

export const peerOf = (server: LabServerName): LabServerName => (server === "a" ? "b" : "a");
export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Polls until `accept(holders)` holds; returns the elapsed seconds, or undefined on timeout. */
export async function waitForHolders(
  lab: LabLayout,
  accept: (holders: LabServerName[]) => boolean,
  timeoutMs: number,
): Promise<number | undefined> {
  const outcome = await pollUntil(() => vipHolders(lab), accept, { timeoutMs, intervalMs: 50 });
  return outcome.done ? outcome.elapsedMs / 1000 : undefined;
}

/** Runs the provisioner (the same command as `lab up` and cdktf's local-exec), quietly. */
export async function reprovision(lab: LabLayout): Promise<void> {
  const env = { ...process.env, [CLUSTER_SPEC_ENV]: readFileSync(lab.specPath, "utf8") };
  const result = await runInOperatorNamespace(lab, [...provisionArgv(), "--json"], { env, timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`re-provisioning the lab failed (exit ${result.code}): ${result.stderr.trim()}`);
}

type FailoverTestFacts = Pick<FailoverTestResult, "from" | "to" | "vipMovedAfterSeconds" | "nopreemptHeld" | "passed" | "problems">;

/** Runs `havip-cluster failover-test --json` in the operator namespace, as a user would against a cluster, and returns its report. */
export async function runFailoverTestInLab(lab: LabLayout): Promise<FailoverTestFacts> {
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

export async function inServer(lab: LabLayout, server: LabServerName, argv: string[]): Promise<void> {
  const result = await execInServer(lab, server, argv);
  if (result.code !== 0) throw new Error(`${argv.join(" ")} on ${server} failed: ${result.stderr.trim()}`);
}

/** What a drill saw between its fault and the VIP settling. */
export interface Observation {
  readonly vipMovedAfterSeconds?: number;
  readonly nopreemptHeld?: boolean;
  readonly note?: string;
  /** Something the drill saw that fails it on its own (e.g. two holders at once). */
  readonly problem?: string;
}

export type Fault = (lab: LabLayout, master: LabServerName) => Promise<unknown>;

/** The fault, then the time until the peer holds the VIP, from just before the fault. */
export const peerTakesOver =
  (fault: Fault) =>
  async (lab: LabLayout, master: LabServerName): Promise<Observation> => {
    const faultAt = Date.now();
    await fault(lab, master);
    // A crashed server may keep the VIP on its dead interface: what counts is that the peer has it.
    const waited = await waitForHolders(lab, (holders) => holders.includes(peerOf(master)), MOVE_TIMEOUT_MS);
    return { vipMovedAfterSeconds: waited === undefined ? undefined : (Date.now() - faultAt) / 1000 };
  };

/**
 * The master goes down and boots again (reboot or crash; the supervisor boots it again): the time
 * until the peer holds the VIP, then until the old master is back with systemd running and
 * Keepalived started by its unit in BACKUP (nopreempt: it must not take the VIP back). The
 * holders are sampled every 50 ms the whole time: two at once fails the drill.
 */
export const peerTakesOverWhileMasterRestarts =
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
export async function waitForReturn(lab: LabLayout, server: LabServerName): Promise<void> {
  const returned = await pollUntil(
    async () => (await labStatus(lab)).servers.find((candidate) => candidate.name === server),
    (status) => status?.systemState === "running" && status.keepalivedPid !== undefined,
    { timeoutMs: RETURN_TIMEOUT_MS, intervalMs: 250 },
  );
  if (!returned.done) await reprovision(lab);
}

/** A partition's outcome is timed from the heal, which is where the fault ends. */
export const oneHolderAfterHeal =
  (fault: Fault) =>
  async (lab: LabLayout, master: LabServerName): Promise<Observation> => {
    await fault(lab, master);
    const healedAt = Date.now();
    const waited = await waitForHolders(lab, (holders) => holders.length === 1, MOVE_TIMEOUT_MS);
    return { vipMovedAfterSeconds: waited === undefined ? undefined : (Date.now() - healedAt) / 1000 };
  };

/** The guide's own test, as `havip-cluster failover-test` runs it: graceful stop, VIP moves, old master restarted, VIP must stay. */
export async function failoverTestObservation(lab: LabLayout): Promise<Observation> {
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

/** nginx dies: SIGKILL to every process of its unit (Debian's nginx.service does not restart it). */
export const killService = (lab: LabLayout, server: LabServerName) =>
  inServer(lab, server, ["systemctl", "kill", "--signal=SIGKILL", "nginx"]);
export const startService = (lab: LabLayout, server: LabServerName) => inServer(lab, server, ["systemctl", "start", "nginx"]);

/**
 * The backup's service dies: its health check takes it to FAULT, and the VIP must not move at
 * all. The holders are sampled until the backup is in FAULT and one master-down interval longer
 * (a move would come then); anything but "the master alone" at any sample counts as a move.
 */
export async function serviceDiesOnBackup(lab: LabLayout, master: LabServerName): Promise<Observation> {
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
