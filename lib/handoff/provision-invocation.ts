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

/** The argv of one `havip-cluster` command, run by the node on PATH. */
export function cliArgv(command: string, root: string = packageRoot()): string[] {
  return ["node", join(root, "bin", "havip-cluster.cjs"), command];
}
