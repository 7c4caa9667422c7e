import type { SshSettings } from "../core/cluster-settings";
import { throwIfProblems } from "../core/settings-error";
import { CLUSTER_NAME_RULE, checkRequired, isPlainObject, unknownKeyProblem, validateSshSettings } from "../core/validation";
import {
  type ClusterSpecSource,
  nameOverriddenFields,
  readClusterSpec,
  resolvedSshOverrides,
  type SshOverrides,
  SpecSourceError,
  sshSettingsWithOverrides,
} from "./load-cluster-spec";
import { PREFLIGHT_ENV } from "./provision-invocation";

/** What a preflight checks: the cluster's name (for messages) and how the provisioner will reach its nodes. */
export interface PreflightInput {
  readonly clusterName: string;
  readonly ssh: SshSettings;
}

const PREFLIGHT_KEYS = ["clusterName", "ssh"];

/**
 * The preflight's input: from `$HAVIP_PREFLIGHT` (the construct's pre-apply step, where nothing
 * about the nodes is known yet), else a whole cluster spec from the usual sources. The SSH
 * overrides apply either way; the settings are checked with the spec's rules.
 */
export function readPreflightInput(source: ClusterSpecSource, overrides: SshOverrides, env: NodeJS.ProcessEnv): PreflightInput {
  const text = env[PREFLIGHT_ENV];
  if (source.specFile !== undefined || source.outputsFile !== undefined || text === undefined || text === "") {
    const spec = readClusterSpec(source, overrides, env);
    return { clusterName: spec.clusterName, ssh: spec.ssh };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SpecSourceError(`$${PREFLIGHT_ENV} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(parsed)) throw new SpecSourceError(`$${PREFLIGHT_ENV} must be a JSON object { clusterName, ssh }`);
  const ssh = isPlainObject(parsed.ssh) ? sshSettingsWithOverrides(parsed.ssh, resolvedSshOverrides(overrides)) : parsed.ssh;
  throwIfProblems(`cluster ${String(parsed.clusterName)}`, [
    ...Object.keys(parsed)
      .filter((key) => !PREFLIGHT_KEYS.includes(key))
      .map((key) => unknownKeyProblem(key, key, parsed[key], PREFLIGHT_KEYS)),
    ...checkRequired(CLUSTER_NAME_RULE, parsed.clusterName, "clusterName"),
    ...nameOverriddenFields(validateSshSettings(ssh, "ssh"), overrides, "ssh"),
  ]);
  return { clusterName: parsed.clusterName as string, ssh: ssh as SshSettings };
}
