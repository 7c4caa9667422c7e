export * from "./cloud-lab";
export * from "./cloud-lab-layout";
export * from "./lab-cloud-host";
export * from "./lab-images";
export * from "./operator-tools";
export * from "./provider-mirror";
export * from "./lab-faults";
