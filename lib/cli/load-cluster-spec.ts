import { readFileSync } from "node:fs";
import type { ClusterSpec, SshSettings } from "../core/cluster-settings";
import { validateClusterSpec } from "../core/keepalived";
import { throwIfProblems } from "../core/settings-error";
import { refuseLabSpecOutsideLab } from "./lab-spec-guard";

/** Environment variable through which the construct's local-exec hands the spec to the CLI. */
export const CLUSTER_SPEC_ENV = "HAVIP_CLUSTER_SPEC";

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

export function applySshOverrides(spec: ClusterSpec, overrides: SshOverrides): ClusterSpec {
  const ssh: SshSettings = {
    ...spec.ssh,
    ...(overrides.user !== undefined ? { user: overrides.user } : {}),
    ...(overrides.privateKey !== undefined ? { privateKeyPath: overrides.privateKey } : {}),
    ...(overrides.knownHosts !== undefined ? { knownHostsPath: overrides.knownHosts } : {}),
    ...(overrides.trustOnFirstUse ? { trustOnFirstUse: true } : {}),
  };
  return { ...spec, ssh };
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

/** Loads, selects and validates the cluster spec from a spec file, an outputs file or the environment. */
export function loadClusterSpec(source: ClusterSpecSource, overrides: SshOverrides, env: NodeJS.ProcessEnv): ClusterSpec {
  let spec: ClusterSpec;
  if (source.specFile) {
    spec = selectClusterSpec(findClusterSpecs(readJsonFile(source.specFile, "--spec-file")), source.cluster, source.specFile);
  } else if (source.outputsFile) {
    spec = selectClusterSpec(findClusterSpecs(readJsonFile(source.outputsFile, "--outputs-file")), source.cluster, source.outputsFile);
  } else if (env[CLUSTER_SPEC_ENV]) {
    spec = selectClusterSpec(findClusterSpecs(env[CLUSTER_SPEC_ENV]), source.cluster, `$${CLUSTER_SPEC_ENV}`);
  } else {
    throw new SpecSourceError(
      `no cluster given: pass --spec-file FILE, or --outputs-file FILE (from \`npx cdktf output --outputs-file FILE\`), or set ${CLUSTER_SPEC_ENV}`,
    );
  }
  const withOverrides = applySshOverrides(spec, overrides);
  throwIfProblems(`cluster ${withOverrides.clusterName}`, validateClusterSpec(withOverrides));
  refuseLabSpecOutsideLab(withOverrides);
  return withOverrides;
}
