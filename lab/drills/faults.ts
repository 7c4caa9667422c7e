import { setTimeout as sleep } from "node:timers/promises";
import { pollUntil } from "../../lib/core/poll-until";
import { serverGroupStatus } from "../lab-status";
import { execInServer, readServerFile, vipHolders } from "../servers/server-inspection";
import { type DrillTarget, type LinkProfile, otherNode } from "./drill-target";
import { type DrillBounds, RETURN_TIMEOUT_MS } from "./drill-timing";
import { NO_HANDOVER_YET, recordHandover } from "./drill-findings";

/** How the drills inject a fault and watch what the VIP does: the strategies the drill table combines. */

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** What a run of drills may choose beyond the target's own timing. */
export interface DrillOptions {
  /** The lossy-link drill's impairment. @default DEFAULT_LINK_PROFILE */
  readonly linkProfile?: LinkProfile;
  /** How long the lossy-link drill keeps the link impaired. @default DEFAULT_LINK_SECONDS */
  readonly linkSeconds?: number;
  /** How long the partition drill keeps the nodes apart. @default - partitionHoldSeconds of the target's timing */
  readonly partitionSeconds?: number;
}

/** One drill's target, its bounds, the node holding the VIP when it starts, and the run's options. */
export interface DrillContext {
  readonly target: DrillTarget;
  readonly bounds: DrillBounds;
  readonly master: string;
  readonly options: DrillOptions;
}

/** Polls until `accept(holders)` holds; returns the elapsed seconds, or undefined on timeout. */
export async function waitForHolders(
  target: DrillTarget,
  accept: (holders: string[]) => boolean,
  timeoutMs: number,
): Promise<number | undefined> {
  const outcome = await pollUntil(() => vipHolders(target.group), accept, { timeoutMs, intervalMs: 50 });
  return outcome.done ? outcome.elapsedMs / 1000 : undefined;
}

export async function inServer(target: DrillTarget, node: string, argv: string[]): Promise<void> {
  const result = await execInServer(target.group, node, argv);
  if (result.code !== 0) throw new Error(`${argv.join(" ")} on ${node} failed: ${result.stderr.trim()}`);
}

/** A partition: when the nodes were cut apart and when they were joined again (ms since the epoch). */
export interface PartitionWindow {
  readonly fromMs: number;
  readonly healedAtMs: number;
  /** Seconds from the heal until exactly one node held the VIP. @default - it never did within the drill's wait */
  readonly oneHolderAfterHealSeconds?: number;
}

/** An impaired link: when, how, and every VRRP state change the nodes' notify logs recorded meanwhile. */
export interface ImpairmentWindow {
  readonly fromMs: number;
  readonly toMs: number;
  readonly profile: LinkProfile;
  readonly transitions: readonly StateTransition[];
}

/** One line of a node's notify log: the node entered `state` (MASTER, BACKUP, FAULT, STOP). */
export interface StateTransition {
  readonly node: string;
  readonly state: string;
  /** As the notify script wrote it (whole seconds). */
  readonly at: string;
}

/** What a drill saw between its fault and the VIP settling. */
export interface Observation {
  /** When the fault was injected (ms since the epoch): moves are timed from here. @default - not recorded */
  readonly faultAtMs?: number;
  readonly vipMovedAfterSeconds?: number;
  readonly nopreemptHeld?: boolean;
  readonly note?: string;
  /** Something the drill saw that fails it on its own (e.g. two holders at once). */
  readonly problem?: string;
  readonly partition?: PartitionWindow;
  readonly impairment?: ImpairmentWindow;
}

export type Fault = (context: DrillContext) => Promise<unknown>;
export type ObservedFault = (context: DrillContext) => Promise<Observation>;

/** The fault, then the time until the peer holds the VIP, from just before the fault. */
export const peerTakesOver =
  (fault: Fault): ObservedFault =>
  async (context) => {
    const { target, master, bounds } = context;
    const faultAtMs = Date.now();
    await fault(context);
    // A crashed server may keep the VIP on its dead interface: what counts is that the peer has it.
    const waited = await waitForHolders(target, (holders) => holders.includes(otherNode(target, master)), bounds.moveTimeoutMs);
    return { faultAtMs, vipMovedAfterSeconds: waited === undefined ? undefined : (Date.now() - faultAtMs) / 1000 };
  };

/**
 * The master goes down and boots again (reboot or crash; the supervisor boots it again): the time
 * until the peer holds the VIP, then until the old master is back with systemd running and
 * Keepalived started by its unit in BACKUP (nopreempt: it must not take the VIP back). The
 * holders are sampled every 50 ms the whole time: two at once fails the drill, except the node
 * going down still releasing the VIP just after the peer took it (`LATE_RELEASE_ALLOWANCE_MS`).
 */
export const peerTakesOverWhileMasterRestarts =
  (fault: Fault): ObservedFault =>
  async (context) => {
    const { target, master, bounds } = context;
    const peer = otherNode(target, master);
    const faultAtMs = Date.now();
    await fault(context);
    let handover = NO_HANDOVER_YET;
    let most = 0;
    let lastStatusAt = 0;
    const sample = async (): Promise<boolean> => {
      const holders = await vipHolders(target.group);
      most = Math.max(most, holders.length);
      handover = recordHandover(handover, peer, holders, Date.now());
      if (handover.peerHeldAtMs === undefined || Date.now() - lastStatusAt <= 500) return false;
      lastStatusAt = Date.now();
      const returned = (await serverGroupStatus(target.group)).servers.find((server) => server.name === master);
      return (
        returned?.systemState === "running" &&
        returned.sshdRunning &&
        returned.keepalivedPid !== undefined &&
        returned.vrrpState === "BACKUP"
      );
    };
    const watched = await pollUntil(sample, (isBack) => isBack, {
      timeoutMs: Math.max(0, faultAtMs + bounds.moveTimeoutMs + RETURN_TIMEOUT_MS - Date.now()),
      intervalMs: 50,
    });
    const back = watched.done;
    // A moment longer: a returning node that wrongly preempts would take the VIP now.
    if (back) await sleep(Math.ceil(bounds.masterDownS * 1000));
    const finalHolders = await vipHolders(target.group);
    handover = recordHandover(handover, peer, finalHolders, Date.now());
    const movedAt = handover.peerHeldAtMs;
    const problems = [
      ...(handover.twoHoldersAtMs !== undefined
        ? [`both servers held the VIP at the same time, ${((handover.twoHoldersAtMs - faultAtMs) / 1000).toFixed(2)} s after the fault`]
        : []),
      ...(movedAt !== undefined && !back
        ? [`${master} was not back (systemd running, sshd, Keepalived BACKUP) within ${RETURN_TIMEOUT_MS / 1000} s`]
        : []),
    ];
    const lateRelease =
      handover.lateReleaseMs > 0 ? `; ${master} still showed the VIP ${handover.lateReleaseMs} ms after ${peer} took it` : "";
    return {
      faultAtMs,
      vipMovedAfterSeconds: movedAt === undefined ? undefined : (movedAt - faultAtMs) / 1000,
      nopreemptHeld: back ? finalHolders.length === 1 && finalHolders[0] === peer : undefined,
      note: `${master} came back${back ? " as BACKUP" : " NOT as BACKUP"}; at most ${most} holder(s) at any time${lateRelease}`,
      problem: problems.length === 0 ? undefined : problems.join("; "),
    };
  };

/** Waits until a node is back after a crash or reboot, then re-provisions only if its Keepalived did not come back on its own. */
export async function waitForReturn(target: DrillTarget, node: string): Promise<void> {
  const returned = await pollUntil(
    async () => (await serverGroupStatus(target.group)).servers.find((candidate) => candidate.name === node),
    (status) => status?.systemState === "running" && status.keepalivedPid !== undefined,
    { timeoutMs: RETURN_TIMEOUT_MS, intervalMs: 250 },
  );
  if (!returned.done) await target.reprovision();
}

/**
 * The nodes cut apart for `holdSeconds` (both become MASTER), then joined again. Timed from the
 * heal, which is where the fault ends: how long until one node holds the VIP again. What the
 * cloud's binding and the clients did meanwhile is read from the drill's recordings of both.
 */
export const partitionThenHeal =
  (holdSeconds: (context: DrillContext) => number): ObservedFault =>
  async (context) => {
    const { target, bounds } = context;
    const fromMs = Date.now();
    await target.partition();
    await sleep(Math.ceil(holdSeconds(context) * 1000));
    await target.heal();
    const healedAtMs = Date.now();
    const waited = await waitForHolders(target, (holders) => holders.length === 1, bounds.moveTimeoutMs);
    // On a cloud the binding follows the winner's announcement after the switch delay: stay for it.
    if (target.cloud !== undefined) await sleep(Math.ceil((target.timing.switchDelaySeconds + target.timing.advertIntSeconds + 1) * 1000));
    const oneHolderAfterHealSeconds = waited === undefined ? undefined : waited;
    return {
      faultAtMs: fromMs,
      vipMovedAfterSeconds: oneHolderAfterHealSeconds,
      partition: { fromMs, healedAtMs, ...(oneHolderAfterHealSeconds === undefined ? {} : { oneHolderAfterHealSeconds }) },
    };
  };

/** The guide's own test, as `havip-cluster failover-test` runs it: graceful stop, VIP moves, old master restarted, VIP must stay. */
export const failoverTestObservation: ObservedFault = async ({ target }) => {
  const faultAtMs = Date.now();
  const report = await target.failoverTest();
  const returned =
    report.nopreemptHeld === undefined
      ? ""
      : `; ${report.from} restarted, the VIP ${report.nopreemptHeld ? "stayed" : "did NOT stay"} on ${report.to ?? "the peer"}`;
  const problems = report.problems.length === 0 ? "" : `; failover-test: ${report.problems.join("; ")}`;
  return {
    faultAtMs,
    vipMovedAfterSeconds: report.vipMovedAfterSeconds,
    nopreemptHeld: report.nopreemptHeld === true,
    note: `failover-test stopped Keepalived on ${report.from}${returned}${problems}`,
  };
};

/** nginx dies: SIGKILL to every process of its unit (Debian's nginx.service does not restart it). */
export const killService = (target: DrillTarget, node: string) =>
  inServer(target, node, ["systemctl", "kill", "--signal=SIGKILL", "nginx"]);
export const startService = (target: DrillTarget, node: string) => inServer(target, node, ["systemctl", "start", "nginx"]);

/**
 * The backup's service dies: its health check takes it to FAULT, and the VIP must not move at
 * all. The holders are sampled until the backup is in FAULT and one master-down interval longer
 * (a move would come then); anything but "the master alone" at any sample counts as a move.
 */
export const serviceDiesOnBackup: ObservedFault = async ({ target, master, bounds }) => {
  const backup = otherNode(target, master);
  const faultAtMs = Date.now();
  let movedAt: number | undefined;
  let most = 0;
  const sampleHolders = async () => {
    const holders = await vipHolders(target.group);
    most = Math.max(most, holders.length);
    if (movedAt === undefined && !(holders.length === 1 && holders[0] === master)) movedAt = Date.now();
  };
  await killService(target, backup);
  const fault = await pollUntil(
    async () => {
      await sampleHolders();
      return (await serverGroupStatus(target.group)).servers.find((server) => server.name === backup)?.vrrpState;
    },
    (state) => state === "FAULT",
    { timeoutMs: bounds.serviceFaultTimeoutMs, intervalMs: 100 },
  );
  // Not a wait for a condition: watching the holders for a fixed time (nothing may change in it).
  await pollUntil(sampleHolders, () => false, { timeoutMs: Math.ceil(bounds.masterDownS * 1000), intervalMs: 50 });
  const problems = [
    ...(fault.done
      ? []
      : [
          `${backup}'s health check did not take it to FAULT within ${bounds.serviceFaultTimeoutMs / 1000} s (last state ${fault.value ?? "unknown"})`,
        ]),
    ...(most > 1 ? ["both servers held the VIP at the same time"] : []),
  ];
  return {
    faultAtMs,
    vipMovedAfterSeconds: movedAt === undefined ? undefined : (movedAt - faultAtMs) / 1000,
    note: `nginx killed on the backup ${backup}${fault.done ? `, which went FAULT after ${(fault.elapsedMs / 1000).toFixed(1)} s` : ""}; the VIP ${movedAt === undefined ? "stayed" : "did NOT stay"} on ${master}`,
    problem: problems.length === 0 ? undefined : problems.join("; "),
  };
};

/** The state lines of a notify log (`<time> <instance> <STATE>`; hook lines are not transitions). */
export function parseNotifyTransitions(node: string, log: string): StateTransition[] {
  return log
    .split("\n")
    .map((line) => /^(\S+) \S+ (MASTER|BACKUP|FAULT|STOP)$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ node, state: match[2], at: match[1] }));
}

/**
 * The link between the two nodes impaired for `seconds` (no other fault): every VRRP state change
 * the nodes' notify logs gained meanwhile is one the network alone caused. The log is read
 * before and after; what it gained is the stretch's.
 */
export const impairedLink =
  (profile: (context: DrillContext) => LinkProfile, seconds: (context: DrillContext) => number): ObservedFault =>
  async (context) => {
    const { target } = context;
    if (target.impairLink === undefined || target.clearLinkImpairment === undefined)
      throw new Error(`${target.label} cannot impair a link`);
    const nodes = Object.keys(target.group.servers);
    const before = new Map<string, number>();
    for (const node of nodes)
      before.set(node, parseNotifyTransitions(node, (await readServerFile(target.group, node, target.notifyLogPath)) ?? "").length);
    const chosen = profile(context);
    const fromMs = Date.now();
    await target.impairLink(chosen);
    try {
      await sleep(Math.ceil(seconds(context) * 1000));
    } finally {
      await target.clearLinkImpairment();
    }
    const toMs = Date.now();
    const transitions: StateTransition[] = [];
    for (const node of nodes) {
      const all = parseNotifyTransitions(node, (await readServerFile(target.group, node, target.notifyLogPath)) ?? "");
      transitions.push(...all.slice(before.get(node) ?? 0));
    }
    const masters = transitions.filter((transition) => transition.state === "MASTER").length;
    return {
      faultAtMs: fromMs,
      impairment: { fromMs, toMs, profile: chosen, transitions },
      note: `${masters} node(s) became MASTER while the link was impaired (${transitions.map((t) => `${t.node} ${t.state}`).join(", ") || "no state change"})`,
    };
  };
