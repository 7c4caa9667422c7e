export * from "./cloud-network-layout";
export * from "./cloud-network";
export * from "./vpc-router-model";
export * from "./arp-watcher";
export * from "./link-impairment-model";
export * from "./link-impairment";
