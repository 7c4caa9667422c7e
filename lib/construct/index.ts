export * from "./ha-vip-cluster";
export * from "./ha-vip-cluster-props";
