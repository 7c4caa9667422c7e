import type { ListrTaskWrapper } from "listr2";
import type { ClusterSpec } from "../../core/cluster-settings";
import { masterDownIntervalSeconds } from "../../core/vrrp-timing";
import { configTestCommand, DEFAULT_KEEPALIVED_FILE_PATHS } from "../../core/keepalived";
import type { RolloutAction } from "../../core/plan/plan-rollout";
import { applyNodePlan, STAGING_DIR, supportsConfigTest } from "../../provisioner/apply-node-plan";
import { reloadCommand, startCommand } from "../../provisioner/keepalived-service";
import {
  describeFileChange,
  openNodeSession,
  planCluster,
  waitForSingleVipHolder,
  type ClusterPlan,
  type NodeSession,
} from "../../provisioner/provision-cluster";
import { missingPackages } from "../../provisioner/node-prerequisites";
import { readRemoteFile } from "../../provisioner/remote-files";
import { runTaskList } from "../task-list";

export interface ProvisionOptions {
  readonly dryRun: boolean;
  readonly verbose: boolean;
  readonly json: boolean;
  /** Seconds to wait for exactly one VIP holder. @default - 3 master-down intervals + 10 s */
  readonly vipTimeoutSeconds?: number;
  /** Activate on nodes whose Keepalived cannot check a configuration (< 2.0.5). @default false */
  readonly allowUncheckedConfig?: boolean;
}

export interface NodeReport {
  readonly node: string;
  readonly keepalivedVersion: string;
  readonly install: string;
  readonly changedFiles: readonly string[];
  readonly action: string;
}

export interface ProvisionReport {
  readonly cluster: string;
  readonly dryRun: boolean;
  readonly changed: number;
  readonly nodes: readonly NodeReport[];
  /** Nodes in the order they were (or would be) changed: the VIP holder last. */
  readonly rolloutOrder: readonly string[];
  readonly vipHolder?: string;
  readonly dryRunDetails?: string;
}

interface ProvisionContext {
  sessions: NodeSession[];
  /** Every connection attempt, so a failure on one node still lets the other's connection be closed. */
  opening: Promise<NodeSession>[];
  plan?: ClusterPlan;
  authPass?: string;
  vipHolder?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Task = Pick<ListrTaskWrapper<ProvisionContext, any, any>, "title" | "output">;

function defaultVipTimeoutSeconds(spec: ClusterSpec): number {
  return Math.ceil(3 * masterDownIntervalSeconds(spec.advertIntSeconds, spec.priority) + 10);
}

/** What the node would run, in order, for the dry run. */
function activationCommands(session: NodeSession, filesChange: boolean, action: RolloutAction): string[] {
  const init = session.facts.initSystem;
  const check = supportsConfigTest(session.keepalivedVersion);
  return [
    ...(filesChange && check ? [`${configTestCommand(session.keepalivedVersion, `${STAGING_DIR}/keepalived.conf`)}   # staged copy, before anything changes`] : []),
    ...(filesChange ? ["(each changed file: upload beside it, keep one *.havip-bak, rename into place)"] : []),
    ...(filesChange && check ? [`${configTestCommand(session.keepalivedVersion, `${STAGING_DIR}/installed-check.conf`)}   # in place; rolled back if rejected`] : []),
    ...(action === "start" ? [startCommand(init, DEFAULT_KEEPALIVED_FILE_PATHS.configPath)] : []),
    ...(action === "reload" ? [reloadCommand(init)] : []),
  ];
}

async function renderDryRunDetails(spec: ClusterSpec, plan: ClusterPlan): Promise<string> {
  const sections: string[] = [];
  for (const nodePlan of plan.nodes) {
    const { session, changes } = nodePlan;
    const step = plan.rollout.find((s) => s.nodeName === session.node.name);
    const lines = [`== ${session.node.name} (${session.node.sshHost}, ${session.facts.osPrettyName})`];
    lines.push(
      session.facts.keepalivedVersionLine
        ? `keepalived: ${session.keepalivedVersion} installed`
        : `keepalived: not installed; would install it with ${session.facts.packageManager ?? "(no package manager found)"}`,
    );
    const packages = missingPackages(spec, session.facts);
    if (packages.length > 0) lines.push(`packages: would install ${packages.join(", ")}`);
    for (const change of changes.changes) {
      if (change.kind === "unchanged") continue;
      if (change.kind === "metadata") {
        lines.push(`${change.file.path}: mode/owner -> ${change.file.mode.toString(8)} ${change.file.owner}:${change.file.group}`);
        continue;
      }
      const before = change.file.secret ? undefined : await readRemoteFile(session.shell, change.file.path);
      lines.push(describeFileChange(change.file, change.kind === "create" ? undefined : (before ?? "")).trimEnd());
    }
    if (changes.pending.length === 0) lines.push("files: all up to date");
    lines.push(`then: ${step?.action ?? "none"} keepalived (${step?.reason ?? "-"})`);
    lines.push(...activationCommands(session, changes.pending.length > 0, step?.action ?? "none").map((command) => `  $ ${command}`));
    sections.push(lines.join("\n"));
  }
  return sections.join("\n\n");
}

/** Installs, pushes, validates and starts Keepalived on both nodes; the same path for the CLI and cdktf's local-exec. */
export async function provisionCluster(spec: ClusterSpec, options: ProvisionOptions): Promise<ProvisionReport> {
  const context: ProvisionContext = { sessions: [], opening: [] };
  const trace = options.verbose ? (line: string) => process.stderr.write(`  ${line}\n`) : undefined;
  const timeoutSeconds = options.vipTimeoutSeconds ?? defaultVipTimeoutSeconds(spec);
  try {
    await runTaskList<ProvisionContext>(
      [
        {
          title: `Connect to ${spec.nodes.map((n) => n.name).join(" and ")}${options.dryRun ? " (dry run)" : ", install Keepalived if needed"}`,
          task: (ctx, task) =>
            task.newListr(
              ([0, 1] as const).map((index) => ({
                title: spec.nodes[index].name,
                task: async (_: ProvisionContext, sub: Task) => {
                  const opening = openNodeSession(spec, index, {
                    dryRun: options.dryRun,
                    progress: (message) => (sub.output = message),
                    trace,
                  });
                  ctx.opening.push(opening);
                  ctx.sessions[index] = await opening;
                  const session = ctx.sessions[index];
                  sub.title = `${session.node.name}: ${session.facts.osPrettyName}, keepalived ${session.keepalivedVersion}${session.install?.action === "present" || !session.install ? "" : ` (${session.install.action})`}`;
                },
              })),
              { concurrent: true, exitOnError: true },
            ),
        },
        {
          title: "Render and compare files",
          task: async (ctx, task) => {
            const { plan, authPass } = await planCluster(spec, ctx.sessions);
            ctx.plan = plan;
            ctx.authPass = authPass;
            const pending = plan.nodes.reduce((sum, node) => sum + node.changes.pending.length, 0);
            task.title = `Render and compare files: ${pending} to change; order ${plan.rollout.map((s) => `${s.nodeName}:${s.action}`).join(" -> ")}`;
          },
        },
        {
          title: "Apply (validate with keepalived -t, install, start or reload)",
          enabled: !options.dryRun,
          task: (ctx, task) =>
            task.newListr(
              (ctx.plan as ClusterPlan).rollout.map((step) => ({
                title: `${step.nodeName}: ${step.action === "none" ? "nothing to do" : step.action}`,
                task: async (_: ProvisionContext, sub: Task) => {
                  const nodePlan = (ctx.plan as ClusterPlan).nodes.find((n) => n.session.node.name === step.nodeName);
                  if (!nodePlan) throw new Error(`internal: no plan for ${step.nodeName}`);
                  await applyNodePlan(spec, nodePlan, step, ctx.authPass as string, (message) => (sub.output = message), {
                    allowUncheckedConfig: options.allowUncheckedConfig,
                  });
                },
              })),
              { concurrent: false, exitOnError: true },
            ),
        },
        {
          title: `Wait for exactly one node to hold ${spec.vips.join(", ")} (up to ${timeoutSeconds} s)`,
          enabled: !options.dryRun,
          task: async (ctx, task) => {
            const result = await waitForSingleVipHolder(spec, ctx.sessions, timeoutSeconds * 1000);
            if (!result.holder) {
              throw new Error(
                result.holders.length > 1
                  ? `both nodes hold the VIP after ${timeoutSeconds} s: ${result.holders.join(", ")}`
                  : `no node holds the VIP after ${timeoutSeconds} s (see /var/log/keepalived.log and Keepalived's log on the nodes)`,
              );
            }
            ctx.vipHolder = result.holder;
            task.title = `VIP ${spec.vips.join(", ")} is on ${result.holder} (after ${(result.elapsedMs / 1000).toFixed(1)} s)`;
          },
        },
      ],
      context,
      { verbose: options.verbose, quiet: options.json },
    );
    const plan = context.plan as ClusterPlan;
    const nodes = plan.nodes.map((nodePlan): NodeReport => {
      const step = plan.rollout.find((s) => s.nodeName === nodePlan.session.node.name);
      return {
        node: nodePlan.session.node.name,
        keepalivedVersion: nodePlan.session.keepalivedVersion,
        install: nodePlan.session.install?.action ?? (nodePlan.session.facts.keepalivedVersionLine ? "present" : "would-install"),
        changedFiles: nodePlan.changes.pending.map((change) => change.file.path),
        action: step?.action ?? "none",
      };
    });
    return {
      cluster: spec.clusterName,
      dryRun: options.dryRun,
      changed: nodes.reduce((sum, node) => sum + node.changedFiles.length, 0),
      nodes,
      rolloutOrder: plan.rollout.map((step) => step.nodeName),
      vipHolder: context.vipHolder,
      dryRunDetails: options.dryRun ? await renderDryRunDetails(spec, plan) : undefined,
    };
  } finally {
    const opened = await Promise.allSettled(context.opening);
    for (const attempt of opened) if (attempt.status === "fulfilled") attempt.value.shell.close();
  }
}

export function formatProvisionReport(report: ProvisionReport): string {
  const lines: string[] = [];
  if (report.dryRunDetails) lines.push(report.dryRunDetails, "");
  for (const node of report.nodes) {
    const files = node.changedFiles.length === 0 ? "no file changed" : `${node.changedFiles.length} file(s): ${node.changedFiles.join(", ")}`;
    lines.push(`${node.node}: keepalived ${node.keepalivedVersion} (${node.install}); ${files}; ${report.dryRun ? "would " : ""}${node.action === "none" ? "leave keepalived as it is" : `${node.action} keepalived`}`);
  }
  lines.push(`${report.dryRun ? "dry run: " : ""}${report.changed} changed${report.vipHolder ? `; VIP holder: ${report.vipHolder}` : ""}`);
  return lines.join("\n");
}
