import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformStack } from "cdktf";
import { TencentcloudProvider } from "../.gen/providers/tencentcloud/provider";
import { addBenchClusters } from "./bench-clusters";

export interface SynthSample {
  readonly clusters: number;
  /** Building the App, stack, provider and clusters (validation included). */
  readonly constructMs: number;
  /** `app.synth()` writing cdktf.out into a temp dir. */
  readonly synthMs: number;
}

function synthOnce(clusters: number, outdir: string): SynthSample {
  const started = performance.now();
  // A fresh App each time: clusters remember their neighbours per App.
  const app = new App({ outdir });
  const stack = new TerraformStack(app, "bench");
  new TencentcloudProvider(stack, "tencentcloud", {});
  addBenchClusters(stack, clusters);
  const built = performance.now();
  app.synth();
  return { clusters, constructMs: built - started, synthMs: performance.now() - built };
}

/** Synthesizes an app with `clusters` clusters once to warm up, then `runs` times, each into a fresh temp outdir. */
export function measureSynth(clusters: number, runs: number): SynthSample[] {
  const root = mkdtempSync(join(tmpdir(), "havip-bench-synth-"));
  try {
    synthOnce(clusters, join(root, "warm-up"));
    return Array.from({ length: runs }, (_, run) => synthOnce(clusters, join(root, `run-${run + 1}`)));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
