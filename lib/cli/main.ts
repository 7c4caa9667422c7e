import { Command, InvalidArgumentError, Option } from "commander";
import type { ClusterSpec } from "../core/cluster-settings";
import { SettingsError } from "../core/settings-error";
import { defaultVipTimeoutSeconds } from "../provisioner/provision-cluster";
import { provisionOneNode, settleMs } from "../provisioner/provision-node";
import { runProvisionCommand } from "./commands/provision-command";
import { formatNodeProvisionReport, formatProvisionReport } from "../provisioner/provision-report-format";
import { CLUSTER_SPEC_ENV, packageVersion, PROVISION_FLAGS as FLAGS } from "../spec/provision-invocation";
import { SpecSourceError } from "../spec/load-cluster-spec";
import { addClusterOptions, clusterSpecFrom, type ClusterOptions } from "./cluster-options";
import { registerStatusCommand } from "./commands/status-command";
import { registerFailoverTestCommand } from "./commands/failover-test-command";
import { runProgram } from "./run-program";

/** Commander parser for a number of seconds greater than zero. */
export function positiveSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError(`${value} is not a number of seconds greater than 0`);
  return seconds;
}

interface ProvisionCliOptions extends ClusterOptions {
  readonly dryRun?: boolean;
  readonly verbose?: boolean;
  readonly json?: boolean;
  readonly vipTimeout?: number;
  readonly allowUncheckedConfig?: boolean;
  readonly upgradeKeepalived?: boolean;
  readonly lockTimeout?: number;
  readonly node?: string;
  readonly withoutPeer?: boolean;
  readonly peerViaNode?: boolean;
}

async function provisionNodeCommand(spec: ClusterSpec, nodeName: string, options: ProvisionCliOptions): Promise<void> {
  const names = spec.nodes.map((node) => node.name);
  if (!names.includes(nodeName)) {
    throw new SettingsError("provision", [
      { field: FLAGS.node, value: nodeName, rule: `must name a node of cluster ${spec.clusterName}: ${names.join(" or ")}` },
    ]);
  }
  if (options.upgradeKeepalived)
    throw new SettingsError("provision", [
      {
        field: FLAGS.upgradeKeepalived,
        value: "true",
        rule: `does not go with ${FLAGS.node} (an upgrade goes through both nodes, one at a time)`,
      },
    ]);
  const say = (message: string) => process.stderr.write(`${nodeName}: ${message}\n`);
  const report = await provisionOneNode(spec, nodeName, {
    dryRun: options.dryRun === true,
    withoutPeer: options.withoutPeer === true,
    peerViaNode: options.peerViaNode === true,
    healthTimeoutMs: (options.vipTimeout ?? defaultVipTimeoutSeconds(spec)) * 1000 + settleMs(spec),
    lockTimeoutMs: options.lockTimeout === undefined ? undefined : options.lockTimeout * 1000,
    allowUncheckedConfig: options.allowUncheckedConfig === true,
    progress: options.json ? () => undefined : say,
    trace: options.verbose ? (line) => process.stderr.write(`  ${line}\n`) : undefined,
  });
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatNodeProvisionReport(report)}\n`);
}

function buildProgram(): Command {
  const program = new Command()
    .exitOverride()
    .name("havip-cluster")
    .description("Provision, inspect and drill a Tencent Cloud HAVIP + Keepalived pair")
    .version(packageVersion(), "-V, --version", "print the package version")
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });

  addClusterOptions(
    program
      .command("provision")
      .description(
        `install Keepalived on both nodes, push the rendered files, validate them with keepalived -t, start or reload, and wait for one VIP holder (reads the spec from --spec-file, --outputs-file or $${CLUSTER_SPEC_ENV})`,
      ),
  )
    .option(FLAGS.dryRun, "show what would change on each node (files with diffs, packages, commands) and change nothing")
    .option(`-v, ${FLAGS.verbose}`, "print every remote command (never file contents or secrets)")
    .option(FLAGS.json, "print the report as JSON (no progress output)")
    .addOption(new Option(`${FLAGS.vipTimeout} <seconds>`, "how long to wait for exactly one VIP holder").argParser(positiveSeconds))
    .option(FLAGS.allowUncheckedConfig, "activate on nodes whose Keepalived (< 2.0.5) has no config test, without checking")
    .option(FLAGS.upgradeKeepalived, "upgrade the held keepalived package, one node at a time, the VIP holder last")
    .addOption(
      new Option(
        `${FLAGS.lockTimeout} <seconds>`,
        "how long to wait while another provisioning run holds a node's lock (default 900)",
      ).argParser(positiveSeconds),
    )
    .option(
      `${FLAGS.node} <name>`,
      "provision only this node and wait until its Keepalived is MASTER or BACKUP (the deploy gate between two disruptive changes)",
    )
    .option(FLAGS.withoutPeer, `with ${FLAGS.node}: do not read the VRRP password from the other node`)
    .option(FLAGS.peerViaNode, `with ${FLAGS.node}: reach the other node through this one (its private IP, this node as jump host)`)
    .action(async (options: ProvisionCliOptions) => {
      const spec = clusterSpecFrom(options);
      if (options.node !== undefined) {
        await provisionNodeCommand(spec, options.node, options);
        return;
      }
      for (const [flag, given] of [
        [FLAGS.withoutPeer, options.withoutPeer],
        [FLAGS.peerViaNode, options.peerViaNode],
      ] as const) {
        if (given) throw new SettingsError("provision", [{ field: flag, value: "true", rule: `only goes with ${FLAGS.node}` }]);
      }
      const report = await runProvisionCommand(spec, {
        dryRun: options.dryRun === true,
        verbose: options.verbose === true,
        json: options.json === true,
        vipTimeoutSeconds: options.vipTimeout,
        allowUncheckedConfig: options.allowUncheckedConfig === true,
        upgradeKeepalived: options.upgradeKeepalived === true,
        lockTimeoutSeconds: options.lockTimeout,
      });
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatProvisionReport(report)}\n`);
    });

  registerStatusCommand(program);
  registerFailoverTestCommand(program);
  return program;
}

/** Entry point of the `havip-cluster` binary. */
export async function runCli(argv: readonly string[]): Promise<void> {
  await runProgram(buildProgram(), argv, {
    name: "havip-cluster",
    isBadInput: (error) => error instanceof SettingsError || error instanceof SpecSourceError,
  });
}
