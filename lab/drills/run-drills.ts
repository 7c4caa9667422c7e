import { setTimeout as sleep } from "node:timers/promises";
import type { LabLayout, LabServerName } from "../lab-layout";
import { LAB_SERVICE_PAGE_PATH } from "../lab-cluster-spec";
import { startOutageProbe, type OutageSummary } from "../probe/outage-probe";
import { vipHolders } from "../servers/server-inspection";
import { DRILL_NAMES, type DrillLab, type DrillName, SERVICE_DRILL_NAMES } from "./drill-names";
import { DRILLS, drillMismatch } from "./drill-plans";
import type { LabDrillResult } from "./drill-result";
import { SETTLE_TIMEOUT_MS } from "./drill-timing";
import { messageOf, type Observation, peerOf } from "./faults";
import { waitForQuietLab, waitForSteadyLab } from "./steadiness";

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
