import { Token } from "cdktf";
import type { SshSettings } from "../../core/cluster-settings";
import type { SettingsProblem } from "../../core/settings-error";
import { describeProblem } from "../../core/settings-error";
import { isPlainObject } from "../../core/validation";
import { hostKeyTrustProblems, knownHostsFileProblems } from "../../spec/operator-checks";
import { sshKeyFileProblems } from "../../spec/ssh-key-file";

export interface DeploySshChecks {
  /** The deploy could not provision the nodes: refused at synth. */
  readonly errors: readonly SettingsProblem[];
  /** What the preflight will refuse at deploy unless it changes by then (a known_hosts file not there yet). */
  readonly warnings: readonly string[];
}

const literal = (path: string | undefined): path is string => typeof path === "string" && !Token.isUnresolved(path);

/**
 * What synth can tell about a deploy's provisioning from the operator's machine: the private key
 * file (there, readable, a private key, no passphrase) and a way to trust the new nodes' host keys.
 * A value given as a Terraform expression is left to the preflight, which sees it resolved.
 */
export function deploySshChecks(ssh: unknown): DeploySshChecks {
  const settings: SshSettings = isPlainObject(ssh) ? (ssh as SshSettings) : {};
  const keyFile = literal(settings.privateKeyPath) ? sshKeyFileProblems(settings, "ssh") : [];
  const knownHosts = literal(settings.knownHostsPath) ? knownHostsFileProblems(settings, "ssh") : [];
  return {
    errors: [...keyFile, ...hostKeyTrustProblems(settings, "ssh")],
    warnings: knownHosts.map((problem) => `${describeProblem(problem)}; the deploy's preflight refuses it before creating anything`),
  };
}
