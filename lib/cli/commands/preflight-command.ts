import type { Command } from "commander";
import type { SshSettings } from "../../core/cluster-settings";
import { throwIfProblems } from "../../core/settings-error";
import { nameOverriddenFields } from "../../spec/load-cluster-spec";
import { operatorMachineProblems } from "../../spec/operator-checks";
import { describeOperatorPath } from "../../spec/operator-path";
import { readPreflightInput } from "../../spec/preflight-input";
import { PREFLIGHT_ENV } from "../../spec/provision-invocation";
import { addClusterOptions, type ClusterOptions } from "../cluster-options";

/** One line on how the provisioner will sign in and trust the nodes' host keys. */
function describeReadiness(ssh: SshSettings): string {
  const key = ssh.privateKeyPath !== undefined ? `key ${describeOperatorPath(ssh.privateKeyPath)}` : "the SSH agent";
  const trust =
    Object.keys(ssh.hostKeyFingerprints ?? {}).length > 0
      ? "pinned host-key fingerprints"
      : ssh.trustOnFirstUse === true
        ? `host keys trusted on first use and recorded in ${describeOperatorPath(ssh.knownHostsPath ?? "")}`
        : `host keys pinned in ${describeOperatorPath(ssh.knownHostsPath ?? "")}`;
  return `signs in as ${ssh.user ?? "root"} with ${key}; ${trust}`;
}

/** `havip-cluster preflight`: what this machine needs before a deploy creates anything, checked without a connection. */
export function registerPreflightCommand(program: Command): void {
  addClusterOptions(
    program
      .command("preflight")
      .description(
        `check this machine for a provisioning run without connecting: the SSH key (file or agent), host-key trust, the known_hosts file (reads $${PREFLIGHT_ENV}, which cdktf deploy sets before creating anything, or a spec from --spec-file, --outputs-file or $HAVIP_CLUSTER_SPEC)`,
      ),
  ).action((options: ClusterOptions) => {
    const input = readPreflightInput(options, options, process.env);
    throwIfProblems(
      `cluster ${input.clusterName} (checked before anything is created)`,
      nameOverriddenFields(operatorMachineProblems(input.ssh, "ssh", process.env), options, "ssh"),
    );
    process.stdout.write(`preflight ${input.clusterName}: ready: the provisioner ${describeReadiness(input.ssh)}\n`);
  });
}
