import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const PACKAGE_NAME = "tencentcloud-havip-cluster";

/**
 * The hand-off between the sides that start a provisioning run (the construct's local-exec,
 * `lab up`, the benchmarks) and the CLI that performs it: the spec travels in this environment
 * variable, and the command is `provisionArgv()`.
 */
export const CLUSTER_SPEC_ENV = "HAVIP_CLUSTER_SPEC";

/** The folder of this package's package.json, from either lib/ (sources) or dist/lib/ (built). */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${from}`);
  }
}

/** This package's version, from its package.json (`havip-cluster --version`). */
export function packageVersion(root: string = packageRoot()): string {
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
}

/**
 * The argv that provisions a cluster whose spec is in $HAVIP_CLUSTER_SPEC. cdktf's local-exec
 * runs exactly this (as interpreter + command, so no shell parses it), and so does `lab up`.
 */
export function provisionArgv(root: string = packageRoot()): string[] {
  return cliArgv("provision", root);
}

/**
 * What `havip-cluster preflight` checks when the construct runs it before the first cloud
 * resource: the cluster's name and SSH settings (nothing known only after apply), as JSON in
 * this environment variable.
 */
export const PREFLIGHT_ENV = "HAVIP_PREFLIGHT";

/** The argv that checks the operator's machine for a cluster whose SSH settings are in $HAVIP_PREFLIGHT. */
export function preflightArgv(root: string = packageRoot()): string[] {
  return cliArgv("preflight", root);
}

/** The argv of one `havip-cluster` command, run by the node on PATH. */
export function cliArgv(command: string, root: string = packageRoot()): string[] {
  return ["node", join(root, "bin", "havip-cluster.cjs"), command];
}

/** The options of every command that talks to a cluster: where the spec comes from, and the SSH settings that override it. */
export const CLUSTER_OPTION_FLAGS = {
  specFile: "--spec-file",
  outputsFile: "--outputs-file",
  cluster: "--cluster",
  user: "--user",
  privateKey: "--private-key",
  knownHosts: "--known-hosts",
  trustOnFirstUse: "--trust-on-first-use",
} as const;

/** The options of `provision`; the construct's deploy gates write `--node` and `--peer-via-node` (nodeGateArgs). */
export const PROVISION_FLAGS = {
  dryRun: "--dry-run",
  verbose: "--verbose",
  json: "--json",
  vipTimeout: "--vip-timeout",
  connectTimeout: "--connect-timeout",
  allowUncheckedConfig: "--allow-unchecked-config",
  upgradeKeepalived: "--upgrade-keepalived",
  lockTimeout: "--lock-timeout",
  node: "--node",
  withoutPeer: "--without-peer",
  peerViaNode: "--peer-via-node",
} as const;

/**
 * The arguments after `provision` that re-provision one node and wait until it is healthy (a
 * deploy gate); with `peerViaNode` the peer is reached through that node.
 */
export function nodeGateArgs(nodeName: string, options: { readonly peerViaNode: boolean }): string[] {
  return [PROVISION_FLAGS.node, nodeName, ...(options.peerViaNode ? [PROVISION_FLAGS.peerViaNode] : [])];
}
