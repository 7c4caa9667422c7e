import { DEFAULT_PRIORITY } from "../../lib/core/limits";
import { masterDownIntervalFormula } from "../../lib/core/vrrp-timing";
import { LAB_ADVERT_INT_SECONDS } from "../lab-cluster-spec";
import { type DrillResult, drillPassed, type LabDrillResult } from "./drill-result";

const seconds = (value: number | undefined) => (value === undefined ? "never" : `${value.toFixed(2)} s`);

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

export function formatDrillReport(results: readonly LabDrillResult[]): string {
  const bound = `VRRP bound: master-down interval = ${masterDownIntervalFormula(LAB_ADVERT_INT_SECONDS, DEFAULT_PRIORITY)}`;
  const endings = results.map((r) => {
    const failed = r.error === undefined ? "" : `; FAILED: ${r.error}`;
    if (r.faultOn === undefined) return `${r.drill}: FAILED: ${r.error ?? "not run"}`;
    const holders = r.finalHolders.join(" and ") || "nobody";
    const http = r.httpResponders === undefined ? "" : `; HTTP answered by ${r.httpResponders.join(", then ") || "nobody"}`;
    return `${r.drill}: fault on ${r.faultOn}, ends with VIP on ${holders}${r.finalHolders.length === 1 ? "" : "  <-- FAIL"}${r.note ? ` (${r.note})` : ""}${http}${failed}`;
  });
  return [formatDrillTable(results), "", bound, ...endings].join("\n");
}
