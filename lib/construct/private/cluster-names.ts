import { createHash } from "node:crypto";
import type { SettingsProblem } from "../../core/settings-error";

/** Tencent key pair names: letters, digits and underscores, at most 25 characters. */
export const KEY_PAIR_NAME_MAX_LENGTH = 25;
const KEY_PAIR_SUFFIX = "_key";
const HASH_LENGTH = 8;

const shortHash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, HASH_LENGTH);

/**
 * The key pair name of a cluster. A name that fits as it is keeps `<name>_key` (what earlier
 * versions made, so deployed key pairs are not replaced); one that had to be changed to fit
 * (`-` -> `_`, cut to length) ends in a hash of the whole name instead, so `web-a` and `web_a`,
 * or two long names with one prefix, never get the same key pair. A deployed key pair whose name
 * changes this way is renamed in place (the provider's Update calls ModifyKeyPairName; the key
 * id, and so the CVMs' key_ids, stay).
 */
export function keyPairName(clusterName: string): string {
  const fits = KEY_PAIR_NAME_MAX_LENGTH - KEY_PAIR_SUFFIX.length;
  if (/^[A-Za-z0-9_]+$/.test(clusterName) && clusterName.length <= fits) return `${clusterName}${KEY_PAIR_SUFFIX}`;
  const prefix = clusterName.replace(/[^A-Za-z0-9_]/g, "_").slice(0, KEY_PAIR_NAME_MAX_LENGTH - HASH_LENGTH - 1);
  return `${prefix}_${shortHash(clusterName)}`;
}

/**
 * Prefix of a cluster's output names, from its construct path below the stack: `web` for a
 * cluster `web` in the stack (as before), `team_web` for `team/web`. Characters Terraform does
 * not allow in a name become `_`; a name that would not start with a letter or `_` gets one.
 */
export function outputPrefix(pathBelowStack: readonly string[]): string {
  const joined = pathBelowStack.map((part) => part.replace(/[^A-Za-z0-9_-]/g, "_")).join("_");
  return /^[A-Za-z_]/.test(joined) ? joined : `_${joined}`;
}

/** The names one cluster claims: in the app (Tencent names are per account) and in its stack (outputs). */
export interface ClusterNames {
  /** Construct path, for messages. */
  readonly path: string;
  /** Construct path of the stack the cluster is in. */
  readonly stackPath: string;
  readonly clusterName: string;
  readonly keyPairName: string;
  readonly outputPrefix: string;
}

/** Names of `candidate` that an earlier cluster of the same app already uses. */
export function findNameConflicts(candidate: ClusterNames, earlier: readonly ClusterNames[]): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  for (const other of earlier) {
    if (other.clusterName === candidate.clusterName) {
      problems.push({
        field: "clusterName",
        value: candidate.clusterName,
        rule: `is already the name of cluster '${other.path}' in this app; it prefixes every Tencent resource name, so give each cluster its own`,
      });
    } else if (other.keyPairName === candidate.keyPairName) {
      problems.push({
        field: "clusterName",
        value: candidate.clusterName,
        rule: `gives key pair name ${candidate.keyPairName}, as cluster '${other.path}' (${other.clusterName}) does; choose a name that differs in its first 16 characters`,
      });
    }
    if (other.stackPath === candidate.stackPath && other.outputPrefix === candidate.outputPrefix) {
      problems.push({
        field: "(construct id)",
        value: candidate.path,
        rule: `gives output names ${candidate.outputPrefix}-*, as cluster '${other.path}' in the same stack does; use construct ids that differ in letters or digits`,
      });
    }
  }
  return problems;
}
