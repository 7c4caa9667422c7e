import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PACKAGE_LOCK_PATH, withPackageLock } from "../../../lib/core/node/package-lock";

const flockAvailable = spawnSync("flock", ["--version"], { stdio: "ignore" }).status === 0;
const skip = !flockAvailable && process.env.CI !== "true";
if (skip) console.log("package lock tests skipped: no flock(1) (util-linux)");

describe.skipIf(skip)("the node's package lock (withPackageLock), run by sh with a scratch lock file", () => {
  let dir: string;
  let lock: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "havip-package-lock-"));
    lock = join(dir, "packages.lock");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The wrapped script with the scratch lock file in place of the node's. */
  const wrapped = (script: string) => withPackageLock(script).replaceAll(PACKAGE_LOCK_PATH, lock);

  it("waits for a package step of a killed run that still holds the lock, then runs", async () => {
    const marker = join(dir, "released");
    const holder = spawn("flock", [lock, "sh", "-c", `sleep 1; echo released > '${marker}'`], { stdio: "ignore" });
    await new Promise((settle) => setTimeout(settle, 300));
    // The step reads what the holder writes only once it is done: had it not waited, the file would be missing.
    const run = spawnSync("sh", ["-c", wrapped(`cat '${marker}'`)], { encoding: "utf8" });
    holder.kill();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe("released\n");
  });

  it("passes the script's exit code on", () => {
    const run = spawnSync("sh", ["-c", wrapped("echo failing >&2; exit 100")], { encoding: "utf8" });
    expect(run.status).toBe(100);
    expect(run.stderr).toBe("failing\n");
  });

  it("is free once the script ends, even when the script left a daemon running", () => {
    const run = spawnSync("sh", ["-c", wrapped("sleep 3 >/dev/null 2>&1 &")], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const after = spawnSync("flock", ["-n", lock, "true"]);
    expect(after.status).toBe(0);
  });
});
