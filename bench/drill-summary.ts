import { drillPassed } from "../lab/drills";
import type { LabDrillResult } from "../lab/drills";
import { formatSpread, spreadOf, type Spread } from "./statistics";
import { renderTable } from "./text-table";

/** One drill over all benchmark runs. */
export interface DrillSummary {
  readonly drill: string;
  readonly runs: number;
  /** Seconds from fault to VIP on the peer; undefined for a drill where the VIP must stay. */
  readonly failoverSeconds?: Spread;
  /** Longest gap between two answers the client got, in milliseconds. */
  readonly outageMs: Spread;
  readonly lost: number;
  readonly sent: number;
  readonly expectedWithinSeconds?: number;
  /** What VRRP allows for this fault at the lab's timing (see LabDrillResult). @default - the VIP must stay */
  readonly vrrpBoundSeconds?: number;
  readonly expectsMove: boolean;
  /** Runs that failed over in time (or stayed, for a no-move drill) and ended with one VIP holder. */
  readonly runsAsExpected: number;
}

/** Groups drill results of several runs by drill, in the order drills first appear. */
export function summarizeDrills(results: readonly LabDrillResult[]): DrillSummary[] {
  const names = [...new Set(results.map((result) => result.drill))];
  return names.map((drill) => {
    const runs = results.filter((result) => result.drill === drill);
    const moved = runs.map((r) => r.vipMovedAfterSeconds).filter((s): s is number => s !== undefined);
    const expectsMove = runs[0].expectsMove !== false;
    return {
      drill,
      runs: runs.length,
      failoverSeconds: expectsMove ? spreadOf(moved) : undefined,
      outageMs: spreadOf(runs.map((r) => r.longestGapMs)) as Spread,
      lost: runs.reduce((sum, r) => sum + r.lost, 0),
      sent: runs.reduce((sum, r) => sum + r.sent, 0),
      expectedWithinSeconds: runs[0].expectedWithinSeconds,
      vrrpBoundSeconds: runs[0].vrrpBoundSeconds,
      expectsMove,
      runsAsExpected: runs.filter((run) => drillPassed(run) && run.finalHolders.length === 1).length,
    };
  });
}

function failoverCell(summary: DrillSummary): string {
  if (!summary.expectsMove) return summary.runsAsExpected === summary.runs ? "stayed" : "MOVED";
  const text = formatSpread(summary.failoverSeconds, 2);
  const missing = summary.runs - (summary.failoverSeconds?.count ?? 0);
  return missing > 0 ? `${text} (${missing} never)` : text;
}

export function formatDrillSummaryTable(summaries: readonly DrillSummary[]): string {
  return renderTable(
    [
      "drill",
      "runs",
      "failover s (min / med / max)",
      "VRRP bound s",
      "client outage s (min / med / max)",
      "drill's limit s",
      "lost / sent",
      "as expected",
    ],
    summaries.map((s) => [
      s.drill,
      String(s.runs),
      failoverCell(s),
      s.vrrpBoundSeconds === undefined ? "-" : s.vrrpBoundSeconds.toFixed(3),
      formatSpread({ ...s.outageMs, min: s.outageMs.min / 1000, median: s.outageMs.median / 1000, max: s.outageMs.max / 1000 }, 2),
      s.expectedWithinSeconds === undefined ? "-" : s.expectedWithinSeconds.toFixed(2),
      `${s.lost} / ${s.sent}`,
      `${s.runsAsExpected}/${s.runs}`,
    ]),
  );
}
