import { masterDownIntervalFormula } from "../lib/core/vrrp-timing";
import type { LabDrillResult } from "../lab/drills";
import { formatDrillSummaryTable, type DrillSummary } from "./drill-summary";
import type { ProvisionSample } from "./lab-timing";
import { DEPLOY_STEPS, type DeploySample } from "./deploy-timing";
import { formatSpread, spreadOf, type Spread } from "./statistics";
import type { SynthSample } from "./synth-timing";
import { type CloudGridSection, formatCloudGridTables } from "./cloud-drill-grid";
import { renderTable } from "./text-table";

export interface BenchMachine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly kernel: string;
}

export interface DrillSection {
  readonly advertIntSeconds: number;
  readonly priority: number;
  /** 3 x advert_int + (256 - priority) / 256 x advert_int. */
  readonly masterDownIntervalSeconds: number;
  readonly summaries: readonly DrillSummary[];
  readonly results: readonly LabDrillResult[];
}

export interface ProvisionSection {
  readonly firstSeconds: Spread;
  readonly rerunSeconds?: Spread;
  /** Every re-run's `changed`; all 0 on a correct provisioner. */
  readonly rerunChanged: readonly number[];
  readonly samples: readonly ProvisionSample[];
}

export interface DeployRow {
  readonly step: (typeof DEPLOY_STEPS)[number];
  readonly totalSeconds: Spread;
  readonly terraformSeconds: Spread;
  readonly provisioningSeconds: Spread;
}

export interface DeploySection {
  readonly rows: readonly DeployRow[];
  readonly samples: readonly DeploySample[];
}

const DEPLOY_STEP_NAMES: Readonly<Record<(typeof DEPLOY_STEPS)[number], string>> = {
  first: "first cdktf deploy (17 resources, both nodes provisioned)",
  noChange: "cdktf deploy again, no change",
  replaceOneNode: "replace one node (terraform apply -replace)",
  destroy: "cdktf destroy",
};

/** Per step: the wall time, Terraform's part (the rest) and the provisioning part (the construct's local-exec). */
export function deployRows(samples: readonly DeploySample[]): DeployRow[] {
  return DEPLOY_STEPS.flatMap((step) => {
    const timings = samples.map((sample) => sample[step]);
    const total = spreadOf(timings.map((timing) => timing.totalSeconds));
    const provisioning = spreadOf(timings.map((timing) => timing.provisioningSeconds));
    const terraform = spreadOf(timings.map((timing) => timing.totalSeconds - timing.provisioningSeconds));
    return total && provisioning && terraform
      ? [{ step, totalSeconds: total, terraformSeconds: terraform, provisioningSeconds: provisioning }]
      : [];
  });
}

function deployText(section: DeploySection): string {
  const rows = section.rows.map((row) => [
    DEPLOY_STEP_NAMES[row.step],
    formatSpread(row.totalSeconds, 1),
    formatSpread(row.terraformSeconds, 1),
    formatSpread(row.provisioningSeconds, 1),
  ]);
  return [
    "## Deploying the example app on the local cloud (cdktf + the real provider 1.83.25)",
    "",
    renderTable(["step", "total s (min / med / max)", "Terraform's part s", "provisioning part s"], rows),
    "",
    "Provisioning part: the construct's node gates and pair provisioning (their local-exec, as Terraform timed their creation);",
    "Terraform's part: the rest (cdktf synth and init, the API calls, waiting for CVMs to boot or stop).",
  ].join("\n");
}

export interface SynthRow {
  readonly clusters: number;
  readonly constructMs: Spread;
  readonly synthMs: Spread;
}

export interface SynthSection {
  readonly rows: readonly SynthRow[];
  readonly samples: readonly SynthSample[];
  /** process.memoryUsage().rss after the synth runs. */
  readonly rssAfterMiB: number;
  /** process.resourceUsage().maxRSS: the most this process ever held. */
  readonly peakRssMiB: number;
}

export interface BenchReport {
  readonly date: string;
  readonly machine: BenchMachine;
  readonly runs: number;
  /** Why the lab sections did not run (not root, not Linux, a tool missing). */
  readonly labSkipped?: string;
  readonly drills?: DrillSection;
  readonly provision?: ProvisionSection;
  readonly deploy?: DeploySection;
  /** The drills on the local cloud over advert_int x switch delay (and the link profiles). */
  readonly cloudDrills?: CloudGridSection;
  readonly synth?: SynthSection;
}

function drillText(section: DrillSection): string {
  const { advertIntSeconds: advert, priority } = section;
  return [
    "## Failover drills (lab, real Keepalived)",
    "",
    formatDrillSummaryTable(section.summaries),
    "",
    `VRRP bound: master-down interval = ${masterDownIntervalFormula(advert, priority)}` +
      ' (each drill\'s VRRP bound is in "VRRP bound s", the drill\'s own limit with its polling slack in "drill\'s limit s").',
    "Failover: fault injected -> VIP on the peer (partition-heals: heal -> one holder). VRRP bound: what the protocol allows for that fault at this timing",
    "(master-down interval for a silent master, skew for a graceful handover, fall x interval + skew for a failing health check).",
    "Client outage: longest gap between 2xx answers of an HTTP GET of the VIP every 50 ms from the operator namespace (nginx on both servers, lab up --service nginx).",
  ].join("\n");
}

function provisionText(section: ProvisionSection): string {
  const firstChanged = [...new Set(section.samples.map((sample) => sample.firstChanged))].join(" or ");
  const rows = [["first provisioning (fresh lab -> one VIP holder)", formatSpread(section.firstSeconds, 2), `${firstChanged} changed`]];
  if (section.rerunSeconds) {
    const changed = section.rerunChanged.every((count) => count === 0)
      ? "0 changed (every run)"
      : `changed: ${section.rerunChanged.join(", ")}`;
    rows.push(["no-change re-run", formatSpread(section.rerunSeconds, 2), changed]);
  }
  return [
    "## Provisioning the lab pair (SSH from the operator namespace)",
    "",
    renderTable(["step", "seconds (min / med / max)", "report"], rows),
  ].join("\n");
}

function synthText(section: SynthSection): string {
  const rows = section.rows.map((row) => [String(row.clusters), formatSpread(row.synthMs, 0), formatSpread(row.constructMs, 0)]);
  return [
    "## cdktf synth (in-process, after one warm-up)",
    "",
    renderTable(["clusters", "app.synth() ms (min / med / max)", "building the constructs ms"], rows),
    "",
    `RSS after: ${section.rssAfterMiB.toFixed(0)} MiB; peak RSS of the process: ${section.peakRssMiB.toFixed(0)} MiB`,
  ].join("\n");
}

/** The human-readable report: one table per section that ran. */
export function formatBenchReport(report: BenchReport): string {
  const m = report.machine;
  const parts = [
    `havip benchmark, ${report.date}; ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB.toFixed(0)} GiB, node ${m.node}, ${m.kernel}; ${report.runs} run(s) each`,
  ];
  if (report.labSkipped) parts.push(`lab sections skipped: ${report.labSkipped}`);
  if (report.drills) parts.push(drillText(report.drills));
  if (report.provision) parts.push(provisionText(report.provision));
  if (report.deploy) parts.push(deployText(report.deploy));
  if (report.cloudDrills)
    parts.push(`## Drills on the local cloud, per advert_int and switch delay\n\n${formatCloudGridTables(report.cloudDrills)}`);
  if (report.synth) parts.push(synthText(report.synth));
  return `${parts.join("\n\n")}\n`;
}
