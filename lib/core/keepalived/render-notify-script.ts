import { posix } from "node:path";
import type { ResolvedTransitionHooks } from "../cluster-settings";
import { HOOK_KILL_AFTER_SECONDS } from "../limits";
import { shellLiteral } from "../shell-word";

export interface NotifyScriptInput {
  /** Written to every log line so one log can serve several clusters. */
  readonly instanceName: string;
  readonly stateFilePath: string;
  readonly failureCountPath: string;
  readonly notifyLogPath: string;
  /** Commands to run after a state is recorded. @default - none */
  readonly hooks?: ResolvedTransitionHooks;
}

/**
 * The hook part of the notify script. A hook runs detached: Keepalived forks one notify per
 * transition and signals the scripts it started when it stops, so the notify re-runs itself as
 * `--run-hook STATE` out of Keepalived's reach (see HOOK_LAUNCH) and returns at once.
 * Hooks take turns under a lock, and a hook whose state was already replaced by a newer
 * transition when its turn comes is skipped, so a quick MASTER -> BACKUP never ends with the
 * MASTER hook running last. The hook never sees the lock's descriptor (a daemon it starts must
 * not hold the lock forever) and reads nothing from stdin.
 */
function hookRunner(hooks: ResolvedTransitionHooks): string {
  const lockWaitSeconds = 4 * (hooks.timeoutSeconds + HOOK_KILL_AFTER_SECONDS);
  const hook = (command: string | undefined) => shellLiteral(command ?? "");
  return `
# The hooks are the user's commands, kept literal here: /bin/sh expands them when they run.
# shellcheck disable=SC2016
readonly HOOK_MASTER=${hook(hooks.master)}
# shellcheck disable=SC2016
readonly HOOK_BACKUP=${hook(hooks.backup)}
# shellcheck disable=SC2016
readonly HOOK_FAULT=${hook(hooks.fault)}
# shellcheck disable=SC2016
readonly HOOK_STOP=${hook(hooks.stop)}
readonly HOOK_TIMEOUT_SECONDS=${hooks.timeoutSeconds}
readonly HOOK_KILL_AFTER_SECONDS=${HOOK_KILL_AFTER_SECONDS}
readonly HOOK_LOCK_WAIT_SECONDS=${lockWaitSeconds}
readonly HOOK_LOCK_FILE="$STATE_DIR/.havip-hook.lock"

case "$state" in
  MASTER) hook=$HOOK_MASTER ;;
  BACKUP) hook=$HOOK_BACKUP ;;
  FAULT) hook=$HOOK_FAULT ;;
  STOP) hook=$HOOK_STOP ;;
esac

log_hook() {
  printf '%s %s %s hook: %s\\n' "$(date '+%Y-%m-%dT%H:%M:%S%z')" "$INSTANCE" "$state" "$1" >>"$LOG_FILE"
}

run_hook() {
  if ! flock -w "$HOOK_LOCK_WAIT_SECONDS" 9; then
    log_hook "skipped: an earlier hook still held the lock after $HOOK_LOCK_WAIT_SECONDS s"
    return 0
  fi
  current=$(cat -- "$STATE_FILE" 2>/dev/null || true)
  if [ "$current" != "$state" ]; then
    log_hook "skipped: the state is $current now"
    return 0
  fi
  log_hook "started"
  rc=0
  HAVIP_STATE="$state" HAVIP_INSTANCE="$INSTANCE" \\
    timeout --kill-after="$HOOK_KILL_AFTER_SECONDS" "$HOOK_TIMEOUT_SECONDS" /bin/sh -c "$hook" havip-hook "$state" 9>&- </dev/null >>"$LOG_FILE" 2>&1 || rc=$?
  case "$rc" in
    0) log_hook "exited 0" ;;
    124 | 137) log_hook "timed out after $HOOK_TIMEOUT_SECONDS s (exit $rc)" ;;
    *) log_hook "exited $rc" ;;
  esac
}

if [ "$mode" = hook ]; then
  { printf 'detached\\n' >&3; } 2>/dev/null || true
  exec 3>&-
  mkdir -p -- "$STATE_DIR" "$LOG_DIR"
  exec 9>>"$HOOK_LOCK_FILE"
  run_hook
  exit 0
fi
`;
}

/**
 * Under systemd, `systemctl stop keepalived` signals every process in keepalived.service's cgroup
 * (the default KillMode=control-group) and waits for them, which setsid does not escape: as root
 * the hook therefore runs as a transient unit of its own (`systemd-run`, plain options that
 * systemd 219 knows too). Without systemd, or as a non-root script user, setsid.
 */
const HOOK_LAUNCH = `
if [ -n "$hook" ]; then
  # Detached and silent: Keepalived neither waits for the hook nor takes it down when it stops.
  if [ -d /run/systemd/system ] && [ "$(id -u)" = 0 ] && command -v systemd-run >/dev/null 2>&1 &&
    systemd-run --unit="havip-hook-\${state,,}-$$" --description="havip $INSTANCE $state hook" "$0" --run-hook "$state" </dev/null >/dev/null 2>&1; then
    :
  else
    # Returns once the hook has its own session (it says so on fd 3), at most after 2 s: whoever
    # kills this notify's process group right after it exits must not take the hook with it.
    exec 4< <(setsid "$0" --run-hook "$state" 3>&1 </dev/null >/dev/null 2>&1)
    read -r -t 2 -u 4 _ || true
    exec 4<&-
  fi
fi
`;

const HOOK_MODE = `
mode=notify
if [ "\${1:-}" = --run-hook ]; then
  mode=hook
  shift
fi
`;

/**
 * The script Keepalived runs on every state change (`notify_master "... MASTER"` etc.): records
 * the state in stateFilePath, appends a timestamped line to the log, and on MASTER resets the
 * health check's failure counter; then it starts the state's hook, if any, in the background.
 * Every configured value is a bash literal, so nothing in it runs except a hook, as its command.
 */
export function renderNotifyScript(input: NotifyScriptInput): string {
  const stateDir = posix.dirname(input.stateFilePath);
  const counterDir = posix.dirname(input.failureCountPath);
  const logDir = posix.dirname(input.notifyLogPath);
  return `#!/bin/bash
# Managed by tencentcloud-havip-cluster: local edits are overwritten on the next provisioning.
# Keepalived runs this on every VRRP state change: havip-notify.sh MASTER|BACKUP|FAULT|STOP
set -eu

readonly INSTANCE=${shellLiteral(input.instanceName)}
readonly STATE_FILE=${shellLiteral(input.stateFilePath)}
readonly STATE_DIR=${shellLiteral(stateDir)}
readonly FAILURE_COUNT_FILE=${shellLiteral(input.failureCountPath)}
readonly FAILURE_COUNT_DIR=${shellLiteral(counterDir)}
readonly LOG_FILE=${shellLiteral(input.notifyLogPath)}
readonly LOG_DIR=${shellLiteral(logDir)}
${input.hooks ? HOOK_MODE : ""}
state="\${1:-}"
case "$state" in
  MASTER | BACKUP | FAULT | STOP) ;;
  *)
    echo "usage: $0 MASTER|BACKUP|FAULT|STOP (got '$state')" >&2
    exit 2
    ;;
esac
${input.hooks ? hookRunner(input.hooks) : ""}
mkdir -p -- "$STATE_DIR" "$FAILURE_COUNT_DIR" "$LOG_DIR"

# Write, then rename: a reader never sees a half-written state (Keepalived may run two notifies at once).
printf '%s\\n' "$state" >"$STATE_FILE.$$"
mv -f -- "$STATE_FILE.$$" "$STATE_FILE"

if [ "$state" = MASTER ]; then
  # Tencent's sample script lacks the '>' here and never resets the counter.
  printf '0\\n' >"$FAILURE_COUNT_FILE"
fi

printf '%s %s %s\\n' "$(date '+%Y-%m-%dT%H:%M:%S%z')" "$INSTANCE" "$state" >>"$LOG_FILE"
${input.hooks ? HOOK_LAUNCH : ""}`;
}
