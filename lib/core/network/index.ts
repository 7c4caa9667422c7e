export * from "./ipv4-cidr";
export * from "./tencent-subnet";
export * from "./network-plan";
export * from "./neighbour-clusters";
export * from "./host-addresses";
