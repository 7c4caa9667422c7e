import * as fs from "node:fs";
import type { CloudState } from "../../local-cloud";
import { type HaVipBinding, toHaVipBinding } from "../../lib/cloud/havip-bindings";
import type { DescribeHaVipsResponse } from "../../lib/cloud/vpc-models";
import { cliArgv } from "../../lib/spec/provision-invocation";
import { readClusterSpec } from "../../lib/spec/load-cluster-spec";
import type { ValidClusterSpec } from "../../lib/core/validation";
import { clearLinkImpairment, impairLink, instanceNamespace } from "../cloud-network";
import { runCommandOrThrow } from "../host/host-command";
import { LAB_SERVICE_PAGE_PATH } from "../lab-cluster-spec";
import { failoverTestReport } from "../drills/bare-lab-target";
import type { DrillTarget } from "../drills/drill-target";
import { startProbe } from "../probe/outage-probe";
import type { ServerLayout } from "../servers/server-layout";
import { type CloudLab, havipSwitchDelayMs } from "./cloud-lab";
import { hostModel, machineServer } from "./cloud-machines";
import { healPartitions, partitionInstances } from "./lab-faults";
import { assertOperatorIsolated, operatorApiCall, runAsOperator } from "./operator-tools";

/** The deployed cluster's spec, as the stack's `cluster-spec` output publishes it (what status and failover-test read). */
export function deployedClusterSpec(lab: CloudLab): ValidClusterSpec {
  if (!fs.existsSync(lab.outputsPath))
    throw new Error(`nothing is deployed on lab ${lab.prefix} (no ${lab.outputsPath}); run \`npm run lab -- deploy\``);
  return readClusterSpec({ outputsFile: lab.outputsPath }, {}, {});
}

/** The HAVIP as the local cloud's state records it: what DescribeHaVips answers, read without a request. */
function bindingFromState(statePath: string, havipId: string): HaVipBinding {
  const state = JSON.parse(fs.readFileSync(statePath, "utf8")) as CloudState;
  const havip = state.havips[havipId];
  if (havip === undefined) throw new Error(`the local cloud has no HAVIP ${havipId}`);
  const bound = havip.boundInstanceId === null ? undefined : state.instances[havip.boundInstanceId];
  return {
    havipId,
    address: havip.vip,
    state: bound ? "AVAILABLE" : "UNBIND",
    ...(bound ? { boundInstanceId: bound.instanceId } : {}),
    ...(havip.addressIp === "" ? {} : { addressIp: havip.addressIp }),
    vpcId: havip.vpcId,
    subnetId: havip.subnetId,
    allowedInstanceIds: havip.associations.map((association) => association.instanceId),
    ...(havip.flushedTime === "" ? {} : { flushedTime: havip.flushedTime }),
  };
}

/**
 * The example app deployed on the local cloud as a drill target: the nodes the deployed spec names
 * (primary, secondary) as the machines the lab's host runs them as; the timing from that spec and
 * the cloud's switch delay; the client a user would be, on the internet segment (the operator's
 * namespace), through the EIP on the HAVIP; the binding from the cloud's own state (what
 * DescribeHaVips answers), and DescribeHaVips as the operator at the end of each drill.
 */
export function cloudLabTarget(lab: CloudLab): DrillTarget {
  const spec = deployedClusterSpec(lab);
  const model = hostModel(lab);
  const havipId = spec.cloud?.havipIds?.[0];
  const eip = spec.cloud?.eip;
  if (havipId === undefined) throw new Error(`the deployed cluster ${spec.clusterName} names no HAVIP id in its spec`);
  if (eip === undefined)
    throw new Error(`the deployed cluster ${spec.clusterName} has no EIP: the drills' client reaches the VIP through it`);
  const servers: Record<string, ServerLayout> = {};
  const instanceIds = new Map<string, string>();
  for (const node of spec.nodes) {
    const instance = node.instanceId === undefined ? undefined : model?.instances[node.instanceId];
    if (instance === undefined)
      throw new Error(`node ${node.name} (${node.instanceId ?? "no instance id"}) is not one of lab ${lab.prefix}'s machines`);
    servers[node.name] = machineServer(lab, instance);
    instanceIds.set(node.name, instance.instanceId);
  }
  const byHostname = new Map(Object.entries(servers).map(([name, server]) => [server.hostname, name]));
  const outputsArgs = ["--outputs-file", lab.outputsPath];
  const vpcId = spec.cloud?.vpcId;
  if (vpcId === undefined) throw new Error(`the deployed cluster ${spec.clusterName} names no VPC id in its spec`);
  const [first, second] = [...instanceIds.values()];
  const pair = { a: first, b: second };
  return {
    label: `local cloud ${lab.prefix}`,
    group: { vip: spec.vips[0], interfaceName: spec.interfaceName, servers },
    ...(lab.service === undefined ? {} : { service: lab.service }),
    timing: {
      advertIntSeconds: spec.advertIntSeconds,
      priority: spec.priority,
      healthCheck: spec.healthCheck,
      switchDelaySeconds: havipSwitchDelayMs(lab) / 1000,
    },
    notifyLogPath: spec.notifyLogPath,
    cloud: {
      source:
        "the local cloud's state (what DescribeHaVips answers), read every 50 ms; DescribeHaVips as the operator at the end of each drill",
      instanceOf: (node) => instanceIds.get(node) ?? node,
      binding: async () => bindingFromState(lab.cloudStatePath, havipId),
      bindingAsOperator: async () => {
        const response = await operatorApiCall<DescribeHaVipsResponse>(lab, "vpc", "DescribeHaVips", { HaVipIds: [havipId] });
        const found = response.HaVipSet?.[0];
        if (found === undefined) throw new Error(`DescribeHaVips does not know ${havipId}`);
        return toHaVipBinding(found);
      },
    },
    clientTarget: lab.service === undefined ? `TCP ${eip}:22 (EIP)` : `http://${eip}${LAB_SERVICE_PAGE_PATH} (EIP)`,
    startClient: async (seconds) => {
      await assertOperatorIsolated(lab);
      // Without a service the holder's sshd answers: the security group admits port 22 from the operator.
      return startProbe(
        lab.network.operatorNamespace,
        eip,
        lab.service === undefined
          ? { port: 22, intervalMs: 100, maxProbes: Math.ceil(seconds * 10) }
          : { httpPath: LAB_SERVICE_PAGE_PATH, intervalMs: 50, maxProbes: Math.ceil(seconds * 20) },
      );
    },
    responderNode: (word) => byHostname.get(word) ?? word,
    reprovision: async () => {
      const result = await runAsOperator(lab, [...cliArgv("provision"), "--json", ...outputsArgs], { timeoutMs: 180_000 });
      if (result.code !== 0)
        throw new Error(`re-provisioning the cluster failed (exit ${result.code}): ${result.stderr.trim().slice(0, 800)}`);
    },
    failoverTest: async () =>
      failoverTestReport(
        await runAsOperator(lab, [...cliArgv("failover-test"), "--json", "--probe-port", "22", ...outputsArgs], { timeoutMs: 180_000 }),
      ),
    // Setting the link down took the default route with it: put both back, as the machine's boot does.
    restoreLink: async (node) => {
      const server = servers[node];
      const namespace = instanceNamespace(lab.network, instanceIds.get(node) ?? node);
      await runCommandOrThrow(["ip", "-n", namespace, "link", "set", server.interfaceName, "up"]);
      if (server.gateway !== undefined)
        await runCommandOrThrow(["ip", "-n", namespace, "route", "replace", "default", "via", server.gateway, "dev", server.interfaceName]);
    },
    // The VPC router drops what the two nodes send each other; both keep reaching the router, the
    // cloud (their gratuitous ARPs) and the clients.
    partition: () => partitionInstances(lab, pair.a, pair.b),
    heal: () => healPartitions(lab),
    impairLink: (profile) => impairLink(lab.network, vpcId, pair, profile),
    clearLinkImpairment: () => clearLinkImpairment(lab.network, vpcId, pair),
  };
}
