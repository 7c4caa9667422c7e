import { DEFAULT_PRIORITY } from "../../lib/core/limits";
import { masterDownIntervalSeconds, skewTimeSeconds } from "../../lib/core/vrrp-timing";
import { LAB_ADVERT_INT_SECONDS, LAB_HEALTH_CHECK } from "../lab-cluster-spec";

/** The lab's VRRP timing, the slack each way of observing a move needs, and how long the drills wait. */

export const MASTER_DOWN_S = masterDownIntervalSeconds(LAB_ADVERT_INT_SECONDS, DEFAULT_PRIORITY);
export const SKEW_S = skewTimeSeconds(LAB_ADVERT_INT_SECONDS, DEFAULT_PRIORITY);
/** The drills see a move by polling `ip addr` every 50 ms from another process: allow for that. */
export const POLL_SLACK_S = 0.25;
/** failover-test sees the move by reading the peer's addresses over SSH (~0.4 s measured on the lab). */
export const SSH_POLL_SLACK_S = 1;
/** `systemctl reboot` returns before systemd has stopped Keepalived: allow for its queueing of the stop jobs. */
export const SYSTEMD_STOP_SLACK_S = 1;
/** How long a drill waits for an expected VIP move before calling it failed. */
export const MOVE_TIMEOUT_MS = Math.ceil((3 * MASTER_DOWN_S + 5) * 1000);
/** How long the lab may take to be steady again (before a drill, and after its restore). */
export const SETTLE_TIMEOUT_MS = MOVE_TIMEOUT_MS + 10_000;

/** How long a restarted server may take to be back: boot, sshd, Keepalived from its unit, BACKUP. */
export const RETURN_TIMEOUT_MS = 60_000;

/** How long a backup whose service died may take to reach FAULT. */
export const SERVICE_FAULT_TIMEOUT_MS = ((LAB_HEALTH_CHECK.fall + 1) * LAB_HEALTH_CHECK.intervalSeconds + 5) * 1000;
/** The check fails at most `fall` intervals after the fault; then the priority-0 advert hands over within the skew. */
export const HEALTH_CHECK_BOUND_S = LAB_HEALTH_CHECK.fall * LAB_HEALTH_CHECK.intervalSeconds + SKEW_S;
/** The same plus ~1 s measured between the last failed check and the handover. */
export const HEALTH_CHECK_FAILOVER_S = HEALTH_CHECK_BOUND_S + 1;
