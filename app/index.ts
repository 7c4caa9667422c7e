export * from "./example-config";
export * from "./example-stack";
export * from "./load-example-config";
