import { statSync } from "node:fs";
import type { ClusterSpec } from "../core/cluster-settings";
import { LAB_OPERATOR_NAMESPACE_RULE } from "../core/validation";
import { SpecSourceError } from "../spec/load-cluster-spec";

/** Facts about where this process runs: the inode of its network namespace and of the lab's. */
export interface NetworkNamespaceFacts {
  readonly currentInode: number | undefined;
  /** Inode of /run/netns/<labOperatorNamespace>, undefined when that namespace does not exist. */
  readonly labInode: number | undefined;
}

/**
 * Why a lab's spec must not be used here (undefined: it may, or it is not a lab spec). Pure. A lab
 * spec names lab addresses: outside the lab's operator namespace they would be sent through the
 * host's routes, to whatever network the host is on.
 */
export function labSpecRefusal(
  spec: Pick<ClusterSpec, "clusterName" | "labOperatorNamespace">,
  facts: NetworkNamespaceFacts,
): string | undefined {
  const namespace = spec.labOperatorNamespace;
  if (namespace === undefined) return undefined;
  if (LAB_OPERATOR_NAMESPACE_RULE.check(namespace, "labOperatorNamespace").length > 0) {
    return `cluster ${spec.clusterName}: labOperatorNamespace ${JSON.stringify(namespace)} is not a lab namespace name (${LAB_OPERATOR_NAMESPACE_RULE.rule})`;
  }
  const run = `run it there (\`ip netns exec ${namespace} havip-cluster ...\`) or use \`npm run lab -- status\``;
  if (facts.labInode === undefined)
    return `cluster ${spec.clusterName} is a lab's spec and its namespace ${namespace} does not exist (is the lab up?); refusing to send anything`;
  if (facts.currentInode !== facts.labInode) {
    return `cluster ${spec.clusterName} is a lab's spec: it only works in network namespace ${namespace}, not here; ${run}`;
  }
  return undefined;
}

/** The inode of a namespace file (`/proc/self/ns/net`, `/run/netns/NAME`): equal inodes, same namespace. */
export function namespaceInode(file: string): number | undefined {
  try {
    return statSync(file).ino;
  } catch {
    return undefined;
  }
}

/** Throws (bad input, exit 2) before anything connects when a lab's spec is used outside the lab. */
export function refuseLabSpecOutsideLab(spec: ClusterSpec): void {
  if (spec.labOperatorNamespace === undefined) return;
  const refusal = labSpecRefusal(spec, {
    currentInode: namespaceInode("/proc/self/ns/net"),
    // Only a valid name is looked up under /run/netns (labSpecRefusal refuses the others).
    labInode:
      LAB_OPERATOR_NAMESPACE_RULE.check(spec.labOperatorNamespace, "labOperatorNamespace").length === 0
        ? namespaceInode(`/run/netns/${spec.labOperatorNamespace}`)
        : undefined,
  });
  if (refusal) throw new SpecSourceError(refusal);
}
