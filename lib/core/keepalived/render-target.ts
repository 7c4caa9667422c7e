/**
 * The node a rendering is for: its addresses and its Keepalived version. (What the provisioner
 * detects on a node over SSH, OS, init system, package manager, is `NodeFacts` in lib/provisioner.)
 */
export interface RenderTarget {
  /** This node's private IP: `unicast_src_ip`. */
  readonly ownIp: string;
  /** The other node's private IP: `unicast_peer`. */
  readonly peerIp: string;
  /** Keepalived version installed on the node, e.g. "2.2.7" (see parseKeepalivedVersion). */
  readonly keepalivedVersion: string;
  /** @default - the name of the spec node whose privateIp is ownIp */
  readonly name?: string;
}
