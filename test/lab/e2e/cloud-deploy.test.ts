import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyStack,
  type CloudLab,
  cloudLabDown,
  cloudLabPreflight,
  cloudLabUp,
  cdktfArgv,
  deployExample,
  destroyExample,
  EXAMPLE_STACK,
  LAB_AUTH_PASS_VARIABLE,
  operatorApiCall,
  publishImage,
  runAsOperator,
  stackDir,
} from "../../../lab/cloud";
import { cloudNetworkNamespaces, instanceNamespace } from "../../../lab/cloud-network";
import { cloudLabTarget } from "../../../lab/cloud/cloud-drill-target";
import { type DrillOptions, drillBounds, runDrills } from "../../../lab/drills";
import { runCommand } from "../../../lab/host/host-command";
import { startProbe } from "../../../lab/probe/outage-probe";
import { pollUntil } from "../../../lib/core/poll-until";
import { DEFAULT_ADVERT_INT_SECONDS, DEFAULT_PRIORITY } from "../../../lib/core/limits";
import { masterDownIntervalSeconds } from "../../../lib/core/vrrp-timing";
import { DEFAULT_HAVIP_SWITCH_DELAY_MS } from "../../../local-cloud";
import { cliArgv } from "../../../lib/spec/provision-invocation";
import { testLabPrefix } from "../test-lab-prefix";

const PREFIX = testLabPrefix("havip-cd");
const missing = cloudLabPreflight();
const skip = missing.length > 0 && process.env.CI !== "true";
if (skip) console.log(`cloud deploy tests skipped: ${missing.join("; ")}`);
const VIP = "172.16.16.12";
/** The example's advert_int and priority (the construct's defaults) and the local cloud's default switch delay. */
const FAILOVER_BOUND_MS =
  (masterDownIntervalSeconds(DEFAULT_ADVERT_INT_SECONDS, DEFAULT_PRIORITY) + DEFAULT_HAVIP_SWITCH_DELAY_MS / 1000) * 1000 + 2000;

interface DeployedSpec {
  readonly nodes: readonly { readonly name: string; readonly instanceId: string }[];
  readonly cloud: { readonly eip?: string; readonly havipIds: readonly string[] };
}

/** The spec the deployed stack publishes (its `cluster-spec` output). */
function deployedSpec(lab: CloudLab): DeployedSpec {
  const outputs = JSON.parse(fs.readFileSync(lab.outputsPath, "utf8")) as Record<string, Record<string, string>>;
  return JSON.parse(outputs["havip-cluster"]["cluster-spec"]) as DeployedSpec;
}

/** Every file below `dir`. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
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

/** The most nodes seen holding the VIP at once (sampled every 100 ms) while `run` runs. */
async function mostVipHoldersDuring(lab: CloudLab, run: () => Promise<void>): Promise<number> {
  let most = 0;
  let running = true;
  const sampler = pollUntil(
    async () => {
      most = Math.max(most, (await keepalivedHolders(lab)).length);
      return !running;
    },
    (done) => done,
    { timeoutMs: 900_000, intervalMs: 100 },
  );
  try {
    await run();
  } finally {
    running = false;
    await sampler;
  }
  return most;
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

/** A gratuitous ARP for `address` from the namespace's eth0, as Keepalived sends one when it takes a VIP over. */
async function sendGratuitousArp(namespace: string, address: string): Promise<void> {
  const program = `
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
mac = s.getsockname()[4]
ip = socket.inet_aton(sys.argv[1])
s.send(b"\\xff" * 6 + mac + b"\\x08\\x06" + b"\\x00\\x01\\x08\\x00\\x06\\x04\\x00\\x01" + mac + ip + b"\\x00" * 6 + ip)
`;
  const sent = await runCommand(["ip", "netns", "exec", namespace, "python3", "-c", program, address]);
  if (sent.code !== 0) throw new Error(`sending a gratuitous ARP from ${namespace} failed: ${sent.stderr}`);
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
    lab = await cloudLabUp({
      prefix: PREFIX,
      release: "bookworm",
      service: "nginx",
      deploy: false,
      onStep: (line) => console.log(`lab ${PREFIX}: ${line}`),
    });
  }, 600_000);

  afterAll(async () => {
    await cloudLabDown({ prefix: PREFIX });
  }, 300_000);

  it("deploys everything with cdktf deploy: both nodes provisioned by their gates, one VIP holder, the cloud's binding on it", async () => {
    await deployExample(lab);
    expect(fs.readFileSync(path.join(lab.projectDir, "deploy.log"), "utf8")).toMatch(
      /Apply complete! Resources: 17 added, 0 changed, 0 destroyed/,
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
    // A client on the internet reaches nginx on the holder through the EIP on the HAVIP.
    const page = await runAsOperator(lab, ["curl", "-sS", "--max-time", "5", `http://${deployedSpec(lab).cloud.eip}/`]);
    expect(page.code, page.stderr).toBe(0);
    expect(page.stdout).toContain("served by nginx through the VIP");
  }, 600_000);

  it("takes the VRRP password from the sensitive variable (TF_VAR_vrrp_auth_pass): in keepalived.conf on both nodes, nowhere in Terraform's output, cdktf.out or the cloud's request log", () => {
    const password = fs.readFileSync(lab.authPassPath, "utf8").trim();
    expect(password).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(fs.readFileSync(lab.configPath, "utf8")).toContain(`"variable": "${LAB_AUTH_PASS_VARIABLE}"`);
    for (const node of deployedSpec(lab).nodes) {
      const conf = fs.readFileSync(path.join(lab.hostDir, "machines", node.instanceId, "root/etc/keepalived/keepalived.conf"), "utf8");
      expect(conf, node.name).toMatch(new RegExp(`auth_pass ${password}\\n`));
    }
    const leaks = [
      path.join(lab.projectDir, "deploy.log"),
      lab.requestLogPath,
      ...filesUnder(path.join(lab.projectDir, "cdktf.out")),
    ].filter((file) => fs.readFileSync(file).includes(password));
    expect(leaks).toEqual([]);
  });

  it("runs the README's quick start with the password set: cdktf output with sensitive outputs brings the spec, status reads it", async () => {
    const outputsFile = path.join(lab.projectDir, "quick-start-outputs.json");
    const written = await runAsOperator(
      lab,
      cdktfArgv([
        "output",
        "--outputs-file",
        outputsFile,
        "--outputs-file-include-sensitive-outputs",
        "--skip-provider-lock",
        EXAMPLE_STACK,
      ]),
    );
    expect(written.code, written.stdout + written.stderr).toBe(0);
    expect(written.stdout + written.stderr).not.toContain(fs.readFileSync(lab.authPassPath, "utf8").trim());
    const status = await runAsOperator(lab, [...cliArgv("status"), "--json", "--outputs-file", outputsFile]);
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { healthy: boolean }).healthy).toBe(true);
  }, 120_000);

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

  it("does not move the HAVIP for a gratuitous ARP from an instance outside its drift range (check_associate)", async () => {
    const spec = deployedSpec(lab);
    const describe = async () =>
      (await operatorApiCall<{ HaVipSet: { InstanceId: string }[] }>(lab, "vpc", "DescribeHaVips", { HaVipIds: [spec.cloud.havipIds[0]] }))
        .HaVipSet[0].InstanceId;
    const bound = await describe();
    const primary = (
      await operatorApiCall<{ InstanceSet: Record<string, unknown>[] }>(lab, "cvm", "DescribeInstances", {
        InstanceIds: [spec.nodes[0].instanceId],
      })
    ).InstanceSet[0] as {
      ImageId: string;
      VirtualPrivateCloud: { VpcId: string; SubnetId: string };
      SecurityGroupIds: string[];
      LoginSettings: { KeyIds: string[] };
    };
    const { InstanceIdSet } = await operatorApiCall<{ InstanceIdSet: string[] }>(lab, "cvm", "RunInstances", {
      Placement: { Zone: "ap-guangzhou-3" },
      InstanceType: "S5.MEDIUM2",
      ImageId: primary.ImageId,
      VirtualPrivateCloud: {
        VpcId: primary.VirtualPrivateCloud.VpcId,
        SubnetId: primary.VirtualPrivateCloud.SubnetId,
        PrivateIpAddresses: ["172.16.16.20"],
      },
      InternetAccessible: { PublicIpAssigned: false },
      SecurityGroupIds: primary.SecurityGroupIds,
      LoginSettings: { KeyIds: primary.LoginSettings.KeyIds },
      InstanceName: "stranger",
    });
    const stranger = InstanceIdSet[0];
    try {
      const running = await pollUntil(
        async () =>
          (
            await operatorApiCall<{ InstanceSet: { InstanceState: string }[] }>(lab, "cvm", "DescribeInstances", {
              InstanceIds: [stranger],
            })
          ).InstanceSet[0]?.InstanceState,
        (state) => state === "RUNNING",
        { timeoutMs: 120_000, intervalMs: 1000 },
      );
      expect(running.value).toBe("RUNNING");
      // The stranger claims the VIP the way Keepalived would: the address on its eth0 and a gratuitous ARP.
      const namespace = instanceNamespace(lab.network, stranger);
      await runCommand(["ip", "-n", namespace, "addr", "add", `${VIP}/24`, "dev", "eth0"]);
      await sendGratuitousArp(namespace, VIP);
      // Twice the switch delay (4 s): time enough for the cloud to have moved it, had it been allowed to.
      await new Promise((settle) => setTimeout(settle, 8000));
      expect(await describe()).toBe(bound);
      const status = await cli<{ healthy: boolean }>(lab, "status");
      expect(status.report.healthy).toBe(true);
    } finally {
      await operatorApiCall(lab, "cvm", "TerminateInstances", { InstanceIds: [stranger] });
      await pollUntil(
        async () =>
          (await operatorApiCall<{ InstanceSet: unknown[] }>(lab, "cvm", "DescribeInstances", { InstanceIds: [stranger] })).InstanceSet
            .length,
        (left) => left === 0,
        { timeoutMs: 60_000, intervalMs: 1000 },
      );
    }
  }, 300_000);

  it("enforces the security group: without the VRRP rules both nodes become MASTER and status says so; with them, one again", async () => {
    const file = path.join(stackDir(lab), "cdk.tf.json");
    const synthesized = fs.readFileSync(file, "utf8");
    const stack = JSON.parse(synthesized) as {
      resource: { tencentcloud_security_group_rule_set: Record<string, { ingress: { description?: string }[] }> };
    };
    const ruleSet = Object.values(stack.resource.tencentcloud_security_group_rule_set)[0];
    ruleSet.ingress = ruleSet.ingress.filter((rule) => !rule.description?.startsWith("VRRP from node"));
    fs.writeFileSync(file, JSON.stringify(stack, null, 2));
    const applied = await applyStack(lab);
    expect(applied.code, applied.stderr).toBe(0);
    const split = await pollUntil(
      () => cli<{ healthy: boolean; vipHolders: string[] }>(lab, "status"),
      (status) => status.report.vipHolders.length === 2,
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect(split.value.report.vipHolders).toHaveLength(2);
    expect(split.value.report.healthy).toBe(false);
    expect(split.value.code).toBe(3);
    await deployExample(lab);
    const healed = await pollUntil(
      () => cli<{ healthy: boolean; vipHolders: string[] }>(lab, "status"),
      (status) => status.report.healthy,
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect(healed.value.report.vipHolders).toHaveLength(1);
    expect(healed.value.code).toBe(0);
  }, 300_000);

  // The drills on the cloud's terms (CI's short set; `npm run bench -- --only cloud-drills` runs the
  // full set over a grid of timings): each fault on the deployed pair, an HTTP client through the EIP
  // every 50 ms, and the cloud's binding recorded every 50 ms. How fast is the benchmark's business;
  // here: that the VIP and the binding move (or stay) as the drill says, and end on one holder.
  describe("drills on the deployed cluster, through the EIP", () => {
    const drill = async (name: string, options: DrillOptions = {}) => {
      const [result] = await runDrills(cloudLabTarget(lab), [name], (line) => console.log(`drill ${line}`), options);
      console.log(`drill ${name}: ${JSON.stringify(result)}`);
      expect(result.error).toBeUndefined();
      expect(result.finalHolders).toHaveLength(1);
      expect(result.bindingFollowed).toBe(true);
      expect(result.sent).toBeGreaterThan(0);
      return result;
    };
    const nodeNames = () => deployedSpec(lab).nodes.map((node) => node.name);
    const peer = (node: string | undefined) => nodeNames().find((name) => name !== node);

    it.each(["machine-crash", "reboot"])(
      "%s: the VIP and the binding move to the peer, the old master comes back BACKUP and nopreempt holds",
      async (name) => {
        const result = await drill(name);
        expect(result.vipMovedAfterSeconds).toBeDefined();
        expect(result.bindingMovedAfterSeconds).toBeDefined();
        expect(result.nopreemptHeld).toBe(true);
        expect(result.finalHolders).toEqual([peer(result.faultOn)]);
        // The client through the EIP was answered by the old master, then by the new one.
        expect(result.httpResponders).toEqual([result.faultOn, peer(result.faultOn)]);
      },
      300_000,
    );

    it("link-down: the VIP and the binding move to the peer", async () => {
      const result = await drill("link-down");
      expect(result.vipMovedAfterSeconds).toBeDefined();
      expect(result.bindingMovedAfterSeconds).toBeDefined();
      expect(result.httpResponders?.at(-1)).toBe(peer(result.faultOn));
    }, 300_000);

    it("nginx-dies-on-master: the http health check hands the VIP and the binding to the peer, which answers the client", async () => {
      const result = await drill("nginx-dies-on-master");
      expect(result.vipMovedAfterSeconds).toBeDefined();
      expect(result.bindingMovedAfterSeconds).toBeDefined();
      expect(result.httpResponders?.at(-1)).toBe(peer(result.faultOn));
    }, 300_000);

    it("nginx-dies-on-backup: the backup goes FAULT, the VIP and the binding stay, the master answers throughout", async () => {
      const [master] = await keepalivedHolders(lab);
      const result = await drill("nginx-dies-on-backup");
      expect(result.faultOn).toBe(peer(master));
      expect(result.note).toContain("went FAULT");
      expect(result.vipMovedAfterSeconds).toBeUndefined();
      expect(result.bindingMoves).toBe(0);
      expect(result.httpResponders).toEqual([master]);
    }, 300_000);

    it("partition-heals: both nodes still reach the VPC while cut from each other; after the heal one holder, the binding on it", async () => {
      const target = cloudLabTarget(lab);
      const bounds = drillBounds(target.timing);
      // Long enough for both to become MASTER and the cloud to act on their announcements.
      const result = await drill("partition-heals", {
        partitionSeconds: 2 * bounds.masterDownS + target.timing.switchDelaySeconds + 2,
      });
      expect(result.partition?.healToOneHolderSeconds).toBeDefined();
      expect(result.partition?.bindingSequence?.length).toBeGreaterThan(0);
      // Clients were answered during the partition: the bound node served them.
      expect(Object.values(result.partition?.clientSecondsByNode ?? {}).reduce((sum, seconds) => sum + seconds, 0)).toBeGreaterThan(0);
    }, 300_000);

    it("lossy-link: the link between the nodes loses and delays packets for a stretch; every state change is counted, one holder after", async () => {
      const result = await drill("lossy-link", { linkProfile: { lossPercent: 5, delayMs: 20, jitterMs: 10 }, linkSeconds: 15 });
      expect(result.impairment?.seconds).toBeGreaterThanOrEqual(15);
      expect(result.impairment?.falseFailovers).toBe(
        result.impairment?.transitions.filter((transition) => transition.endsWith(" MASTER")).length,
      );
    }, 300_000);
  });

  it("resizes the nodes one at a time on day 2, never with two VIP holders, and plans no changes afterwards", async () => {
    editConfig(lab, (config) => (config.nodes.instanceType = "S5.LARGE8"));
    const eip = deployedSpec(lab).cloud.eip as string;
    const client = await startProbe(lab.network.operatorNamespace, eip, {
      httpPath: "/",
      intervalMs: 100,
      timeoutMs: 300,
      maxProbes: 6000,
    });
    const most = await mostVipHoldersDuring(lab, () => deployExample(lab));
    const outage = await client.stop();
    console.log(
      `day-2 resize: longest gap of an HTTP client through the EIP ${outage.longestGapMs} ms (${outage.lost}/${outage.sent} lost), answered by ${outage.responders?.join(", ")}`,
    );
    // No outage longer than one failover: a silent master detected, then the cloud moving the HAVIP.
    expect(outage.longestGapMs).toBeLessThanOrEqual(FAILOVER_BOUND_MS);
    expect(new Set(outage.responders).size).toBe(2);
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

  it("reinstalls the nodes one at a time with another image on day 2 (their gates re-provision them; the new host keys are the new disks'), then plans no changes", async () => {
    const spec = deployedSpec(lab);
    publishImage(lab.publishedImagesPath, "bookworm");
    const { InstanceSet } = await operatorApiCall<{ InstanceSet: { ImageId: string }[] }>(lab, "cvm", "DescribeInstances", {
      InstanceIds: [spec.nodes[0].instanceId],
    });
    const { ImageSet } = await operatorApiCall<{ ImageSet: { ImageId: string; ImageName: string; CreatedTime: string }[] }>(
      lab,
      "cvm",
      "DescribeImages",
      {
        Filters: [{ Name: "image-type", Values: ["PUBLIC_IMAGE"] }],
      },
    );
    const other = ImageSet.filter((image) => image.ImageName.startsWith("Debian 12") && image.ImageId !== InstanceSet[0].ImageId)[0];
    expect(other).toBeDefined();
    editConfig(lab, (config) => (config.nodes.imageId = other.ImageId));
    const most = await mostVipHoldersDuring(lab, () => deployExample(lab));
    const log = fs.readFileSync(path.join(lab.projectDir, "deploy.log"), "utf8");
    const primaryReinstalled = log.search(/tencentcloud_instance\.cluster_primary_\w+: Modifications complete/);
    const primaryGate = log.search(/terraform_data\.cluster_primary-gate_\w+: Creation complete/);
    const secondaryReinstalling = log.search(/tencentcloud_instance\.cluster_secondary_\w+: Modifying/);
    expect(primaryReinstalled).toBeGreaterThan(0);
    expect(primaryGate).toBeGreaterThan(primaryReinstalled);
    expect(secondaryReinstalling).toBeGreaterThan(primaryGate);
    expect(most).toBeLessThanOrEqual(1);
    for (const node of deployedSpec(lab).nodes) {
      const {
        InstanceSet: [instance],
      } = await operatorApiCall<{ InstanceSet: { ImageId: string }[] }>(lab, "cvm", "DescribeInstances", {
        InstanceIds: [node.instanceId],
      });
      expect(instance.ImageId).toBe(other.ImageId);
    }
    const status = await cli<{ healthy: boolean }>(lab, "status");
    expect(status.report.healthy).toBe(true);
    // Each node's key was recorded again for its new disk, in place of the old disk's.
    expect(fs.readFileSync(lab.knownHostsPath, "utf8")).not.toContain(`/${InstanceSet[0].ImageId}`);
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
