import type { SettingsProblem } from "../settings-error";
import { type RuleTable, checkFields, problem, textRule } from "./field-rule";
import { isPlainObject } from "./show-value";
import type { ClusterSpec } from "../cluster-settings";
import { keyTable, unknownKeysIn } from "./setting-keys";

export const KEEPALIVED_SOURCE_KEYS = keyTable<NonNullable<ClusterSpec["keepalivedSource"]>>({ url: "leaf", sha256: "leaf" });

const SOURCE_RULES = {
  url: textRule("must be an https:// URL", (url) => /^https:\/\/[^\s]+$/.test(url)),
  sha256: textRule("must be 64 lowercase hex digits (the tarball's SHA-256 as sha256sum prints it)", (sha) => /^[0-9a-f]{64}$/.test(sha)),
} as const satisfies RuleTable;

/**
 * The source tarball fallback: an https URL and its SHA-256 for `sha256sum -c`. One spelling,
 * lowercase as `sha256sum` prints it, for the construct and a spec read back alike.
 */
export function validateKeepalivedSource(source: unknown, field: string): SettingsProblem[] {
  if (source === undefined) return [];
  if (!isPlainObject(source)) return [problem(field, source, "must be { url, sha256 }")];
  return [...unknownKeysIn(source, KEEPALIVED_SOURCE_KEYS, field), ...checkFields(source, SOURCE_RULES, field, ["url", "sha256"])];
}
