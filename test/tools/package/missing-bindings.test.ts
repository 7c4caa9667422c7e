import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../fixtures/package-build";

/**
 * A checkout whose provider bindings were never generated (`npm ci --ignore-scripts`, or an
 * install cut short): the example app and cdktf.json as they are, node_modules as installed, no
 * `.gen/`. `cdktf synth` must name the project's own generator, not cdktf's downloading `cdktf get`.
 */
describe("cdktf synth without the generated provider bindings", () => {
  const checkout = mkdtempSync(join(tmpdir(), "havip-no-bindings-"));
  afterAll(() => rmSync(checkout, { recursive: true, force: true }));

  it("says to run npm run get, in one line, with no stack trace, and exits non-zero", () => {
    for (const entry of ["main.ts", "cdktf.json", "package.json", "tsconfig.json", "app", "lib"]) {
      cpSync(join(REPO_ROOT, entry), join(checkout, entry), { recursive: true });
    }
    symlinkSync(join(REPO_ROOT, "node_modules"), join(checkout, "node_modules"));
    const synth = spawnSync(join(REPO_ROOT, "node_modules/.bin/cdktf"), ["synth"], {
      cwd: checkout,
      encoding: "utf8",
      env: { ...process.env, CHECKPOINT_DISABLE: "1", CI: "1", HAVIP_DEBUG: "" },
      timeout: 120_000,
    });
    const output = `${synth.stdout}${synth.stderr}`;
    expect(synth.status, output).not.toBe(0);
    expect(output).toContain("The Tencent provider bindings in .gen/ are missing or incomplete");
    expect(output).toContain("run `npm run get`, then synth again.");
    expect(output).not.toContain('run "cdktf get"');
    expect(output).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
  }, 150_000);
});
