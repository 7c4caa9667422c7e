import type { IConstruct } from "constructs";
import type { ClusterFootprint } from "../../core/network";

/** Clusters built so far, per construct tree (one per App), so a new one can be checked against them. */
const footprintsByRoot = new WeakMap<IConstruct, ClusterFootprint[]>();

export function clustersInTree(scope: IConstruct): readonly ClusterFootprint[] {
  return footprintsByRoot.get(scope.node.root) ?? [];
}

export function registerCluster(scope: IConstruct, footprint: ClusterFootprint): void {
  const root = scope.node.root;
  footprintsByRoot.set(root, [...clustersInTree(root), footprint]);
}
