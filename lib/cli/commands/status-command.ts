import type { Command } from "commander";
import type { CloudOptions } from "../../operations/status-report";

type StatusReportModule = typeof import("../../operations/status-report");
import { addClusterOptions, clusterSpecFrom, SSH_OPTION_FLAGS, type ClusterOptions } from "../cluster-options";
import { EXIT_NOT_HEALTHY } from "../exit-codes";

export function registerStatusCommand(program: Command): void {
  addClusterOptions(
    program
      .command("status")
      .description("each node's Keepalived version, state, VIP and recent notify log; with credentials, the cloud's HAVIP binding"),
  )
    .option("--json", "machine-readable output")
    .option("--cloud-endpoint <host>", "VPC API host (private endpoint)")
    .action(async (options: ClusterOptions & CloudOptions & { json?: boolean }) => {
      // Loaded when the command runs, so `provision` starts without the cloud client.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { formatStatusReport, readStatusReport } = require("../../operations/status-report") as StatusReportModule;
      const report = await readStatusReport(clusterSpecFrom(options), { ...options, sshOptionNames: SSH_OPTION_FLAGS });
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatStatusReport(report)}\n`);
      if (!report.healthy) process.exitCode = EXIT_NOT_HEALTHY;
    });
}
