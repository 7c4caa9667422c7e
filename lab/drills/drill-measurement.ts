export { masterDownIntervalSeconds, skewTimeSeconds } from "../../lib/core/vrrp-timing";

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

const seconds = (value: number | undefined) => (value === undefined ? "never" : `${value.toFixed(2)} s`);

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

function movedCell(result: DrillResult): string {
  if (result.expectsMove === false && result.vipMovedAfterSeconds === undefined)
    return result.error === undefined ? "stayed (as expected)" : "-";
  if (result.vipMovedAfterSeconds === undefined && result.error !== undefined) return "-";
  const moved = seconds(result.vipMovedAfterSeconds);
  if (result.nopreemptHeld === undefined) return moved;
  return `${moved}, then ${result.nopreemptHeld ? "stayed" : "did NOT stay"}`;
}

/** A Markdown table of drill results, one row per drill. */
export function formatDrillTable(results: readonly DrillResult[]): string {
  const header = ["drill", "VIP on peer after", "expected within", "longest gap", "lost / sent", "verdict"];
  const rows = results.map((result) => [
    result.drill,
    movedCell(result),
    result.expectedWithinSeconds === undefined ? "-" : seconds(result.expectedWithinSeconds),
    `${(result.longestGapMs / 1000).toFixed(2)} s`,
    `${result.lost} / ${result.sent}`,
    drillPassed(result) ? "ok" : "FAILED",
  ]);
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n") + "\n";
}
