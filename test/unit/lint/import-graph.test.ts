import { readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM module of the lint config, without type declarations
import { cycleThrough, importClosure, runtimeImports } from "../../../eslint-import-graph.mjs";

const REPO_ROOT = resolve(__dirname, "../../..");

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const own = (files: Iterable<string>) => [...files].map((file) => relative(REPO_ROOT, file)).sort();

describe("the import graph", () => {
  it("has no cycle in the package, the lab, the bench, the example app or the local cloud", () => {
    const cycles = ["lib", "lab", "bench", "app", "local-cloud"]
      .flatMap((dir) => typeScriptFiles(join(REPO_ROOT, dir)))
      .flatMap((file) => {
        const chain = cycleThrough(file, runtimeImports(file)) as string[] | undefined;
        return chain ? [own(chain).join(" -> ")] : [];
      });
    expect(cycles).toEqual([]);
  });

  it("from lib/index.ts reaches nothing of the CLI, the lab, the bench, the app, scripts or tests", () => {
    const closure = own(importClosure(join(REPO_ROOT, "lib", "index.ts")) as Set<string>);
    expect(closure.length).toBeGreaterThan(20);
    expect(closure.filter((file) => !file.startsWith("lib/") && !file.startsWith(".gen/"))).toEqual([]);
    expect(closure.filter((file) => file.startsWith("lib/cli/"))).toEqual([]);
  });
});
