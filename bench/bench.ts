import * as os from "node:os";
import { Command, InvalidArgumentError } from "commander";
import { DEFAULT_BENCH_RUNS, parseNumberList, parseRuns, parseSections, BENCH_SECTIONS, type BenchSection } from "./bench-options";
import {
  type CloudGridSection,
  GRID_ADVERT_INTS,
  GRID_PARTS,
  GRID_SWITCH_DELAYS_MS,
  type GridPart,
  measureCloudDrillGrid,
} from "./cloud-drill-grid";
import * as fs from "node:fs";
import {
  deployRows,
  formatBenchReport,
  type DeploySection,
  type BenchMachine,
  type BenchReport,
  type DrillSection,
  type ProvisionSection,
  type SynthSection,
} from "./bench-report";
import { summarizeDrills } from "./drill-summary";
import { BENCH_LAB_PREFIX, measureLabRuns } from "./lab-timing";
import { installLabInterruptCleanup } from "../lab";
import { spreadOf, type Spread } from "./statistics";
import { measureSynth, type SynthSample } from "./synth-timing";
import { DEFAULT_PRIORITY } from "../lib/core/limits";
import { LAB_ADVERT_INT_SECONDS } from "../lab/lab-cluster-spec";
import { masterDownIntervalSeconds } from "../lib/core/vrrp-timing";
import { labPreflight } from "../lab/lab-preflight";
import { cloudLabDown, cloudLabPreflight } from "../lab/cloud";
import { measureDeployRuns } from "./deploy-timing";

interface BenchArgs {
  readonly runs: number;
  readonly advertInts: number[];
  readonly switchDelays: number[];
  readonly gridParts: GridPart[];
  readonly linkSeconds: number;
  readonly keepLab: boolean;
  readonly merge?: string[];
  readonly drills?: string[];
  readonly labName: string;
  readonly only: BenchSection[];
  readonly json: boolean;
}

const MIB = 1024 * 1024;
const SYNTH_CLUSTER_COUNTS = [1, 10] as const;

function asOption<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

function parseArgs(argv: string[]): BenchArgs {
  const program = new Command("bench")
    .description("failover, provisioning and synth timings; lab parts need root on Linux")
    .option("--runs <n>", "measurements per number (min / median / max)", asOption(parseRuns), DEFAULT_BENCH_RUNS)
    .option("--only <sections>", `comma-separated sections: ${BENCH_SECTIONS.join(",")}`, asOption(parseSections), [...BENCH_SECTIONS])
    .option(
      "--drills <names>",
      "comma-separated drills to run in each round (default: all of a lab with nginx behind the VIP)",
      (text: string) =>
        text
          .split(",")
          .map((name) => name.trim())
          .filter((name) => name !== ""),
    )
    .option(
      "--advert-ints <s>",
      `cloud-drills: advert_int values (default ${GRID_ADVERT_INTS.join(",")})`,
      asOption((text) => parseNumberList("--advert-ints", text)),
      [...GRID_ADVERT_INTS],
    )
    .option(
      "--switch-delays <ms>",
      `cloud-drills: the cloud's switch delays (default ${GRID_SWITCH_DELAYS_MS.join(",")})`,
      asOption((text) => parseNumberList("--switch-delays", text)),
      [...GRID_SWITCH_DELAYS_MS],
    )
    .option(
      "--grid-parts <parts>",
      `cloud-drills: which parts (${GRID_PARTS.join(",")})`,
      asOption((text) => {
        const parts = text.split(",").map((word) => word.trim());
        const unknown = parts.filter((part) => !(GRID_PARTS as readonly string[]).includes(part));
        if (unknown.length > 0) throw new Error(`--grid-parts: unknown ${unknown.join(", ")}; choose from ${GRID_PARTS.join(", ")}`);
        return parts as GridPart[];
      }),
      [...GRID_PARTS],
    )
    .option(
      "--link-seconds <s>",
      "cloud-drills: seconds of each impaired-link stretch",
      asOption((text) => parseNumberList("--link-seconds", text)[0]),
      120,
    )
    .option("--keep-lab", "cloud-drills: leave the local cloud up for the next slice (a running one is reused)", false)
    .option(
      "--merge <files>",
      "print the report of earlier --json reports (slices of one grid) combined, and run nothing",
      (text: string) => text.split(","),
    )
    .option("--lab-name <prefix>", "namespace prefix of the benchmark's own lab (torn down before and after)", BENCH_LAB_PREFIX)
    .option("--json", "print the report as JSON (progress still goes to stderr)", false)
    .parse(argv);
  return program.opts<BenchArgs>();
}

function machine(): BenchMachine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    memoryGiB: os.totalmem() / (1024 * MIB),
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
  };
}

const spreadOrThrow = (values: number[], what: string): Spread => {
  const spread = spreadOf(values);
  if (!spread) throw new Error(`no measurement of ${what}`);
  return spread;
};

function synthSection(runs: number, log: (line: string) => void): SynthSection {
  const samples: SynthSample[] = [];
  for (const clusters of SYNTH_CLUSTER_COUNTS) {
    log(`synth: ${clusters} cluster(s), 1 warm-up + ${runs} run(s)`);
    samples.push(...measureSynth(clusters, runs));
  }
  return {
    rows: SYNTH_CLUSTER_COUNTS.map((clusters) => {
      const mine = samples.filter((sample) => sample.clusters === clusters);
      return {
        clusters,
        constructMs: spreadOrThrow(
          mine.map((s) => s.constructMs),
          "construct time",
        ),
        synthMs: spreadOrThrow(
          mine.map((s) => s.synthMs),
          "synth time",
        ),
      };
    }),
    samples,
    rssAfterMiB: process.memoryUsage().rss / MIB,
    // maxRSS is in KiB.
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

async function labSections(args: BenchArgs, log: (line: string) => void): Promise<{ drills?: DrillSection; provision?: ProvisionSection }> {
  const wantDrills = args.only.includes("drills");
  const wantProvision = args.only.includes("provision");
  const removeInterruptCleanup = installLabInterruptCleanup({ prefix: args.labName, log });
  try {
    const measured = await measureLabRuns({
      runs: args.runs,
      drills: wantDrills,
      provision: wantProvision,
      drillNames: args.drills,
      prefix: args.labName,
      log,
    });
    const drills: DrillSection | undefined = wantDrills
      ? {
          advertIntSeconds: LAB_ADVERT_INT_SECONDS,
          priority: DEFAULT_PRIORITY,
          masterDownIntervalSeconds: masterDownIntervalSeconds(LAB_ADVERT_INT_SECONDS, DEFAULT_PRIORITY),
          summaries: summarizeDrills(measured.drills),
          results: measured.drills,
        }
      : undefined;
    const samples = measured.provisioning;
    const provision: ProvisionSection | undefined = wantProvision
      ? {
          firstSeconds: spreadOrThrow(
            samples.map((s) => s.firstSeconds),
            "first provisioning",
          ),
          rerunSeconds: spreadOf(samples.flatMap((s) => (s.rerunSeconds === undefined ? [] : [s.rerunSeconds]))),
          rerunChanged: samples.flatMap((s) => (s.rerunChanged === undefined ? [] : [s.rerunChanged])),
          samples,
        }
      : undefined;
    return { drills, provision };
  } finally {
    removeInterruptCleanup();
  }
}

async function deploySection(args: BenchArgs, log: (line: string) => void): Promise<DeploySection> {
  const prefix = `${args.labName}-cd`;
  const removeInterruptCleanup = installLabInterruptCleanup({ prefix, log, teardown: (down) => cloudLabDown({ ...down, destroy: false }) });
  try {
    const samples = await measureDeployRuns({ runs: args.runs, prefix, log });
    return { rows: deployRows(samples), samples };
  } finally {
    removeInterruptCleanup();
  }
}

async function cloudDrillSection(args: BenchArgs, log: (line: string) => void): Promise<CloudGridSection> {
  const prefix = `${args.labName}-cg`;
  const removeInterruptCleanup = installLabInterruptCleanup({ prefix, log, teardown: (down) => cloudLabDown({ ...down, destroy: false }) });
  try {
    return await measureCloudDrillGrid({
      prefix,
      runs: args.runs,
      advertInts: args.advertInts,
      switchDelaysMs: args.switchDelays,
      parts: args.gridParts,
      linkSeconds: args.linkSeconds,
      keepLab: args.keepLab,
      log,
    });
  } finally {
    removeInterruptCleanup();
    if (!args.keepLab) await cloudLabDown({ prefix, destroy: false });
  }
}

/** Earlier JSON reports (slices of one run of the bench) as one report: their sections' samples together. */
function mergedReport(files: readonly string[]): BenchReport {
  const reports = files.map((file) => JSON.parse(fs.readFileSync(file, "utf8")) as BenchReport);
  const grids = reports.flatMap((report) => (report.cloudDrills ? [report.cloudDrills] : []));
  return {
    ...reports[reports.length - 1],
    date: reports.map((report) => report.date).join(", "),
    // A slice that ran no repeated section carries the default; the header names the most any slice ran.
    runs: Math.max(...reports.map((report) => report.runs)),
    ...(grids.length === 0
      ? {}
      : {
          cloudDrills: {
            crash: grids.flatMap((grid) => grid.crash),
            link: grids.flatMap((grid) => grid.link),
            partition: grids.flatMap((grid) => grid.partition),
          },
        }),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv);
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  if (args.merge) {
    const report = mergedReport(args.merge);
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatBenchReport(report));
    return;
  }
  const wantsLab = args.only.some((section) => section !== "synth");
  const labMissing = wantsLab ? labPreflight() : [];
  const labSkipped = labMissing.length > 0 ? labMissing.join("; ") : undefined;
  if (labSkipped) log(`skipping the lab sections (drills, provision): ${labSkipped}`);

  const synth = args.only.includes("synth") ? synthSection(args.runs, log) : undefined;
  const lab =
    wantsLab && !labSkipped && args.only.some((section) => section === "drills" || section === "provision")
      ? await labSections(args, log)
      : {};
  const deployMissing = args.only.includes("deploy") ? cloudLabPreflight() : [];
  if (deployMissing.length > 0) log(`skipping the deploy section: ${deployMissing.join("; ")}`);
  const deploy = args.only.includes("deploy") && deployMissing.length === 0 ? await deploySection(args, log) : undefined;
  const gridMissing = args.only.includes("cloud-drills") ? cloudLabPreflight() : [];
  if (gridMissing.length > 0) log(`skipping the cloud-drills section: ${gridMissing.join("; ")}`);
  const cloudDrills = args.only.includes("cloud-drills") && gridMissing.length === 0 ? await cloudDrillSection(args, log) : undefined;
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: machine(),
    runs: args.runs,
    labSkipped: labSkipped ?? (deployMissing.length > 0 ? deployMissing.join("; ") : undefined),
    ...lab,
    deploy,
    cloudDrills,
    synth,
  };
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatBenchReport(report));

  // Timing over a drill's bound is a number to read; a drill that left no or two VIP holders is a failure.
  const split = report.drills?.results.filter((result) => result.finalHolders.length !== 1) ?? [];
  if (split.length > 0) {
    log(
      `drills that did not end with exactly one VIP holder: ${split.map((r) => `${r.drill} (${r.finalHolders.join(",") || "none"})`).join(", ")}`,
    );
    process.exitCode = 1;
  }
  if (!synth && !report.drills && !report.provision && !report.deploy && !report.cloudDrills) process.exitCode = 1;
}

main().catch((error: Error) => {
  process.stderr.write(`bench: ${error.message}\n`);
  process.exitCode = 1;
});
