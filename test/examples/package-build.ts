import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

export const REPO_ROOT = resolve(__dirname, "../..");
export const PACKAGE_NAME = "tencentcloud-havip-cluster";
export const BUILT_ENTRY = join(REPO_ROOT, "dist", "lib", "index.js");

/** These tests exercise the package as users get it: compiled. */
export function requireBuiltPackage(): void {
  if (!existsSync(BUILT_ENTRY)) throw new Error(`${BUILT_ENTRY} is missing: run \`npm run build\` before these tests`);
}

/** Node's own require from the repository root, so the package name resolves through package.json "exports". */
export const requireFromRoot = createRequire(join(REPO_ROOT, "package.json"));
