import type { Command } from "commander";
import { loadClusterSpec, type ClusterSpecSource, type SshOverrides } from "./load-cluster-spec";

/** What addClusterOptions parses: where the spec comes from, and the SSH settings that override it. */
export type ClusterOptions = ClusterSpecSource & SshOverrides;

/** Options every command that talks to a cluster shares. */
export function addClusterOptions(command: Command): Command {
  return command
    .option("--spec-file <path>", "cluster spec JSON (as the lab writes it, or one cluster's `<id>-spec` output)")
    .option(
      "--outputs-file <path>",
      "stack outputs from `npx cdktf output --outputs-file <path>` (or `terraform output -json`; - reads stdin)",
    )
    .option("--cluster <name>", "which cluster, when the outputs hold several")
    .option("--user <name>", "SSH user (overrides the spec)")
    .option("--private-key <path>", "SSH private key (overrides the spec; default: the spec's, else the SSH agent)")
    .option("--known-hosts <path>", "known_hosts file that pins the nodes' host keys")
    .option("--trust-on-first-use", "accept and record unknown host keys (a changed key is still refused)");
}

export function clusterSpecFrom(options: ClusterOptions) {
  return loadClusterSpec(options, options, process.env);
}
