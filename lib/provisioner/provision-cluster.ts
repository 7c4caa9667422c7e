import { randomBytes } from "node:crypto";
import type { ClusterSpec } from "../core/cluster-settings";
import { healthSettleMs, type KeepalivedObservation } from "../core/health";
import { generateAuthPass } from "../core/keepalived";
import { describePackageHold } from "../core/node/package-hold";
import { describeFileChange, describeMetadataChange } from "../core/plan/describe-file-change";
import { planNodePreparation } from "../core/plan/plan-node-preparation";
import { type PlannedNode, planProvisioning, type ProvisioningPlan } from "../core/plan/plan-provisioning";
import { describeServiceStep } from "../core/plan/plan-service-steps";
import { type SettingsProblem, SettingsError } from "../core/settings-error";
import { requireValidClusterSpec, type ValidClusterSpec } from "../core/validation";
import { masterDownIntervalSeconds } from "../core/vrrp-timing";
import { executeNodePlan } from "./execute-node-plan";
import { upgradeKeepalivedOneNodeAtATime, type KeepalivedUpgradeStep } from "./keepalived-upgrade";
import { nodeLocksInOrder } from "./node-lock";
import { openObservedNode } from "./observe-node";
import { readPeerAuthPass } from "./peer-auth-pass";
import { prepareNode, type PreparedNode } from "./prepare-node";
import type { NodeReport, ProvisionEvent, ProvisionReport } from "./provision-events";
import { readRemoteFile } from "./remote-files";
import type { SshOptionNames } from "./ssh/connect-node";
import { waitForHealthyNode, waitForSingleVipHolder, type WatchedNode } from "./vip-wait";

/** How messages name the options of a run, so a front end can put its own words (the CLI: its flags). */
export interface ProvisionOptionNames extends SshOptionNames {
  readonly connectTimeout: string;
  readonly node: string;
  readonly withoutPeer: string;
  readonly peerViaNode: string;
  readonly upgradeKeepalived: string;
  readonly allowUncheckedConfig: string;
  readonly lockTimeout: string;
}

/** The options' names in this API. */
export const PROVISION_OPTION_NAMES: ProvisionOptionNames = {
  connectTimeout: "connectTimeoutSeconds",
  node: "node",
  withoutPeer: "withoutPeer",
  peerViaNode: "peerViaNode",
  upgradeKeepalived: "upgradeKeepalived",
  allowUncheckedConfig: "allowUncheckedConfig",
  lockTimeout: "lockTimeoutSeconds",
};

export interface ProvisionOptions {
  /** Plan and report, change nothing. @default false */
  readonly dryRun?: boolean;
  /**
   * Seconds to wait for exactly one VIP holder (in a one-node run: for the node to be healthy,
   * plus one fall window of its health check). @default - 3 master-down intervals + 10 s
   */
  readonly vipTimeoutSeconds?: number;
  /**
   * Seconds to keep trying a node that does not answer (refused, unreachable, no handshake): a CVM
   * that `cdktf deploy` just created may still be booting. Refusals (host key, authentication)
   * are never retried. @default - defaultConnectTimeoutSeconds: 180, or 20 in a dry run
   */
  readonly connectTimeoutSeconds?: number;
  /** Activate on nodes whose Keepalived cannot check a configuration (< 2.0.5). @default false */
  readonly allowUncheckedConfig?: boolean;
  /** Upgrade the held keepalived package first, one node at a time, the VIP holder last. @default false */
  readonly upgradeKeepalived?: boolean;
  /** Seconds to wait while another provisioning run holds a node's lock. @default - DEFAULT_NODE_LOCK_TIMEOUT_MS */
  readonly lockTimeoutSeconds?: number;
  /**
   * Provision only this node and wait until its Keepalived is healthy (MASTER or BACKUP for one
   * fall window): the deploy gate between two disruptive changes. @default - both nodes, then one VIP holder
   */
  readonly node?: string;
  /** With `node`: do not read the VRRP password from the other node. @default false */
  readonly withoutPeer?: boolean;
  /** With `node`: reach the other node through this one (its private IP, this node as jump host). @default false */
  readonly peerViaNode?: boolean;
  /** How messages name these options. @default PROVISION_OPTION_NAMES */
  readonly optionNames?: Partial<ProvisionOptionNames>;
  /** Receives progress as it happens. @default - progress is not reported */
  readonly onEvent?: (event: ProvisionEvent) => void;
}

/** How long a run tries a node that does not answer: a fresh CVM boots in a minute or two; a dry run is someone waiting at a terminal. */
export function defaultConnectTimeoutSeconds(dryRun: boolean): number {
  return dryRun ? 20 : 180;
}

export function defaultVipTimeoutSeconds(spec: ClusterSpec): number {
  return Math.ceil(3 * masterDownIntervalSeconds(spec.advertIntSeconds, spec.priority) + 10);
}

/**
 * Throws a SettingsError (bad input: nothing touched, no connection opened) for options that do not
 * fit the spec or each other; provisionCluster checks them too, before anything else.
 */
export function checkProvisionOptions(spec: ClusterSpec, options: ProvisionOptions): void {
  targetNodes(spec, options, { ...PROVISION_OPTION_NAMES, ...options.optionNames });
}

/** The nodes a run provisions, by index; throws a SettingsError (bad input, nothing touched) for options that do not go together. */
function targetNodes(spec: ClusterSpec, options: ProvisionOptions, names: ProvisionOptionNames): (0 | 1)[] {
  const refuse = (problem: SettingsProblem) => {
    throw new SettingsError("provision", [problem]);
  };
  if (options.node === undefined) {
    if (options.withoutPeer) refuse({ field: names.withoutPeer, value: "true", rule: `only goes with ${names.node}` });
    if (options.peerViaNode) refuse({ field: names.peerViaNode, value: "true", rule: `only goes with ${names.node}` });
    return [0, 1];
  }
  const index = spec.nodes.findIndex((node) => node.name === options.node);
  if (index !== 0 && index !== 1) {
    refuse({
      field: names.node,
      value: options.node,
      rule: `must name a node of cluster ${spec.clusterName}: ${spec.nodes.map((node) => node.name).join(" or ")}`,
    });
  }
  if (options.upgradeKeepalived) {
    refuse({
      field: names.upgradeKeepalived,
      value: "true",
      rule: `does not go with ${names.node} (an upgrade goes through both nodes, one at a time)`,
    });
  }
  return [index as 0 | 1];
}

/** Each pending change as the dry run shows it; the current content is read once, here, and never for a secret file. */
async function describeChanges(node: PlannedNode & { readonly shell: PreparedNode["shell"] }): Promise<string[]> {
  const lines: string[] = [];
  for (const change of node.changes.pending) {
    if (change.kind === "metadata") {
      lines.push(describeMetadataChange(change.file));
      continue;
    }
    const before =
      change.kind === "create" ? undefined : change.file.secret ? "" : ((await readRemoteFile(node.shell, change.file.path)) ?? "");
    lines.push(describeFileChange(change.file, before).trimEnd());
  }
  return lines;
}

function nodeReport(
  plan: ProvisioningPlan,
  planned: PlannedNode,
  prepared: PreparedNode,
  changes: readonly string[] | undefined,
): NodeReport {
  const { steps, observation } = planned;
  const report: NodeReport = {
    node: planned.node.name,
    keepalivedVersion: planned.keepalivedVersion,
    install: prepared.install?.action ?? (observation.facts.keepalivedVersionLine ? "present" : "would-install"),
    ...(prepared.packageHold ? { packageHold: prepared.packageHold } : {}),
    changedFiles: planned.changes.pending.map((change) => change.file.path),
    action: plan.rollout.find((step) => step.nodeName === planned.node.name)?.action ?? "none",
    reason: steps.reason,
    steps: steps.steps,
  };
  if (changes === undefined) return report;
  const hold = prepared.preparation.find((step) => step.kind === "hold-keepalived");
  const packages = prepared.preparation.find((step) => step.kind === "install-packages");
  return {
    ...report,
    ...(steps.refusal !== undefined ? { refusal: steps.refusal } : {}),
    preview: {
      sshHost: planned.node.sshHost,
      osPrettyName: observation.facts.osPrettyName,
      keepalivedInstalled: observation.facts.keepalivedVersionLine !== undefined,
      packageManager: observation.facts.packageManager,
      missingPackages: packages?.kind === "install-packages" ? packages.packages : [],
      ...(hold?.kind === "hold-keepalived" ? { packageHold: describePackageHold(hold.packageManager) } : {}),
      servicePreparation: planned.service.flatMap((step) => describeServiceStep(step) ?? []),
      changes,
    },
  };
}

/**
 * Whether a run did anything that can move the VIP (installed Keepalived, an upgrade, a service
 * or Keepalived step): then the VIP is read anew, else the observation counts as the first read.
 */
function mayHaveMovedTheVip(prepared: readonly PreparedNode[], plan: ProvisioningPlan, upgraded: boolean): boolean {
  return (
    upgraded ||
    prepared.some((node) => node.preparation.some((step) => step.kind === "install-keepalived")) ||
    plan.nodes.some((node) => node.service.length > 0 || node.steps.steps.length > 0)
  );
}

/**
 * Provisions a cluster: observe each node once (one SSH session, the lock and every fact in one
 * round trip), plan in core (what changed, in which order), and touch the nodes only for that:
 * install or hold Keepalived where needed, ready the service, push and check the files, start or
 * reload (the VIP holder last), then wait for exactly one VIP holder. The one pipeline for the
 * CLI, cdktf's local-exec and a script; with `node` it provisions one node and waits until it is
 * healthy (the deploy gate). With `dryRun` it observes, plans and reports, changing nothing.
 */
export async function provisionCluster(input: ClusterSpec, options: ProvisionOptions = {}): Promise<ProvisionReport> {
  // Validated once, here, unless the caller's spec already is (the CLI validates where it reads the spec).
  const spec: ValidClusterSpec = requireValidClusterSpec(input);
  const names: ProvisionOptionNames = { ...PROVISION_OPTION_NAMES, ...options.optionNames };
  const targets = targetNodes(spec, options, names);
  const emit = options.onEvent ?? (() => undefined);
  const dryRun = options.dryRun === true;
  const vipTimeoutMs = (options.vipTimeoutSeconds ?? defaultVipTimeoutSeconds(spec)) * 1000;
  // One run at a time per node, taken in node order so two whole-pair runs cannot deadlock; dry runs too (they read the staging state).
  const locks = nodeLocksInOrder(targets.length, {
    timeoutMs: options.lockTimeoutSeconds === undefined ? undefined : options.lockTimeoutSeconds * 1000,
    timeoutOption: names.lockTimeout,
    onWait: (message) => emit({ type: "lock-wait", message }),
  });
  // Every connection attempt, so a failure on one node still lets the others' connections be closed.
  const opening = targets.map(async (index, position) => {
    const name = spec.nodes[index].name;
    const progress = (message: string) => emit({ type: "node-progress", node: name, message });
    const observed = await openObservedNode(spec, index, {
      progress,
      connectTimeoutMs: (options.connectTimeoutSeconds ?? defaultConnectTimeoutSeconds(dryRun)) * 1000,
      trace: (line) => emit({ type: "remote-command", node: name, line }),
      optionNames: names,
      lockAndRead: (shell, script) => locks.take(position, shell, script),
    }).catch((error: unknown) => {
      locks.abandon(position);
      throw error;
    });
    const prepared = await prepareNode(spec, observed, planNodePreparation(spec, observed.observation), { dryRun, progress }).catch(
      (error: unknown) => {
        observed.shell.close();
        throw error;
      },
    );
    emit({
      type: "node-ready",
      node: name,
      osPrettyName: prepared.observation.facts.osPrettyName,
      keepalivedVersion: prepared.keepalivedVersion,
      install: prepared.install?.action,
    });
    return prepared;
  });
  try {
    let nodes = await everyNodeOpened(
      opening,
      targets.map((index) => spec.nodes[index].name),
      emit,
    );
    let keepalivedUpgrade: readonly KeepalivedUpgradeStep[] | undefined;
    if (options.upgradeKeepalived === true && !dryRun) {
      const upgraded = await upgradeKeepalivedOneNodeAtATime(spec, nodes, vipTimeoutMs, (message) =>
        emit({ type: "keepalived-upgrade-progress", message }),
      );
      nodes = upgraded.nodes;
      keepalivedUpgrade = upgraded.steps;
      emit({ type: "keepalived-upgraded", steps: upgraded.steps });
    }
    const currentAuthPasses = spec.nodes.map(
      (node) => nodes.find((candidate) => candidate.node.name === node.name)?.observation.configAuthPass,
    );
    if (options.node !== undefined && !options.withoutPeer && spec.authPass === undefined) {
      const index = targets[0];
      currentAuthPasses[1 - index] = await readPeerAuthPass(spec, index, {
        viaNode: options.peerViaNode === true,
        warn: (message) => emit({ type: "node-progress", node: spec.nodes[index].name, message }),
        trace: (line) => emit({ type: "remote-command", node: spec.nodes[1 - index].name, line }),
        optionNames: names,
      });
    }
    const plan = planProvisioning(spec, nodes, {
      currentAuthPasses,
      generateAuthPass: () => generateAuthPass(randomBytes),
      allowUncheckedConfig: options.allowUncheckedConfig,
      allowUncheckedConfigOption: names.allowUncheckedConfig,
    });
    emit({ type: "planned", pendingFiles: plan.nodes.reduce((sum, node) => sum + node.changes.pending.length, 0), rollout: plan.rollout });
    const prepared = (planned: PlannedNode) => nodes.find((node) => node.node.name === planned.node.name) as PreparedNode;
    const descriptions = dryRun
      ? await Promise.all(plan.nodes.map((planned) => describeChanges({ ...planned, shell: prepared(planned).shell })))
      : undefined;
    let vipHolder: string | undefined;
    let state: string | undefined;
    if (!dryRun) {
      for (const step of plan.rollout) {
        const planned = plan.nodes.find((node) => node.node.name === step.nodeName) as PlannedNode;
        const progress = (message: string) => emit({ type: "node-apply-progress", node: step.nodeName, message });
        await executeNodePlan(plan.spec, { ...planned, shell: prepared(planned).shell }, progress);
        emit({ type: "node-applied", node: step.nodeName, action: step.action });
      }
      const watched: WatchedNode[] = nodes.map((node) => ({
        name: node.node.name,
        shell: node.shell,
        initSystem: node.observation.facts.initSystem,
      }));
      if (options.node !== undefined) {
        emit({
          type: "node-apply-progress",
          node: options.node,
          message: `waiting for ${options.node}'s Keepalived to be MASTER or BACKUP`,
        });
        state = await waitForHealthyNode(spec, watched[0], vipTimeoutMs + healthSettleMs(spec.healthCheck));
      } else {
        const first: KeepalivedObservation[] | undefined = mayHaveMovedTheVip(nodes, plan, keepalivedUpgrade !== undefined)
          ? undefined
          : nodes.map((node) => ({ node: node.node.name, reachable: true, keepalived: node.observation.keepalived }));
        vipHolder = await waitForVip(spec, watched, vipTimeoutMs, emit, first);
      }
    }
    const reports = plan.nodes.map((planned, index) => ({
      ...nodeReport(plan, planned, prepared(planned), descriptions?.[index]),
      ...(state !== undefined ? { state } : {}),
    }));
    return {
      cluster: spec.clusterName,
      ...(options.node !== undefined ? { node: options.node } : {}),
      dryRun,
      changed: reports.reduce((sum, node) => sum + node.changedFiles.length, 0),
      nodes: reports,
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

/** Several nodes failed before the run could plan: each with its own error. */
export class NodeFailuresError extends Error {
  constructor(public readonly failures: readonly { readonly node: string; readonly error: unknown }[]) {
    super(
      `${failures.length} nodes failed:\n  - ${failures.map(({ error }) => (error instanceof Error ? error.message : String(error))).join("\n  - ")}`,
    );
    this.name = "NodeFailuresError";
  }
}

/**
 * Every node's connection and observation, awaited to the end (each is bounded by the connect and
 * lock timeouts), so each failed node reports its own error (a `node-failed` event) rather than
 * the first failure standing for both. One failure is thrown as it is; several as NodeFailuresError.
 */
async function everyNodeOpened<T>(
  opening: readonly Promise<T>[],
  names: readonly string[],
  emit: (event: ProvisionEvent) => void,
): Promise<T[]> {
  const settled = await Promise.allSettled(opening);
  const failures = settled.flatMap((result, index) =>
    result.status === "rejected" ? [{ node: names[index], error: result.reason as unknown }] : [],
  );
  for (const { node, error } of failures)
    emit({ type: "node-failed", node, message: error instanceof Error ? error.message : String(error) });
  if (failures.length === 1) throw failures[0].error;
  if (failures.length > 1) throw new NodeFailuresError(failures);
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}

async function waitForVip(
  spec: ClusterSpec,
  nodes: readonly WatchedNode[],
  timeoutMs: number,
  emit: (event: ProvisionEvent) => void,
  first: readonly KeepalivedObservation[] | undefined,
): Promise<string> {
  const timeoutSeconds = timeoutMs / 1000;
  emit({ type: "vip-wait-started", vips: spec.vips, timeoutSeconds });
  const result = await waitForSingleVipHolder(spec, nodes, timeoutMs, { first });
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
