import type { SettingsProblem } from "../settings-error";
import { BOOLEAN_RULE, type RuleTable, checkFields, checkRequired, problem } from "./field-rule";
import { OPERATOR_FILE_PATH_RULE, JUMP_HOST_RULE, LOGIN_USER_RULE, PORT_RULE } from "./network-rules";
import { isPlainObject } from "./show-value";
import type { SshSettings } from "../cluster-settings";
import { keysOf, keyTable, unknownKeysIn } from "./setting-keys";

const SSH_RULES = {
  user: LOGIN_USER_RULE,
  privateKeyPath: OPERATOR_FILE_PATH_RULE,
  knownHostsPath: OPERATOR_FILE_PATH_RULE,
  trustOnFirstUse: BOOLEAN_RULE,
} as const satisfies RuleTable;

const JUMP_HOST_RULES = { host: JUMP_HOST_RULE, port: PORT_RULE, user: LOGIN_USER_RULE } as const satisfies RuleTable;

const JUMP_HOST_KEYS = keyTable<NonNullable<SshSettings["jumpHost"]>>({ host: "leaf", port: "leaf", user: "leaf" });

/** Every key of SshSettings, the jump host's included. */
export const SSH_KEYS = keyTable<SshSettings>({
  user: "leaf",
  privateKeyPath: "leaf",
  knownHostsPath: "leaf",
  trustOnFirstUse: "leaf",
  hostKeyFingerprints: "leaf",
  jumpHost: JUMP_HOST_KEYS,
});

export const SSH_SETTINGS_KEYS: readonly string[] = keysOf(SSH_KEYS);

/** `SHA256:` and 43 base64 characters, as `ssh-keygen -lf` prints a fingerprint. */
const SHA256_FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

function validateHostKeyFingerprints(fingerprints: unknown, field: string): SettingsProblem[] {
  if (fingerprints === undefined) return [];
  if (!isPlainObject(fingerprints)) return [problem(field, fingerprints, "must map SSH hosts to fingerprints")];
  return Object.entries(fingerprints)
    .filter(([, fingerprint]) => typeof fingerprint !== "string" || !SHA256_FINGERPRINT.test(fingerprint))
    .map(([host, fingerprint]) =>
      problem(`${field}[${JSON.stringify(host)}]`, fingerprint, "must be a SHA256:... fingerprint as `ssh-keygen -lf` prints it"),
    );
}

function validateJumpHost(jumpHost: unknown, field: string): SettingsProblem[] {
  if (jumpHost === undefined) return [];
  if (!isPlainObject(jumpHost)) return [problem(field, jumpHost, "must be { host, port?, user? }")];
  return [
    ...checkRequired(JUMP_HOST_RULES.host, jumpHost.host, `${field}.host`),
    ...checkFields(jumpHost, { port: JUMP_HOST_RULES.port, user: JUMP_HOST_RULES.user }, field),
  ];
}

/**
 * How the provisioner reaches the nodes: a user name, operator file paths, and trust-on-first-use only
 * with a known_hosts file.
 */
export function validateSshSettings(ssh: unknown, field: string): SettingsProblem[] {
  if (!isPlainObject(ssh)) return [problem(field, ssh, "must be an object (use {} for the defaults)")];
  const problems = [...unknownKeysIn(ssh, SSH_KEYS, field), ...checkFields(ssh, SSH_RULES, field)];
  // The provisioner only trusts a first-seen key it can record; without a file it would silently refuse.
  if (ssh.trustOnFirstUse === true && ssh.knownHostsPath === undefined) {
    problems.push(problem(`${field}.trustOnFirstUse`, true, `needs ${field}.knownHostsPath: the first-seen host keys are recorded there`));
  }
  return [
    ...problems,
    ...validateHostKeyFingerprints(ssh.hostKeyFingerprints, `${field}.hostKeyFingerprints`),
    ...validateJumpHost(ssh.jumpHost, `${field}.jumpHost`),
  ];
}
