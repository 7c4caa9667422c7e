import { setTimeout as sleep } from "node:timers/promises";
import { pollUntil } from "../../lib/core/poll-until";
import { type ProbeRecord } from "../probe/outage-probe";
import { vipHolders } from "../servers/server-inspection";
import {
  type BindingChange,
  bindingMovesBetween,
  bindingSequence,
  bindingSettledOn,
  clientShare,
  longestGapBetween,
  perHour,
  recordBinding,
  timedSamples,
} from "./drill-findings";
import { ALL_DRILL_NAMES, type DrillName } from "./drill-names";
import { DRILLS, drillMismatch } from "./drill-plans";
import type { ImpairmentFindings, LabDrillResult, PartitionFindings } from "./drill-result";
import { boundNode, type DrillTarget, otherNode } from "./drill-target";
import { type DrillBounds, drillBounds } from "./drill-timing";
import { type DrillContext, type DrillOptions, messageOf, type Observation } from "./faults";
import { waitForQuietLab, waitForSteadyLab } from "./steadiness";

/** A drill that did not run, or failed before it had anything to show. */
function failedDrill(drill: DrillName, error: string, finalHolders: readonly string[], faultOn?: string): LabDrillResult {
  return { drill, faultOn, error, longestGapMs: 0, lost: 0, sent: 0, endedWithOneHolder: finalHolders.length === 1, finalHolders };
}

interface DrillRun {
  readonly result: LabDrillResult;
  /** What kept the cluster from being steady again after the drill; undefined when it is. */
  readonly unsteadiness?: string;
}

/** Records where the cloud binds the HAVIP every 50 ms until stopped (nothing where there is no cloud). */
function startBindingRecorder(target: DrillTarget): { stop(): Promise<BindingChange[]> } {
  const timeline: BindingChange[] = [];
  const cloud = target.cloud;
  if (cloud === undefined) return { stop: async () => timeline };
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        recordBinding(timeline, Date.now(), boundNode(target, await cloud.binding()));
      } catch {
        // A state file caught mid-write: the next reading counts.
      }
      await sleep(50);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return timeline;
    },
  };
}

/** Waits (up to the bounds' binding timeout) until the cloud binds the HAVIP to the one VIP holder. */
async function waitForBindingOnHolder(target: DrillTarget, bounds: DrillBounds): Promise<void> {
  const cloud = target.cloud;
  if (cloud === undefined) return;
  await pollUntil(
    async () => {
      const holders = await vipHolders(target.group);
      return holders.length === 1 && boundNode(target, await cloud.binding()) === holders[0];
    },
    (settled) => settled,
    { timeoutMs: bounds.bindingTimeoutMs, intervalMs: 100 },
  );
}

function partitionFindings(
  target: DrillTarget,
  observation: Observation,
  timeline: readonly BindingChange[],
  client: ProbeRecord,
  finalHolder: string | undefined,
): PartitionFindings | undefined {
  const window = observation.partition;
  if (window === undefined) return undefined;
  const samples = client.startedAtMs === undefined ? [] : timedSamples(client.samples, client.startedAtMs);
  const endMs = samples.length > 0 ? samples[samples.length - 1].atMs : Date.now();
  const share =
    samples.some((sample) => sample.responder !== undefined) && client.startedAtMs !== undefined
      ? clientShare(samples, window.fromMs, window.healedAtMs, client.intervalMs, target.responderNode)
      : undefined;
  const cloud = target.cloud !== undefined;
  const settled = cloud && finalHolder !== undefined ? bindingSettledOn(timeline, finalHolder, window.healedAtMs) : undefined;
  const healToBindingMs = settled === undefined ? undefined : settled - window.healedAtMs;
  return {
    holdSeconds: (window.healedAtMs - window.fromMs) / 1000,
    ...(cloud
      ? {
          bindingMovesDuringPartition: bindingMovesBetween(timeline, window.fromMs, window.healedAtMs).length,
          bindingSequence: bindingSequence(timeline, window.fromMs, window.healedAtMs),
        }
      : {}),
    ...(share ? { clientSecondsByNode: share.secondsByNode, clientSwitches: share.switches } : {}),
    ...(window.oneHolderAfterHealSeconds === undefined ? {} : { healToOneHolderSeconds: window.oneHolderAfterHealSeconds }),
    ...(healToBindingMs === undefined ? {} : { healToBindingSeconds: healToBindingMs / 1000 }),
    ...(samples.length > 0 ? { outageAfterHealMs: longestGapBetween(samples, window.healedAtMs, endMs, client.intervalMs) } : {}),
  };
}

function impairmentFindings(observation: Observation, timeline: readonly BindingChange[], cloud: boolean): ImpairmentFindings | undefined {
  const window = observation.impairment;
  if (window === undefined) return undefined;
  const seconds = (window.toMs - window.fromMs) / 1000;
  const falseFailovers = window.transitions.filter((transition) => transition.state === "MASTER").length;
  return {
    profile: window.profile,
    seconds,
    falseFailovers,
    falseFailoversPerHour: perHour(falseFailovers, seconds),
    transitions: window.transitions.map((transition) => `${transition.node} ${transition.state}`),
    ...(cloud ? { bindingMoves: bindingMovesBetween(timeline, window.fromMs, window.toMs).length } : {}),
  };
}

async function runDrill(
  target: DrillTarget,
  bounds: DrillBounds,
  name: DrillName,
  master: string,
  options: DrillOptions,
  log: (line: string) => void,
): Promise<DrillRun> {
  const drill = DRILLS[name];
  const context: DrillContext = { target, bounds, master, options };
  await waitForQuietLab(target, bounds);
  log(
    `${name}: VIP on ${master}; injecting the fault on ${drill.faultsBackup ? `the backup ${otherNode(target, master)}` : "the VIP holder"}`,
  );
  const errors: string[] = [];
  let observation: Observation = {};
  let client: ProbeRecord = { longestGapMs: 0, lost: 0, sent: 0, intervalMs: 0, samples: [] };
  const running = await target.startClient(drill.clientSeconds?.(context) ?? 120);
  const bindings = startBindingRecorder(target);
  let timeline: BindingChange[] = [];
  try {
    await sleep(300);
    observation = await drill.injectAndObserve(context);
    if (observation.problem) errors.push(observation.problem);
    // Where a cloud binds the HAVIP, clients get their answers back only once it follows the VIP.
    if (target.cloud !== undefined) await waitForBindingOnHolder(target, bounds);
    await sleep(300);
  } catch (error) {
    errors.push(`the fault or its observation failed: ${messageOf(error)}`);
  } finally {
    client = await running.stop();
    log(`${name}: restoring ${master}`);
    await drill.restore(context).catch((error: unknown) => errors.push(`restoring ${master} failed: ${messageOf(error)}`));
  }
  const unsteadiness = await waitForSteadyLab(target, bounds.settleTimeoutMs);
  timeline = await bindings.stop();
  if (unsteadiness !== undefined)
    errors.push(`the cluster was not steady ${bounds.settleTimeoutMs / 1000} s after the restore: ${unsteadiness}`);
  const finalHolders = await vipHolders(target.group);
  // The cloud's word as the operator gets it: DescribeHaVips must bind the HAVIP to the holder.
  let bindingFollowed: boolean | undefined;
  if (target.cloud !== undefined) {
    try {
      const bound = boundNode(target, await target.cloud.bindingAsOperator());
      bindingFollowed = finalHolders.length === 1 && bound === finalHolders[0];
      if (!bindingFollowed)
        errors.push(`DescribeHaVips binds the HAVIP to ${bound ?? "nobody"}, the VIP is on ${finalHolders.join(" and ") || "nobody"}`);
    } catch (error) {
      errors.push(`DescribeHaVips failed: ${messageOf(error)}`);
    }
  }
  log(`${name}: done; VIP on ${finalHolders.join(" and ") || "nobody"}${errors.length === 0 ? "" : ` (FAILED: ${errors.join("; ")})`}`);
  const faultAtMs = observation.faultAtMs;
  const newHolder = finalHolders.length === 1 ? finalHolders[0] : undefined;
  const movedBinding =
    target.cloud !== undefined && faultAtMs !== undefined && newHolder !== undefined && newHolder !== master && !drill.watchesStretch
      ? bindingSettledOn(timeline, newHolder, faultAtMs)
      : undefined;
  const vrrpBound = drill.vrrpBoundSeconds?.(bounds);
  const partition = partitionFindings(target, observation, timeline, client, newHolder);
  const impairment = impairmentFindings(observation, timeline, target.cloud !== undefined);
  const result: LabDrillResult = {
    drill: name,
    faultOn: drill.faultsBackup ? otherNode(target, master) : master,
    ...(client.responders === undefined ? {} : { httpResponders: client.responders.map(target.responderNode) }),
    vipMovedAfterSeconds: observation.vipMovedAfterSeconds,
    nopreemptHeld: observation.nopreemptHeld,
    longestGapMs: client.longestGapMs,
    lost: client.lost,
    sent: client.sent,
    expectedWithinSeconds: drill.expectedWithinSeconds?.(bounds),
    vrrpBoundSeconds: vrrpBound,
    clientBoundSeconds: vrrpBound === undefined ? undefined : vrrpBound + target.timing.switchDelaySeconds,
    expectsMove: drill.expectsMove ?? true,
    ...(drill.watchesStretch ? { watchesStretch: true } : {}),
    ...(movedBinding === undefined || faultAtMs === undefined ? {} : { bindingMovedAfterSeconds: (movedBinding - faultAtMs) / 1000 }),
    ...(target.cloud === undefined || faultAtMs === undefined
      ? {}
      : { bindingMoves: bindingMovesBetween(timeline, faultAtMs, Number.POSITIVE_INFINITY).length }),
    ...(bindingFollowed === undefined ? {} : { bindingFollowed }),
    endedWithOneHolder: finalHolders.length === 1,
    finalHolders,
    ...(partition ? { partition } : {}),
    ...(impairment ? { impairment } : {}),
    note: observation.note ?? drill.note?.(context),
    error: errors.length === 0 ? undefined : errors.join("; "),
  };
  return { result, unsteadiness };
}

/**
 * Runs the named drills one after another on a target whose Keepalived is up. A drill that fails
 * is recorded with its error and the next one runs; once the target cannot be brought back to a
 * steady state, the remaining drills are recorded as not run, since each would only measure the
 * previous failure.
 */
export async function runDrills(
  target: DrillTarget,
  names: readonly string[],
  log: (line: string) => void,
  options: DrillOptions = {},
): Promise<LabDrillResult[]> {
  const known: readonly string[] = ALL_DRILL_NAMES;
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`unknown drill(s) ${unknown.join(", ")}; choose from ${known.join(", ")}`);
  const drills = names as readonly DrillName[];
  const mismatches = drills.map((name) => drillMismatch(target, name)).filter((problem) => problem !== undefined);
  if (mismatches.length > 0) throw new Error(mismatches.join("; "));
  const bounds = drillBounds(target.timing);
  const results: LabDrillResult[] = [];
  let unsteadiness = await waitForSteadyLab(target, bounds.settleTimeoutMs);
  let unsteadyAfter = "before the first drill";
  for (const [index, name] of drills.entries()) {
    if (unsteadiness !== undefined) {
      const reason = `not run: the cluster is not steady ${unsteadyAfter} (${unsteadiness})`;
      log(`stopping the drills: ${reason}`);
      const holders = await vipHolders(target.group).catch(() => []);
      results.push(...drills.slice(index).map((skipped) => failedDrill(skipped, reason, holders)));
      break;
    }
    const master = (await vipHolders(target.group))[0];
    try {
      const run = await runDrill(target, bounds, name, master, options, log);
      results.push(run.result);
      unsteadiness = run.unsteadiness;
    } catch (error) {
      results.push(failedDrill(name, messageOf(error), await vipHolders(target.group).catch(() => []), master));
      unsteadiness = await waitForSteadyLab(target, bounds.settleTimeoutMs);
    }
    unsteadyAfter = `after ${name}`;
  }
  return results;
}
