import { DEFAULT_MAINTENANCE_FLAG_PATH } from "../../lib/core/limits";
import { crashServer, rebootServer, setLink, signalKeepalived } from "../servers/server-inspection";
import type { DrillName } from "./drill-names";
import { type DrillTarget, type LinkProfile, otherNode } from "./drill-target";
import { type DrillBounds, POLL_SLACK_S, SSH_POLL_SLACK_S, SYSTEMD_STOP_SLACK_S, partitionHoldSeconds } from "./drill-timing";
import {
  type DrillContext,
  failoverTestObservation,
  impairedLink,
  inServer,
  killService,
  type ObservedFault,
  partitionThenHeal,
  peerTakesOver,
  peerTakesOverWhileMasterRestarts,
  serviceDiesOnBackup,
  startService,
  waitForReturn,
} from "./faults";
import { waitForSteadyLab } from "./steadiness";

/** The drill table: each drill's fault, how it is watched, what it may take, and how the cluster is restored. */

/** The lossy-link drill's default: netem's `loss 5% delay 20ms 10ms`, both ways. */
export const DEFAULT_LINK_PROFILE: LinkProfile = { lossPercent: 5, delayMs: 20, jitterMs: 10 };
/** How long the lossy-link drill keeps the link impaired by default. */
export const DEFAULT_LINK_SECONDS = 60;

export interface DrillPlan {
  /** The limit the VIP's move is checked against, with the slack of the drill's way of watching. @default - no move expected */
  readonly expectedWithinSeconds?: (bounds: DrillBounds) => number;
  /** What VRRP allows at the cluster's timing, before any slack for the way a drill observes. @default - no move expected */
  readonly vrrpBoundSeconds?: (bounds: DrillBounds) => number;
  /** False for a drill where the VIP must stay where it is. @default true */
  readonly expectsMove?: false;
  /** A drill that watches a stretch of time (the VIP may or may not move), rather than a fault and its move. @default false */
  readonly watchesStretch?: true;
  /** What the target must have: the maintenance-flag health check (no service), a service behind the VIP, an impairable link. @default - any target */
  readonly needs?: "maintenance-flag" | "service" | "link-impairment";
  /** The fault hits the backup, not the VIP holder. @default false */
  readonly faultsBackup?: true;
  /** Injects the fault on the VIP holder and watches the VIP until it settled as the drill expects. */
  readonly injectAndObserve: ObservedFault;
  /** Puts the cluster back into a state with Keepalived running on both nodes; runs even when the fault failed. */
  readonly restore: (context: DrillContext) => Promise<unknown>;
  /** How long the drill's client may have to run. @default 120 s */
  readonly clientSeconds?: (context: DrillContext) => number;
  readonly note?: (context: DrillContext) => string;
}

const partitionSeconds = ({ target, bounds, options }: DrillContext) =>
  options.partitionSeconds ?? partitionHoldSeconds(bounds, target.cloud !== undefined);
const linkProfile = ({ options }: DrillContext) => options.linkProfile ?? DEFAULT_LINK_PROFILE;
const linkSeconds = ({ options }: DrillContext) => options.linkSeconds ?? DEFAULT_LINK_SECONDS;

export function describeLinkProfile(profile: LinkProfile): string {
  const parts = [
    `loss ${profile.lossPercent ?? 0} %`,
    ...(profile.delayMs ? [`delay ${profile.delayMs}${profile.jitterMs ? ` ± ${profile.jitterMs}` : ""} ms`] : []),
  ];
  return parts.join(", ");
}

/** Reads `loss=5,delay=20,jitter=10` (any subset; percent and milliseconds); throws naming what is wrong. */
export function parseLinkProfile(text: string): LinkProfile {
  const profile: { lossPercent?: number; delayMs?: number; jitterMs?: number } = {};
  const keys = { loss: "lossPercent", delay: "delayMs", jitter: "jitterMs" } as const;
  for (const part of text
    .split(",")
    .map((word) => word.trim())
    .filter(Boolean)) {
    const match = /^(loss|delay|jitter)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!match) throw new Error(`${JSON.stringify(part)} is not loss=PERCENT, delay=MS or jitter=MS`);
    profile[keys[match[1] as keyof typeof keys]] = Number(match[2]);
  }
  if ((profile.lossPercent ?? 0) > 100) throw new Error(`loss ${profile.lossPercent} is more than 100 %`);
  if ((profile.jitterMs ?? 0) > (profile.delayMs ?? 0))
    throw new Error(`jitter ${profile.jitterMs} ms is more than the delay (${profile.delayMs ?? 0} ms)`);
  return profile;
}

export const DRILLS: Record<DrillName, DrillPlan> = {
  // A crash: the cable first (nothing more leaves the machine, not even a priority-0 advert from
  // a Keepalived child that sees its parent die), then SIGKILL of the server's PID 1, which kills
  // everything in it at once. The supervisor boots it again without the VIP on its interface.
  "machine-crash": {
    expectedWithinSeconds: (b) => b.masterDownS + POLL_SLACK_S,
    vrrpBoundSeconds: (b) => b.masterDownS,
    injectAndObserve: peerTakesOverWhileMasterRestarts(async ({ target, master }) => {
      await setLink(target.group, master, "down");
      await crashServer(target.group, master);
    }),
    restore: ({ target, master }) => waitForReturn(target, master),
  },
  "graceful-stop": {
    expectedWithinSeconds: (b) => b.skewS + 0.5,
    vrrpBoundSeconds: (b) => b.skewS,
    injectAndObserve: peerTakesOver(({ target, master }) => signalKeepalived(target.group, master, "SIGTERM", "parent")),
    restore: ({ target }) => target.reprovision(),
  },
  "link-down": {
    expectedWithinSeconds: (b) => b.masterDownS + POLL_SLACK_S,
    vrrpBoundSeconds: (b) => b.masterDownS,
    injectAndObserve: peerTakesOver(({ target, master }) => setLink(target.group, master, "down")),
    restore: ({ target, master }) => target.restoreLink(master),
  },
  "health-check-fails": {
    // fall failed checks at the health check's interval, then the priority-0 handover.
    expectedWithinSeconds: (b) => b.healthCheckFailoverS,
    vrrpBoundSeconds: (b) => b.healthCheckBoundS,
    needs: "maintenance-flag",
    injectAndObserve: peerTakesOver(({ target, master }) => inServer(target, master, ["touch", DEFAULT_MAINTENANCE_FLAG_PATH])),
    restore: ({ target, master }) => inServer(target, master, ["rm", "-f", DEFAULT_MAINTENANCE_FLAG_PATH]),
  },
  // The move is failover-test's graceful stop, so it has the graceful bound, plus failover-test's
  // way of seeing it: polling the peer over SSH every 100 ms. failover-test itself starts
  // Keepalived again, but a failed run may leave it stopped: re-provisioning is idempotent.
  "old-master-returns": {
    expectedWithinSeconds: (b) => b.skewS + 0.5 + SSH_POLL_SLACK_S,
    vrrpBoundSeconds: (b) => b.skewS,
    injectAndObserve: failoverTestObservation,
    restore: async ({ target }) => {
      if ((await waitForSteadyLab(target, 5_000)) !== undefined) await target.reprovision();
    },
  },
  // `systemctl reboot`, as an operator would: systemd stops Keepalived first (a graceful handover).
  reboot: {
    expectedWithinSeconds: (b) => b.skewS + 0.5 + SYSTEMD_STOP_SLACK_S,
    vrrpBoundSeconds: (b) => b.skewS,
    injectAndObserve: peerTakesOverWhileMasterRestarts(({ target, master }) => rebootServer(target.group, master)),
    restore: ({ target, master }) => waitForReturn(target, master),
  },
  "partition-heals": {
    expectedWithinSeconds: (b) => b.masterDownS,
    // After the heal, the next advert of either master settles it.
    vrrpBoundSeconds: (b) => b.timing.advertIntSeconds,
    note: (context) =>
      `the nodes cut from each other for ${partitionSeconds(context).toFixed(0)} s (both become MASTER${context.target.cloud ? "; both announce the VIP to the cloud" : ""}), then healed`,
    injectAndObserve: partitionThenHeal(partitionSeconds),
    restore: ({ target }) => target.heal(),
    clientSeconds: (context) => partitionSeconds(context) + 120,
  },
  // The service fails, not Keepalived: the master's http health check fails `fall` times and the
  // master goes FAULT (priority 0 advert), so the VIP follows a working nginx.
  "nginx-dies-on-master": {
    expectedWithinSeconds: (b) => b.healthCheckFailoverS,
    vrrpBoundSeconds: (b) => b.healthCheckBoundS,
    needs: "service",
    injectAndObserve: peerTakesOver(({ target, master }) => killService(target, master)),
    restore: ({ target, master }) => startService(target, master),
  },
  "nginx-dies-on-backup": {
    expectsMove: false,
    needs: "service",
    faultsBackup: true,
    injectAndObserve: serviceDiesOnBackup,
    restore: ({ target, master }) => startService(target, otherNode(target, master)),
  },
  // No fault at all: the link between the nodes loses and delays packets (netem-like, both ways)
  // for a stretch; every VRRP state change meanwhile is a false failover.
  "lossy-link": {
    watchesStretch: true,
    needs: "link-impairment",
    note: (context) =>
      `the link between the nodes impaired (${describeLinkProfile(linkProfile(context))}, both ways) for ${linkSeconds(context)} s`,
    injectAndObserve: impairedLink(linkProfile, linkSeconds),
    restore: async ({ target }) => target.clearLinkImpairment?.(),
    clientSeconds: (context) => linkSeconds(context) + 60,
  },
};

/** Why a drill cannot run on this target, or undefined when it can. */
export function drillMismatch(target: DrillTarget, name: DrillName): string | undefined {
  const needs = DRILLS[name].needs;
  if (needs === "service" && target.service === undefined) return `${name} needs a service behind the VIP (lab up --service nginx)`;
  if (needs === "maintenance-flag" && target.service !== undefined) {
    return `${name} raises the maintenance flag, which is not the health check of a lab with --service ${target.service} (nginx-dies-on-master is its counterpart)`;
  }
  if (needs === "link-impairment" && target.impairLink === undefined)
    return `${name} needs a network that can impair the link between the nodes: the local cloud's VPC (npm run lab -- up), not the ${target.label}`;
  return undefined;
}
