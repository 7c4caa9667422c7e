import { shellLiteral } from "../shell-word";

/** On the node's tmpfs, beside the provisioning lock: a reboot ends every run that could hold it. */
export const PACKAGE_LOCK_PATH = "/run/lock/havip-cluster-packages.lock";
/** How long a package step waits for one another run started; longer than any install we expect. */
export const PACKAGE_LOCK_WAIT_SECONDS = 600;
/** Exit code when the wait ran out (EX_TEMPFAIL, as for the provisioning lock). */
export const PACKAGE_LOCK_BUSY_EXIT = 75;

/**
 * `script` (POSIX sh) run while holding the node's package lock. The provisioning lock ends with
 * the SSH session that took it, so a killed run never leaves it behind; but a package manager
 * that run had started goes on after it, and the next run would find apt's own locks taken
 * (`apt-get update` fails at once on /var/lib/apt/lists/lock, DPkg::Lock::Timeout or not). Every
 * package step holds this lock, so the next one waits for the orphan to finish. The script runs
 * without the lock's descriptor, so no daemon a package's scripts start keeps the lock.
 */
export function withPackageLock(script: string): string {
  const busy = `waited ${PACKAGE_LOCK_WAIT_SECONDS} s for ${PACKAGE_LOCK_PATH}: a package installation of another provisioning run (a killed one?) is still running on this node`;
  return [
    `mkdir -p /run/lock && exec 8>>${shellLiteral(PACKAGE_LOCK_PATH)} || exit 73`,
    `if ! flock -w ${PACKAGE_LOCK_WAIT_SECONDS} 8; then`,
    `  echo ${shellLiteral(busy)} >&2`,
    `  exit ${PACKAGE_LOCK_BUSY_EXIT}`,
    "fi",
    "( exec 8>&-",
    script,
    ")",
  ].join("\n");
}
