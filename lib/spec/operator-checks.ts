import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { SshSettings } from "../core/cluster-settings";
import type { SettingsProblem } from "../core/settings-error";
import { describeOperatorPath, resolveOperatorPath } from "./operator-path";
import { sshKeyFileProblems } from "./ssh-key-file";

const hasFingerprints = (ssh: SshSettings) => Object.keys(ssh.hostKeyFingerprints ?? {}).length > 0;

/**
 * New CVMs have host keys nobody knows yet: without trust-on-first-use, pinned fingerprints or a
 * known_hosts file, the provisioner refuses them, and a deploy stops after the cloud resources
 * exist. Checked at synth: the settings alone decide it.
 */
export function hostKeyTrustProblems(ssh: SshSettings, field: string): SettingsProblem[] {
  if (ssh.trustOnFirstUse === true || hasFingerprints(ssh) || ssh.knownHostsPath !== undefined) return [];
  return [
    {
      field,
      value: "(no knownHostsPath, hostKeyFingerprints or trustOnFirstUse)",
      rule: `gives the provisioner no way to trust the new nodes' host keys: set ${field}.knownHostsPath with ${field}.trustOnFirstUse: true (first-seen keys are recorded, a changed key is refused), or ${field}.hostKeyFingerprints`,
    },
  ];
}

/** The nearest directory that exists at or above `path`. */
function existingAncestor(path: string): string {
  let dir = path;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/**
 * The known_hosts file as the run will use it: with trust-on-first-use it must be writable (or
 * creatable); as the only source of trust it must exist. Pinned fingerprints need no file.
 */
export function knownHostsFileProblems(ssh: SshSettings, field: string): SettingsProblem[] {
  const written = ssh.knownHostsPath;
  if (written === undefined || hasFingerprints(ssh)) return [];
  const path = resolveOperatorPath(written);
  const refuse = (rule: string): SettingsProblem[] => [{ field: `${field}.knownHostsPath`, value: describeOperatorPath(written), rule }];
  if (existsSync(path)) {
    if (!statSync(path).isFile()) return refuse("is not a file (the nodes' host keys are pinned there)");
    try {
      accessSync(path, ssh.trustOnFirstUse === true ? constants.R_OK | constants.W_OK : constants.R_OK);
      return [];
    } catch (error) {
      return refuse(`cannot be ${ssh.trustOnFirstUse === true ? "read and written" : "read"}: ${(error as Error).message}`);
    }
  }
  if (ssh.trustOnFirstUse !== true) {
    return refuse(
      `does not exist, so no host key of the new nodes is known: set ${field}.trustOnFirstUse: true (first-seen keys are recorded there, a changed key is refused), or pin ${field}.hostKeyFingerprints`,
    );
  }
  const dir = existingAncestor(dirname(path));
  try {
    if (!statSync(dir).isDirectory()) return refuse(`cannot be created: ${dir} is not a directory`);
    accessSync(dir, constants.W_OK | constants.X_OK);
    return [];
  } catch (error) {
    return refuse(`cannot be created (first-seen host keys are recorded there): ${(error as Error).message}`);
  }
}

/** Without a key file the provisioner signs in with the SSH agent: one must be there. */
export function sshAgentProblems(ssh: SshSettings, field: string, env: NodeJS.ProcessEnv): SettingsProblem[] {
  if (ssh.privateKeyPath !== undefined) return [];
  const socket = env.SSH_AUTH_SOCK;
  const fix = `set ${field}.privateKeyPath to your private key, or start an SSH agent and ssh-add the key`;
  if (!socket)
    return [{ field: `${field}.privateKeyPath`, value: "(missing)", rule: `and no SSH agent (SSH_AUTH_SOCK is not set): ${fix}` }];
  try {
    if (statSync(socket).isSocket()) return [];
  } catch {
    // fall through: not there
  }
  return [{ field: `${field}.privateKeyPath`, value: "(missing)", rule: `and SSH_AUTH_SOCK ${socket} is not a socket: ${fix}` }];
}

/**
 * Everything about SSH the operator's machine must have before a provisioning run can work, found
 * without opening a connection: the key (file or agent), host-key trust and the known_hosts file.
 */
export function operatorMachineProblems(ssh: SshSettings, field: string, env: NodeJS.ProcessEnv): SettingsProblem[] {
  return [
    ...sshKeyFileProblems(ssh, field),
    ...sshAgentProblems(ssh, field, env),
    ...hostKeyTrustProblems(ssh, field),
    ...knownHostsFileProblems(ssh, field),
  ];
}
