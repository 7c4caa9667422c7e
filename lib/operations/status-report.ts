import type { Agent } from "node:http";
import type { ClusterSpec } from "../core/cluster-settings";
import {
  compareKeepalivedWithCloud,
  createVpcClient,
  describeHaVipBindings,
  readTencentCloudCredentials,
  type Disagreement,
  type HaVipBinding,
} from "../cloud";
import { clusterHealth } from "../core/health";
import type { SshOptionNames } from "../provisioner/ssh/connect-node";
import { readClusterStatus, type NodeStatusReport } from "./cluster-status";

export interface ClusterStatusReport {
  readonly cluster: string;
  readonly vips: readonly string[];
  readonly nodes: readonly NodeStatusReport[];
  readonly vipHolders: readonly string[];
  /** Absent without Tencent Cloud credentials; `error` when the API could not be asked. */
  readonly cloud?: {
    readonly bindings: readonly HaVipBinding[];
    readonly disagreements: readonly Disagreement[];
    readonly error?: string;
  };
  readonly healthy: boolean;
}

export interface CloudOptions {
  /** VPC API host for private endpoints. @default - the public endpoint */
  readonly cloudEndpoint?: string;
  /** @default "https" */
  readonly cloudProtocol?: "https" | "http";
  /** HTTP agent for the API calls (a proxy, or a test's loopback-only agent). */
  readonly cloudAgent?: Agent;
  /** A front end's own SSH options, named in messages beside the settings. @default - the settings alone */
  readonly sshOptionNames?: SshOptionNames;
}

/** Asks the VPC API where the HAVIPs are bound, when credentials are in the environment. */
export async function readCloudView(
  spec: ClusterSpec,
  nodes: readonly NodeStatusReport[],
  options: CloudOptions,
  env: NodeJS.ProcessEnv = process.env,
) {
  const credentials = readTencentCloudCredentials(env);
  if (!credentials) return undefined;
  const client = createVpcClient(credentials, {
    endpoint: options.cloudEndpoint,
    protocol: options.cloudProtocol,
    agent: options.cloudAgent,
  });
  const bindings = await describeHaVipBindings(client, {
    vips: spec.cloud?.havipIds ? undefined : spec.vips,
    havipIds: spec.cloud?.havipIds,
    vpcId: spec.cloud?.vpcId,
  });
  const view = nodes.map((node) => ({
    nodeName: node.node,
    instanceId: node.instanceId,
    isMaster: node.notifiedState === "MASTER",
    holdsVip: node.holdsVips.length > 0,
    heldVips: node.holdsVips,
  }));
  const eipByVip = spec.cloud?.eip ? { [spec.vips[0]]: spec.cloud.eip } : undefined;
  return { bindings, disagreements: compareKeepalivedWithCloud(view, bindings, { vips: spec.vips, eipByVip }) };
}

/**
 * `status`: each node read over SSH (one round trip each), the cloud's HAVIP binding when
 * credentials are in the environment, and the one verdict on the pair (clusterHealth).
 */
export async function readStatusReport(spec: ClusterSpec, options: CloudOptions): Promise<ClusterStatusReport> {
  const read = await readClusterStatus(spec, undefined, options.sshOptionNames);
  const nodes = read.map((node) => node.report);
  // The SSH view is worth showing even when the cloud API cannot be asked.
  const cloud: ClusterStatusReport["cloud"] = await readCloudView(spec, nodes, options).catch((error: Error) => ({
    bindings: [],
    disagreements: [],
    error: error.message,
  }));
  const health = clusterHealth(
    spec.vips,
    read.map((node) => node.observation),
    cloud && { disagreements: cloud.disagreements.map((disagreement) => disagreement.message), error: cloud.error },
  );
  return { cluster: spec.clusterName, vips: spec.vips, nodes, vipHolders: health.vipHolders, cloud, healthy: health.healthy };
}

export function formatStatusReport(report: ClusterStatusReport): string {
  const lines = [`cluster ${report.cluster}: VIP ${report.vips.join(", ")} held by ${report.vipHolders.join(" and ") || "nobody"}`];
  const header = ["node", "ssh host", "keepalived", "running", "state", "holds VIP"];
  const rows = report.nodes.map((n) =>
    n.reachable
      ? [
          n.node,
          n.sshHost,
          n.keepalivedVersion ?? "not installed",
          n.keepalivedRunning ? "yes" : "no",
          n.notifiedState ?? "-",
          n.holdsVips.length > 0 ? "yes" : "no",
        ]
      : [n.node, n.sshHost, "unreachable", "-", "-", "-"],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  lines.push(format(header), ...rows.map(format));
  for (const node of report.nodes) {
    if (node.error) lines.push(`${node.node}: ${node.error}`);
    if (node.recentNotifyLog.length > 0) lines.push(`${node.node} notify log:`, ...node.recentNotifyLog.map((l) => `  ${l}`));
  }
  if (!report.cloud) {
    lines.push("cloud: not checked (no TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY / TENCENTCLOUD_REGION)");
  } else if (report.cloud.error !== undefined) {
    lines.push(`cloud: could not ask DescribeHaVips: ${report.cloud.error}`);
  } else {
    for (const binding of report.cloud.bindings) {
      lines.push(
        `cloud: HAVIP ${binding.address} (${binding.havipId}) ${binding.state}, bound to ${binding.boundInstanceId ?? binding.boundNetworkInterfaceId ?? "nothing"}${binding.addressIp ? `, EIP ${binding.addressIp}` : ""}`,
      );
    }
    lines.push(
      ...(report.cloud.disagreements.length === 0
        ? ["cloud: agrees with Keepalived"]
        : report.cloud.disagreements.map((d) => `DISAGREEMENT: ${d.message}`)),
    );
  }
  lines.push(report.healthy ? "healthy" : "NOT healthy");
  return lines.join("\n");
}
