import * as fs from "node:fs";
import {
  type CloudLab,
  cloudLabTarget,
  cloudLabUp,
  havipSwitchDelayMs,
  loadCloudLab,
  setHavipSwitchDelay,
  writeOutputs,
} from "../lab/cloud";
import { describeLinkProfile, type DrillTarget, type LabDrillResult, type LinkProfile, runDrills } from "../lab/drills";
import { execInServer } from "../lab/servers/server-inspection";
import { DEFAULT_PRIORITY } from "../lib/core/limits";
import { masterDownIntervalSeconds } from "../lib/core/vrrp-timing";
import { usesVrrpV3 } from "../lib/core/keepalived/vrrp-version";
import { formatSpread, spreadOf } from "./statistics";
import { renderTable } from "./text-table";

/**
 * The drills on the local cloud over a grid of timings: per advert_int and per switch delay of the
 * cloud, the client outage of a crash through the EIP (an HTTP GET every 50 ms); per advert_int,
 * the false failovers of a lossy or jittery link between the nodes; and what the binding does
 * during a partition, with the periodic gratuitous ARP as rendered and without it.
 */

/** The grid the issue asks for: advert_int 0.1 and 0.5 s are VRRPv3 (fractional), 1, 2 and 5 s VRRPv2. */
export const GRID_ADVERT_INTS = [0.1, 0.5, 1, 2, 5] as const;
/** Tencent's guide: about 4 s per switch (the local cloud's default); Tencent's HAVIP page: up to 10 s. */
export const GRID_SWITCH_DELAYS_MS = [4000, 10_000] as const;
/** The link profiles of the false-failover count: loss 1-10 %, delay with jitter, and both. */
export const GRID_LINK_PROFILES: readonly LinkProfile[] = [
  { lossPercent: 1 },
  { lossPercent: 5 },
  { lossPercent: 10 },
  { delayMs: 100, jitterMs: 50 },
  { lossPercent: 5, delayMs: 200, jitterMs: 150 },
];
export const GRID_PARTS = ["crash", "link", "partition"] as const;
export type GridPart = (typeof GRID_PARTS)[number];

export interface CrashSample {
  readonly advertIntSeconds: number;
  readonly switchDelayMs: number;
  /** The client's longest time without an answer through the EIP. */
  readonly outageMs: number;
  readonly vipMovedAfterSeconds?: number;
  readonly bindingMovedAfterSeconds?: number;
  readonly error?: string;
}

export interface LinkSample {
  readonly advertIntSeconds: number;
  readonly profile: LinkProfile;
  readonly seconds: number;
  readonly falseFailovers: number;
  readonly bindingMoves?: number;
  readonly error?: string;
}

export interface PartitionSample {
  readonly advertIntSeconds: number;
  readonly switchDelayMs: number;
  /** garp_master_refresh on the nodes during the partition: 5 as the construct renders it, 0 without the line. */
  readonly garpMasterRefreshSeconds: number;
  readonly holdSeconds: number;
  readonly bindingMovesDuringPartition?: number;
  readonly clientSwitches?: number;
  readonly clientSecondsByNode?: Readonly<Record<string, number>>;
  readonly healToBindingSeconds?: number;
  readonly outageAfterHealMs?: number;
  readonly error?: string;
}

export interface CloudGridSection {
  readonly crash: readonly CrashSample[];
  readonly link: readonly LinkSample[];
  readonly partition: readonly PartitionSample[];
}

export interface CloudGridOptions {
  readonly prefix: string;
  readonly runs: number;
  readonly advertInts: readonly number[];
  readonly switchDelaysMs: readonly number[];
  readonly parts: readonly GridPart[];
  readonly linkSeconds: number;
  /** Leave the lab up for the next slice (it is reused when it is up). */
  readonly keepLab: boolean;
  readonly log: (line: string) => void;
}

/**
 * Sets the deployed cluster's advert_int the way an operator changes a spec: the published spec
 * (the outputs file's `cluster-spec`) with the new value, then `havip-cluster provision`. The
 * Terraform state keeps the deployed value; the bench's lab is torn down afterwards.
 */
async function setAdvertInt(lab: CloudLab, advertIntSeconds: number): Promise<DrillTarget> {
  const outputs = JSON.parse(fs.readFileSync(lab.outputsPath, "utf8")) as Record<string, Record<string, unknown>>;
  const stack = Object.values(outputs)[0];
  const spec = JSON.parse(String(stack["cluster-spec"])) as { advertIntSeconds: number; authPass?: unknown };
  if (spec.advertIntSeconds !== advertIntSeconds) {
    // VRRPv3 (a fractional advert_int) has no authentication: the spec must not carry the password then.
    const { authPass, ...withoutPassword } = spec;
    const changed = usesVrrpV3(advertIntSeconds)
      ? withoutPassword
      : { ...withoutPassword, ...(authPass === undefined ? {} : { authPass }) };
    stack["cluster-spec"] = JSON.stringify({ ...changed, advertIntSeconds });
    fs.writeFileSync(lab.outputsPath, `${JSON.stringify(outputs, null, 2)}\n`, { mode: 0o600 });
    await cloudLabTarget(lab).reprovision();
  }
  return cloudLabTarget(lab);
}

/** Removes (or, with provisioning, puts back) the periodic gratuitous ARP on both nodes and reloads Keepalived. */
async function withoutGarpRefresh(target: DrillTarget): Promise<void> {
  for (const node of Object.keys(target.group.servers)) {
    const result = await execInServer(target.group, node, [
      "sh",
      "-c",
      "sed -i '/garp_master_refresh/d' /etc/keepalived/keepalived.conf && systemctl reload keepalived",
    ]);
    if (result.code !== 0) throw new Error(`removing garp_master_refresh on ${node} failed: ${result.stderr.trim()}`);
  }
}

async function grid(lab: CloudLab, options: CloudGridOptions): Promise<CloudGridSection> {
  const crash: CrashSample[] = [];
  const link: LinkSample[] = [];
  const partition: PartitionSample[] = [];
  const quiet = () => undefined;
  for (const [index, switchDelayMs] of options.switchDelaysMs.entries()) {
    if (havipSwitchDelayMs(lab) !== switchDelayMs) {
      options.log(`cloud drills: switch delay ${switchDelayMs} ms`);
      await setHavipSwitchDelay(lab, switchDelayMs);
    }
    for (const advertIntSeconds of options.advertInts) {
      options.log(`cloud drills: advert_int ${advertIntSeconds} s, switch delay ${switchDelayMs} ms`);
      let target: DrillTarget;
      try {
        target = await setAdvertInt(lab, advertIntSeconds);
      } catch (error) {
        // Recorded in the log and the cell left out: the next cell provisions again.
        options.log(`  advert_int ${advertIntSeconds} s: not measured: ${(error as Error).message}`);
        continue;
      }
      if (options.parts.includes("crash")) {
        const results = await runDrills(target, Array(options.runs).fill("machine-crash"), (line) => options.log(`  ${line}`));
        crash.push(...results.map((result) => crashSample(advertIntSeconds, switchDelayMs, result)));
      }
      // The link between the nodes is the cloud's switch delay's business only when the binding moves: once per advert_int.
      if (options.parts.includes("link") && index === 0) {
        for (const profile of GRID_LINK_PROFILES) {
          const [result] = await runDrills(target, ["lossy-link"], quiet, { linkProfile: profile, linkSeconds: options.linkSeconds });
          options.log(`  lossy-link ${describeLinkProfile(profile)}: ${result.impairment?.falseFailovers ?? "?"} false failover(s)`);
          link.push({
            advertIntSeconds,
            profile,
            seconds: result.impairment?.seconds ?? 0,
            falseFailovers: result.impairment?.falseFailovers ?? 0,
            ...(result.impairment?.bindingMoves === undefined ? {} : { bindingMoves: result.impairment.bindingMoves }),
            ...(result.error === undefined ? {} : { error: result.error }),
          });
        }
      }
      if (options.parts.includes("partition")) {
        for (const garpMasterRefreshSeconds of [5, 0]) {
          if (garpMasterRefreshSeconds === 0) await withoutGarpRefresh(target);
          const [result] = await runDrills(target, ["partition-heals"], (line) => options.log(`  ${line}`));
          partition.push(partitionSample(advertIntSeconds, switchDelayMs, garpMasterRefreshSeconds, result));
          // Provisioning renders the construct's config again (the refresh line back).
          if (garpMasterRefreshSeconds === 0) await target.reprovision();
        }
      }
    }
  }
  return { crash, link, partition };
}

function crashSample(advertIntSeconds: number, switchDelayMs: number, result: LabDrillResult): CrashSample {
  return {
    advertIntSeconds,
    switchDelayMs,
    outageMs: result.longestGapMs,
    ...(result.vipMovedAfterSeconds === undefined ? {} : { vipMovedAfterSeconds: result.vipMovedAfterSeconds }),
    ...(result.bindingMovedAfterSeconds === undefined ? {} : { bindingMovedAfterSeconds: result.bindingMovedAfterSeconds }),
    ...(result.error === undefined ? {} : { error: result.error }),
  };
}

function partitionSample(advertIntSeconds: number, switchDelayMs: number, refresh: number, result: LabDrillResult): PartitionSample {
  const found = result.partition;
  return {
    advertIntSeconds,
    switchDelayMs,
    garpMasterRefreshSeconds: refresh,
    holdSeconds: found?.holdSeconds ?? 0,
    ...(found?.bindingMovesDuringPartition === undefined ? {} : { bindingMovesDuringPartition: found.bindingMovesDuringPartition }),
    ...(found?.clientSwitches === undefined ? {} : { clientSwitches: found.clientSwitches }),
    ...(found?.clientSecondsByNode === undefined ? {} : { clientSecondsByNode: found.clientSecondsByNode }),
    ...(found?.healToBindingSeconds === undefined ? {} : { healToBindingSeconds: found.healToBindingSeconds }),
    ...(found?.outageAfterHealMs === undefined ? {} : { outageAfterHealMs: found.outageAfterHealMs }),
    ...(result.error === undefined ? {} : { error: result.error }),
  };
}

/** Runs the grid on the cloud lab `prefix` (started with nginx behind the VIP when it is not up; left up with keepLab). */
export async function measureCloudDrillGrid(options: CloudGridOptions): Promise<CloudGridSection> {
  let lab = loadCloudLab(options.prefix);
  if (lab === undefined || !fs.existsSync(lab.outputsPath)) {
    options.log(`cloud drills: starting a local cloud with nginx behind the VIP (${options.prefix}, not timed)`);
    lab = await cloudLabUp({ prefix: options.prefix, service: "nginx", onStep: (line) => options.log(`  ${line}`) });
  } else {
    await writeOutputs(lab);
  }
  return grid(lab, options);
}

/** The expected false failovers per hour when each advert is lost independently with `loss`: a backup times out after 3 lost in a row. */
export function expectedFalseFailoversPerHour(advertIntSeconds: number, lossPercent: number): number {
  const p = lossPercent / 100;
  // A run of 3 losses starts at an advert with probability (1 - p) p^3 (the one before it arrived).
  return (3600 / advertIntSeconds) * (1 - p) * p ** 3;
}

const seconds = (ms: number) => ms / 1000;
/** A rate per hour with two significant digits (0.0036, 0.18, 1.6, 32). */
const formatRate = (perHour: number) => (perHour >= 10 ? perHour.toFixed(0) : perHour.toPrecision(2));

/** The per-advert_int table: crash outage by switch delay, and false failovers by link profile. */
export function formatCloudGridTables(section: CloudGridSection): string {
  const advertInts = [...new Set([...section.crash, ...section.link, ...section.partition].map((s) => s.advertIntSeconds))].sort(
    (a, b) => a - b,
  );
  const delays = [...new Set(section.crash.map((s) => s.switchDelayMs))].sort((a, b) => a - b);
  const crashRows = advertInts.flatMap((advertInt) =>
    delays.map((delay) => {
      const mine = section.crash.filter((s) => s.advertIntSeconds === advertInt && s.switchDelayMs === delay);
      const ok = mine.filter((s) => s.error === undefined);
      const masterDown = masterDownIntervalSeconds(advertInt, DEFAULT_PRIORITY);
      return [
        `${advertInt} (VRRPv${usesVrrpV3(advertInt) ? 3 : 2})`,
        (delay / 1000).toFixed(1),
        `${ok.length}${mine.length > ok.length ? ` (+${mine.length - ok.length} failed)` : ""}`,
        masterDown.toFixed(2),
        formatSpread(spreadOf(ok.flatMap((s) => (s.vipMovedAfterSeconds === undefined ? [] : [s.vipMovedAfterSeconds]))), 2),
        formatSpread(spreadOf(ok.flatMap((s) => (s.bindingMovedAfterSeconds === undefined ? [] : [s.bindingMovedAfterSeconds]))), 2),
        (masterDown + delay / 1000).toFixed(2),
        formatSpread(spreadOf(ok.map((s) => seconds(s.outageMs))), 2),
      ];
    }),
  );
  const crashTable = renderTable(
    [
      "advert_int s",
      "switch delay s",
      "runs",
      "master-down s",
      "VIP moved s (min / med / max)",
      "binding moved s (min / med / max)",
      "bound: master-down + switch s",
      "client outage s (min / med / max)",
    ],
    crashRows.filter((row) => row[2] !== "0"),
  );
  const profiles = GRID_LINK_PROFILES.filter((profile) =>
    section.link.some((s) => s.profile === profile || describeLinkProfile(s.profile) === describeLinkProfile(profile)),
  );
  const linkRows = advertInts
    .filter((advertInt) => section.link.some((s) => s.advertIntSeconds === advertInt))
    .map((advertInt) => [
      String(advertInt),
      ...profiles.map((profile) => {
        const mine = section.link.filter(
          (s) => s.advertIntSeconds === advertInt && describeLinkProfile(s.profile) === describeLinkProfile(profile),
        );
        const count = mine.reduce((sum, s) => sum + s.falseFailovers, 0);
        const time = mine.reduce((sum, s) => sum + s.seconds, 0);
        const failed = mine.filter((s) => s.error !== undefined).length;
        const rate = time > 0 ? (count * 3600) / time : 0;
        const expected = profile.lossPercent ? ` (model ${formatRate(expectedFalseFailoversPerHour(advertInt, profile.lossPercent))})` : "";
        return `${count} in ${time.toFixed(0)} s = ${rate.toFixed(0)}/h${expected}${failed > 0 ? ` [${failed} failed]` : ""}`;
      }),
    ]);
  const linkTable = renderTable(["advert_int s", ...profiles.map((profile) => describeLinkProfile(profile))], linkRows);
  const partitionTable = renderTable(
    [
      "advert_int s",
      "switch delay s",
      "garp_master_refresh s",
      "apart s",
      "binding moves while apart",
      "client switched node",
      "client s per node",
      "heal to binding s",
      "outage after heal s",
    ],
    section.partition.map((s) => [
      String(s.advertIntSeconds),
      (s.switchDelayMs / 1000).toFixed(1),
      s.garpMasterRefreshSeconds === 0 ? "0 (no refresh)" : String(s.garpMasterRefreshSeconds),
      s.holdSeconds.toFixed(1),
      `${s.bindingMovesDuringPartition ?? "-"}${s.error === undefined ? "" : " (the drill failed)"}`,
      String(s.clientSwitches ?? "-"),
      Object.entries(s.clientSecondsByNode ?? {})
        .map(([node, time]) => `${node} ${time.toFixed(1)}`)
        .join(", ") || "-",
      s.healToBindingSeconds?.toFixed(2) ?? "-",
      s.outageAfterHealMs === undefined ? "-" : seconds(s.outageAfterHealMs).toFixed(2),
    ]),
  );
  return [
    ...(section.crash.length === 0
      ? []
      : ["Crash (machine-crash: link down, then the machine's PID 1 killed) through the EIP, HTTP every 50 ms:", crashTable]),
    ...(section.link.length === 0
      ? []
      : ["False failovers (a node became MASTER with no fault but the impaired link, both ways):", linkTable]),
    ...(section.partition.length === 0 ? [] : ["Partition (the nodes cut from each other, both reaching the VPC):", partitionTable]),
  ].join("\n\n");
}
