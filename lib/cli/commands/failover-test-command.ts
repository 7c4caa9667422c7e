import { InvalidArgumentError, type Command } from "commander";
import type { ClusterSpec } from "../../core/cluster-settings";
import { createVpcClient, readTencentCloudCredentials, waitForHaVipBinding } from "../../cloud";
import { summarizeOutage } from "../../probe/outage-summary";
import { startTcpProbe } from "../../probe/tcp-reachability-probe";
import { runFailoverTest, type FailoverObservation, type FailoverTestResult } from "../../provisioner/failover-test";
import { addClusterOptions, clusterSpecFrom, type ClusterOptions } from "../cluster-options";
import { EXIT_FAILURE } from "../exit-codes";

function tcpPort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`${value} is not a TCP port (1-65535)`);
  return port;
}

export interface FailoverTestReport extends FailoverTestResult {
  readonly probe: { readonly target: string; readonly longestGapMs: number; readonly lost: number; readonly sent: number };
  /** Seconds until DescribeHaVips showed the HAVIP on the new master; absent without credentials. */
  readonly cloudBindingMovedAfterSeconds?: number;
  readonly cloudNote?: string;
}

interface FailoverTestOptions extends ClusterOptions {
  readonly reboot?: boolean;
  readonly probeHost?: string;
  readonly probePort: number;
  readonly json?: boolean;
  readonly cloudEndpoint?: string;
}

function cloudObservation(
  spec: ClusterSpec,
  options: FailoverTestOptions,
  record: (seconds: number | undefined, note?: string) => void,
): FailoverObservation | undefined {
  const credentials = readTencentCloudCredentials(process.env);
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

export function registerFailoverTestCommand(program: Command): void {
  addClusterOptions(
    program
      .command("failover-test")
      .description("stop Keepalived on the master (or reboot it), measure the VIP move and the outage, bring it back and check nopreempt"),
  )
    .option("--reboot", "reboot the master instead of stopping Keepalived")
    .option("--probe-host <address>", "address to probe during the test (default: the EIP if known, else the first VIP)")
    .option("--probe-port <port>", "TCP port probed (a refused connection counts as an answer)", tcpPort, 22)
    .option("--cloud-endpoint <host>", "VPC API host (private endpoint)")
    .option("--json", "machine-readable output")
    .action(async (options: FailoverTestOptions) => {
      const spec = clusterSpecFrom(options);
      const target = options.probeHost ?? spec.cloud?.eip ?? spec.vips[0];
      let cloudBindingMovedAfterSeconds: number | undefined;
      let cloudNote: string | undefined;
      const observation = cloudObservation(spec, options, (seconds, note) => {
        cloudBindingMovedAfterSeconds = seconds;
        cloudNote = note;
      });
      const probe = startTcpProbe({ host: target, port: options.probePort, maxProbes: 3000 });
      const result = await runFailoverTest(spec, {
        fault: options.reboot ? "reboot" : "stop-keepalived",
        progress: (line) => (options.json ? undefined : process.stdout.write(`failover-test: ${line}\n`)),
        observation,
      }).finally(() => probe.stop());
      const outage = summarizeOutage(await probe.stop(), 100);
      const report: FailoverTestReport = {
        ...result,
        probe: { target: `${target}:${options.probePort}`, ...outage },
        cloudBindingMovedAfterSeconds,
        cloudNote,
      };
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatFailoverReport(report)}\n`);
      if (!report.passed) process.exitCode = EXIT_FAILURE;
    });
}
