export * from "./template-text";
