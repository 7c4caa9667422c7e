import type { ResolvedHealthCheck } from "../../lib/core/cluster-settings";
import { DEFAULT_PRIORITY } from "../../lib/core/limits";
import { masterDownIntervalSeconds, skewTimeSeconds } from "../../lib/core/vrrp-timing";
import { LAB_ADVERT_INT_SECONDS, LAB_HEALTH_CHECK } from "../lab-cluster-spec";

/**
 * What a drill's bounds and waits are made of: the cluster's own VRRP timing (from its spec) and,
 * on the local cloud, how long the cloud takes to move the HAVIP after a gratuitous ARP.
 */
export interface DrillTiming {
  readonly advertIntSeconds: number;
  readonly priority: number;
  readonly healthCheck: Pick<ResolvedHealthCheck, "intervalSeconds" | "fall" | "rise">;
  /** The cloud's switch delay; 0 where the VIP is plain Layer 2 (the bare lab: whoever answers ARP gets the traffic). */
  readonly switchDelaySeconds: number;
}

/** The bare lab's timing: its spec's constants, and no cloud in between. */
export const BARE_LAB_TIMING: DrillTiming = {
  advertIntSeconds: LAB_ADVERT_INT_SECONDS,
  priority: DEFAULT_PRIORITY,
  healthCheck: LAB_HEALTH_CHECK,
  switchDelaySeconds: 0,
};

/** The drills see a move by polling `ip addr` every 50 ms from another process: allow for that. */
export const POLL_SLACK_S = 0.25;
/** failover-test sees the move by reading the peer's addresses over SSH (~0.4 s measured on the lab). */
export const SSH_POLL_SLACK_S = 1;
/** `systemctl reboot` returns before systemd has stopped Keepalived: allow for its queueing of the stop jobs. */
export const SYSTEMD_STOP_SLACK_S = 1;
/** How long a restarted server may take to be back: boot, sshd, Keepalived from its unit, BACKUP. */
export const RETURN_TIMEOUT_MS = 60_000;

/** Everything a drill derives from the timing: VRRP's bounds, and how long it waits for what. */
export interface DrillBounds {
  readonly timing: DrillTiming;
  /** Master-down interval: a silent master is replaced within this. */
  readonly masterDownS: number;
  /** Skew: a graceful handover (priority-0 advert) takes at most this. */
  readonly skewS: number;
  /** The check fails at most `fall` intervals after the fault; then the priority-0 advert hands over within the skew. */
  readonly healthCheckBoundS: number;
  /** The same plus ~1 s measured between the last failed check and the handover. */
  readonly healthCheckFailoverS: number;
  /** How long a drill waits for an expected VIP move before calling it failed. */
  readonly moveTimeoutMs: number;
  /** How long a drill waits for the cloud to bind the HAVIP where Keepalived put the VIP. */
  readonly bindingTimeoutMs: number;
  /** How long the cluster may take to be steady again (before a drill, and after its restore). */
  readonly settleTimeoutMs: number;
  /** How long a backup whose service died may take to reach FAULT. */
  readonly serviceFaultTimeoutMs: number;
}

export function drillBounds(timing: DrillTiming): DrillBounds {
  const masterDownS = masterDownIntervalSeconds(timing.advertIntSeconds, timing.priority);
  const skewS = skewTimeSeconds(timing.advertIntSeconds, timing.priority);
  const healthCheckBoundS = timing.healthCheck.fall * timing.healthCheck.intervalSeconds + skewS;
  const moveTimeoutMs = Math.ceil((3 * masterDownS + 5) * 1000);
  const bindingTimeoutMs = Math.ceil((timing.switchDelaySeconds + 2 * timing.advertIntSeconds + 5) * 1000);
  return {
    timing,
    masterDownS,
    skewS,
    healthCheckBoundS,
    healthCheckFailoverS: healthCheckBoundS + 1,
    moveTimeoutMs,
    bindingTimeoutMs,
    settleTimeoutMs: moveTimeoutMs + bindingTimeoutMs + 10_000,
    serviceFaultTimeoutMs: ((timing.healthCheck.fall + 1) * timing.healthCheck.intervalSeconds + 5) * 1000,
  };
}

/**
 * How long the partition drill keeps the nodes apart: two master-down intervals (both nodes become
 * MASTER), plus, where a cloud binds the HAVIP, the switch delay and three gratuitous-ARP refresh
 * periods (5 s each, rounded up to an advert): long enough to see whether the binding swaps
 * between the two masters.
 */
export function partitionHoldSeconds(bounds: DrillBounds, cloud: boolean): number {
  if (!cloud) return 2 * bounds.masterDownS;
  const refreshPeriod = Math.ceil(5 / bounds.timing.advertIntSeconds) * bounds.timing.advertIntSeconds;
  return 2 * bounds.masterDownS + bounds.timing.switchDelaySeconds + 3 * refreshPeriod;
}
