import { shellLiteral } from "../../lib/core/shell-word";

/**
 * The image's first-boot user-data runner: what cloud-init's `scripts-user` does with a user-data
 * script, and nothing more. A oneshot systemd unit runs the instance's user data once per fresh
 * disk, after the network and sshd are up, appends its output to cloud-init's log and marks it
 * done, so a reboot does not run it again. The lab writes the user data into the server's disk
 * before its first boot; a reinstall gives a fresh disk, so it runs again.
 */

/** Where the lab places the instance's user data (cloud-init keeps it at the same path). */
export const USER_DATA_PATH = "/var/lib/cloud/instance/user-data.txt";
/** Written before the user data runs: present means this disk's user data has had its one run. */
export const USER_DATA_DONE_PATH = "/var/lib/cloud/instance/sem/lab-user-data";
/** The user data script's output and the runner's own lines (cloud-init's output log). */
export const USER_DATA_LOG_PATH = "/var/log/cloud-init-output.log";
/** The runner, part of the image. */
export const USER_DATA_RUNNER_PATH = "/usr/local/lib/lab-cloud-init/run-user-data";
export const USER_DATA_UNIT_NAME = "lab-user-data.service";

export interface UserDataRunnerPaths {
  readonly userDataPath: string;
  readonly donePath: string;
  readonly logPath: string;
  /** Where the script is copied to be executed (cloud-init: `instance/scripts/part-001`). */
  readonly scriptPath: string;
}

export const IMAGE_USER_DATA_PATHS: UserDataRunnerPaths = {
  userDataPath: USER_DATA_PATH,
  donePath: USER_DATA_DONE_PATH,
  logPath: USER_DATA_LOG_PATH,
  scriptPath: "/var/lib/cloud/instance/scripts/part-001",
};

/**
 * The runner (POSIX sh). It marks the user data done before running it: a script that reboots
 * the machine, or a machine that crashes during it, does not run it a second time (cloud-init's
 * per-instance semaphore behaves the same). Its exit status is the script's, so a failing script
 * shows as a failed unit (`systemctl is-system-running` says degraded), as cloud-final's does.
 */
export function renderUserDataRunner(paths: UserDataRunnerPaths = IMAGE_USER_DATA_PATHS): string {
  const q = shellLiteral;
  return [
    "#!/bin/sh",
    "# Runs this instance's user data once per fresh disk, as cloud-init runs a user-data script.",
    "set -u",
    `data=${q(paths.userDataPath)}`,
    `done_mark=${q(paths.donePath)}`,
    `script=${q(paths.scriptPath)}`,
    `log=${q(paths.logPath)}`,
    '[ -e "$done_mark" ] && exit 0',
    '[ -f "$data" ] || exit 0',
    'mkdir -p "$(dirname "$done_mark")" "$(dirname "$log")" && : > "$done_mark" || exit 1',
    'note() { echo "lab-user-data: $* at $(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$log"; }',
    // First two bytes only: the user data may be binary (gzip) or have no newline at all.
    'magic=$(dd if="$data" bs=1 count=2 2>/dev/null)',
    'case "$magic" in',
    "  '#!')",
    '    mkdir -p "$(dirname "$script")" && cp "$data" "$script" && chmod 700 "$script" || exit 1',
    '    note "running the user data script"',
    '    "$script" >> "$log" 2>&1 < /dev/null',
    "    code=$?",
    '    note "the user data script exited with $code"',
    '    exit "$code" ;;',
    "esac",
    'if head -n 1 "$data" | grep -q "^#cloud-config"; then',
    '  note "#cloud-config user data is not supported by the lab (only scripts starting with #!); skipped"',
    "else",
    '  note "user data that is not a script starting with #! is not supported by the lab; skipped"',
    "fi",
    "exit 0",
    "",
  ].join("\n");
}

/**
 * The unit: after the network and sshd, like cloud-final. No start timeout: a user-data script
 * may install packages for minutes, and cloud-init does not time it out either.
 */
export function renderUserDataUnit(runnerPath: string = USER_DATA_RUNNER_PATH, userDataPath: string = USER_DATA_PATH): string {
  return [
    "[Unit]",
    "Description=Run the instance's user data once (as cloud-init runs a user-data script)",
    "Wants=network-online.target",
    "After=network-online.target ssh.service",
    `ConditionPathExists=${userDataPath}`,
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=${runnerPath}`,
    "RemainAfterExit=yes",
    "TimeoutStartSec=infinity",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}
