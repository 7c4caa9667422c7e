import { describe, expect, it } from "vitest";
import { formatDrillSummaryTable, summarizeDrills } from "../../../bench/drill-summary";
import type { LabDrillResult } from "../../../lab/drills";

function result(
  drill: string,
  vipMovedAfterSeconds: number | undefined,
  longestGapMs: number,
  extra: Partial<LabDrillResult> = {},
): LabDrillResult {
  return {
    drill,
    faultOn: "a",
    vipMovedAfterSeconds,
    longestGapMs,
    lost: 10,
    sent: 40,
    expectedWithinSeconds: 3.61,
    expectsMove: true,
    endedWithOneHolder: true,
    finalHolders: ["b"],
    ...extra,
  };
}

describe("summarizeDrills", () => {
  it("groups runs by drill in first-seen order, with failover and outage spreads", () => {
    const summaries = summarizeDrills([
      result("link-down", 3.1, 3100),
      result("graceful-stop", 0.6, 700, { expectedWithinSeconds: 1.11 }),
      result("link-down", 2.9, 2900),
      result("link-down", 3.0, 3050),
    ]);
    expect(summaries.map((s) => s.drill)).toEqual(["link-down", "graceful-stop"]);
    expect(summaries[0]).toMatchObject({
      runs: 3,
      failoverSeconds: { count: 3, min: 2.9, median: 3.0, max: 3.1 },
      outageMs: { min: 2900, median: 3050, max: 3100 },
      lost: 30,
      sent: 120,
      runsAsExpected: 3,
    });
  });

  it("counts a run over its bound, one that never moved, or one that ended with two holders as not as expected", () => {
    const [summary] = summarizeDrills([
      result("machine-crash", 3.0, 3000),
      result("machine-crash", 4.2, 4200),
      result("machine-crash", undefined, 9000),
      result("machine-crash", 3.0, 3000, { finalHolders: ["a", "b"] }),
    ]);
    expect(summary.runsAsExpected).toBe(1);
    expect(summary.failoverSeconds?.count).toBe(3);
    expect(formatDrillSummaryTable([summary])).toContain("3.00 / 3.00 / 4.20 (1 never)");
  });

  it("reports a drill where the VIP must stay as stayed, not as a failover time", () => {
    const summaries = summarizeDrills([
      result("nginx-dies-on-backup", undefined, 700, { expectsMove: false, expectedWithinSeconds: undefined }),
    ]);
    expect(summaries[0].failoverSeconds).toBeUndefined();
    expect(summaries[0].runsAsExpected).toBe(1);
    expect(formatDrillSummaryTable(summaries)).toMatch(
      /\| nginx-dies-on-backup \| 1 +\| stayed +\| - +\| 0\.70 \/ 0\.70 \/ 0\.70 +\| - +\| 10 \/ 40 +\| 1\/1 +\|/,
    );
  });

  it("puts the client outage beside the VRRP bound of the drill's fault", () => {
    const summaries = summarizeDrills([
      result("graceful-stop", 0.01, 60, { vrrpBoundSeconds: 0.0078125, expectedWithinSeconds: 0.51 }),
      result("graceful-stop", 0.02, 110, { vrrpBoundSeconds: 0.0078125, expectedWithinSeconds: 0.51 }),
    ]);
    expect(summaries[0].vrrpBoundSeconds).toBe(0.0078125);
    expect(formatDrillSummaryTable(summaries)).toMatch(
      /\| graceful-stop \| 2 +\| 0\.01 \/ 0\.01 \/ 0\.02 +\| 0\.008 +\| 0\.06 \/ 0\.09 \/ 0\.11 +\| 0\.51 +\|/,
    );
  });

  it("flags a stay-drill whose VIP moved", () => {
    const summaries = summarizeDrills([result("old-master-returns", 1.2, 700, { expectsMove: false, expectedWithinSeconds: undefined })]);
    expect(summaries[0].runsAsExpected).toBe(0);
    expect(formatDrillSummaryTable(summaries)).toContain("MOVED");
  });
});
