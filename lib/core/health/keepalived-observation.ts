import type { KeepalivedStatus } from "../node/keepalived-service";

/**
 * One read of a node's Keepalived, whoever read it (the provisioner over SSH, `status`,
 * failover-test, the lab through the server's PID 1): the shape every health question takes.
 */
export interface KeepalivedObservation {
  /** The node's name in the spec (a or b in the lab). */
  readonly node: string;
  /** The node answered (SSH, or a booted lab server); a node that did not says nothing else. */
  readonly reachable: boolean;
  /** Keepalived's status, when the node answered. */
  readonly keepalived?: KeepalivedStatus;
}
