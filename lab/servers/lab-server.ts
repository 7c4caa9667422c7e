import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { runCommand, runCommandOrThrow } from "../host/host-command";
import type { LabLayout, LabServerLayout } from "../lab-layout";
import { networkNamespacePids, readProcessFacts } from "../host/lab-processes";
import { renderSupervisorScript, serverUpperFiles } from "./lab-server-init";

/**
 * Prepares the server's upper dir: hostname, root's authorized_keys and the caller's extra files
 * (the lab CA; the caller writes the host key there too). Runs before the overlay is mounted: files written into a mounted overlay's upper
 * dir from outside are not reliably seen.
 */
export function prepareServerUpperDir(
  server: LabServerLayout,
  operatorPublicKeyLine: string,
  extraFiles: Readonly<Record<string, { readonly content: string; readonly mode: number }>> = {},
): void {
  for (const dir of [server.upperDir, server.workDir, server.rootDir]) fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.mkdirSync(path.join(server.upperDir, "root"), { recursive: true, mode: 0o700 });
  fs.mkdirSync(path.dirname(server.hostKeyPathOnHost), { recursive: true, mode: 0o755 });
  for (const [file, { content, mode }] of Object.entries({ ...serverUpperFiles(server, operatorPublicKeyLine), ...extraFiles })) {
    const onHost = path.join(server.upperDir, file);
    // 0755 like the lower dirs: a directory created in the upper dir hides the lower one's mode
    // (a 0700 /usr would lock every unprivileged service out).
    fs.mkdirSync(path.dirname(onHost), { recursive: true, mode: 0o755 });
    fs.writeFileSync(onHost, content, { mode });
  }
}

/** Mounts the server's root: its upper dir over the read-only release root. */
export async function mountServerRoot(server: LabServerLayout, releaseRootDir: string): Promise<void> {
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

/** Starts the server's supervisor (which boots it with systemd-nspawn), detached: it outlives the calling process until `lab down`. */
export function startServer(lab: LabLayout, server: LabServerLayout): void {
  fs.writeFileSync(server.supervisorScriptPath, renderSupervisorScript(server, lab), { mode: 0o700 });
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
export async function serverInitPid(server: LabServerLayout): Promise<number | undefined> {
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
export async function serverSystemState(server: LabServerLayout, initPid?: number): Promise<string> {
  const pid = initPid ?? (await serverInitPid(server));
  if (pid === undefined) return "offline";
  const result = await runCommand([...nsenterArgv(pid), "systemctl", "is-system-running"], {
    timeoutMs: 5000,
  });
  return result.stdout.trim() || `unknown (exit ${result.code})`;
}

/** The last lines of the server's console (the supervisor's lines and nspawn's output), for error messages. */
export function serverConsoleTail(server: LabServerLayout, lines = 15): string {
  try {
    return fs.readFileSync(server.consoleLogPath, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no console output)";
  }
}
