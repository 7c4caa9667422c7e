import type { IConstruct } from "constructs";
import type { ClusterFootprint } from "../../core/network";
import type { ClusterNames } from "./cluster-names";

/** Clusters built so far, per construct tree (one per App), so a new one can be checked against them. */
const footprintsByRoot = new WeakMap<IConstruct, ClusterFootprint[]>();

export function clustersInTree(scope: IConstruct): readonly ClusterFootprint[] {
  return footprintsByRoot.get(scope.node.root) ?? [];
}

export function registerCluster(scope: IConstruct, footprint: ClusterFootprint): void {
  const root = scope.node.root;
  footprintsByRoot.set(root, [...clustersInTree(root), footprint]);
}

/** Names claimed by the clusters built so far, per construct tree. */
const namesByRoot = new WeakMap<IConstruct, ClusterNames[]>();

export function clusterNamesInTree(scope: IConstruct): readonly ClusterNames[] {
  return namesByRoot.get(scope.node.root) ?? [];
}

export function registerClusterNames(scope: IConstruct, names: ClusterNames): void {
  const root = scope.node.root;
  namesByRoot.set(root, [...clusterNamesInTree(root), names]);
}
