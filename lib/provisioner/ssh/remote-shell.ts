import { PassThrough } from "node:stream";
import type { NodeSSH, SSHExecCommandOptions } from "node-ssh";

type ExecChannel = Parameters<NonNullable<SSHExecCommandOptions["onChannel"]>>[0];

/** A remote command that outlives this is ended: a held dpkg lock or a stuck systemctl must not hang a deploy. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 120_000;
/** Package installs and source builds may take long on a small CVM. */
export const INSTALL_COMMAND_TIMEOUT_MS = 20 * 60_000;

export interface RemoteCommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A command failed on a node; the message names the node, the step and what the node said. */
export class RemoteCommandError extends Error {
  constructor(
    public readonly nodeName: string,
    public readonly step: string,
    public readonly result: RemoteCommandResult,
  ) {
    const said = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-15).join("\n");
    super(`${nodeName}: ${step} failed (exit ${result.code ?? "signal"})${said ? `:\n${said}` : ""}`);
    this.name = "RemoteCommandError";
  }
}

export interface RunOptions {
  /** Written to the command's stdin (file contents: never logged). */
  readonly stdin?: string;
  /** @default DEFAULT_COMMAND_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/**
 * A shell on one node over an open SSH connection. Scripts run under `sh -c` on the node;
 * stdin carries file contents (and so secrets), which are never logged.
 */
export class RemoteShell {
  constructor(
    public readonly nodeName: string,
    private readonly connection: NodeSSH,
    private readonly onClose: () => void = () => undefined,
    private readonly trace: (line: string) => void = () => undefined,
  ) {}

  /** Runs a script; past `timeoutMs` its channel is closed and the result is exit 124 like timeout(1). */
  async run(script: string, options: RunOptions = {}): Promise<RemoteCommandResult> {
    this.trace(`${this.nodeName}$ ${script.split("\n")[0]}${script.includes("\n") ? " ..." : ""}`);
    const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    let channel: ExecChannel | undefined;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<RemoteCommandResult>((resolve) => {
      timer = setTimeout(() => {
        channel?.close();
        resolve({ code: 124, stdout: "", stderr: `no answer within ${Math.round(timeoutMs / 1000)} s; the command was ended` });
      }, timeoutMs);
    });
    const finished = this.connection
      .execCommand(script, { stdin: options.stdin, noTrim: true, onChannel: (opened) => (channel = opened) })
      .then((result) => ({ code: result.code, stdout: result.stdout, stderr: result.stderr }));
    try {
      return await Promise.race([finished, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs a script and returns its stdout; throws a RemoteCommandError naming `step` on a non-zero exit. */
  async check(step: string, script: string, options: RunOptions = {}): Promise<string> {
    const result = await this.run(script, options);
    if (result.code !== 0) throw new RemoteCommandError(this.nodeName, step, result);
    return result.stdout;
  }

  /**
   * Starts a script that keeps running while its stdin stays open (e.g. `flock` holding a lock).
   * Resolves `held` once the script prints `readyLine`, with what it printed before that line, or
   * with its result if it exits first; `release()` closes its stdin, so it ends; a dropped session
   * ends it too.
   */
  async hold(
    script: string,
    readyLine: string,
    timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS,
  ): Promise<
    { readonly held: true; readonly output: string; release(): void } | { readonly held: false; readonly result: RemoteCommandResult }
  > {
    this.trace(`${this.nodeName}$ ${script.split("\n")[0]}${script.includes("\n") ? " ..." : ""} (held)`);
    const stdin = new PassThrough();
    let stdout = "";
    let signalReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (signalReady = resolve));
    const finished = this.connection
      .execCommand(script, {
        stdin,
        noTrim: true,
        onStdout: (chunk) => {
          stdout += chunk.toString();
          if (stdout.split("\n").includes(readyLine)) signalReady();
        },
      })
      .then((result): RemoteCommandResult => ({ code: result.code, stdout: result.stdout, stderr: result.stderr }));
    // Once held (or timed out) nobody awaits its end, which may come with a dropped session.
    finished.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
    try {
      const outcome = await Promise.race([ready.then(() => "ready" as const), finished, timedOut]);
      if (outcome === "ready") {
        const lines = stdout.split("\n");
        return { held: true, output: lines.slice(0, lines.indexOf(readyLine)).join("\n"), release: () => stdin.end() };
      }
      stdin.end();
      if (outcome === "timeout") {
        return { held: false, result: { code: 124, stdout, stderr: `no answer within ${Math.round(timeoutMs / 1000)} s` } };
      }
      return { held: false, result: outcome };
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.connection.dispose();
    this.onClose();
  }
}
