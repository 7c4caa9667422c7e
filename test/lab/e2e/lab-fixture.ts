import { readFileSync, writeFileSync } from "node:fs";
import type { ClusterSpec } from "../../../lib/core/cluster-settings";
import { pollUntil } from "../../../lib/core/poll-until";
import { CLUSTER_SPEC_ENV, provisionArgv } from "../../../lib/spec/provision-invocation";
import { labPreflight, runInOperatorNamespace, type CommandResult, type Lab } from "../../../lab";
import type { LabReleaseChoice } from "../../../lab/lab-up";
import type { LabRelease } from "../../../lab/roots/release-roots";

/** Keepalived each release's package installs (what the provisioner must then report). */
export const KEEPALIVED_OF_RELEASE: Readonly<Record<LabRelease, string>> = { bullseye: "2.1.5", bookworm: "2.2.7", trixie: "2.3.3" };

/**
 * The provisioning runs: a mixed pair (an upgrade in progress) with the oldest and the newest
 * Keepalived. Bookworm's (2.2.7) is provisioned by the cloud deploy, whose image is bookworm, and
 * by the other bare-lab tests; the drills run on a trixie lab.
 */
export const E2E_LAB_RUNS: readonly {
  readonly name: string;
  readonly tag: string;
  readonly release: LabReleaseChoice;
}[] = [{ name: "mixed pair (a bullseye, b trixie)", tag: "mx", release: { a: "bullseye", b: "trixie" } }];

export const missingForLab = labPreflight();
const onCi = process.env.CI === "true";
/** Off CI, a machine without root/Linux/nspawn/debootstrap skips; under CI=true the lab must run. */
export const skipLab = missingForLab.length > 0 && !onCi;
if (skipLab) console.log(`lab tests skipped: ${missingForLab.join("; ")}`);

export function labSpec(lab: Lab): ClusterSpec {
  return JSON.parse(readFileSync(lab.specPath, "utf8")) as ClusterSpec;
}

/** Runs `havip-cluster <args>` in the operator namespace, as a user (or cdktf's local-exec) would. */
export async function cli(lab: Lab, args: readonly string[], spec?: ClusterSpec, timeoutMs = 90_000): Promise<CommandResult> {
  const [node, bin] = provisionArgv();
  const env = { ...process.env, [CLUSTER_SPEC_ENV]: JSON.stringify(spec ?? labSpec(lab)) };
  const result = await runInOperatorNamespace(lab, [node, bin, ...args], { env, timeoutMs });
  // A test that fails on the exit code shows the command's own words next to the assertion.
  if (result.code !== 0)
    console.log(`havip-cluster ${args.join(" ")} exited ${result.code}:\n${result.stderr.trim() || result.stdout.trim()}`);
  return result;
}

/** The exact command cdktf's local-exec runs, with --json for a machine-readable report. */
export async function provision(lab: Lab, spec?: ClusterSpec, extra: readonly string[] = [], timeoutMs?: number) {
  const result = await cli(lab, ["provision", "--json", ...extra], spec, timeoutMs);
  const report = result.code === 0 ? (JSON.parse(result.stdout) as ProvisionReportJson) : undefined;
  return { ...result, report };
}

export interface ProvisionReportJson {
  readonly changed: number;
  readonly vipHolder?: string;
  readonly rolloutOrder: string[];
  readonly nodes: { node: string; changedFiles: string[]; action: string; install: string; keepalivedVersion: string }[];
}

export function writeSpecFile(path: string, spec: ClusterSpec): string {
  writeFileSync(path, JSON.stringify(spec));
  return path;
}

/**
 * Reads every 100 ms until `done` accepts the value, and returns it; past `timeoutMs` throws
 * `failure(last value)`, or with `failure` undefined returns the last value for the test's own expect.
 */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  failure?: (last: T) => string,
): Promise<T> {
  const outcome = await pollUntil(read, done, { timeoutMs: Math.max(0, timeoutMs), intervalMs: 100 });
  if (!outcome.done && failure) throw new Error(failure(outcome.value));
  return outcome.value;
}
