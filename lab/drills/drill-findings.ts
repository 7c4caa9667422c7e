import type { ProbeSample } from "../../lib/probe/outage-summary";

/**
 * Pure readings of what a drill recorded: the cloud's binding over time, and the client's samples
 * on the host's clock.
 */

/** The cloud's binding as recorded: each entry is a change (the first is the binding when recording began). */
export interface BindingChange {
  readonly atMs: number;
  /** The node bound from then on; undefined: unbound. */
  readonly node: string | undefined;
}

/** Adds a reading to a binding timeline, keeping only changes. */
export function recordBinding(timeline: BindingChange[], atMs: number, node: string | undefined): void {
  if (timeline.length === 0 || timeline[timeline.length - 1].node !== node) timeline.push({ atMs, node });
}

/** Changes of the binding within [fromMs, toMs] (the binding at fromMs is not a change). */
export function bindingMovesBetween(timeline: readonly BindingChange[], fromMs: number, toMs: number): BindingChange[] {
  return timeline.filter((change, index) => index > 0 && change.atMs > fromMs && change.atMs <= toMs);
}

/** The binding at a moment: the last change at or before it. */
export function bindingAt(timeline: readonly BindingChange[], atMs: number): string | undefined {
  let node: string | undefined;
  for (const change of timeline) {
    if (change.atMs > atMs) break;
    node = change.node;
  }
  return node;
}

/**
 * When the binding came to rest on `node` after `afterMs`: the last change onto it that is not
 * followed by a change away (ms since the epoch), or `afterMs` when it was on it all along; undefined
 * when it did not end there.
 */
export function bindingSettledOn(timeline: readonly BindingChange[], node: string, afterMs: number): number | undefined {
  const later = timeline.filter((change) => change.atMs > afterMs);
  const last = later.length > 0 ? later[later.length - 1] : undefined;
  if (last === undefined) return bindingAt(timeline, afterMs) === node ? afterMs : undefined;
  return last.node === node ? last.atMs : undefined;
}

/** The nodes a binding was on within a window, in order, repeats collapsed. */
export function bindingSequence(timeline: readonly BindingChange[], fromMs: number, toMs: number): string[] {
  const nodes = [bindingAt(timeline, fromMs), ...bindingMovesBetween(timeline, fromMs, toMs).map((change) => change.node)];
  return nodes.map((node) => node ?? "nobody").filter((node, index, all) => index === 0 || all[index - 1] !== node);
}

/** A client's samples on the host's clock: when each was sent (ms since the epoch). */
export interface TimedSample {
  readonly atMs: number;
  readonly answered: boolean;
  readonly responder?: string;
}

export function timedSamples(samples: readonly ProbeSample[], startedAtMs: number): TimedSample[] {
  return samples.map((sample) => ({
    atMs: startedAtMs + sample.sentAtMs,
    answered: sample.answered,
    ...(sample.responder === undefined ? {} : { responder: sample.responder }),
  }));
}

/**
 * Who answered the client within a window: seconds per node (each answered sample stands for one
 * probe interval), and how often the answering node changed.
 */
export function clientShare(
  samples: readonly TimedSample[],
  fromMs: number,
  toMs: number,
  intervalMs: number,
  nodeOf: (responder: string) => string,
): { secondsByNode: Record<string, number>; switches: number } {
  const samplesByNode: Record<string, number> = {};
  let switches = 0;
  let last: string | undefined;
  for (const sample of samples) {
    if (sample.atMs < fromMs || sample.atMs > toMs || !sample.answered || sample.responder === undefined) continue;
    const node = nodeOf(sample.responder);
    samplesByNode[node] = (samplesByNode[node] ?? 0) + 1;
    if (last !== undefined && last !== node) switches++;
    last = node;
  }
  const secondsByNode = Object.fromEntries(Object.entries(samplesByNode).map(([node, count]) => [node, (count * intervalMs) / 1000]));
  return { secondsByNode, switches };
}

/**
 * The longest time without an answer within [fromMs, toMs]: between two answered samples, from
 * fromMs to the first answer, or from the last answer to toMs (at least one probe interval).
 */
export function longestGapBetween(samples: readonly TimedSample[], fromMs: number, toMs: number, intervalMs: number): number {
  const answered = samples.filter((sample) => sample.answered && sample.atMs >= fromMs && sample.atMs <= toMs).map((sample) => sample.atMs);
  if (answered.length === 0) return Math.max(toMs - fromMs, intervalMs);
  let longest = Math.max(answered[0] - fromMs, toMs - answered[answered.length - 1]);
  for (let i = 1; i < answered.length; i++) longest = Math.max(longest, answered[i] - answered[i - 1]);
  return Math.round(Math.max(longest, intervalMs));
}

/** Events scaled to an hour of the time they were counted in. */
export function perHour(count: number, seconds: number): number {
  return seconds > 0 ? (count * 3600) / seconds : 0;
}

/**
 * How long after the peer took the VIP the node going down may still show it. Keepalived sends its
 * priority-0 advert before it deletes its addresses (`vrrp_restore_interface`), and the peer takes
 * over within the skew time (8 ms at priority 254): a node shutting everything down for a reboot,
 * on a busy host, can delete a sample or two later. A wrong return (a node that takes the VIP back
 * after booting) comes seconds later, well outside it.
 */
export const LATE_RELEASE_ALLOWANCE_MS = 1000;

/** The VIP holders while a master goes down and comes back, as the drill sampled them. */
export interface HandoverRecord {
  /** When the peer was first seen holding the VIP (ms since the epoch). */
  readonly peerHeldAtMs?: number;
  /** The longest the node going down was seen still holding the VIP after the peer had it, within the allowance. */
  readonly lateReleaseMs: number;
  /** When two nodes held the VIP outside the allowance: a split, which fails the drill. */
  readonly twoHoldersAtMs?: number;
}

export const NO_HANDOVER_YET: HandoverRecord = { lateReleaseMs: 0 };

/** Adds one sample of the holders (taken at `atMs`) to the record. */
export function recordHandover(record: HandoverRecord, peer: string, holders: readonly string[], atMs: number): HandoverRecord {
  const peerHeldAtMs = record.peerHeldAtMs ?? (holders.includes(peer) ? atMs : undefined);
  const seen = peerHeldAtMs === undefined ? record : { ...record, peerHeldAtMs };
  if (holders.length < 2) return seen;
  if (peerHeldAtMs !== undefined && atMs - peerHeldAtMs <= LATE_RELEASE_ALLOWANCE_MS)
    return { ...seen, lateReleaseMs: Math.max(seen.lateReleaseMs, atMs - peerHeldAtMs) };
  return { ...seen, twoHoldersAtMs: seen.twoHoldersAtMs ?? atMs };
}
