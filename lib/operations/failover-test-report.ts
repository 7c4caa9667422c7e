import type { ClusterSpec } from "../core/cluster-settings";
import { createVpcClient, readTencentCloudCredentials, waitForHaVipBinding } from "../cloud";
import { summarizeOutage } from "../probe/outage-summary";
import { startTcpProbe } from "../probe/tcp-reachability-probe";
import type { SshOptionNames } from "../provisioner/ssh/connect-node";
import { runFailoverTest, type FailoverFault, type FailoverObservation, type FailoverTestResult } from "./failover-test";

export interface FailoverTestReport extends FailoverTestResult {
  readonly probe: { readonly target: string; readonly longestGapMs: number; readonly lost: number; readonly sent: number };
  /** Seconds until DescribeHaVips showed the HAVIP on the new master; absent without credentials. */
  readonly cloudBindingMovedAfterSeconds?: number;
  readonly cloudNote?: string;
}

export interface FailoverTestOptions {
  /** @default "stop-keepalived" */
  readonly fault?: FailoverFault;
  /** Address probed while the VIP moves. @default - the EIP if the spec knows it, else the first VIP */
  readonly probeHost?: string;
  /** TCP port probed (a refused connection counts as an answer). */
  readonly probePort: number;
  /** VPC API host (private endpoint). @default - the public endpoint */
  readonly cloudEndpoint?: string;
  /** Progress lines as the test goes. @default - none */
  readonly progress?: (line: string) => void;
  /** Where Tencent Cloud credentials are read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** A front end's own SSH options, named in messages beside the settings. @default - the settings alone */
  readonly sshOptionNames?: SshOptionNames;
}

function cloudObservation(
  spec: ClusterSpec,
  options: FailoverTestOptions,
  record: (seconds: number | undefined, note?: string) => void,
): FailoverObservation | undefined {
  const credentials = readTencentCloudCredentials(options.env ?? process.env);
  const havipId = spec.cloud?.havipIds?.[0];
  if (!credentials || !havipId) return undefined;
  const client = createVpcClient(credentials, { endpoint: options.cloudEndpoint });
  return {
    onMoved: async (_from, to) => {
      if (!to.instanceId) return record(undefined, `${to.name} has no instance id in the spec`);
      const started = Date.now();
      const result = await waitForHaVipBinding(client, havipId, to.instanceId, { timeoutMs: 60_000 });
      record(
        result.outcome === "bound" ? (Date.now() - started) / 1000 : undefined,
        result.outcome === "timeout" ? result.message : undefined,
      );
    },
  };
}

/**
 * The guide's failover test with what a client saw: a TCP probe of the VIP (or EIP) runs while
 * the master is stopped (or rebooted) and comes back, and, with Tencent Cloud credentials, the
 * time until the cloud's HAVIP binding followed the VIP.
 */
export async function runFailoverTestReport(spec: ClusterSpec, options: FailoverTestOptions): Promise<FailoverTestReport> {
  const target = options.probeHost ?? spec.cloud?.eip ?? spec.vips[0];
  let cloudBindingMovedAfterSeconds: number | undefined;
  let cloudNote: string | undefined;
  const observation = cloudObservation(spec, options, (seconds, note) => {
    cloudBindingMovedAfterSeconds = seconds;
    cloudNote = note;
  });
  const probe = startTcpProbe({ host: target, port: options.probePort, maxProbes: 3000 });
  const result = await runFailoverTest(spec, {
    fault: options.fault ?? "stop-keepalived",
    progress: options.progress ?? (() => undefined),
    observation,
    sshOptionNames: options.sshOptionNames,
  }).finally(() => probe.stop());
  const outage = summarizeOutage(await probe.stop(), 100);
  return {
    ...result,
    probe: { target: `${target}:${options.probePort}`, ...outage },
    cloudBindingMovedAfterSeconds,
    cloudNote,
  };
}

export function formatFailoverReport(report: FailoverTestReport): string {
  const seconds = (value: number | undefined) => (value === undefined ? "never" : `${value.toFixed(2)} s`);
  return [
    `failover-test on ${report.cluster} (${report.fault}): ${report.from} -> ${report.to ?? "nobody"}`,
    `VIP on the peer after:        ${seconds(report.vipMovedAfterSeconds)} (VRRP master-down bound ${report.vrrpBoundSeconds.toFixed(2)} s)`,
    `longest probe gap (${report.probe.target}): ${report.probe.longestGapMs} ms, ${report.probe.lost}/${report.probe.sent} probes lost`,
    report.cloudBindingMovedAfterSeconds !== undefined || report.cloudNote
      ? `cloud binding followed after:   ${seconds(report.cloudBindingMovedAfterSeconds)}${report.cloudNote ? ` (${report.cloudNote})` : ""}`
      : "cloud binding:                not checked (no credentials or no HAVIP id in the spec)",
    `old master returned; VIP stayed (nopreempt): ${report.nopreemptHeld === undefined ? "-" : report.nopreemptHeld ? "yes" : "NO"}`,
    `VIP at the end: ${report.holdersAtEnd.join(" and ") || "nobody"}`,
    ...report.problems.map((problem) => `FAIL: ${problem}`),
    report.passed ? "PASSED" : "FAILED",
  ].join("\n");
}
