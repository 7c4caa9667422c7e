import { spawnSync } from "node:child_process";

/** True when `name` is on PATH. Under CI=true a missing tool fails the run instead of skipping. */
export function toolAvailable(name: string): boolean {
  const found = spawnSync("sh", ["-c", 'command -v "$1"', "sh", name], { encoding: "utf8" }).status === 0;
  if (!found && process.env.CI === "true") {
    throw new Error(`${name} is not installed, and CI=true forbids skipping the tests that need it`);
  }
  return found;
}

/** keepalived -t in a private network namespace needs root; under CI=true its absence is a failure. */
export function runningAsRoot(): boolean {
  const root = process.getuid?.() === 0;
  if (!root && process.env.CI === "true") throw new Error("the keepalived -t tests need root, and CI=true forbids skipping them");
  return root;
}
