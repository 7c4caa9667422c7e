import * as fs from "node:fs";
import { runCommand } from "./host-command";

/** Mount points at or below `dir` in this process's mount namespace, in the order they were mounted. */
export function mountPointsUnder(dir: string): string[] {
  const prefix = `${dir.replace(/\/+$/, "")}/`;
  return fs
    .readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1]?.replace(/\\040/g, " "))
    .filter((mountPoint): mountPoint is string => mountPoint !== undefined && `${mountPoint}/`.startsWith(prefix));
}

/** Unmounts everything at or below `dir`, deepest first (lazily when a mount is busy); returns what is still mounted. */
export async function unmountAllUnder(dir: string): Promise<string[]> {
  for (const mountPoint of mountPointsUnder(dir).reverse()) {
    const result = await runCommand(["umount", mountPoint]);
    if (result.code !== 0) await runCommand(["umount", "--lazy", mountPoint]);
  }
  return mountPointsUnder(dir);
}
