import { describe, expect, it } from "vitest";
import { formatBenchReport, type BenchReport } from "../../../bench/bench-report";

const machine = { cpus: 2, cpuModel: "AMD EPYC", memoryGiB: 24, node: "v20.20.2", kernel: "Linux 6.1" };
const one = (value: number) => ({ count: 1, min: value, median: value, max: value });

describe("formatBenchReport", () => {
  it("says why the lab sections were skipped and prints only the synth table", () => {
    const report: BenchReport = {
      date: "2026-01-01T00:00:00.000Z",
      machine,
      runs: 1,
      labSkipped: "the lab needs root (network namespaces, mounts)",
      synth: { rows: [{ clusters: 10, constructMs: one(44), synthMs: one(452) }], samples: [], rssAfterMiB: 145.2, peakRssMiB: 150.7 },
    };
    const text = formatBenchReport(report);
    expect(text).toContain("2 cores (AMD EPYC), 24 GiB");
    expect(text).toContain("lab sections skipped: the lab needs root (network namespaces, mounts)");
    expect(text).toMatch(/\| 10 +\| 452 \/ 452 \/ 452 +\| 44 \/ 44 \/ 44 +\|/);
    expect(text).toContain("peak RSS of the process: 151 MiB");
    expect(text).not.toContain("Failover drills");
    expect(text).not.toContain("Provisioning");
  });

  it("shows the no-change re-run's changed count and the VRRP bound", () => {
    const report: BenchReport = {
      date: "2026-01-01T00:00:00.000Z",
      machine,
      runs: 2,
      drills: { advertIntSeconds: 1, priority: 100, masterDownIntervalSeconds: 3.609375, summaries: [], results: [] },
      provision: {
        firstSeconds: one(4.8),
        rerunSeconds: one(0.85),
        rerunChanged: [0, 2],
        samples: [{ run: 1, firstSeconds: 4.8, firstChanged: 8 }],
      },
    };
    const text = formatBenchReport(report);
    expect(text).toContain("master-down interval = 3 x 1 s + (256 - 100)/256 s = 3.609 s");
    expect(text).toContain("| 8 changed");
    expect(text).toContain("changed: 0, 2");
  });
});
