import { DEFAULT_KEEPALIVED_FILE_PATHS, isSettledRunState } from "../core/keepalived";
import {
  type KeepalivedStatus,
  keepalivedStatusScript,
  parseKeepalivedStatus,
  startCommand,
  stopCommand,
} from "../core/node/keepalived-service";
import type { InitSystem } from "../core/node/node-facts";
import { pollUntil } from "../core/poll-until";
import type { RemoteShell } from "./ssh/remote-shell";

/** How long a stopping or starting Keepalived may take to settle before the provisioner gives up (2.2.7 stops in ~1.3 s; notify hooks may add more). */
export const KEEPALIVED_SETTLE_TIMEOUT_MS = 20_000;

/** Whether Keepalived runs, which addresses the VRRP interface carries, and the state the notify script recorded. */
export async function readKeepalivedStatus(shell: RemoteShell, init: InitSystem, interfaceName: string): Promise<KeepalivedStatus> {
  return parseKeepalivedStatus(await shell.check("reading Keepalived's state", keepalivedStatusScript(init, interfaceName)));
}

/**
 * Like readKeepalivedStatus, but waits out a Keepalived that is starting, stopping or reloading,
 * so a decision (start it or not) is never taken on a state that is about to change.
 */
export async function readSettledKeepalivedStatus(
  shell: RemoteShell,
  init: InitSystem,
  interfaceName: string,
  timeoutMs = KEEPALIVED_SETTLE_TIMEOUT_MS,
  pollMs = 100,
  /** A status read a moment ago (the node's observation): when settled it is the answer, with no round trip. */
  first?: KeepalivedStatus,
): Promise<KeepalivedStatus> {
  if (first && isSettledRunState(first.runState)) return first;
  const outcome = await pollUntil(
    () => readKeepalivedStatus(shell, init, interfaceName),
    (status) => isSettledRunState(status.runState),
    { timeoutMs, intervalMs: pollMs },
  );
  if (outcome.done) return outcome.value;
  throw new Error(
    `${shell.nodeName}: Keepalived is still ${outcome.value.runState} after ${Math.round(timeoutMs / 1000)} s; ` +
      "nothing was changed: look at the node (journalctl -u keepalived, or /var/log/keepalived-daemon.log) and run provision again",
  );
}

export async function startKeepalived(
  shell: RemoteShell,
  init: InitSystem,
  configPath: string = DEFAULT_KEEPALIVED_FILE_PATHS.configPath,
): Promise<void> {
  await shell.check("starting keepalived", startCommand(init, configPath));
}

export async function stopKeepalived(shell: RemoteShell, init: InitSystem): Promise<void> {
  await shell.check("stopping keepalived", stopCommand(init));
}
