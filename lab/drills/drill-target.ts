import type { HaVipBinding } from "../../lib/cloud/havip-bindings";
import type { FailoverTestResult } from "../../lib/operations/failover-test";
import type { LabService } from "../lab-cluster-spec";
import type { RunningOutageProbe } from "../probe/outage-probe";
import type { ServerGroup } from "../servers/server-inspection";
import type { DrillTiming } from "./drill-timing";
import type { LinkProfile } from "../cloud-network/link-impairment-model";

/** netem's knobs for the link between the two nodes (both ways): `loss P%` and `delay D J`. */
export type { LinkProfile } from "../cloud-network/link-impairment-model";

/** The parts of failover-test's report a drill reads. */
export type FailoverTestFacts = Pick<FailoverTestResult, "from" | "to" | "vipMovedAfterSeconds" | "nopreemptHeld" | "passed" | "problems">;

/** Where the cloud sends the HAVIP's traffic: the instance it binds the HAVIP to, as the cloud records it. */
export interface CloudBinding {
  /** Where the binding is read from, for reports. */
  readonly source: string;
  /** The instance id of a node (to compare with the binding). */
  instanceOf(node: string): string;
  /** The binding now, from `source` (fast enough to poll every 50 ms). */
  binding(): Promise<HaVipBinding>;
  /** The binding as the operator sees it (DescribeHaVips): slower, for the end of a drill. */
  bindingAsOperator(): Promise<HaVipBinding>;
}

/** The node a binding is on, undefined while unbound (or bound to something that is not a node). */
export function boundNode(target: DrillTarget, binding: HaVipBinding): string | undefined {
  return Object.keys(target.group.servers).find((node) => target.cloud?.instanceOf(node) === binding.boundInstanceId);
}

/**
 * A cluster the drills can run on: its two nodes as lab servers, its timing, how a client reaches
 * its service, and the faults only its network can make. Two implementations: the bare lab (two
 * servers on a bridge, the VIP plain Layer 2: `bareLabTarget`) and the local cloud (the deployed
 * example's nodes in a routed VPC, the VIP reaching clients through the cloud's HAVIP binding and
 * the EIP: `cloudLabTarget` in lab/cloud).
 */
export interface DrillTarget {
  /** What it is, for reports: `bare lab havip-lab`, `local cloud dr`. */
  readonly label: string;
  /** The nodes by name (a/b, primary/secondary) and the VIP: every host-side inspection and machine fault takes this. */
  readonly group: ServerGroup;
  /** A service behind the VIP; its drills replace health-check-fails. @default - none: the maintenance-flag health check */
  readonly service?: LabService;
  readonly timing: DrillTiming;
  /** Where each node's notify script logs its VRRP transitions (the spec's notifyLogPath). */
  readonly notifyLogPath: string;
  /** Where a cloud binds the HAVIP. @default - no cloud: the VIP reaches clients by ARP, whoever holds it */
  readonly cloud?: CloudBinding;
  /** What the client probes, for reports: `http://198.51.100.130/ (EIP)`. */
  readonly clientTarget: string;
  /**
   * Starts the client a user would be: from the target's operator namespace, an HTTP GET of the
   * service's page every 50 ms (with a service), or a TCP connect otherwise; it stops by itself
   * after `seconds`.
   */
  startClient(seconds: number): Promise<RunningOutageProbe>;
  /** The node whose page answered (a responder word of the HTTP probe), or the word itself when it names none. */
  responderNode(word: string): string;
  /** Runs the provisioner as a user would against this cluster (idempotent: starts what was stopped). */
  reprovision(): Promise<void>;
  /** Runs `havip-cluster failover-test --json` as a user would and returns its report. */
  failoverTest(): Promise<FailoverTestFacts>;
  /** Brings a node's link back after `setLink(..., "down")`, as its next boot would set it (address, default route). */
  restoreLink(node: string): Promise<void>;
  /** Cuts the two nodes from each other while both still reach clients (and, in a cloud, the VPC). */
  partition(): Promise<void>;
  heal(): Promise<void>;
  /** Impairs the link between the two nodes, both ways. @default - the target cannot (the bare lab's kernel has no netem) */
  impairLink?(profile: LinkProfile): Promise<void>;
  clearLinkImpairment?(): Promise<void>;
}

export const otherNode = (target: DrillTarget, node: string): string => {
  const other = Object.keys(target.group.servers).find((name) => name !== node);
  if (other === undefined) throw new Error(`${target.label} has no node besides ${node}`);
  return other;
};
