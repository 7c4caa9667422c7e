import { masterDownIntervalFormula } from "../../lib/core/vrrp-timing";
import { type DrillResult, drillPassed, type LabDrillResult } from "./drill-result";
import { describeLinkProfile } from "./drill-plans";
import { BARE_LAB_TIMING, type DrillTiming } from "./drill-timing";

const seconds = (value: number | undefined) => (value === undefined ? "never" : `${value.toFixed(2)} s`);

function movedCell(result: DrillResult): string {
  if (result.watchesStretch) return "-";
  if (result.expectsMove === false && result.vipMovedAfterSeconds === undefined)
    return result.error === undefined ? "stayed (as expected)" : "-";
  if (result.vipMovedAfterSeconds === undefined && result.error !== undefined) return "-";
  const moved = seconds(result.vipMovedAfterSeconds);
  if (result.nopreemptHeld === undefined) return moved;
  return `${moved}, then ${result.nopreemptHeld ? "stayed" : "did NOT stay"}`;
}

const isCloudResult = (result: DrillResult) =>
  result.bindingFollowed !== undefined || (result as LabDrillResult).bindingMoves !== undefined;

/**
 * A Markdown table of drill results, one row per drill. Where a cloud binds the HAVIP, two more
 * columns: when the binding reached the new holder, and the bound a client's outage has there
 * (VRRP's bound plus the cloud's switch delay).
 */
export function formatDrillTable(results: readonly DrillResult[]): string {
  const cloud = results.some(isCloudResult);
  const header = [
    "drill",
    "VIP on peer after",
    ...(cloud ? ["binding on it after"] : []),
    "expected within",
    "longest gap",
    ...(cloud ? ["client bound"] : []),
    "lost / sent",
    "verdict",
  ];
  const rows = results.map((result) => {
    const lab = result as LabDrillResult;
    return [
      result.drill,
      movedCell(result),
      ...(cloud ? [lab.bindingMovedAfterSeconds === undefined ? "-" : seconds(lab.bindingMovedAfterSeconds)] : []),
      result.expectedWithinSeconds === undefined ? "-" : seconds(result.expectedWithinSeconds),
      `${(result.longestGapMs / 1000).toFixed(2)} s`,
      ...(cloud ? [lab.clientBoundSeconds === undefined ? "-" : seconds(lab.clientBoundSeconds)] : []),
      `${result.lost} / ${result.sent}`,
      drillPassed(result) ? "ok" : "FAILED",
    ];
  });
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n") + "\n";
}

function partitionLine(result: LabDrillResult): string | undefined {
  const found = result.partition;
  if (found === undefined) return undefined;
  const share = found.clientSecondsByNode
    ? `clients answered by ${Object.entries(found.clientSecondsByNode)
        .map(([node, s]) => `${node} ${s.toFixed(1)} s`)
        .join(", ")} (${found.clientSwitches ?? 0} switches)`
    : undefined;
  const binding =
    found.bindingMovesDuringPartition === undefined
      ? undefined
      : `the binding moved ${found.bindingMovesDuringPartition} time(s) (${found.bindingSequence?.join(" -> ") ?? "?"})`;
  const heal = [
    found.healToOneHolderSeconds === undefined ? "no single holder" : `one holder ${seconds(found.healToOneHolderSeconds)} after the heal`,
    ...(found.healToBindingSeconds === undefined ? [] : [`binding on it ${seconds(found.healToBindingSeconds)} after`]),
    ...(found.outageAfterHealMs === undefined ? [] : [`longest client gap from the heal on ${seconds(found.outageAfterHealMs / 1000)}`]),
  ].join(", ");
  return `  partition of ${found.holdSeconds.toFixed(0)} s: ${[binding, share].filter(Boolean).join("; ")}; ${heal}`;
}

function impairmentLine(result: LabDrillResult): string | undefined {
  const found = result.impairment;
  if (found === undefined) return undefined;
  return `  ${describeLinkProfile(found.profile)} for ${found.seconds.toFixed(0)} s: ${found.falseFailovers} false failover(s) = ${found.falseFailoversPerHour.toFixed(1)} per hour (x 3600 / ${found.seconds.toFixed(0)} s)${found.bindingMoves === undefined ? "" : `, binding moved ${found.bindingMoves} time(s)`}; ${found.transitions.join(", ") || "no state change"}`;
}

export function formatDrillReport(results: readonly LabDrillResult[], timing: DrillTiming = BARE_LAB_TIMING): string {
  const bound = [
    `VRRP bound: master-down interval = ${masterDownIntervalFormula(timing.advertIntSeconds, timing.priority)}`,
    ...(results.some(isCloudResult)
      ? [
          `client bound: the VRRP bound + the cloud's switch delay of ${timing.switchDelaySeconds} s (the HAVIP moves that long after the new master's gratuitous ARP)`,
        ]
      : []),
  ];
  const endings = results.flatMap((r) => {
    const failed = r.error === undefined ? "" : `; FAILED: ${r.error}`;
    if (r.faultOn === undefined) return [`${r.drill}: FAILED: ${r.error ?? "not run"}`];
    const holders = r.finalHolders.join(" and ") || "nobody";
    const http = r.httpResponders === undefined ? "" : `; HTTP answered by ${r.httpResponders.join(", then ") || "nobody"}`;
    const binding = r.bindingFollowed === undefined ? "" : `; the cloud binds it ${r.bindingFollowed ? "there" : "ELSEWHERE"}`;
    return [
      `${r.drill}: fault on ${r.faultOn}, ends with VIP on ${holders}${r.finalHolders.length === 1 ? "" : "  <-- FAIL"}${binding}${r.note ? ` (${r.note})` : ""}${http}${failed}`,
      ...[partitionLine(r), impairmentLine(r)].filter((line): line is string => line !== undefined),
    ];
  });
  return [formatDrillTable(results), "", ...bound, ...endings].join("\n");
}
