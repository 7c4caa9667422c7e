import type { ClusterSpec, NodeSpec } from "../core/cluster-settings";
import type { KeepalivedObservation } from "../core/health";
import { installedKeepalivedVersion } from "../core/node/install-keepalived";
import { parseStatusObservation, statusObservationScript } from "../core/node/observe-node";
import { connectToNode, type SshOptionNames } from "../provisioner/ssh/connect-node";
export interface NodeStatusReport {
  readonly node: string;
  readonly sshHost: string;
  readonly instanceId?: string;
  readonly reachable: boolean;
  readonly error?: string;
  readonly keepalivedVersion?: string;
  readonly keepalivedRunning?: boolean;
  /** Last state the notify script recorded: MASTER, BACKUP, FAULT or STOP. */
  readonly notifiedState?: string;
  readonly holdsVips: readonly string[];
  readonly recentNotifyLog: readonly string[];
}

/** A node's status report, and the observation the health verdicts take. */
export interface NodeStatus {
  readonly report: NodeStatusReport;
  readonly observation: KeepalivedObservation;
}

/**
 * Reads each node's Keepalived state over SSH, one round trip per node; a node that cannot be
 * reached or read is reported (and observed as unreachable), not thrown.
 */
export async function readClusterStatus(spec: ClusterSpec, logLines = 5, optionNames?: SshOptionNames): Promise<NodeStatus[]> {
  return Promise.all(spec.nodes.map((node) => readNodeStatus(spec, node, logLines, optionNames)));
}

async function readNodeStatus(spec: ClusterSpec, node: NodeSpec, logLines: number, optionNames?: SshOptionNames): Promise<NodeStatus> {
  const base = { node: node.name, sshHost: node.sshHost, instanceId: node.instanceId };
  const unreadable = (reachable: boolean, error: unknown): NodeStatus => ({
    report: { ...base, reachable, error: (error as Error).message, holdsVips: [], recentNotifyLog: [] },
    observation: { node: node.name, reachable: false },
  });
  let shell;
  try {
    shell = await connectToNode(node, spec.ssh, { optionNames });
  } catch (error) {
    return unreadable(false, error);
  }
  try {
    const seen = parseStatusObservation(
      await shell.check("reading Keepalived's state", statusObservationScript(spec.interfaceName, spec.notifyLogPath, logLines)),
    );
    return {
      report: {
        ...base,
        reachable: true,
        keepalivedVersion: installedKeepalivedVersion(seen.facts),
        keepalivedRunning: seen.keepalived.running,
        notifiedState: seen.keepalived.notifiedState,
        holdsVips: spec.vips.filter((vip) => seen.keepalived.addresses.includes(vip)),
        recentNotifyLog: seen.notifyLog,
      },
      observation: { node: node.name, reachable: true, keepalived: seen.keepalived },
    };
  } catch (error) {
    return unreadable(true, error);
  } finally {
    shell.close();
  }
}
