import type { ResolvedHealthCheck } from "../cluster-settings";
import { DEFAULT_MAINTENANCE_FLAG_PATH } from "../limits";
import { shellLiteral } from "../shell-word";
import { escapeExtendedRegex } from "./extended-regex";
import { DEFAULT_TCP_CHECK_HOST } from "./keepalived-limits";

export interface HealthCheckScriptInput {
  readonly healthCheck: ResolvedHealthCheck;
  /** Consecutive failures, for operators; the notify script resets it on MASTER. */
  readonly failureCountPath: string;
}

/**
 * The vrrp_script Keepalived runs every intervalSeconds: exit 0 is healthy, anything else counts
 * towards `fall`, after which the node goes to FAULT and releases the VIP. Uses only bash,
 * coreutils and procps (pgrep); the http kind also needs curl and fails with a clear message without it.
 */
export function renderHealthCheckScript(input: HealthCheckScriptInput): string {
  const check = input.healthCheck;
  return `#!/bin/bash
# Managed by tencentcloud-havip-cluster: local edits are overwritten on the next provisioning.
# Keepalived's track_script (kind: ${check.kind}). Exit 0 = healthy.
set -eu

readonly FAILURE_COUNT_FILE=${shellLiteral(input.failureCountPath)}

healthy() {
  { printf '0\\n' >"$FAILURE_COUNT_FILE"; } 2>/dev/null || true
  exit 0
}

unhealthy() {
  echo "havip health check failed: $1" >&2
  local count
  count="$(cat -- "$FAILURE_COUNT_FILE" 2>/dev/null || true)"
  case "$count" in '' | *[!0-9]*) count=0 ;; esac
  # The counter is for operators: failing to write it must not change the verdict.
  { printf '%d\\n' "$((count + 1))" >"$FAILURE_COUNT_FILE"; } 2>/dev/null || true
  exit 1
}

${renderCheckBody(check)}`;
}

function renderCheckBody(check: ResolvedHealthCheck): string {
  switch (check.kind) {
    case "maintenance-flag":
      return `# Fails only while an operator-created flag file exists, so a fresh cluster keeps its VIP.
readonly FLAG_PATH=${shellLiteral(check.flagPath ?? DEFAULT_MAINTENANCE_FLAG_PATH)}
if [ -e "$FLAG_PATH" ]; then
  unhealthy "maintenance flag $FLAG_PATH exists"
fi
healthy
`;
    case "process":
      return `readonly PROCESS_NAME=${shellLiteral(check.processName)}
# pgrep reads an extended regex: this is PROCESS_NAME with every metacharacter escaped.
readonly PROCESS_PATTERN=${shellLiteral(escapeExtendedRegex(check.processName))}
if pgrep -x -- "$PROCESS_PATTERN" >/dev/null; then
  healthy
fi
unhealthy "no process named $PROCESS_NAME is running"
`;
    case "tcp-port":
      return `readonly TIMEOUT_SECONDS=${check.timeoutSeconds}
readonly HOST=${shellLiteral(check.host ?? DEFAULT_TCP_CHECK_HOST)}
readonly PORT=${shellLiteral(String(check.port))}
# bash's /dev/tcp connects; host and port reach the inner shell as arguments, never as code.
# shellcheck disable=SC2016
if timeout "$TIMEOUT_SECONDS" bash -c 'exec 3<>"/dev/tcp/$1/$2"' havip-check "$HOST" "$PORT" 2>/dev/null; then
  healthy
fi
unhealthy "nothing accepts TCP connections on $HOST:$PORT"
`;
    case "http":
      return `readonly TIMEOUT_SECONDS=${check.timeoutSeconds}
readonly URL=${shellLiteral(check.url)}
if ! command -v curl >/dev/null 2>&1; then
  unhealthy "curl is not installed: the http health check needs it (apt-get install curl, or yum install curl)"
fi
# --fail turns 4xx/5xx into a failure; without --location a 3xx answer counts as healthy.
if curl --silent --show-error --fail --output /dev/null --proto '=http,https' --max-time "$TIMEOUT_SECONDS" --url "$URL"; then
  healthy
fi
unhealthy "$URL did not answer with 2xx or 3xx"
`;
    case "command":
      return `readonly TIMEOUT_SECONDS=${check.timeoutSeconds}
readonly CHECK_COMMAND=${shellLiteral(check.command)}
if timeout "$TIMEOUT_SECONDS" /bin/sh -c "$CHECK_COMMAND"; then
  healthy
fi
unhealthy "command exited non-zero or timed out: $CHECK_COMMAND"
`;
  }
}
