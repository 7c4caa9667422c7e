import { KEEPALIVED_CONSOLE_LOG_PATH } from "../limits";
import { SettingsError } from "../settings-error";
import { NOTIFY_LOG_ROTATE_COUNT, NOTIFY_LOG_ROTATE_SIZE } from "./keepalived-limits";
import { SAFE_ABSOLUTE_PATH_RULE, isSafeAbsolutePath } from "./setting-rules";
import { showValue } from "../validation/show-value";

/**
 * logrotate rule for the notify log and for Keepalived's own console log (written where the node
 * has no systemd). The notify script reopens the log for every line; copytruncate serves Keepalived,
 * which keeps its log open. logrotate has no escape for a newline or quote in a path, so an unsafe
 * path is refused.
 */
export function renderLogrotateRule(notifyLogPath: string): string {
  if (!isSafeAbsolutePath(notifyLogPath)) {
    throw new SettingsError("Cannot write a logrotate rule", [
      { field: "notifyLogPath", value: showValue(notifyLogPath), rule: SAFE_ABSOLUTE_PATH_RULE },
    ]);
  }
  return `# Managed by tencentcloud-havip-cluster: local edits are overwritten on the next provisioning.
# Rotates the log that the Keepalived notify script appends to, and Keepalived's console log.
"${notifyLogPath}" "${KEEPALIVED_CONSOLE_LOG_PATH}" {
    size ${NOTIFY_LOG_ROTATE_SIZE}
    rotate ${NOTIFY_LOG_ROTATE_COUNT}
    missingok
    notifempty
    compress
    delaycompress
    copytruncate
}
`;
}
