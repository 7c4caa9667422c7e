import type { ClusterSpec, NodeSpec } from "../core/cluster-settings";
import { quoteShellWord } from "../core/shell-word";
import { installedKeepalivedVersion } from "../provisioner/install-keepalived";
import { readKeepalivedStatus, type KeepalivedStatus } from "../provisioner/keepalived-service";
import { readNodeFacts } from "../provisioner/node-facts";
import { connectToNode } from "../provisioner/ssh/connect-node";
import type { RemoteShell } from "../provisioner/ssh/remote-shell";

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

/** Reads each node's Keepalived state over SSH; a node that cannot be reached or read is reported, not thrown. */
export async function readClusterStatus(spec: ClusterSpec, logLines = 5): Promise<NodeStatusReport[]> {
  return Promise.all(
    spec.nodes.map(async (node): Promise<NodeStatusReport> => {
      const base = { node: node.name, sshHost: node.sshHost, instanceId: node.instanceId };
      let shell;
      try {
        shell = await connectToNode(node, spec.ssh);
      } catch (error) {
        return { ...base, reachable: false, error: (error as Error).message, holdsVips: [], recentNotifyLog: [] };
      }
      try {
        return await readNodeStatus(spec, node, shell, logLines);
      } catch (error) {
        return { ...base, reachable: true, error: (error as Error).message, holdsVips: [], recentNotifyLog: [] };
      } finally {
        shell.close();
      }
    }),
  );
}

async function readNodeStatus(spec: ClusterSpec, node: NodeSpec, shell: RemoteShell, logLines: number): Promise<NodeStatusReport> {
  const base = { node: node.name, sshHost: node.sshHost, instanceId: node.instanceId };
  const facts = await readNodeFacts(shell);
  const status: KeepalivedStatus = await readKeepalivedStatus(shell, facts.initSystem, spec.interfaceName);
  const log = await shell.run(`tail -n ${logLines} ${quoteShellWord(spec.notifyLogPath)} 2>/dev/null`);
  return {
    ...base,
    reachable: true,
    keepalivedVersion: installedKeepalivedVersion(facts),
    keepalivedRunning: status.running,
    notifiedState: status.notifiedState,
    holdsVips: spec.vips.filter((vip) => status.addresses.includes(vip)),
    recentNotifyLog: log.stdout.split("\n").filter((line) => line.trim() !== ""),
  };
}
