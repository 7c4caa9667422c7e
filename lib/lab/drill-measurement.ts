export { masterDownIntervalSeconds, skewTimeSeconds } from "../core/vrrp-timing";

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
  /** False for a drill where the VIP must stay where it is (nopreempt). @default true */
  readonly expectsMove?: boolean;
  /** Whether exactly one server held the VIP once the drill was over. @default - not checked */
  readonly endedWithOneHolder?: boolean;
}

const seconds = (value: number | undefined) => (value === undefined ? "never" : `${value.toFixed(2)} s`);

/** A Markdown table of drill results, one row per drill. */
export function formatDrillTable(results: readonly DrillResult[]): string {
  const header = ["drill", "VIP on peer after", "expected within", "longest gap", "lost / sent", "verdict"];
  const rows = results.map((result) => {
    const asExpected =
      result.expectsMove === false
        ? result.vipMovedAfterSeconds === undefined
        : result.vipMovedAfterSeconds !== undefined &&
          (result.expectedWithinSeconds === undefined || result.vipMovedAfterSeconds <= result.expectedWithinSeconds);
    const withinBound = asExpected && result.endedWithOneHolder !== false;
    return [
      result.drill,
      result.expectsMove === false && result.vipMovedAfterSeconds === undefined ? "stayed (as expected)" : seconds(result.vipMovedAfterSeconds),
      result.expectedWithinSeconds === undefined ? "-" : seconds(result.expectedWithinSeconds),
      `${(result.longestGapMs / 1000).toFixed(2)} s`,
      `${result.lost} / ${result.sent}`,
      withinBound ? "ok" : "FAILED",
    ];
  });
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n") + "\n";
}
