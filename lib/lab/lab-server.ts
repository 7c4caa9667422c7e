import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { LabServerLayout } from "./lab-layout";
import { networkNamespacePids, readProcessFacts } from "./lab-processes";
import { SERVER_ETC_EMPTY_DIRS, renderServerInitScript, serverEtcFiles } from "./lab-server-init";

/**
 * Prepares everything a server's overlays and /root show, before the server starts: files
 * written into a mounted overlay's upper dir from outside are not reliably seen by it.
 */
export function prepareServerFilesystem(server: LabServerLayout, operatorPublicKeyLine: string): void {
  for (const dir of [server.etcUpperDir, server.etcWorkDir, server.varUpperDir, server.varWorkDir]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  }
  for (const dir of SERVER_ETC_EMPTY_DIRS) fs.mkdirSync(path.join(server.etcUpperDir, dir), { recursive: true, mode: 0o755 });
  for (const [relative, content] of Object.entries(serverEtcFiles(server))) {
    const file = path.join(server.etcUpperDir, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    fs.writeFileSync(file, content, { mode: 0o644 });
  }
  // A fresh /root: the host's would leak its files and its .bashrc would slow every SSH exec.
  fs.cpSync("/etc/skel", server.rootHomeDir, { recursive: true });
  fs.chmodSync(server.rootHomeDir, 0o700);
  const sshDir = path.join(server.rootHomeDir, ".ssh");
  fs.mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(sshDir, "authorized_keys"), `${operatorPublicKeyLine}\n`, { mode: 0o600 });
}

/**
 * Starts the server: in its network namespace, `unshare` gives it private mount, uts and pid
 * namespaces (`--pid --mount-proc` so `pidof`/`pkill` inside see only this server's processes;
 * `--kill-child` so the server dies with its unshare parent), and the init script becomes sshd as
 * PID 1. Detached: it outlives the calling process until `lab down`.
 */
export function startServer(server: LabServerLayout): void {
  const console = fs.openSync(server.consoleLogPath, "a", 0o600);
  try {
    const child = spawn(
      "ip",
      [
        "netns", "exec", server.namespace,
        "unshare", "--mount", "--uts", "--pid", "--fork", "--kill-child", "--mount-proc", "--propagation", "private",
        "/bin/sh", "-c", renderServerInitScript(server),
      ],
      { detached: true, stdio: ["ignore", console, console] },
    );
    child.on("error", () => undefined);
    child.unref();
  } finally {
    fs.closeSync(console);
  }
}

/** Host PID of the server's PID 1 (sshd), found as the process of its network namespace that is PID 1 in its own pid namespace. */
export async function serverInitPid(server: LabServerLayout): Promise<number | undefined> {
  for (const pid of await networkNamespacePids(server.namespace)) {
    const facts = readProcessFacts(pid);
    if (facts && facts.nsPids.length > 1 && facts.nsPids[facts.nsPids.length - 1] === 1) return pid;
  }
  return undefined;
}

/** The last lines of the server's console (sshd's stderr), for error messages. */
export function serverConsoleTail(server: LabServerLayout, lines = 10): string {
  try {
    return fs.readFileSync(server.consoleLogPath, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no console output)";
  }
}
