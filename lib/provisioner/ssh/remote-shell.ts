import type { NodeSSH } from "node-ssh";

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

  async run(script: string, options: { readonly stdin?: string } = {}): Promise<RemoteCommandResult> {
    this.trace(`${this.nodeName}$ ${script.split("\n")[0]}${script.includes("\n") ? " ..." : ""}`);
    const result = await this.connection.execCommand(script, { stdin: options.stdin, noTrim: true });
    return { code: result.code, stdout: result.stdout, stderr: result.stderr };
  }

  /** Runs a script and returns its stdout; throws a RemoteCommandError naming `step` on a non-zero exit. */
  async check(step: string, script: string, options: { readonly stdin?: string } = {}): Promise<string> {
    const result = await this.run(script, options);
    if (result.code !== 0) throw new RemoteCommandError(this.nodeName, step, result);
    return result.stdout;
  }

  close(): void {
    this.connection.dispose();
    this.onClose();
  }
}
