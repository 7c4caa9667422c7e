import type { ClusterSpec } from "../core/cluster-settings";
import { DEFAULT_KEEPALIVED_FILE_PATHS } from "../core/keepalived";
import { extractAuthPass } from "../core/plan/choose-auth-pass";
import { readRemoteFile } from "./remote-files";
import { connectToNode, type SshOptionNames } from "./ssh/connect-node";

/**
 * The VRRP password of the peer's running keepalived.conf, for a run that provisions one node:
 * the pair must keep sharing one. With `viaNode` the peer is reached at its private IP through the
 * node being provisioned (a deploy gate cannot know the peer's public address). Undefined (and a
 * warning) when it cannot be read: the node's own is used then.
 */
export async function readPeerAuthPass(
  spec: ClusterSpec,
  nodeIndex: 0 | 1,
  options: {
    readonly viaNode: boolean;
    readonly warn: (message: string) => void;
    readonly trace?: (line: string) => void;
    readonly optionNames?: SshOptionNames;
  },
): Promise<string | undefined> {
  const node = spec.nodes[nodeIndex];
  const peer = spec.nodes[1 - nodeIndex];
  const [target, ssh] = options.viaNode
    ? [
        { ...peer, sshHost: peer.privateIp, sshPort: undefined },
        { ...spec.ssh, jumpHost: { host: node.sshHost, port: node.sshPort, user: spec.ssh.user } },
      ]
    : [peer, spec.ssh];
  try {
    const shell = await connectToNode(target, ssh, { trace: options.trace, optionNames: options.optionNames });
    try {
      const conf = await readRemoteFile(shell, DEFAULT_KEEPALIVED_FILE_PATHS.configPath);
      return conf === undefined ? undefined : extractAuthPass(conf);
    } finally {
      shell.close();
    }
  } catch (error) {
    options.warn(
      `warning: cannot read the VRRP password from ${peer.name} (${error instanceof Error ? error.message : String(error)}); using this node's own`,
    );
    return undefined;
  }
}
