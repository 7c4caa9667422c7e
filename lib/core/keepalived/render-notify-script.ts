import { posix } from "node:path";
import { shellLiteral } from "../shell-word";

export interface NotifyScriptInput {
  /** Written to every log line so one log can serve several clusters. */
  readonly instanceName: string;
  readonly stateFilePath: string;
  readonly failureCountPath: string;
  readonly notifyLogPath: string;
}

/**
 * The script Keepalived runs on every state change (`notify_master "... MASTER"` etc.): records
 * the state in stateFilePath, appends a timestamped line to the log, and on MASTER resets the
 * health check's failure counter. Every configured value is a bash literal, so nothing in it runs.
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

state="\${1:-}"
case "$state" in
  MASTER | BACKUP | FAULT | STOP) ;;
  *)
    echo "usage: $0 MASTER|BACKUP|FAULT|STOP (got '$state')" >&2
    exit 2
    ;;
esac

mkdir -p -- "$STATE_DIR" "$FAILURE_COUNT_DIR" "$LOG_DIR"

# Write, then rename: a reader never sees a half-written state (Keepalived may run two notifies at once).
printf '%s\\n' "$state" >"$STATE_FILE.$$"
mv -f -- "$STATE_FILE.$$" "$STATE_FILE"

if [ "$state" = MASTER ]; then
  # Tencent's sample script lacks the '>' here and never resets the counter.
  printf '0\\n' >"$FAILURE_COUNT_FILE"
fi

printf '%s %s %s\\n' "$(date '+%Y-%m-%dT%H:%M:%S%z')" "$INSTANCE" "$state" >>"$LOG_FILE"
`;
}
