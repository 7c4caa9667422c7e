export * from "./ha-vip-cluster";
export * from "./ha-vip-cluster-props";
export * from "./ha-vip-network";
// The post-apply hook on its own, for a stack that provisions a spec it builds itself.
export { addPostApplyProvisioning, clusterSpecJson, type ProvisioningRun } from "./post-apply-provisioning";
