export * from "./credentials";
export * from "./api-error";
export * from "./vpc-client";
export type * from "./vpc-models";
export * from "./havip-bindings";
export * from "./keepalived-cloud-comparison";
export * from "./havip-binding-wait";
