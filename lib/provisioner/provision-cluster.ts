import type { ClusterSpec } from "../core/cluster-settings";
import { requireValidClusterSpec, type ValidClusterSpec } from "../core/validation";
import { masterDownIntervalSeconds } from "../core/vrrp-timing";
import { applyNodePlan } from "./apply-node-plan";
import { planCluster, type ClusterPlan, type NodePlan } from "./cluster-plan";
import { upgradeKeepalivedOneNodeAtATime, type KeepalivedUpgradeStep } from "./keepalived-upgrade";
import { nodeLocksInOrder } from "./node-lock";
import { missingPackages } from "./node-prerequisites";
import { describePackageHold } from "./package-hold";
import { describeServicePreparation, prepareNodeForService } from "./service-setup";
import { openNodeSession, type NodeSession } from "./node-session";
import type { NodeReport, ProvisionEvent, ProvisionReport } from "./provision-events";
import { waitForSingleVipHolder } from "./vip-wait";

export interface ProvisionOptions {
  /** Plan and report, change nothing. @default false */
  readonly dryRun?: boolean;
  /** Seconds to wait for exactly one VIP holder. @default - 3 master-down intervals + 10 s */
  readonly vipTimeoutSeconds?: number;
  /** Activate on nodes whose Keepalived cannot check a configuration (< 2.0.5). @default false */
  readonly allowUncheckedConfig?: boolean;
  /** Upgrade the held keepalived package first, one node at a time, the VIP holder last. @default false */
  readonly upgradeKeepalived?: boolean;
  /** Seconds to wait while another provisioning run holds a node's lock. @default - DEFAULT_NODE_LOCK_TIMEOUT_MS */
  readonly lockTimeoutSeconds?: number;
  /** Receives progress as it happens. @default - progress is not reported */
  readonly onEvent?: (event: ProvisionEvent) => void;
}

export function defaultVipTimeoutSeconds(spec: ClusterSpec): number {
  return Math.ceil(3 * masterDownIntervalSeconds(spec.advertIntSeconds, spec.priority) + 10);
}

function nodeReport(spec: ClusterSpec, plan: ClusterPlan, nodePlan: NodePlan, dryRun: boolean): NodeReport {
  const { session, changes, steps } = nodePlan;
  const report: NodeReport = {
    node: session.node.name,
    keepalivedVersion: session.keepalivedVersion,
    install: session.install?.action ?? (session.facts.keepalivedVersionLine ? "present" : "would-install"),
    ...(session.packageHold ? { packageHold: session.packageHold } : {}),
    changedFiles: changes.pending.map((change) => change.file.path),
    action: plan.rollout.find((step) => step.nodeName === session.node.name)?.action ?? "none",
    reason: steps.reason,
    steps: steps.steps,
  };
  if (!dryRun) return report;
  return {
    ...report,
    ...(steps.refusal !== undefined ? { refusal: steps.refusal } : {}),
    preview: {
      sshHost: session.node.sshHost,
      osPrettyName: session.facts.osPrettyName,
      keepalivedInstalled: session.facts.keepalivedVersionLine !== undefined,
      packageManager: session.facts.packageManager,
      missingPackages: missingPackages(spec, session.facts),
      ...(session.facts.packageManager ? { packageHold: describePackageHold(session.facts.packageManager) } : {}),
      servicePreparation: describeServicePreparation(spec),
      changes: nodePlan.changeDescriptions ?? [],
    },
  };
}

async function applyCluster(spec: ValidClusterSpec, plan: ClusterPlan, emit: (event: ProvisionEvent) => void): Promise<void> {
  for (const step of plan.rollout) {
    const nodePlan = plan.nodes.find((candidate) => candidate.session.node.name === step.nodeName);
    if (!nodePlan) throw new Error(`internal: no plan for ${step.nodeName}`);
    const progress = (message: string) => emit({ type: "node-apply-progress", node: step.nodeName, message });
    // Before this node's Keepalived starts or reloads, so its health check never sees the service missing on both nodes.
    await prepareNodeForService(spec, nodePlan.session, progress);
    await applyNodePlan(spec, nodePlan, progress);
    emit({ type: "node-applied", node: step.nodeName, action: step.action });
  }
}

async function waitForVip(
  spec: ClusterSpec,
  sessions: readonly NodeSession[],
  timeoutSeconds: number,
  emit: (event: ProvisionEvent) => void,
): Promise<string> {
  emit({ type: "vip-wait-started", vips: spec.vips, timeoutSeconds });
  const result = await waitForSingleVipHolder(spec, sessions, timeoutSeconds * 1000);
  if (!result.holder) {
    throw new Error(
      result.holders.length > 1
        ? `both nodes hold the VIP after ${timeoutSeconds} s: ${result.holders.join(", ")}`
        : `no node holds the VIP after ${timeoutSeconds} s (see /var/log/keepalived.log and Keepalived's log on the nodes)`,
    );
  }
  emit({ type: "vip-settled", holder: result.holder, elapsedMs: result.elapsedMs });
  return result.holder;
}

/**
 * Installs, pushes, validates and starts Keepalived on both nodes, the VIP holder last, and
 * waits for exactly one node to hold the VIP; the same path for the CLI and cdktf's local-exec.
 * With `dryRun` it connects, plans and reports what would change, changing nothing.
 */
export async function provisionCluster(input: ClusterSpec, options: ProvisionOptions = {}): Promise<ProvisionReport> {
  // Validated once, here, unless the caller's spec already is (the CLI validates where it reads the spec).
  const spec = requireValidClusterSpec(input);
  const emit = options.onEvent ?? (() => undefined);
  const dryRun = options.dryRun === true;
  // One run at a time per node, taken in node order so two whole-pair runs cannot deadlock; dry runs too (they read the staging state).
  const locks = nodeLocksInOrder(spec.nodes.length, {
    timeoutMs: options.lockTimeoutSeconds === undefined ? undefined : options.lockTimeoutSeconds * 1000,
    onWait: (message) => emit({ type: "lock-wait", message }),
  });
  // Every connection attempt, so a failure on one node still lets the other's connection be closed.
  const opening = ([0, 1] as const).map(async (index) => {
    const name = spec.nodes[index].name;
    const session = await openNodeSession(spec, index, {
      dryRun,
      progress: (message) => emit({ type: "node-progress", node: name, message }),
      trace: (line) => emit({ type: "remote-command", node: name, line }),
      afterConnect: (shell) => locks.take(index, shell),
    }).catch((error: unknown) => {
      locks.abandon(index);
      throw error;
    });
    emit({
      type: "node-ready",
      node: name,
      osPrettyName: session.facts.osPrettyName,
      keepalivedVersion: session.keepalivedVersion,
      install: session.install?.action,
    });
    return session;
  });
  try {
    let sessions = await Promise.all(opening);
    let keepalivedUpgrade: readonly KeepalivedUpgradeStep[] | undefined;
    if (options.upgradeKeepalived === true && !dryRun) {
      const upgraded = await upgradeKeepalivedOneNodeAtATime(
        spec,
        sessions,
        (options.vipTimeoutSeconds ?? defaultVipTimeoutSeconds(spec)) * 1000,
        (message) => emit({ type: "keepalived-upgrade-progress", message }),
      );
      sessions = [...upgraded.sessions];
      keepalivedUpgrade = upgraded.steps;
      emit({ type: "keepalived-upgraded", steps: upgraded.steps });
    }
    const { plan, spec: settled } = await planCluster(spec, sessions, {
      allowUncheckedConfig: options.allowUncheckedConfig,
      describeChanges: dryRun,
    });
    emit({ type: "planned", pendingFiles: plan.nodes.reduce((sum, node) => sum + node.changes.pending.length, 0), rollout: plan.rollout });
    let vipHolder: string | undefined;
    if (!dryRun) {
      await applyCluster(settled, plan, emit);
      vipHolder = await waitForVip(spec, sessions, options.vipTimeoutSeconds ?? defaultVipTimeoutSeconds(spec), emit);
    }
    const nodes = plan.nodes.map((nodePlan) => nodeReport(spec, plan, nodePlan, dryRun));
    return {
      cluster: spec.clusterName,
      dryRun,
      changed: nodes.reduce((sum, node) => sum + node.changedFiles.length, 0),
      nodes,
      rolloutOrder: plan.rollout.map((step) => step.nodeName),
      ...(vipHolder !== undefined ? { vipHolder } : {}),
      ...(keepalivedUpgrade ? { keepalivedUpgrade } : {}),
    };
  } finally {
    locks.releaseAll();
    const opened = await Promise.allSettled(opening);
    for (const attempt of opened) if (attempt.status === "fulfilled") attempt.value.shell.close();
  }
}
