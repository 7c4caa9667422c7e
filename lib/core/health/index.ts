export { type KeepalivedObservation } from "./keepalived-observation";
export { HEALTHY_NODE_STATES, healthSettleMs, nodeHealth, type NodeHealth } from "./node-health";
export { clusterHealth, type ClusterHealth, type CloudVerdict } from "./cluster-health";
export { singleVipHolder, vipCarriers, vipHolders } from "./vip-holders";
