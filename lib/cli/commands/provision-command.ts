import type { ListrTask } from "listr2";
import type { ClusterSpec } from "../../core/cluster-settings";
import type { RolloutStep } from "../../core/plan/plan-rollout";
import { defaultVipTimeoutSeconds, provisionCluster } from "../../provisioner/provision-cluster";
import type { ProvisionEvent, ProvisionReport } from "../../provisioner/provision-events";
import { runTaskList, TaskGates, type TaskView } from "../task-list";

export interface ProvisionCommandOptions {
  readonly dryRun: boolean;
  readonly verbose: boolean;
  readonly json: boolean;
  readonly vipTimeoutSeconds?: number;
  readonly allowUncheckedConfig?: boolean;
  readonly upgradeKeepalived?: boolean;
  readonly lockTimeoutSeconds?: number;
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

function taskTree(spec: ClusterSpec, options: ProvisionCommandOptions, gates: TaskGates): ListrTask<TaskContext>[] {
  const timeoutSeconds = options.vipTimeoutSeconds ?? defaultVipTimeoutSeconds(spec);
  const waitFor = (key: string) => (_: TaskContext, task: TaskView) => gates.wait(key, task);
  return [
    {
      title: `Connect to ${spec.nodes.map((n) => n.name).join(" and ")}${options.dryRun ? " (dry run)" : ", install Keepalived if needed"}`,
      task: (_, task) =>
        task.newListr(
          spec.nodes.map((node) => ({ title: node.name, task: waitFor(connectKey(node.name)) })),
          { concurrent: true, exitOnError: true },
        ),
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

/** `havip-cluster provision`: runs the provisioner and shows its events as a listr2 task list. */
export async function runProvisionCommand(spec: ClusterSpec, options: ProvisionCommandOptions): Promise<ProvisionReport> {
  const gates = new TaskGates();
  const context: TaskContext = {};
  const provisioning = provisionCluster(spec, {
    dryRun: options.dryRun,
    vipTimeoutSeconds: options.vipTimeoutSeconds,
    allowUncheckedConfig: options.allowUncheckedConfig,
    upgradeKeepalived: options.upgradeKeepalived,
    lockTimeoutSeconds: options.lockTimeoutSeconds,
    onEvent: eventHandler(gates, context, options.verbose),
  });
  provisioning.catch((error: unknown) => gates.failAll(error));
  const [report, shown] = await Promise.allSettled([
    provisioning,
    runTaskList(taskTree(spec, options, gates), context, { verbose: options.verbose, quiet: options.json }),
  ]);
  if (report.status === "rejected") throw report.reason;
  if (shown.status === "rejected") throw shown.reason;
  return report.value;
}
