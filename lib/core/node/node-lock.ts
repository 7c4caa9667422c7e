import { shellLiteral } from "../shell-word";

/** On the node's tmpfs: a reboot ends every run that could hold it. */
export const NODE_LOCK_PATH = "/run/lock/havip-cluster-provision.lock";
/** Who holds the lock, written by the holder after it got the lock. */
export const NODE_LOCK_OWNER_PATH = `${NODE_LOCK_PATH}.owner`;
/** The line the lock script prints once it holds the lock (and has printed what it was asked to read). */
export const NODE_LOCK_HELD_LINE = "havip-lock: held";
/** Exit code of the lock script when another process holds the lock (EX_TEMPFAIL). */
export const NODE_LOCK_BUSY_EXIT = 75;

/**
 * The script that holds the lock: `flock -n` on an fd the shell keeps open, then `cat` on
 * stdin keeps it open until the provisioner closes its end or the SSH session dies (sshd ends
 * the command then), so a crashed run never leaves a stale lock behind. `readWhileHeld`, a script
 * whose output the provisioner wants (the node's observation), runs once the lock is held, before
 * the held line: taking the lock and reading the node is one round trip.
 */
export function lockHolderScript(owner: string, readWhileHeld?: string): string {
  const lock = shellLiteral(NODE_LOCK_PATH);
  const ownerFile = shellLiteral(NODE_LOCK_OWNER_PATH);
  return [
    "command -v flock >/dev/null 2>&1 || { echo 'flock(1) is not installed (util-linux)' >&2; exit 69; }",
    "mkdir -p /run/lock || exit 73",
    `exec 9>>${lock} || exit 73`,
    `if ! flock -n 9; then cat ${ownerFile} 2>/dev/null || echo 'unknown owner'; exit ${NODE_LOCK_BUSY_EXIT}; fi`,
    `printf '%s\\n' ${shellLiteral(owner)} > ${ownerFile}`,
    // The reading runs without the lock's fd: nothing it starts can hold the lock after this run.
    ...(readWhileHeld === undefined ? [] : [`( ${readWhileHeld}\n) 9>&-`]),
    `echo ${shellLiteral(NODE_LOCK_HELD_LINE)}`,
    "exec cat >/dev/null",
  ].join("\n");
}
