import type { RolloutAction, RolloutStep } from "../core/plan/plan-rollout";
import type { KeepalivedInstallOutcome } from "../core/node/install-keepalived";
import type { KeepalivedUpgradeStep } from "./keepalived-upgrade";
import type { NodeStep } from "../core/plan/plan-node-steps";

/**
 * What `provisionCluster` reports while it runs, in order: the nodes connect (concurrently), the
 * run is planned, then (unless dry-running) each node is applied in rollout order and the VIP
 * settles on one node (or, in a one-node run, that node settles healthy). A front end (the CLI's
 * task list, a script's log) maps these.
 */
export type ProvisionEvent =
  /** Progress while a node is connected, inspected and (unless dry-running) gets Keepalived. */
  | { readonly type: "node-progress"; readonly node: string; readonly message: string }
  | {
      readonly type: "node-ready";
      readonly node: string;
      readonly osPrettyName: string;
      readonly keepalivedVersion: string;
      readonly install?: KeepalivedInstallOutcome["action"];
    }
  /** A node could not be connected, locked, observed or readied: the run stops before planning (every failed node is told). */
  | { readonly type: "node-failed"; readonly node: string; readonly message: string }
  /** Another provisioning run holds a node's lock: this one waits (up to the lock timeout). */
  | { readonly type: "lock-wait"; readonly message: string }
  /** A command sent to a node (never its stdin: file contents and secrets stay out). */
  | { readonly type: "remote-command"; readonly node: string; readonly line: string }
  | { readonly type: "planned"; readonly pendingFiles: number; readonly rollout: readonly RolloutStep[] }
  /** With upgradeKeepalived, before planning: the held package upgraded one node at a time. */
  | { readonly type: "keepalived-upgrade-progress"; readonly message: string }
  | { readonly type: "keepalived-upgraded"; readonly steps: readonly KeepalivedUpgradeStep[] }
  | { readonly type: "node-apply-progress"; readonly node: string; readonly message: string }
  | { readonly type: "node-applied"; readonly node: string; readonly action: RolloutAction }
  | { readonly type: "vip-wait-started"; readonly vips: readonly string[]; readonly timeoutSeconds: number }
  | { readonly type: "vip-settled"; readonly holder: string; readonly elapsedMs: number };

/** What a dry run shows of one node beyond the summary. */
export interface NodePreview {
  readonly sshHost: string;
  readonly osPrettyName: string;
  readonly keepalivedInstalled: boolean;
  readonly packageManager?: string;
  readonly missingPackages: readonly string[];
  /** How the keepalived package would be held (`apt-mark hold keepalived`, ...), when there is a package manager. */
  readonly packageHold?: string;
  /** What readying the node for the service would do (sysctl, service packages, setup command). */
  readonly servicePreparation: readonly string[];
  /** Each pending change: a unified diff, or what happens to a secret file or to mode/owner. */
  readonly changes: readonly string[];
}

export interface NodeReport {
  readonly node: string;
  readonly keepalivedVersion: string;
  readonly install: string;
  /** held, no-versionlock-plugin (dnf/yum without the plugin), not-a-package (built from source); absent in a dry run. */
  readonly packageHold?: string;
  readonly changedFiles: readonly string[];
  readonly action: string;
  /** Why the action (`its files changed`, `Keepalived is not running`, ...). */
  readonly reason?: string;
  /** The steps the node went (or, in a dry run, would go) through. */
  readonly steps?: readonly NodeStep[];
  /** In a dry run: why the real run would refuse to change this node. */
  readonly refusal?: string;
  /** Only in a dry run. */
  readonly preview?: NodePreview;
  /** In a one-node run: the Keepalived state the node settled in (MASTER or BACKUP); absent in a dry run. */
  readonly state?: string;
}

export interface ProvisionReport {
  readonly cluster: string;
  /** The one node a one-node run (the `node` option) provisioned. @default - both nodes */
  readonly node?: string;
  readonly dryRun: boolean;
  readonly changed: number;
  readonly nodes: readonly NodeReport[];
  /** Nodes in the order they were (or would be) changed: the VIP holder last. */
  readonly rolloutOrder: readonly string[];
  readonly vipHolder?: string;
  /** With upgradeKeepalived: each node's version before and after, in the order they were upgraded. */
  readonly keepalivedUpgrade?: readonly KeepalivedUpgradeStep[];
}
