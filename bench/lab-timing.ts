import { readFileSync } from "node:fs";
import { CLUSTER_SPEC_ENV, provisionArgv } from "../lib/spec/provision-invocation";
import { drillNamesFor, runDrills, type LabDrillResult } from "../lab/drills";
import type { Lab } from "../lab/lab-handle";
import { labDown } from "../lab/lab-down";
import { labUp } from "../lab/lab-up";
import { runInOperatorNamespace } from "../lab/network/lab-operator";
import { parseProvisionOutcome, type ProvisionOutcome } from "./provision-report";

export const BENCH_LAB_PREFIX = "havip-bench";
/** A first provisioning installs and starts Keepalived on both servers and waits for a VIP holder. */
const PROVISION_TIMEOUT_MS = 180_000;

export interface ProvisionSample {
  readonly run: number;
  /** Fresh lab to one VIP holder: `havip-cluster provision` in the operator namespace, as `lab up` runs it. */
  readonly firstSeconds: number;
  readonly firstChanged: number;
  /** The same command again with nothing to change; undefined when the provision section was not asked for. */
  readonly rerunSeconds?: number;
  readonly rerunChanged?: number;
  readonly rerunActions?: readonly string[];
}

export interface LabRunsResult {
  readonly provisioning: ProvisionSample[];
  readonly drills: LabDrillResult[];
}

export interface LabRunsOptions {
  readonly runs: number;
  readonly provision: boolean;
  readonly drills: boolean;
  readonly prefix?: string;
  /** Drills to run in each round. @default - every drill of a lab with nginx behind the VIP */
  readonly drillNames?: readonly string[];
  readonly log: (line: string) => void;
}

/** The bench lab serves nginx through the VIP, so the drills' client is an HTTP GET every 50 ms: what a user sees. */
const BENCH_LAB_SERVICE = "nginx";

async function timedProvision(lab: Lab): Promise<{ seconds: number; outcome: ProvisionOutcome }> {
  const env = { ...process.env, [CLUSTER_SPEC_ENV]: readFileSync(lab.specPath, "utf8") };
  const started = performance.now();
  const result = await runInOperatorNamespace(lab, [...provisionArgv(), "--json"], { env, timeoutMs: PROVISION_TIMEOUT_MS });
  const seconds = (performance.now() - started) / 1000;
  if (result.code !== 0) throw new Error(`provisioning the bench lab failed (exit ${result.code}): ${result.stderr.trim().slice(-800)}`);
  return { seconds, outcome: parseProvisionOutcome(result.stdout) };
}

/**
 * Runs `runs` rounds. With the provision section each round is a fresh lab: up, first
 * provisioning (timed), the no-change re-run (timed, must report 0 changed), the drills, down.
 * Drills alone run their rounds on one provisioned lab (every drill starts from a steady,
 * quiet lab anyway), which saves a lab build and an nginx install per round. The lab is always
 * torn down, also on errors.
 */
export async function measureLabRuns(options: LabRunsOptions): Promise<LabRunsResult> {
  const prefix = options.prefix ?? BENCH_LAB_PREFIX;
  const provisioning: ProvisionSample[] = [];
  const drills: LabDrillResult[] = [];
  // Whatever an interrupted benchmark left behind under this prefix (it is the benchmark's own).
  await labDown({ prefix });
  let lab: Lab | undefined;
  try {
    for (let run = 1; run <= options.runs; run++) {
      const log = (line: string) => options.log(`run ${run}/${options.runs}: ${line}`);
      if (lab === undefined) {
        log(`lab up (${prefix}, --service ${BENCH_LAB_SERVICE})`);
        lab = await labUp({ prefix, service: BENCH_LAB_SERVICE });
        log("first provisioning");
        const first = await timedProvision(lab);
        let sample: ProvisionSample = { run, firstSeconds: first.seconds, firstChanged: first.outcome.changed };
        if (options.provision) {
          log("re-running the provisioner (nothing should change)");
          const rerun = await timedProvision(lab);
          if (rerun.outcome.changed !== 0) {
            throw new Error(`the no-change re-run reported ${rerun.outcome.changed} changed; a provisioned lab must report 0 changed`);
          }
          sample = { ...sample, rerunSeconds: rerun.seconds, rerunChanged: rerun.outcome.changed, rerunActions: rerun.outcome.actions };
        }
        provisioning.push(sample);
      }
      if (options.drills) drills.push(...(await runDrills(lab, options.drillNames ?? drillNamesFor(lab), log)));
      if (options.provision) {
        log("lab down");
        await labDown({ prefix });
        lab = undefined;
      }
    }
  } finally {
    options.log("lab down");
    await labDown({ prefix });
  }
  return { provisioning, drills };
}
