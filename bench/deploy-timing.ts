import * as fs from "node:fs";
import * as path from "node:path";
import { applyStack, cloudLabDown, cloudLabUp, deployExample, destroyExample, stackDir } from "../lab/cloud";
import type { CloudLab } from "../lab/cloud";

/** One timed Terraform run: its wall time, and the part spent in the construct's local-exec provisioning. */
export interface DeployStepTiming {
  readonly totalSeconds: number;
  readonly provisioningSeconds: number;
}

/** The steps of one deploy run on the local cloud. */
export interface DeploySample {
  readonly first: DeployStepTiming;
  readonly noChange: DeployStepTiming;
  /** `terraform apply -replace` of the secondary CVM: a new node, its gate, the pair's provisioning. */
  readonly replaceOneNode: DeployStepTiming;
  readonly destroy: DeployStepTiming;
}

export const DEPLOY_STEPS = ["first", "noChange", "replaceOneNode", "destroy"] as const satisfies readonly (keyof DeploySample)[];

/** `after 21s`, `after 1m5s`, `after 2h0m3s` (Terraform's durations) in seconds. */
function durationSeconds(text: string): number {
  let seconds = 0;
  for (const [, value, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|m|s)/g))
    seconds += Number(value) * (unit === "h" ? 3600 : unit === "m" ? 60 : 1);
  return seconds;
}

/**
 * Seconds Terraform spent creating the construct's `terraform_data` resources (the node gates and
 * the pair's provisioning: their create time is their local-exec), from an apply's output. They run
 * one after another (each waits for the one before), so their times add up.
 */
export function provisioningSecondsOf(output: string): number {
  let total = 0;
  for (const [, duration] of output.matchAll(/terraform_data\.[\w-]+: Creation complete after ((?:\d+h)?(?:\d+m)?\d+s)/g))
    total += durationSeconds(duration);
  return total;
}

async function timed(run: () => Promise<string>): Promise<DeployStepTiming> {
  const started = Date.now();
  const output = await run();
  return { totalSeconds: (Date.now() - started) / 1000, provisioningSeconds: provisioningSecondsOf(output) };
}

const logOf = (lab: CloudLab, name: string) => () => fs.readFileSync(path.join(lab.projectDir, name), "utf8");

/** The secondary CVM's Terraform address in the synthesized stack. */
function secondaryInstanceAddress(lab: CloudLab): string {
  const stack = JSON.parse(fs.readFileSync(path.join(stackDir(lab), "cdk.tf.json"), "utf8")) as {
    resource: { tencentcloud_instance: Record<string, unknown> };
  };
  const name = Object.keys(stack.resource.tencentcloud_instance).find((key) => key.includes("secondary"));
  if (!name) throw new Error("the example stack has no secondary instance");
  return `tencentcloud_instance.${name}`;
}

/**
 * `runs` rounds on a fresh local cloud each (its start is not timed): the first `cdktf deploy` of
 * the example app, a no-change deploy, the replacement of one node, `cdktf destroy`.
 */
export async function measureDeployRuns(options: {
  readonly runs: number;
  readonly prefix: string;
  readonly log: (line: string) => void;
}): Promise<DeploySample[]> {
  const samples: DeploySample[] = [];
  for (let run = 1; run <= options.runs; run++) {
    await cloudLabDown({ prefix: options.prefix });
    options.log(`deploy: run ${run}/${options.runs}: starting a local cloud (${options.prefix}, not timed)`);
    const lab = await cloudLabUp({ prefix: options.prefix, deploy: false });
    try {
      options.log(`deploy: run ${run}: cdktf deploy`);
      const first = await timed(async () => (await deployExample(lab), logOf(lab, "deploy.log")()));
      options.log(`deploy: run ${run}: cdktf deploy again (no change)`);
      const noChange = await timed(async () => (await deployExample(lab), logOf(lab, "deploy.log")()));
      options.log(`deploy: run ${run}: terraform apply -replace of the secondary`);
      const replaceOneNode = await timed(async () => {
        const applied = await applyStack(lab, [`-replace=${secondaryInstanceAddress(lab)}`]);
        if (applied.code !== 0) throw new Error(`terraform apply -replace failed: ${applied.stderr.trim() || applied.stdout.slice(-2000)}`);
        return applied.stdout;
      });
      options.log(`deploy: run ${run}: cdktf destroy`);
      const destroy = await timed(async () => (await destroyExample(lab), logOf(lab, "destroy.log")()));
      samples.push({ first, noChange, replaceOneNode, destroy });
    } finally {
      await cloudLabDown({ prefix: options.prefix, destroy: false });
    }
  }
  return samples;
}
