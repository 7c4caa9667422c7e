import type { LabServerName } from "../lab-layout";

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
  /**
   * For a drill that moves the VIP and then brings the old master back: whether the VIP stayed on
   * the new master (nopreempt). A pass needs true. @default - not checked
   */
  readonly nopreemptHeld?: boolean;
  /** Whether exactly one server held the VIP once the drill was over. @default - not checked */
  readonly endedWithOneHolder?: boolean;
  /** Why the drill could not be run or completed; a drill with an error has failed. @default - no error */
  readonly error?: string;
}

export interface LabDrillResult extends DrillResult {
  /** Server the fault was injected on: the VIP holder, except in a drill that faults the backup. @default - the drill was not run */
  readonly faultOn?: LabServerName;
  /**
   * Servers whose page answered the HTTP probe through the VIP, in order, repeats collapsed
   * (`["a", "b"]`: a served, then b). @default - no service: the probe was a TCP connect
   */
  readonly httpResponders?: readonly string[];
  /**
   * The VRRP bound for this fault at the lab's timing: the master-down interval for a silent
   * master, the skew for a graceful handover, `fall` x interval + skew for a failing health check.
   * @default - the VIP must not move
   */
  readonly vrrpBoundSeconds?: number;
  /** Who holds the VIP once the drill has restored the lab. Exactly one is a pass. */
  readonly finalHolders: readonly LabServerName[];
  readonly note?: string;
}

/**
 * The verdict on one drill: no error; the VIP moved within the bound (or stayed, for a drill that
 * expects no move); nopreempt held where it was checked; and one holder at the end where that was checked.
 */
export function drillPassed(result: DrillResult): boolean {
  if (result.error !== undefined) return false;
  const timing =
    result.expectsMove === false
      ? result.vipMovedAfterSeconds === undefined
      : result.vipMovedAfterSeconds !== undefined &&
        (result.expectedWithinSeconds === undefined || result.vipMovedAfterSeconds <= result.expectedWithinSeconds);
  return timing && result.nopreemptHeld !== false && result.endedWithOneHolder !== false;
}
