import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { runCommand, runCommandOrThrow } from "../host/host-command";
import { networkNamespacePids, readProcessFacts } from "../host/lab-processes";
import { renderSupervisorScript } from "./lab-server-init";
import type { ServerLayout } from "./server-layout";

/** Mounts the server's root: its upper dir (its disk) over the read-only release root. */
export async function mountServerRoot(server: ServerLayout, releaseRootDir: string): Promise<void> {
  for (const dir of [server.upperDir, server.workDir, server.rootDir]) fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  await runCommandOrThrow([
    "mount",
    "-t",
    "overlay",
    "overlay",
    "-o",
    `lowerdir=${releaseRootDir},upperdir=${server.upperDir},workdir=${server.workDir}`,
    server.rootDir,
  ]);
}

/**
 * Starts the server's supervisor (which boots it with systemd-nspawn), detached: it outlives the
 * calling process until the server powers off or is stopped. `cgroupDirs`: the server's cgroup in
 * each hierarchy the host has.
 */
export function spawnSupervisor(server: ServerLayout, cgroupDirs: readonly string[]): void {
  fs.writeFileSync(server.supervisorScriptPath, renderSupervisorScript(server, cgroupDirs), { mode: 0o700 });
  fs.rmSync(server.supervisorPidPath, { force: true });
  const console = fs.openSync(server.consoleLogPath, "a", 0o600);
  try {
    const child = spawn("setsid", ["bash", server.supervisorScriptPath], { detached: true, stdio: ["ignore", console, console] });
    child.on("error", () => undefined);
    child.unref();
  } finally {
    fs.closeSync(console);
  }
}

/** Host PID of the server's PID 1 (systemd), found as the process of its network namespace that is PID 1 in its own pid namespace. */
export async function serverInitPid(server: Pick<ServerLayout, "namespace">): Promise<number | undefined> {
  for (const pid of await networkNamespacePids(server.namespace)) {
    const facts = readProcessFacts(pid);
    if (facts && facts.nsPids.length > 1 && facts.nsPids[facts.nsPids.length - 1] === 1) return pid;
  }
  return undefined;
}

/** Enters every namespace of the server's PID 1, its root and its working directory: a shell inside the machine. */
export function nsenterArgv(initPid: number): string[] {
  return ["nsenter", "-t", String(initPid), "-m", "-u", "-i", "-n", "-p", "-C", "-r", "-w", "--"];
}

/**
 * `systemctl is-system-running` inside the server: running, starting, degraded... or offline when it
 * is not up. With `initPid`, asks that boot's systemd (the caller checks the boot is still there).
 */
export async function serverSystemState(server: Pick<ServerLayout, "namespace">, initPid?: number): Promise<string> {
  const pid = initPid ?? (await serverInitPid(server));
  if (pid === undefined) return "offline";
  const result = await runCommand([...nsenterArgv(pid), "systemctl", "is-system-running"], {
    timeoutMs: 5000,
  });
  return result.stdout.trim() || `unknown (exit ${result.code})`;
}

/** The last lines of the server's console (the supervisor's lines and nspawn's output), for error messages. */
export function serverConsoleTail(server: Pick<ServerLayout, "consoleLogPath">, lines = 15): string {
  try {
    return fs.readFileSync(server.consoleLogPath, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no console output)";
  }
}

/** The directory a file inside the server lives in on its disk (the upper dir), as the host sees it. */
export function diskPath(server: Pick<ServerLayout, "upperDir">, fileInServer: string): string {
  return path.join(server.upperDir, fileInServer);
}
