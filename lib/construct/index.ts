export * from "./ha-vip-cluster";
export * from "./ha-vip-cluster-props";
export * from "./ha-vip-network";
