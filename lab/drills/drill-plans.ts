import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_MAINTENANCE_FLAG_PATH } from "../../lib/core/limits";
import { LAB_ADVERT_INT_SECONDS } from "../lab-cluster-spec";
import type { LabLayout, LabServerName } from "../lab-layout";
import { healPartition, partitionServers } from "../network/lab-partition";
import { crashServer, rebootServer, setLink, signalKeepalived } from "../servers/server-inspection";
import type { DrillLab, DrillName } from "./drill-names";
import {
  HEALTH_CHECK_BOUND_S,
  HEALTH_CHECK_FAILOVER_S,
  MASTER_DOWN_S,
  POLL_SLACK_S,
  SKEW_S,
  SSH_POLL_SLACK_S,
  SYSTEMD_STOP_SLACK_S,
} from "./drill-timing";
import {
  failoverTestObservation,
  inServer,
  killService,
  type Observation,
  oneHolderAfterHeal,
  peerOf,
  peerTakesOver,
  peerTakesOverWhileMasterRestarts,
  reprovision,
  serviceDiesOnBackup,
  startService,
  waitForReturn,
} from "./faults";
import { waitForSteadyLab } from "./steadiness";

/** The drill table: each drill's fault, how it is watched, what it may take, and how the lab is restored. */

export interface DrillPlan {
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

export const DRILLS: Record<DrillName, DrillPlan> = {
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
export function drillMismatch(lab: DrillLab, name: DrillName): string | undefined {
  const needs = DRILLS[name].needs;
  if (needs === "service" && lab.service === undefined) return `${name} needs a lab with a service behind the VIP (lab up --service nginx)`;
  if (needs === "maintenance-flag" && lab.service !== undefined) {
    return `${name} raises the maintenance flag, which is not the health check of a lab with --service ${lab.service} (nginx-dies-on-master is its counterpart)`;
  }
  return undefined;
}
