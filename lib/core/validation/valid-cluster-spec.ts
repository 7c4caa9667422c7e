import type { ClusterSpec } from "../cluster-settings";
import { usesVrrpV3 } from "../keepalived/vrrp-version";
import { type SettingsProblem, throwIfProblems } from "../settings-error";
import { validateAuthPass } from "./auth-pass-rule";
import { specLabel, validateClusterSpec } from "./cluster-spec";
import { KEEPALIVED_RULES } from "./keepalived-rules";

declare const VALID: unique symbol;

/**
 * A ClusterSpec that validateClusterSpec found nothing wrong with. The edge that reads a spec
 * validates it once into this type; everything after it (planning, rendering) takes this type and
 * does not validate again.
 */
export type ValidClusterSpec = ClusterSpec & { readonly [VALID]: true };

// The objects found valid: a spec copied or changed afterwards is not in here.
const validSpecs = new WeakSet<object>();

export function isValidClusterSpec(spec: unknown): spec is ValidClusterSpec {
  return typeof spec === "object" && spec !== null && validSpecs.has(spec);
}

export interface SpecValidationOptions {
  /** What the message is about. @default - `cluster <clusterName>` */
  readonly context?: string;
  /** Rewrites the problems before they are thrown (e.g. to name the CLI option that set a field). */
  readonly nameProblems?: (problems: readonly SettingsProblem[]) => SettingsProblem[];
}

/** The spec as a ValidClusterSpec, validated unless it already is one; throws a SettingsError naming every problem. */
export function requireValidClusterSpec(spec: unknown, options: SpecValidationOptions = {}): ValidClusterSpec {
  if (isValidClusterSpec(spec)) return spec;
  const problems = validateClusterSpec(spec);
  throwIfProblems(options.context ?? `cluster ${specLabel(spec)}`, options.nameProblems ? options.nameProblems(problems) : problems);
  validSpecs.add(spec as object);
  return spec as ValidClusterSpec;
}

/**
 * The spec with its VRRP password settled (the configured one, the one the pair already shares, or
 * a new one): the one place the provisioner puts it. VRRPv3 has no authentication, so there the
 * spec stays without one. Only the password is checked: the rest was valid already.
 */
export function withAuthPass(spec: ValidClusterSpec, authPass: string): ValidClusterSpec {
  if (usesVrrpV3(spec.advertIntSeconds)) return spec;
  if (spec.authPass === authPass) return spec;
  throwIfProblems(`cluster ${specLabel(spec)}`, validateAuthPass(authPass, "authPass"));
  const settled = { ...spec, authPass };
  validSpecs.add(settled);
  return settled;
}

/** The spec with another script user (e.g. root for a config test on a release that cannot drop privileges in it). */
export function withScriptUser(spec: ValidClusterSpec, scriptUser: string): ValidClusterSpec {
  if (spec.scriptUser === scriptUser) return spec;
  throwIfProblems(`cluster ${specLabel(spec)}`, KEEPALIVED_RULES.scriptUser.check(scriptUser, "scriptUser"));
  const changed = { ...spec, scriptUser };
  validSpecs.add(changed);
  return changed;
}

/**
 * The spec with its SSH file paths as `resolvePath` reads them (the edge passes how the operator's
 * machine resolves `~/` and relative paths). Resolved paths are absolute, so they stay valid.
 */
export function withOperatorPaths(spec: ValidClusterSpec, resolvePath: (path: string) => string): ValidClusterSpec {
  const { privateKeyPath, knownHostsPath } = spec.ssh;
  const ssh = {
    ...spec.ssh,
    ...(privateKeyPath !== undefined ? { privateKeyPath: resolvePath(privateKeyPath) } : {}),
    ...(knownHostsPath !== undefined ? { knownHostsPath: resolvePath(knownHostsPath) } : {}),
  };
  if (ssh.privateKeyPath === privateKeyPath && ssh.knownHostsPath === knownHostsPath) return spec;
  const resolved = { ...spec, ssh };
  validSpecs.add(resolved);
  return resolved;
}
