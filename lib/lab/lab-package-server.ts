import { spawn } from "node:child_process";
import * as fs from "node:fs";
import type { LabLayout } from "./lab-layout";
import { LAB_PACKAGE_PORT } from "./release-roots";

/** The distribution's Python, not a per-user one that may be missing inside `ip netns exec` or differ per machine. */
export const PACKAGE_SERVER_PYTHON = "/usr/bin/python3";

/** argv of the lab's package source: a static HTTP server on the operator's lab address, nothing else listening. */
export function packageServerArgv(lab: LabLayout, packagesRootDir: string): string[] {
  return [
    "ip", "netns", "exec", lab.operatorNamespace,
    PACKAGE_SERVER_PYTHON, "-m", "http.server", String(LAB_PACKAGE_PORT), "--bind", lab.operatorIp, "--directory", packagesRootDir,
  ];
}

/**
 * Starts the package server in the operator namespace, detached (it lives until `lab down`
 * kills every process in the lab's namespaces). Its request log goes to the state dir.
 */
export function startPackageServer(lab: LabLayout, packagesRootDir: string, logPath: string): void {
  const log = fs.openSync(logPath, "a", 0o600);
  try {
    const [file, ...args] = packageServerArgv(lab, packagesRootDir);
    const child = spawn(file, args, { detached: true, stdio: ["ignore", log, log] });
    child.on("error", () => undefined);
    child.unref();
  } finally {
    fs.closeSync(log);
  }
}
