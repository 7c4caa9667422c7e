import type { Command } from "commander";
import { readClusterSpec, requireSshKeyFile, type ClusterSpecSource, type SshOverrides } from "../spec/load-cluster-spec";
import { CLUSTER_OPTION_FLAGS as FLAGS } from "../spec/provision-invocation";
import { refuseLabSpecOutsideLab } from "./lab-spec-guard";

/** What addClusterOptions parses: where the spec comes from, and the SSH settings that override it. */
export type ClusterOptions = ClusterSpecSource & SshOverrides;

/** The CLI's options for SSH settings, named in messages beside the settings. */
export const SSH_OPTION_FLAGS = { privateKey: FLAGS.privateKey, trustOnFirstUse: FLAGS.trustOnFirstUse } as const;

/** Options every command that talks to a cluster shares. */
export function addClusterOptions(command: Command): Command {
  return command
    .option(`${FLAGS.specFile} <path>`, "cluster spec JSON (as the lab writes it, or one cluster's `<id>-spec` output)")
    .option(
      `${FLAGS.outputsFile} <path>`,
      "stack outputs from `npx cdktf output --outputs-file <path>` (or `terraform output -json`; - reads stdin)",
    )
    .option(`${FLAGS.cluster} <name>`, "which cluster, when the outputs hold several")
    .option(`${FLAGS.user} <name>`, "SSH user (overrides the spec)")
    .option(`${FLAGS.privateKey} <path>`, "SSH private key (overrides the spec; default: the spec's, else the SSH agent)")
    .option(`${FLAGS.knownHosts} <path>`, "known_hosts file that pins the nodes' host keys")
    .option(FLAGS.trustOnFirstUse, "accept and record unknown host keys (a changed key is still refused)");
}

/**
 * The spec a command works on: read and validated, refused when it is a lab's spec outside its lab
 * (its addresses would leave through the host's routes), and its key file checked.
 */
export function clusterSpecFrom(options: ClusterOptions) {
  const spec = readClusterSpec(options, options, process.env);
  refuseLabSpecOutsideLab(spec);
  requireSshKeyFile(spec, options);
  return spec;
}
