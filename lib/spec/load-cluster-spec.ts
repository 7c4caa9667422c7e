import { readFileSync } from "node:fs";
import type { ClusterSpec, SshSettings } from "../core/cluster-settings";
import { type SettingsProblem, throwIfProblems } from "../core/settings-error";
import { isPlainObject, requireValidClusterSpec, specLabel, type ValidClusterSpec, withOperatorPaths } from "../core/validation";
import { resolveOperatorPath } from "./operator-path";
import { sshKeyFileProblems } from "./ssh-key-file";
import { CLUSTER_OPTION_FLAGS, CLUSTER_SPEC_ENV } from "./provision-invocation";

export interface ClusterSpecSource {
  readonly specFile?: string;
  /** File written by `cdktf output --outputs-file` (or `terraform output -json`). */
  readonly outputsFile?: string;
  /** Picks one cluster when the outputs hold several. */
  readonly cluster?: string;
}

export interface SshOverrides {
  readonly user?: string;
  readonly privateKey?: string;
  readonly knownHosts?: string;
  readonly trustOnFirstUse?: boolean;
}

/** The spec could not be found or read: bad input, nothing was changed. */
export class SpecSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SpecSourceError";
  }
}

/**
 * A spec file that is one spec (rather than outputs holding specs) is taken as written, so a
 * wrong specVersion or any other broken field is named instead of "holds no cluster spec".
 */
function isSingleSpec(value: unknown): value is ClusterSpec {
  return isPlainObject(value) && ("specVersion" in value || "clusterName" in value);
}

function isClusterSpecLike(value: unknown): value is ClusterSpec {
  return typeof value === "object" && value !== null && (value as { specVersion?: unknown }).specVersion === 1;
}

/** Every ClusterSpec found in parsed outputs: JSON strings or objects, at any depth, `{ value }` wrappers included. */
export function findClusterSpecs(outputs: unknown): ClusterSpec[] {
  if (typeof outputs === "string") {
    if (!outputs.trimStart().startsWith("{")) return [];
    try {
      return findClusterSpecs(JSON.parse(outputs));
    } catch {
      return [];
    }
  }
  if (isClusterSpecLike(outputs)) return [outputs];
  if (typeof outputs !== "object" || outputs === null) return [];
  return Object.values(outputs).flatMap(findClusterSpecs);
}

export function selectClusterSpec(specs: readonly ClusterSpec[], cluster: string | undefined, origin: string): ClusterSpec {
  const names = specs.map((spec) => spec.clusterName);
  if (cluster !== undefined) {
    const chosen = specs.find((spec) => spec.clusterName === cluster);
    if (!chosen) throw new SpecSourceError(`--cluster ${cluster}: no such cluster in ${origin} (found: ${names.join(", ") || "none"})`);
    return chosen;
  }
  if (specs.length === 1) return specs[0];
  if (specs.length === 0) throw new SpecSourceError(`${origin} holds no cluster spec (an output whose JSON has "specVersion": 1)`);
  throw new SpecSourceError(`${origin} holds ${specs.length} clusters (${names.join(", ")}); choose one with --cluster`);
}

/**
 * Outputs without a spec: most often a cluster whose spec output is sensitive (a VRRP password in
 * it), which `cdktf output --outputs-file` leaves out unless told otherwise.
 */
export function noSpecInOutputs(outputsFile: string): string {
  return (
    `${outputsFile} holds no cluster spec (an output whose JSON has "specVersion": 1). ` +
    "With keepalived.authPass set the <id>-spec output is sensitive, and cdktf leaves it out of the file: write it with " +
    `\`npx cdktf output --outputs-file ${outputsFile} --outputs-file-include-sensitive-outputs\`, or read it from Terraform: ` +
    "`terraform -chdir=cdktf.out/stacks/<stack> output -json | havip-cluster <command> --outputs-file -`"
  );
}

/**
 * Paths given on the command line are the user's, typed in their shell: `~/` is their home and a
 * relative path is relative to the directory the CLI runs in, as a spec's own paths are.
 */
export function resolveCliPath(path: string, cwd = process.cwd()): string {
  return resolveOperatorPath(path, cwd);
}

/** Which option set which spec field: a problem with an overridden field names the option. */
const OVERRIDE_OPTIONS: { readonly [key in keyof SshOverrides]-?: { readonly option: string; readonly sshKey: keyof SshSettings } } = {
  user: { option: CLUSTER_OPTION_FLAGS.user, sshKey: "user" },
  privateKey: { option: CLUSTER_OPTION_FLAGS.privateKey, sshKey: "privateKeyPath" },
  knownHosts: { option: CLUSTER_OPTION_FLAGS.knownHosts, sshKey: "knownHostsPath" },
  trustOnFirstUse: { option: CLUSTER_OPTION_FLAGS.trustOnFirstUse, sshKey: "trustOnFirstUse" },
};

export function nameOverriddenFields(
  problems: readonly SettingsProblem[],
  overrides: SshOverrides,
  sshField = "spec.ssh",
): SettingsProblem[] {
  return problems.map((problem) => {
    const entry = Object.entries(OVERRIDE_OPTIONS).find(
      ([key, { sshKey }]) => overrides[key as keyof SshOverrides] !== undefined && problem.field === `${sshField}.${sshKey}`,
    );
    return entry ? { ...problem, field: `${entry[1].option} (${problem.field})` } : problem;
  });
}

/** SSH settings with the command line's overrides over them. */
export function sshSettingsWithOverrides(ssh: SshSettings, overrides: SshOverrides): SshSettings {
  return {
    ...ssh,
    ...(overrides.user !== undefined ? { user: overrides.user } : {}),
    ...(overrides.privateKey !== undefined ? { privateKeyPath: overrides.privateKey } : {}),
    ...(overrides.knownHosts !== undefined ? { knownHostsPath: overrides.knownHosts } : {}),
    ...(overrides.trustOnFirstUse ? { trustOnFirstUse: true } : {}),
  };
}

export function applySshOverrides(spec: ClusterSpec, overrides: SshOverrides): ClusterSpec {
  // Not an object: leave it for validation to name, rather than spread a string's characters into one.
  if (!isPlainObject(spec.ssh)) return spec;
  return { ...spec, ssh: sshSettingsWithOverrides(spec.ssh, overrides) };
}

/** The overrides with their paths resolved as the user typed them (see resolveCliPath). */
export function resolvedSshOverrides(overrides: SshOverrides): SshOverrides {
  return {
    ...overrides,
    ...(overrides.privateKey !== undefined ? { privateKey: resolveCliPath(overrides.privateKey) } : {}),
    ...(overrides.knownHosts !== undefined ? { knownHosts: resolveCliPath(overrides.knownHosts) } : {}),
  };
}

function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    // "-" reads stdin, e.g. `terraform -chdir=cdktf.out/stacks/NAME output -json | havip-cluster status --outputs-file -`.
    text = readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (error) {
    throw new SpecSourceError(`${what} ${path} cannot be read: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SpecSourceError(`${what} ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Reads, selects and validates the cluster spec from a spec file, an outputs file or the
 * environment, with the SSH overrides applied (a problem in an overridden field names the option).
 * Checks no file the spec names: see requireSshKeyFile.
 */
export function readClusterSpec(source: ClusterSpecSource, overrides: SshOverrides, env: NodeJS.ProcessEnv): ValidClusterSpec {
  let spec: ClusterSpec;
  if (source.specFile) {
    const parsed = readJsonFile(source.specFile, CLUSTER_OPTION_FLAGS.specFile);
    spec =
      isSingleSpec(parsed) && source.cluster === undefined
        ? parsed
        : selectClusterSpec(findClusterSpecs(parsed), source.cluster, source.specFile);
  } else if (source.outputsFile) {
    const specs = findClusterSpecs(readJsonFile(source.outputsFile, CLUSTER_OPTION_FLAGS.outputsFile));
    if (specs.length === 0) throw new SpecSourceError(noSpecInOutputs(source.outputsFile));
    spec = selectClusterSpec(specs, source.cluster, source.outputsFile);
  } else if (env[CLUSTER_SPEC_ENV]) {
    spec = selectClusterSpec(findClusterSpecs(env[CLUSTER_SPEC_ENV]), source.cluster, `$${CLUSTER_SPEC_ENV}`);
  } else {
    throw new SpecSourceError(
      `no cluster given: pass --spec-file FILE, or --outputs-file FILE (from \`npx cdktf output --outputs-file FILE\`), or set ${CLUSTER_SPEC_ENV}`,
    );
  }
  const withOverrides = applySshOverrides(spec, resolvedSshOverrides(overrides));
  const valid = requireValidClusterSpec(withOverrides, { nameProblems: (problems) => nameOverriddenFields(problems, overrides) });
  // `~/` and relative paths in the spec are the operator's, as on the command line.
  return withOperatorPaths(valid, (path) => resolveOperatorPath(path));
}

/** Bad input too, and found before any connection: a private key file the spec names that is not there. */
export function requireSshKeyFile(spec: ClusterSpec, overrides: SshOverrides): void {
  throwIfProblems(`cluster ${specLabel(spec)}`, nameOverriddenFields(sshKeyFileProblems(spec.ssh, "spec.ssh"), overrides));
}

/** readClusterSpec, then requireSshKeyFile: a spec the provisioner can use. */
export function loadClusterSpec(source: ClusterSpecSource, overrides: SshOverrides, env: NodeJS.ProcessEnv): ValidClusterSpec {
  const spec = readClusterSpec(source, overrides, env);
  requireSshKeyFile(spec, overrides);
  return spec;
}
