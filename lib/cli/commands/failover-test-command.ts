import { InvalidArgumentError, type Command } from "commander";

type FailoverTestReportModule = typeof import("../../operations/failover-test-report");
import { addClusterOptions, clusterSpecFrom, SSH_OPTION_FLAGS, type ClusterOptions } from "../cluster-options";
import { EXIT_FAILURE } from "../exit-codes";

function tcpPort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`${value} is not a TCP port (1-65535)`);
  return port;
}

interface FailoverTestCliOptions extends ClusterOptions {
  readonly reboot?: boolean;
  readonly probeHost?: string;
  readonly probePort: number;
  readonly json?: boolean;
  readonly cloudEndpoint?: string;
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
    .action(async (options: FailoverTestCliOptions) => {
      // Loaded when the command runs, so `provision` starts without the cloud client and the probe.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { formatFailoverReport, runFailoverTestReport } = require("../../operations/failover-test-report") as FailoverTestReportModule;
      const report = await runFailoverTestReport(clusterSpecFrom(options), {
        fault: options.reboot ? "reboot" : "stop-keepalived",
        probeHost: options.probeHost,
        probePort: options.probePort,
        cloudEndpoint: options.cloudEndpoint,
        sshOptionNames: SSH_OPTION_FLAGS,
        progress: (line) => (options.json ? undefined : process.stdout.write(`failover-test: ${line}\n`)),
      });
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatFailoverReport(report)}\n`);
      if (!report.passed) process.exitCode = EXIT_FAILURE;
    });
}
