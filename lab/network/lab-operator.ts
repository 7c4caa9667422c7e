import { pollUntil } from "../../lib/core/poll-until";
import { type CommandOptions, type CommandResult, runCommand } from "../host/host-command";
import type { LabLayout, LabServerLayout } from "../lab-layout";
import { assertOperatorNamespaceIsolated } from "./lab-network";
import { shellLiteral } from "../../lib/core/shell-word";

/**
 * Runs argv in the lab's operator namespace (`ip netns exec <prefix>-op ...`, no shell), after
 * checking that the lab's namespaces exist and the operator namespace reaches only the lab subnet.
 * The process sees the host's filesystem, so the lab's key and spec files are at their usual paths.
 */
export async function runInOperatorNamespace(
  lab: LabLayout,
  argv: readonly string[],
  options: CommandOptions = {},
): Promise<CommandResult> {
  await assertOperatorNamespaceIsolated(lab);
  return runCommand(["ip", "netns", "exec", lab.operatorNamespace, ...argv], options);
}

/** OpenSSH client argv (remote argv quoted, never re-split) that reaches a lab server only with the operator key and the pinned host key. */
export function operatorSshArgv(lab: LabLayout, server: LabServerLayout, remoteArgv: readonly string[]): string[] {
  return [
    "ssh",
    "-F",
    "/dev/null",
    "-i",
    lab.operatorPrivateKeyPath,
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    `UserKnownHostsFile=${lab.knownHostsPath}`,
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    "ConnectTimeout=2",
    "-o",
    "LogLevel=ERROR",
    `root@${server.ip}`,
    "--",
    // sshd hands the command line to the remote shell: quote each word so argv stays argv.
    remoteArgv.map(shellLiteral).join(" "),
  ];
}

/** Runs a command on a lab server over SSH from the operator namespace, exactly as a client would. */
export function sshFromOperator(
  lab: LabLayout,
  server: LabServerLayout,
  remoteArgv: readonly string[],
  options: CommandOptions = {},
): Promise<CommandResult> {
  return runInOperatorNamespace(lab, operatorSshArgv(lab, server, remoteArgv), options);
}

/**
 * Waits until `ssh root@SERVER true` succeeds from the operator namespace (a real login, not a
 * raw TCP connect, which would only leave noise in sshd's log). Throws after `timeoutMs`.
 */
export async function waitForSsh(lab: LabLayout, server: LabServerLayout, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const login = await pollUntil(
    () => sshFromOperator(lab, server, ["true"], { timeoutMs: Math.max(500, deadline - Date.now()) }),
    (result) => result.code === 0,
    { timeoutMs, intervalMs: (attempt) => Math.min(50 * 2 ** (attempt - 1), 400) },
  );
  if (login.done) return;
  const last = login.value;
  throw new Error(
    `sshd on lab server ${server.name} (${server.ip}) did not accept a login within ${timeoutMs} ms: ${last.stderr.trim() || `exit ${last.code}`}`,
  );
}
