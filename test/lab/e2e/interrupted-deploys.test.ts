/**
 * Issue 17, "interrupted deploys converge", on one lab and three deploys of the example app
 * (`cdktf deploy` with the real provider against the local Tencent Cloud), as a user would run them:
 *   1. terraform SIGKILLed while the first CVM launches, and the local cloud SIGKILLed and started
 *      again at the same moment: the cloud loses nothing and finishes the launch, the state lacks the CVM;
 *   2. a plain deploy adopts that CVM and is SIGKILLed itself while apt-get runs on the primary
 *      during its deploy gate;
 *   3. a plain deploy ends with one healthy pair, no server the state does not know, a clean plan.
 * Then `cdktf destroy` must leave nothing in the cloud.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CloudLab,
  cloudLabDown,
  cloudLabPreflight,
  cloudLabUp,
  deployExample,
  destroyExample,
  operatorApiCall,
  restartCloudDaemon,
  runAsOperator,
  stackDir,
  stackStatePath,
} from "../../../lab/cloud";
import { instanceNamespace } from "../../../lab/cloud-network";
import { pollUntil } from "../../../lib/core/poll-until";
import { cliArgv } from "../../../lib/spec/provision-invocation";
import { testLabPrefix } from "../test-lab-prefix";

const PREFIX = testLabPrefix("havip-int");
const missing = cloudLabPreflight();
const skip = missing.length > 0 && process.env.CI !== "true";
if (skip) console.log(`interrupted deploy tests skipped: ${missing.join("; ")}`);

/** Pids of the running processes named `comm` (as /proc shows it) that pass `where`. */
function processes(comm: string, where: (pid: string) => boolean): number[] {
  return fs
    .readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim() === comm && where(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Whether process `pid` works in `dir` or below (this lab's terraform and what it started run in the stack's directory). */
function worksIn(pid: string, dir: string): boolean {
  try {
    return `${fs.readlinkSync(`/proc/${pid}/cwd`)}/`.startsWith(`${dir}/`);
  } catch {
    return false;
  }
}

/** Whether process `pid` is in the network namespace `namespace` (a lab machine's processes are in its instance's). */
function inNetworkNamespace(pid: string, namespace: string): boolean {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/net`) === `net:[${fs.statSync(`/run/netns/${namespace}`).ino}]`;
  } catch {
    return false;
  }
}

/** This lab's terraform processes (the one cdktf deploy runs; never another checkout's). */
function labTerraform(lab: CloudLab): number[] {
  return processes("terraform", (pid) => worksIn(pid, lab.projectDir));
}

/**
 * `cdktf deploy` of the example app, with `interrupt` polled meanwhile until it returns true (it
 * then did its interruption). Resolves once the deploy has ended, whatever its outcome, saying
 * whether the interruption happened while it ran.
 */
async function interruptedDeploy(lab: CloudLab, interrupt: () => Promise<boolean>): Promise<{ interrupted: boolean; outcome: string }> {
  let running = true;
  let interrupted = false;
  const deploy = deployExample(lab).then(
    () => "cdktf deploy exited 0",
    (error: Error) => `cdktf deploy failed: ${error.message}`,
  );
  void deploy.finally(() => (running = false));
  await pollUntil(
    async () => !running || (interrupted = await interrupt()),
    (done) => done,
    { timeoutMs: 300_000, intervalMs: 50 },
  );
  // A deploy that ended before its interruption (it failed, or finished) says so, with its log's end.
  return { interrupted, outcome: await deploy };
}

/** The example stack's state as Terraform's local backend keeps it, or undefined while the file is empty or cut. */
function stateSnapshot(lab: CloudLab): { resources: { type: string }[] } | undefined {
  try {
    const state = JSON.parse(fs.readFileSync(stackStatePath(lab), "utf8")) as {
      resources?: { type: string }[];
    };
    return Array.isArray(state.resources) ? { resources: state.resources } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * SIGKILLs this lab's terraform between two of its state writes; true when it did. Terraform's
 * local backend truncates its state file and writes it again in place on every change, so a kill
 * inside that window empties the state (a hazard of Terraform's, not the one under test):
 * terraform is stopped, its file read, and it is killed only when the file is whole, else let go on.
 */
function killTerraform(lab: CloudLab): boolean {
  const pids = labTerraform(lab);
  if (pids.length === 0) return false;
  for (const pid of pids) process.kill(pid, "SIGSTOP");
  const signal = stateSnapshot(lab) === undefined ? "SIGCONT" : "SIGKILL";
  for (const pid of pids) process.kill(pid, signal);
  return signal === "SIGKILL";
}

interface CloudInstanceRecord {
  readonly instanceId: string;
  readonly name: string;
  readonly operation: { readonly kind: string } | null;
}

/** The cloud's own state file (the endpoint writes it before each answer): what it has acknowledged. */
function cloudState(lab: CloudLab): Record<string, Record<string, unknown>> & { instances: Record<string, CloudInstanceRecord> } {
  // Before its first change the endpoint may not have written one: nothing acknowledged yet.
  if (!fs.existsSync(lab.cloudStatePath)) return { instances: {} };
  return JSON.parse(fs.readFileSync(lab.cloudStatePath, "utf8")) as Record<string, Record<string, unknown>> & {
    instances: Record<string, CloudInstanceRecord>;
  };
}

/** Resource kinds of the cloud's state and how the API lists them. */
const INVENTORY = [
  ["vpcs", "vpc", "DescribeVpcs", "VpcSet", "VpcId"],
  ["subnets", "vpc", "DescribeSubnets", "SubnetSet", "SubnetId"],
  ["securityGroups", "vpc", "DescribeSecurityGroups", "SecurityGroupSet", "SecurityGroupId"],
  ["havips", "vpc", "DescribeHaVips", "HaVipSet", "HaVipId"],
  ["addresses", "vpc", "DescribeAddresses", "AddressSet", "AddressId"],
  ["keyPairs", "cvm", "DescribeKeyPairs", "KeyPairSet", "KeyId"],
  ["placementGroups", "cvm", "DescribeDisasterRecoverGroups", "DisasterRecoverGroupSet", "DisasterRecoverGroupId"],
  ["instances", "cvm", "DescribeInstances", "InstanceSet", "InstanceId"],
] as const;

/** Ids of every resource the state file holds, by kind. */
function acknowledged(lab: CloudLab): Record<string, string[]> {
  const state = cloudState(lab);
  return Object.fromEntries(INVENTORY.map(([kind]) => [kind, Object.keys(state[kind] ?? {}).sort()]));
}

/** Ids of every resource the API lists, by kind. */
async function served(lab: CloudLab): Promise<Record<string, string[]>> {
  const entries = [];
  for (const [kind, service, action, set, key] of INVENTORY) {
    const answer = await operatorApiCall<Record<string, Record<string, string>[]>>(lab, service, action, {});
    entries.push([kind, (answer[set] ?? []).map((item) => item[key]).sort()]);
  }
  return Object.fromEntries(entries) as Record<string, string[]>;
}

async function cli<T>(lab: CloudLab, command: string): Promise<{ code: number; report: T; stderr: string }> {
  const result = await runAsOperator(lab, [...cliArgv(command), "--json", "--outputs-file", lab.outputsPath]);
  return { code: result.code, report: JSON.parse(result.stdout || "null") as T, stderr: result.stderr };
}

async function terraform(lab: CloudLab, ...args: string[]): Promise<{ code: number; stdout: string; output: string }> {
  const result = await runAsOperator(lab, ["terraform", `-chdir=${stackDir(lab)}`, ...args]);
  return { code: result.code, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}

/** Ids of the CVMs in Terraform's state. */
async function instancesInState(lab: CloudLab): Promise<string[]> {
  const shown = await terraform(lab, "show", "-json");
  const state = JSON.parse(shown.stdout) as { values?: { root_module?: { resources?: { type: string; values: { id: string } }[] } } };
  return (state.values?.root_module?.resources ?? [])
    .filter((resource) => resource.type === "tencentcloud_instance")
    .map((resource) => resource.values.id)
    .sort();
}

async function instancesInCloud(
  lab: CloudLab,
): Promise<{ InstanceId: string; InstanceName: string; InstanceState: string; InstanceType: string; ImageId: string }[]> {
  return (
    await operatorApiCall<{
      InstanceSet: { InstanceId: string; InstanceName: string; InstanceState: string; InstanceType: string; ImageId: string }[];
    }>(lab, "cvm", "DescribeInstances", { Limit: 100 })
  ).InstanceSet;
}

/**
 * The three checks after each plain deploy: one healthy pair (`status --json`, the cloud's view of
 * the HAVIP included), every CVM in the cloud is one of the state's two, `plan -detailed-exitcode` 0.
 */
async function expectConverged(lab: CloudLab): Promise<void> {
  const healthy = await pollUntil(
    () => cli<{ healthy: boolean; vipHolders: string[] }>(lab, "status"),
    (status) => status.code === 0 && status.report?.healthy === true,
    { timeoutMs: 30_000, intervalMs: 1000 },
  );
  expect(healthy.value.stderr).toBe("");
  expect(healthy.value.report).toMatchObject({ healthy: true, vipHolders: [expect.any(String)] });
  const recorded = await instancesInState(lab);
  expect(recorded).toHaveLength(2);
  expect((await instancesInCloud(lab)).map((instance) => instance.InstanceId).sort()).toEqual(recorded);
  const planned = await terraform(lab, "plan", "-detailed-exitcode", "-input=false", "-no-color");
  expect(planned.code, planned.output).toBe(0);
}

function deployLog(lab: CloudLab): string {
  return stripVTControlCharacters(fs.readFileSync(path.join(lab.projectDir, "deploy.log"), "utf8"));
}

/** Seconds since `start`, for the timings the tests print. */
const since = (start: number) => `${((Date.now() - start) / 1000).toFixed(0)} s`;

describe.skipIf(skip)(
  "interrupted deploys converge: the next plain cdktf deploy ends with one healthy pair, no orphan, a clean plan",
  () => {
    let lab: CloudLab;
    let unrecorded: string[] = [];

    beforeAll(async () => {
      await cloudLabDown({ prefix: PREFIX });
      lab = await cloudLabUp({
        prefix: PREFIX,
        release: "bookworm",
        deploy: false,
        onStep: (line) => console.log(`lab ${PREFIX}: ${line}`),
      });
    }, 600_000);

    afterAll(async () => {
      // Whatever a killed run left running here (a provisioner, the provider) is this lab's: end it by pid.
      if (lab) {
        for (const pid of ["node", "terraform", "terraform-provi"].flatMap((comm) => processes(comm, (p) => worksIn(p, lab.projectDir)))) {
          process.kill(pid, "SIGKILL");
        }
      }
      await cloudLabDown({ prefix: PREFIX });
    }, 300_000);

    it("terraform and the local cloud killed while the first CVM launches: the cloud loses nothing and finishes the launch; the state lacks the CVM", async () => {
      const started = Date.now();
      let before: Record<string, string[]> = {};
      let launching = "";
      let inFlightAtKill = false;
      const killed = await interruptedDeploy(lab, async () => {
        const launch = Object.values(cloudState(lab).instances).find((instance) => instance.operation?.kind === "launch");
        if (!launch || !killTerraform(lab)) return false;
        launching = launch.instanceId;
        before = acknowledged(lab);
        process.kill(Number(fs.readFileSync(lab.daemonPidPath, "utf8").trim()), "SIGKILL");
        inFlightAtKill = cloudState(lab).instances[launching]?.operation?.kind === "launch";
        await restartCloudDaemon(lab);
        return true;
      });
      expect(killed.interrupted, killed.outcome).toBe(true);
      console.log(
        `killed terraform and the cloud while ${launching} launched, ${since(started)} into the deploy (${killed.outcome.split("\n")[0]})`,
      );
      expect(inFlightAtKill).toBe(true);
      // Everything the cloud had acknowledged is served after the restart, nothing else, and the launch ends.
      expect(await served(lab)).toEqual(before);
      const running = await pollUntil(
        () => instancesInCloud(lab),
        (instances) => instances.length > 0 && instances.every((instance) => instance.InstanceState === "RUNNING"),
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      expect(running.value.map((instance) => instance.InstanceState)).toContain("RUNNING");
      expect(running.value.map((instance) => instance.InstanceId)).toContain(launching);
      expect(await instancesInState(lab)).toEqual([]);
      // What Terraform recorded before the launch stays recorded: only the CVM is the next deploy's to adopt.
      expect(stateSnapshot(lab)?.resources.map((resource) => resource.type)).toEqual(
        expect.arrayContaining(["tencentcloud_vpc", "tencentcloud_subnet", "tencentcloud_security_group"]),
      );
      unrecorded = running.value.map((instance) => instance.InstanceId);
    }, 300_000);

    it("the next deploy adopts the unrecorded CVM; it is killed in turn while apt-get runs on the primary during its gate", async () => {
      const started = Date.now();
      const primaryNamespace = () => {
        const primary = Object.values(cloudState(lab).instances).find((instance) => instance.name.endsWith("-primary"));
        return primary ? instanceNamespace(lab.network, primary.instanceId) : undefined;
      };
      const killed = await interruptedDeploy(lab, async () => {
        const namespace = primaryNamespace();
        return (
          namespace !== undefined && processes("apt-get", (pid) => inNetworkNamespace(pid, namespace)).length > 0 && killTerraform(lab)
        );
      });
      expect(killed.interrupted, killed.outcome).toBe(true);
      console.log(`killed terraform during the primary's apt-get, ${since(started)} into the deploy (${killed.outcome.split("\n")[0]})`);
      for (const id of unrecorded)
        expect(deployLog(lab)).toMatch(new RegExp(`tencentcloud_instance\\.cluster_\\w+: Import complete \\[id=${id}\\]`));
      const recorded = await instancesInState(lab);
      for (const id of unrecorded) expect(recorded).toContain(id);
      const listed = await terraform(lab, "state", "list");
      expect(listed.stdout).not.toMatch(/terraform_data\.cluster_primary-gate_/);
    }, 300_000);

    it("the next plain deploy ends with one healthy pair, no orphaned server and a clean plan", async () => {
      const started = Date.now();
      await deployExample(lab);
      expect(deployLog(lab)).toMatch(/terraform_data\.cluster_primary-gate_\w+: Creation complete/);
      await expectConverged(lab);
      console.log(`converged in ${since(started)}`);
    }, 300_000);

    it("destroys everything with cdktf destroy: nothing left in the cloud", async () => {
      await destroyExample(lab);
      expect(Object.fromEntries(Object.entries(acknowledged(lab)).filter(([, ids]) => ids.length > 0))).toEqual({});
    }, 300_000);
  },
);
