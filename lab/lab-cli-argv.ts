import { join } from "node:path";
import { packageRoot } from "../lib/spec/provision-invocation";

/** The argv of one lab command (`lab/bin/havip-lab.cjs <command>`), run by the node on PATH: one process, no shell. */
export function labCliArgv(command: string, root: string = packageRoot()): string[] {
  return ["node", join(root, "lab", "bin", "havip-lab.cjs"), command];
}
