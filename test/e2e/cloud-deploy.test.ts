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
  publishImage,
  runAsOperator,
  stackDir,
} from "../../lab/cloud";
import { cloudNetworkNamespaces, instanceNamespace } from "../../lab/cloud-network";
import { runCommand } from "../../lab/host/host-command";
import { startProbe } from "../../lab/probe/outage-probe";
import { pollUntil } from "../../lib/core/poll-until";
import { cliArgv } from "../../lib/spec/provision-invocation";
import { testLabPrefix } from "../test-lab-prefix";

const PREFIX = testLabPrefix("havip-cd");
const missing = cloudLabPreflight();
const skip = missing.length > 0 && process.env.CI !== "true";
if (skip) console.log(`cloud deploy tests skipped: ${missing.join("; ")}`);
const VIP = "172.16.16.12";

interface DeployedSpec {
  readonly nodes: readonly { readonly name: string; readonly instanceId: string }[];
  readonly cloud: { readonly eip?: string; readonly havipIds: readonly string[] };
}

/** The spec the deployed stack publishes (its `cluster-spec` output). */
function deployedSpec(lab: CloudLab): DeployedSpec {
  const outputs = JSON.parse(fs.readFileSync(lab.outputsPath, "utf8")) as Record<string, Record<string, string>>;
  return JSON.parse(outputs["havip-cluster"]["cluster-spec"]) as DeployedSpec;
}

/** Nodes whose eth0 carries the VIP (what Keepalived did, read from each machine's namespace). */
async function keepalivedHolders(lab: CloudLab): Promise<string[]> {
  const holders: string[] = [];
  for (const node of deployedSpec(lab).nodes) {
    const shown = await runCommand([
      "ip",
      "-n",
      instanceNamespace(lab.network, node.instanceId),
      "-o",
      "-4",
      "addr",
      "show",
      "dev",
      "eth0",
    ]);
    if (shown.stdout.includes(` inet ${VIP}/`)) holders.push(node.name);
  }
  return holders;
}

/** `havip-cluster <command> --json --outputs-file` as the operator runs it; the parsed report and the exit code. */
async function cli<T>(lab: CloudLab, command: string, ...args: string[]): Promise<{ code: number; report: T; stderr: string }> {
  const result = await runAsOperator(lab, [...cliArgv(command), "--json", "--outputs-file", lab.outputsPath, ...args]);
  return { code: result.code, report: JSON.parse(result.stdout || "null") as T, stderr: result.stderr };
}

async function plan(lab: CloudLab): Promise<{ code: number; output: string }> {
  const result = await runAsOperator(lab, [
    "terraform",
    `-chdir=${stackDir(lab)}`,
    "plan",
    "-detailed-exitcode",
    "-input=false",
    "-no-color",
  ]);
  return { code: result.code, output: `${result.stdout}${result.stderr}` };
}

function editConfig(lab: CloudLab, change: (config: { nodes: Record<string, unknown> }) => void): void {
  const config = JSON.parse(fs.readFileSync(lab.configPath, "utf8")) as { nodes: Record<string, unknown> };
  change(config);
  fs.writeFileSync(lab.configPath, `${JSON.stringify(config, null, 2)}\n`);
}

describe.skipIf(skip)("cdktf deploy and destroy of the example app on the local Tencent Cloud, with the real provider", () => {
  let lab: CloudLab;

  beforeAll(async () => {
    await cloudLabDown({ prefix: PREFIX });
    lab = await cloudLabUp({ prefix: PREFIX, release: "bookworm", deploy: false, onStep: (line) => console.log(`lab ${PREFIX}: ${line}`) });
  }, 600_000);

  afterAll(async () => {
    await cloudLabDown({ prefix: PREFIX });
  }, 300_000);

  it("deploys everything with cdktf deploy: both nodes provisioned by their gates, one VIP holder, the cloud's binding on it", async () => {
    await deployExample(lab);
    expect(fs.readFileSync(path.join(lab.projectDir, "deploy.log"), "utf8")).toMatch(
      /Apply complete! Resources: 16 added, 0 changed, 0 destroyed/,
    );
    const status = await cli<{
      healthy: boolean;
      vipHolders: string[];
      cloud?: { disagreements: unknown[]; bindings: { boundInstanceId?: string }[] };
    }>(lab, "status");
    expect(status.code, status.stderr).toBe(0);
    expect(status.report.healthy).toBe(true);
    expect(status.report.vipHolders).toHaveLength(1);
    const holder = deployedSpec(lab).nodes.find((node) => node.name === status.report.vipHolders[0]);
    expect(status.report.cloud?.disagreements).toEqual([]);
    expect(status.report.cloud?.bindings[0]?.boundInstanceId).toBe(holder?.instanceId);
  }, 600_000);

  it("plans no changes afterwards", async () => {
    const planned = await plan(lab);
    expect(planned.code, planned.output).toBe(0);
    expect(planned.output).toContain("No changes.");
  }, 120_000);

  it("keeps the running nodes on their image when a newer one is published (the pin)", async () => {
    publishImage(lab.publishedImagesPath, "bookworm");
    const planned = await plan(lab);
    expect(planned.code, planned.output).toBe(0);
  }, 120_000);

  it("passes failover-test: the VIP moves, the cloud's binding follows it, nopreempt holds", async () => {
    const result = await cli<{ passed: boolean; problems: string[]; cloudBindingMovedAfterSeconds?: number; nopreemptHeld?: boolean }>(
      lab,
      "failover-test",
      "--probe-port",
      "22",
    );
    expect(result.report.problems).toEqual([]);
    expect(result.report).toMatchObject({ passed: true, nopreemptHeld: true });
    expect(result.report.cloudBindingMovedAfterSeconds).toBeDefined();
    expect(result.code).toBe(0);
  }, 300_000);

  it("resizes the nodes one at a time on day 2, never with two VIP holders, and plans no changes afterwards", async () => {
    editConfig(lab, (config) => (config.nodes.instanceType = "S5.LARGE8"));
    let most = 0;
    let sampling = true;
    const sampler = pollUntil(
      async () => {
        most = Math.max(most, (await keepalivedHolders(lab)).length);
        return !sampling;
      },
      (done) => done,
      { timeoutMs: 900_000, intervalMs: 100 },
    );
    const eip = deployedSpec(lab).cloud.eip as string;
    const client = await startProbe(lab.network.operatorNamespace, eip, { port: 22, intervalMs: 100, timeoutMs: 300, maxProbes: 6000 });
    try {
      await deployExample(lab);
    } finally {
      sampling = false;
      await sampler;
    }
    const outage = await client.stop();
    console.log(`day-2 resize: longest gap of a TCP client through the EIP ${outage.longestGapMs} ms (${outage.lost}/${outage.sent} lost)`);
    const log = fs.readFileSync(path.join(lab.projectDir, "deploy.log"), "utf8");
    // The secondary is not touched before the primary's gate has brought the primary back healthy.
    const primaryResized = log.search(/tencentcloud_instance\.cluster_primary_\w+: Modifications complete/);
    const primaryGate = log.search(/terraform_data\.cluster_primary-gate_\w+: Creation complete/);
    const secondaryResizing = log.search(/tencentcloud_instance\.cluster_secondary_\w+: Modifying/);
    expect(primaryResized).toBeGreaterThan(0);
    expect(primaryGate).toBeGreaterThan(primaryResized);
    expect(secondaryResizing).toBeGreaterThan(primaryGate);
    expect(most).toBeLessThanOrEqual(1);
    expect(await keepalivedHolders(lab)).toHaveLength(1);
    expect(outage.sent - outage.lost).toBeGreaterThan(0);
    const planned = await plan(lab);
    expect(planned.code, planned.output).toBe(0);
  }, 900_000);

  it("destroys everything with cdktf destroy: nothing left in the cloud's state", async () => {
    await destroyExample(lab);
    const state = JSON.parse(fs.readFileSync(lab.cloudStatePath, "utf8")) as Record<string, unknown>;
    const { images: _images, tasks: _tasks, nextTaskId: _next, formatVersion: _format, ...resources } = state;
    expect(Object.fromEntries(Object.entries(resources).filter(([, records]) => Object.keys(records as object).length > 0))).toEqual({});
  }, 300_000);

  it("leaves no server, namespace, mount, cgroup or hosts file of the lab behind after lab down", async () => {
    await cloudLabDown({ prefix: PREFIX });
    expect(fs.existsSync(lab.stateDir)).toBe(false);
    expect(await cloudNetworkNamespaces(lab.network)).toEqual([]);
    expect(fs.readFileSync("/proc/mounts", "utf8")).not.toContain(lab.stateDir);
    expect(fs.existsSync(`/etc/netns/${lab.network.operatorNamespace}`)).toBe(false);
    for (const parent of ["unified", "systemd", ""].map((hierarchy) =>
      path.join("/sys/fs/cgroup", hierarchy, "tencentcloud-havip-cluster"),
    )) {
      if (!fs.existsSync(parent)) continue;
      expect(fs.readdirSync(parent).filter((name) => name.startsWith(`${PREFIX}-`))).toEqual([]);
    }
  }, 300_000);
});
