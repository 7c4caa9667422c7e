import type { LinkProfile } from "./drill-target";

/** One drill's outcome: the fault injected and what the operator saw. */
export interface DrillResult {
  readonly drill: string;
  /** Seconds from the fault until the VIP was on the peer, undefined when it never moved. */
  readonly vipMovedAfterSeconds?: number;
  readonly longestGapMs: number;
  readonly lost: number;
  readonly sent: number;
  /** Upper bound the measurement is expected to stay under, in seconds. */
  readonly expectedWithinSeconds?: number;
  /** False for a drill where the VIP must stay where it is. @default true */
  readonly expectsMove?: boolean;
  /** A drill that watches a stretch of time (lossy-link): no move is expected or forbidden. @default false */
  readonly watchesStretch?: boolean;
  /**
   * For a drill that moves the VIP and then brings the old master back: whether the VIP stayed on
   * the new master (nopreempt). A pass needs true. @default - not checked
   */
  readonly nopreemptHeld?: boolean;
  /** Whether exactly one server held the VIP once the drill was over. @default - not checked */
  readonly endedWithOneHolder?: boolean;
  /**
   * Where a cloud binds the HAVIP: whether the binding the cloud reports to the operator
   * (DescribeHaVips) was on the final VIP holder once the drill was over. A pass needs true.
   * @default - no cloud
   */
  readonly bindingFollowed?: boolean;
  /** Why the drill could not be run or completed; a drill with an error has failed. @default - no error */
  readonly error?: string;
}

/** What the partition drill saw: the cloud's binding and the clients while both nodes were MASTER, and the heal. */
export interface PartitionFindings {
  readonly holdSeconds: number;
  /** How often the cloud moved the binding while the nodes were apart. @default - no cloud */
  readonly bindingMovesDuringPartition?: number;
  /** The nodes the binding was on while apart, in order, repeats collapsed. @default - no cloud */
  readonly bindingSequence?: readonly string[];
  /** Seconds of the partition for which clients were answered by each node (by the HTTP client's samples). @default - no HTTP client */
  readonly clientSecondsByNode?: Readonly<Record<string, number>>;
  /** How often the node answering clients changed while apart. @default - no HTTP client */
  readonly clientSwitches?: number;
  readonly healToOneHolderSeconds?: number;
  /** From the heal until the cloud bound the HAVIP to the remaining holder (0 when it already was). @default - no cloud, or never */
  readonly healToBindingSeconds?: number;
  /** The longest gap the client saw from the heal on. */
  readonly outageAfterHealMs?: number;
}

/** What the lossy-link drill saw while the link between the nodes was impaired. */
export interface ImpairmentFindings {
  readonly profile: LinkProfile;
  readonly seconds: number;
  /** Times a node became MASTER (notify log) with no fault but the impaired link: false failovers. */
  readonly falseFailovers: number;
  /** falseFailovers scaled to an hour: falseFailovers x 3600 / seconds (real time in the lab). */
  readonly falseFailoversPerHour: number;
  /** Every state change the notify logs recorded meanwhile, `node STATE` in order per node. */
  readonly transitions: readonly string[];
  /** How often the cloud moved the binding meanwhile. @default - no cloud */
  readonly bindingMoves?: number;
}

export interface LabDrillResult extends DrillResult {
  /** Node the fault was injected on: the VIP holder, except in a drill that faults the backup. @default - the drill was not run */
  readonly faultOn?: string;
  /**
   * Nodes whose page answered the HTTP probe through the VIP, in order, repeats collapsed
   * (`["a", "b"]`: a served, then b). @default - no service: the probe was a TCP connect
   */
  readonly httpResponders?: readonly string[];
  /**
   * The VRRP bound for this fault at the cluster's timing: the master-down interval for a silent
   * master, the skew for a graceful handover, `fall` x interval + skew for a failing health check.
   * @default - the VIP must not move
   */
  readonly vrrpBoundSeconds?: number;
  /**
   * The bound for what a client sees: the VRRP bound plus the cloud's switch delay (the new
   * master's gratuitous ARP goes out at once, the cloud moves the HAVIP that much later). Equal
   * to vrrpBoundSeconds where no cloud is in between. @default - the VIP must not move
   */
  readonly clientBoundSeconds?: number;
  /** Seconds from the fault until the cloud bound the HAVIP to the new holder. @default - no cloud, or it never did */
  readonly bindingMovedAfterSeconds?: number;
  /** How often the cloud moved the binding during the drill (fault to restore). @default - no cloud */
  readonly bindingMoves?: number;
  /** Who holds the VIP once the drill has restored the cluster. Exactly one is a pass. */
  readonly finalHolders: readonly string[];
  readonly partition?: PartitionFindings;
  readonly impairment?: ImpairmentFindings;
  readonly note?: string;
}

/**
 * The verdict on one drill: no error; the VIP moved within the bound (or stayed, for a drill that
 * expects no move; either, for a drill that watches a stretch); nopreempt held where it was
 * checked; one holder at the end where that was checked; the cloud's binding on it where a cloud binds.
 */
export function drillPassed(result: DrillResult): boolean {
  if (result.error !== undefined) return false;
  const timing = result.watchesStretch
    ? true
    : result.expectsMove === false
      ? result.vipMovedAfterSeconds === undefined
      : result.vipMovedAfterSeconds !== undefined &&
        (result.expectedWithinSeconds === undefined || result.vipMovedAfterSeconds <= result.expectedWithinSeconds);
  return timing && result.nopreemptHeld !== false && result.endedWithOneHolder !== false && result.bindingFollowed !== false;
}
