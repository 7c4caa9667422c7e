import { InvalidArgumentError, Option, type Command } from "commander";
import type { ListrTask } from "listr2";
import type { ClusterSpec } from "../../core/cluster-settings";
import type { RolloutStep } from "../../core/plan/plan-rollout";
import { SettingsError } from "../../core/settings-error";
import {
  checkProvisionOptions,
  defaultConnectTimeoutSeconds,
  defaultVipTimeoutSeconds,
  provisionCluster,
  type ProvisionOptions,
} from "../../provisioner/provision-cluster";
import { SpecSourceError } from "../../spec/load-cluster-spec";
import type { ProvisionEvent, ProvisionReport } from "../../provisioner/provision-events";
import { formatNodeProvisionReport, formatProvisionReport, nodeRunSummary } from "../../provisioner/provision-report-format";
import { CLUSTER_SPEC_ENV, PROVISION_FLAGS as FLAGS } from "../../spec/provision-invocation";
import { addClusterOptions, clusterSpecFrom, SSH_OPTION_FLAGS, type ClusterOptions } from "../cluster-options";
import { EXIT_BAD_INPUT, EXIT_FAILURE } from "../exit-codes";
import { runTaskList, TaskGates, type TaskView } from "../task-list";

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
  readonly connectTimeout?: number;
  readonly allowUncheckedConfig?: boolean;
  readonly upgradeKeepalived?: boolean;
  readonly lockTimeout?: number;
  readonly node?: string;
  readonly withoutPeer?: boolean;
  readonly peerViaNode?: boolean;
}

/** How the command shows progress: a task list, plain lines (one node), or nothing (--json). */
interface ProvisionCommandOptions {
  readonly dryRun: boolean;
  readonly verbose: boolean;
  readonly json: boolean;
}

interface TaskContext {
  rollout?: readonly RolloutStep[];
}

const connectKey = (node: string) => `connect:${node}`;
const applyKey = (node: string) => `apply:${node}`;

/** Moves the task list along as the provisioner reports events. */
function eventHandler(gates: TaskGates, context: TaskContext, verbose: boolean): (event: ProvisionEvent) => void {
  return (event) => {
    switch (event.type) {
      case "node-progress":
        return gates.progress(connectKey(event.node), event.message);
      case "node-failed":
        // Each node's row shows its own error, not the first node's.
        return gates.fail(connectKey(event.node), new Error(event.message));
      case "node-ready": {
        const install = event.install === undefined || event.install === "present" ? "" : ` (${event.install})`;
        return gates.finish(
          connectKey(event.node),
          `${event.node}: ${event.osPrettyName}, keepalived ${event.keepalivedVersion}${install}`,
        );
      }
      case "lock-wait":
        process.stderr.write(`${event.message}\n`);
        return;
      case "remote-command":
        if (verbose) process.stderr.write(`  ${event.line}\n`);
        return;
      case "planned":
        context.rollout = event.rollout;
        return gates.finish(
          "plan",
          `Render and compare files: ${event.pendingFiles} to change; order ${event.rollout.map((s) => `${s.nodeName}:${s.action}`).join(" -> ")}`,
        );
      case "keepalived-upgrade-progress":
        return gates.progress("upgrade", event.message);
      case "keepalived-upgraded":
        return gates.finish(
          "upgrade",
          `Upgraded Keepalived: ${event.steps.map((step) => `${step.nodeName} ${step.before} -> ${step.after}`).join(", ")}`,
        );
      case "node-apply-progress":
        return gates.progress(applyKey(event.node), event.message);
      case "node-applied":
        return gates.finish(applyKey(event.node));
      case "vip-wait-started":
        return;
      case "vip-settled":
        return gates.finish("vip", `VIP is on ${event.holder} (after ${(event.elapsedMs / 1000).toFixed(1)} s)`);
    }
  };
}

function taskTree(
  spec: ClusterSpec,
  options: ProvisionCommandOptions & {
    readonly upgradeKeepalived?: boolean;
    readonly vipTimeoutSeconds?: number;
    readonly connectTimeoutSeconds?: number;
  },
  gates: TaskGates,
): ListrTask<TaskContext>[] {
  const timeoutSeconds = options.vipTimeoutSeconds ?? defaultVipTimeoutSeconds(spec);
  const connectSeconds = options.connectTimeoutSeconds ?? defaultConnectTimeoutSeconds(options.dryRun);
  const waitFor = (key: string) => (_: TaskContext, task: TaskView) => gates.wait(key, task);
  return [
    {
      title: `Connect to ${spec.nodes.map((n) => n.name).join(" and ")} (a node that does not answer is tried for up to ${connectSeconds} s)${options.dryRun ? ", dry run" : ", install Keepalived if needed"}`,
      task: async (_, task) => {
        // Both rows settle, each with its own outcome, before this step fails for the ones that did not connect.
        await task
          .newListr(
            spec.nodes.map((node) => ({ title: node.name, task: waitFor(connectKey(node.name)) })),
            { concurrent: true, exitOnError: false },
          )
          .run();
        const failed = spec.nodes.filter((node) => gates.failed(connectKey(node.name))).map((node) => node.name);
        if (failed.length > 0) throw new Error(`${failed.join(" and ")}: not connected (each row above says why)`);
      },
    },
    {
      title: "Upgrade Keepalived one node at a time (the VIP holder last)",
      enabled: options.upgradeKeepalived === true && !options.dryRun,
      task: waitFor("upgrade"),
    },
    { title: "Render and compare files", task: waitFor("plan") },
    {
      title: "Apply (validate with keepalived -t, install, start or reload)",
      enabled: !options.dryRun,
      task: (ctx, task) =>
        task.newListr(
          (ctx.rollout ?? []).map((step) => ({
            title: `${step.nodeName}: ${step.action === "none" ? "nothing to do" : step.action}`,
            task: waitFor(applyKey(step.nodeName)),
          })),
          { concurrent: false, exitOnError: true },
        ),
    },
    {
      title: `Wait for exactly one node to hold ${spec.vips.join(", ")} (up to ${timeoutSeconds} s)`,
      enabled: !options.dryRun,
      task: waitFor("vip"),
    },
  ];
}

/** Runs the provisioner on the pair and shows its events as a listr2 task list. */
async function provisionWithTaskList(
  spec: ClusterSpec,
  options: ProvisionOptions,
  shown: ProvisionCommandOptions,
  observe: (event: ProvisionEvent) => void,
): Promise<ProvisionReport> {
  // Bad options end the command before the task list draws anything.
  checkProvisionOptions(spec, options);
  const gates = new TaskGates();
  const context: TaskContext = {};
  const show = eventHandler(gates, context, shown.verbose);
  const provisioning = provisionCluster(spec, {
    ...options,
    onEvent: (event) => {
      observe(event);
      show(event);
    },
  });
  provisioning.catch((error: unknown) => gates.failAll(error));
  const [report, drawn] = await Promise.allSettled([
    provisioning,
    runTaskList(taskTree(spec, { ...shown, ...options }, gates), context, { verbose: shown.verbose, quiet: shown.json }),
  ]);
  if (report.status === "rejected") throw report.reason;
  if (drawn.status === "rejected") throw drawn.reason;
  return report.value;
}

/** Progress of a one-node run (a deploy gate's local-exec log): one line per step, prefixed with the node. */
function nodeRunProgress(shown: ProvisionCommandOptions): (event: ProvisionEvent) => void {
  return (event) => {
    if (shown.json) return;
    switch (event.type) {
      case "node-progress":
      case "node-apply-progress":
        return void process.stderr.write(`${event.node}: ${event.message}\n`);
      case "node-failed":
        return void process.stderr.write(`${event.message}\n`);
      case "lock-wait":
        return void process.stderr.write(`${event.message}\n`);
      case "remote-command":
        if (shown.verbose) process.stderr.write(`  ${event.line}\n`);
        return;
    }
  };
}

/** What a run without a task list (--json) still tells: that it waits for another run's lock, and with --verbose each remote command. */
function stderrOnlyProgress(shown: ProvisionCommandOptions): (event: ProvisionEvent) => void {
  return (event) => {
    if (event.type === "lock-wait") process.stderr.write(`${event.message}\n`);
    if (event.type === "remote-command" && shown.verbose) process.stderr.write(`  ${event.line}\n`);
  };
}

/** `havip-cluster provision`: parse, call provisionCluster, format. */
export function registerProvisionCommand(program: Command): void {
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
    .addOption(
      new Option(
        `${FLAGS.connectTimeout} <seconds>`,
        `how long to keep trying a node that does not answer (a CVM still booting; default ${defaultConnectTimeoutSeconds(false)}, with ${FLAGS.dryRun} ${defaultConnectTimeoutSeconds(true)})`,
      ).argParser(positiveSeconds),
    )
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
      const failedNodes: { node: string; error: string }[] = [];
      try {
        await runProvision(options, (event) => {
          if (event.type === "node-failed") failedNodes.push({ node: event.node, error: event.message });
        });
      } catch (error) {
        // Under --json a failure is JSON on stdout too: a script reads one shape whatever happened.
        if (options.json) process.stdout.write(`${JSON.stringify(failureReport(error, options, failedNodes), null, 2)}\n`);
        throw error;
      }
    });
}

/** What `provision --json` prints when the run fails (the message is on stderr too). */
function failureReport(error: unknown, options: ProvisionCliOptions, failedNodes: readonly { node: string; error: string }[]) {
  const badInput = error instanceof SettingsError || error instanceof SpecSourceError;
  return {
    failed: true,
    exitCode: badInput ? EXIT_BAD_INPUT : EXIT_FAILURE,
    error: error instanceof Error ? error.message : String(error),
    dryRun: options.dryRun === true,
    ...(options.node !== undefined ? { node: options.node } : {}),
    nodes: failedNodes,
  };
}

async function runProvision(options: ProvisionCliOptions, observe: (event: ProvisionEvent) => void): Promise<void> {
  const spec = clusterSpecFrom(options);
  const shown: ProvisionCommandOptions = {
    dryRun: options.dryRun === true,
    verbose: options.verbose === true,
    json: options.json === true,
  };
  const provisionOptions: ProvisionOptions = {
    dryRun: shown.dryRun,
    vipTimeoutSeconds: options.vipTimeout,
    connectTimeoutSeconds: options.connectTimeout,
    allowUncheckedConfig: options.allowUncheckedConfig === true,
    upgradeKeepalived: options.upgradeKeepalived === true,
    lockTimeoutSeconds: options.lockTimeout,
    node: options.node,
    withoutPeer: options.withoutPeer === true,
    peerViaNode: options.peerViaNode === true,
    optionNames: { ...FLAGS, ...SSH_OPTION_FLAGS },
  };
  const also =
    (handler: (event: ProvisionEvent) => void) =>
    (event: ProvisionEvent): void => {
      observe(event);
      handler(event);
    };
  if (options.node !== undefined) {
    const report = await provisionCluster(spec, { ...provisionOptions, onEvent: also(nodeRunProgress(shown)) });
    process.stdout.write(shown.json ? `${JSON.stringify(nodeRunSummary(report), null, 2)}\n` : `${formatNodeProvisionReport(report)}\n`);
    return;
  }
  // --json draws no task list; a wait for another run's lock and --verbose's commands still go to stderr.
  const report = shown.json
    ? await provisionCluster(spec, { ...provisionOptions, onEvent: also(stderrOnlyProgress(shown)) })
    : await provisionWithTaskList(spec, provisionOptions, shown, observe);
  process.stdout.write(shown.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatProvisionReport(report)}\n`);
}
