/**
 * Issue 17, "interrupted deploys converge", on one lab: the example app deployed with `cdktf deploy`
 * and the real provider against the local Tencent Cloud, interrupted three ways, each time followed
 * by a plain `cdktf deploy` (as a user runs it again) that must end with one healthy pair, no server
 * the state does not know, and a clean `terraform plan`:
 *   1. terraform SIGKILLed as soon as the cloud's request log shows the first RunInstances;
 *   2. terraform SIGKILLed while apt-get runs on the primary during its deploy gate (after a reinstall);
 *   3. the local cloud itself SIGKILLed and started again while the primary's resize runs in it.
 * Then `cdktf destroy` must leave nothing in the cloud.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CloudLab,
  cloudLabDown,
  cloudLabPreflight,
  cloudLabUp,
  deployExample,
  destroyExample,
  operatorApiCall,
  publishImage,
  restartCloudDaemon,
  runAsOperator,
  stackDir,
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
 * then did its interruption). Resolves once the deploy has ended, whatever its outcome: after a
 * SIGKILLed terraform, cdktf exits 1 or, as seen, 0.
 */
async function interruptedDeploy(lab: CloudLab, interrupt: () => Promise<boolean>): Promise<{ interrupted: boolean; outcome: string }> {
  let running = true;
  const deploy = deployExample(lab).then(
    () => "cdktf deploy exited 0",
    (error: Error) => `cdktf deploy failed: ${error.message.split("\n")[0]}`,
  );
  void deploy.finally(() => (running = false));
  const watched = await pollUntil(
    async () => !running || (await interrupt()),
    (done) => done,
    { timeoutMs: 600_000, intervalMs: 50 },
  );
  const outcome = await deploy;
  return { interrupted: watched.done && watched.value && !outcome.endsWith("exited 0 before the interruption"), outcome };
}

/** SIGKILLs this lab's terraform; true when there was one. */
function killTerraform(lab: CloudLab): boolean {
  const pids = labTerraform(lab);
  for (const pid of pids) process.kill(pid, "SIGKILL");
  return pids.length > 0;
}

/** Lines of the cloud's request log after line `from`, parsed. */
function requestsSince(lab: CloudLab, from: number): { action: string }[] {
  const lines = fs.readFileSync(lab.requestLogPath, "utf8").trim().split("\n");
  return lines.slice(from).map((line) => JSON.parse(line) as { action: string });
}

function requestCount(lab: CloudLab): number {
  return fs.readFileSync(lab.requestLogPath, "utf8").trim().split("\n").length;
}

/** What the cloud's own state file says of its instances (the endpoint writes it before each answer). */
function cloudInstanceRecords(lab: CloudLab): { instanceId: string; operation: unknown; latestOperation: string | null }[] {
  const state = JSON.parse(fs.readFileSync(lab.cloudStatePath, "utf8")) as { instances: Record<string, never> };
  return Object.values(state.instances);
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

function editConfig(lab: CloudLab, change: (config: { nodes: Record<string, unknown> }) => void): void {
  const config = JSON.parse(fs.readFileSync(lab.configPath, "utf8")) as { nodes: Record<string, unknown> };
  change(config);
  fs.writeFileSync(lab.configPath, `${JSON.stringify(config, null, 2)}\n`);
}

function deployLog(lab: CloudLab): string {
  return fs.readFileSync(path.join(lab.projectDir, "deploy.log"), "utf8");
}

/** Seconds since `start`, for the timings the tests print. */
const since = (start: number) => `${((Date.now() - start) / 1000).toFixed(0)} s`;

describe.skipIf(skip)(
  "interrupted deploys converge: the next plain cdktf deploy ends with one healthy pair, no orphan, a clean plan",
  () => {
    let lab: CloudLab;

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
      if (lab)
        for (const pid of ["node", "terraform", "terraform-provi"].flatMap((comm) => processes(comm, (p) => worksIn(p, lab.projectDir))))
          process.kill(pid, "SIGKILL");
      await cloudLabDown({ prefix: PREFIX });
    }, 300_000);

    it("adopts the CVM that terraform, killed at the first RunInstances, created but did not record", async () => {
      const started = Date.now();
      const from = requestCount(lab);
      const killed = await interruptedDeploy(
        lab,
        async () => requestsSince(lab, from).some((request) => request.action === "RunInstances") && killTerraform(lab),
      );
      expect(killed.interrupted, killed.outcome).toBe(true);
      // The primary exists in the cloud (with its fixed IP) and not in the state.
      const orphans = await pollUntil(
        async () => (await instancesInCloud(lab)).filter((instance) => instance.InstanceName.endsWith("-primary")),
        (found) => found.length === 1,
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      expect(orphans.value).toHaveLength(1);
      expect(await instancesInState(lab)).toEqual([]);
      console.log(`killed at RunInstances after ${since(started)} (${killed.outcome}); unrecorded: ${orphans.value[0].InstanceId}`);

      const again = Date.now();
      await deployExample(lab);
      expect(deployLog(lab)).toMatch(
        new RegExp(`tencentcloud_instance\\.cluster_primary_\\w+: Import complete \\[id=${orphans.value[0].InstanceId}\\]`),
      );
      await expectConverged(lab);
      expect(await instancesInState(lab)).toContain(orphans.value[0].InstanceId);
      console.log(
        `the next deploy adopted it (${/Resources: (\d+) imported/.exec(deployLog(lab))?.[1]} imported) and converged in ${since(again)}`,
      );
    }, 900_000);

    it("re-runs the deploy gate that terraform was killed in while apt-get ran on the primary (after a reinstall)", async () => {
      const started = Date.now();
      const before = await instancesInCloud(lab);
      publishImage(lab.publishedImagesPath, "bookworm");
      const { ImageSet } = await operatorApiCall<{ ImageSet: { ImageId: string; ImageName: string }[] }>(lab, "cvm", "DescribeImages", {
        Filters: [{ Name: "image-type", Values: ["PUBLIC_IMAGE"] }],
      });
      const other = ImageSet.find((image) => image.ImageName.startsWith("Debian 12") && image.ImageId !== before[0].ImageId);
      expect(other).toBeDefined();
      editConfig(lab, (config) => (config.nodes.imageId = other?.ImageId));
      const primary = before.find((instance) => instance.InstanceName.endsWith("-primary"));
      const namespace = instanceNamespace(lab.network, primary?.InstanceId ?? "");
      const killed = await interruptedDeploy(
        lab,
        async () => processes("apt-get", (pid) => inNetworkNamespace(pid, namespace)).length > 0 && killTerraform(lab),
      );
      expect(killed.interrupted, killed.outcome).toBe(true);
      const shown = await terraform(lab, "state", "list");
      expect(shown.stdout).not.toMatch(/terraform_data\.cluster_primary-gate_/);
      console.log(`killed during the primary's apt-get after ${since(started)} (${killed.outcome})`);

      const again = Date.now();
      await deployExample(lab);
      expect(deployLog(lab)).toMatch(/terraform_data\.cluster_primary-gate_\w+: Creation complete/);
      await expectConverged(lab);
      for (const instance of await instancesInCloud(lab)) expect(instance.ImageId).toBe(other?.ImageId);
      console.log(`the next deploy re-ran the gate and converged in ${since(again)}`);
    }, 900_000);

    it("loses nothing when the local cloud is killed and started again while the primary's resize runs in it", async () => {
      const started = Date.now();
      const inventory = async () =>
        Object.fromEntries(
          await Promise.all(
            (
              [
                ["vpc", "DescribeVpcs", "VpcSet", "VpcId"],
                ["vpc", "DescribeSubnets", "SubnetSet", "SubnetId"],
                ["vpc", "DescribeSecurityGroups", "SecurityGroupSet", "SecurityGroupId"],
                ["vpc", "DescribeHaVips", "HaVipSet", "HaVipId"],
                ["vpc", "DescribeAddresses", "AddressSet", "AddressId"],
                ["cvm", "DescribeKeyPairs", "KeyPairSet", "KeyId"],
                ["cvm", "DescribeInstances", "InstanceSet", "InstanceId"],
              ] as const
            ).map(async ([service, action, set, key]) => [
              action,
              ((await operatorApiCall<Record<string, Record<string, string>[]>>(lab, service, action, {}))[set] ?? [])
                .map((item) => item[key])
                .sort(),
            ]),
          ),
        );
      const before = await inventory();
      editConfig(lab, (config) => (config.nodes.instanceType = "S5.LARGE8"));
      let restartedAt = 0;
      const interrupted = await interruptedDeploy(lab, async () => {
        const busy = cloudInstanceRecords(lab).find((instance) => instance.operation !== null);
        if (!busy) return false;
        const pid = Number(fs.readFileSync(lab.daemonPidPath, "utf8").trim());
        process.kill(pid, "SIGKILL");
        console.log(
          `killed the local cloud (pid ${pid}) while ${busy.instanceId} was in ${busy.latestOperation}, ${since(started)} into the deploy`,
        );
        await restartCloudDaemon(lab);
        restartedAt = Date.now();
        return true;
      });
      expect(interrupted.interrupted, interrupted.outcome).toBe(true);
      console.log(`the cloud was back after ${since(started)}; the deploy under way: ${interrupted.outcome}`);
      // The provider retries its calls over the restart; if the deploy still failed, the next plain one must finish it.
      if (!interrupted.outcome.endsWith("exited 0")) await deployExample(lab);
      await expectConverged(lab);
      expect(await inventory()).toEqual(before);
      for (const instance of await instancesInCloud(lab))
        expect(instance).toMatchObject({ InstanceType: "S5.LARGE8", InstanceState: "RUNNING" });
      expect(cloudInstanceRecords(lab).every((instance) => instance.operation === null)).toBe(true);
      console.log(`converged ${since(restartedAt)} after the restart`);
    }, 900_000);

    it("destroys everything with cdktf destroy: nothing left in the cloud's state", async () => {
      const started = Date.now();
      await destroyExample(lab);
      const state = JSON.parse(fs.readFileSync(lab.cloudStatePath, "utf8")) as Record<string, unknown>;
      const { images: _images, tasks: _tasks, nextTaskId: _next, formatVersion: _format, ...resources } = state;
      expect(Object.fromEntries(Object.entries(resources).filter(([, records]) => Object.keys(records as object).length > 0))).toEqual({});
      console.log(`destroyed in ${since(started)}`);
    }, 300_000);
  },
);
