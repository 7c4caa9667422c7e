import type { ClusterSpec, NodeSpec } from "../core/cluster-settings";
import { ensureKeepalived, installedKeepalivedVersion, type KeepalivedInstallOutcome } from "./install-keepalived";
import { readNodeFacts, type NodeFacts } from "./node-facts";
import { installMissingPackages, missingPackages } from "./node-prerequisites";
import { holdKeepalivedPackage, type PackageHoldOutcome } from "./package-hold";
import { connectToNode } from "./ssh/connect-node";
import type { RemoteShell } from "./ssh/remote-shell";

/** Keepalived version assumed for rendering a dry run on a node that has none installed yet. */
const DRY_RUN_ASSUMED_VERSION = "2.2.7";
/** How long provisioning waits for sshd on a node that does not answer yet: a fresh CVM may still be booting. */
const CONNECT_RETRY_MS = 180_000;

/** One node, connected and inspected. */
export interface NodeSession {
  readonly node: NodeSpec;
  readonly peer: NodeSpec;
  readonly shell: RemoteShell;
  readonly facts: NodeFacts;
  /** Undefined only in a dry run on a node without Keepalived. */
  readonly install?: KeepalivedInstallOutcome;
  readonly keepalivedVersion: string;
  /** Whether the keepalived package is held against unattended upgrades; undefined in a dry run. */
  readonly packageHold?: PackageHoldOutcome;
}

/** Connects to a node, reads its facts and (unless dry-running) installs Keepalived when needed. */
export async function openNodeSession(
  spec: ClusterSpec,
  index: 0 | 1,
  options: {
    readonly dryRun: boolean;
    readonly progress: (message: string) => void;
    readonly trace?: (line: string) => void;
    /** Runs right after connecting, before anything is read or installed (the node lock). */
    readonly afterConnect?: (shell: RemoteShell) => Promise<void>;
  },
): Promise<NodeSession> {
  const node = spec.nodes[index];
  const peer = spec.nodes[index === 0 ? 1 : 0];
  options.progress(`connecting to ${node.sshHost}`);
  const shell = await connectToNode(node, spec.ssh, {
    trace: options.trace,
    retryForMs: CONNECT_RETRY_MS,
    onRetry: options.progress,
  });
  try {
    await options.afterConnect?.(shell);
    options.progress("detecting the OS and Keepalived");
    const facts = await readNodeFacts(shell);
    if (options.dryRun) {
      const present = installedKeepalivedVersion(facts);
      return { node, peer, shell, facts, keepalivedVersion: present ?? DRY_RUN_ASSUMED_VERSION };
    }
    const install = await ensureKeepalived(shell, facts, spec, options.progress);
    const packageHold = await holdKeepalivedPackage(shell, facts.packageManager, install);
    const packages = missingPackages(spec, facts);
    if (packages.length > 0) options.progress(`installing ${packages.join(", ")}`);
    await installMissingPackages(shell, facts, packages);
    return { node, peer, shell, facts, install, keepalivedVersion: install.version, packageHold };
  } catch (error) {
    shell.close();
    throw error;
  }
}
