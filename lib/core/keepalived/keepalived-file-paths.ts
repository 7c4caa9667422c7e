import { DEFAULT_STATE_FILE_PATH } from "../limits";

/** Where each rendered file lives on a node. Tests point these at a temporary directory. */
export interface KeepalivedFilePaths {
  /** @default "/etc/keepalived/keepalived.conf" */
  readonly configPath: string;
  /** @default "/etc/keepalived/havip-notify.sh" */
  readonly notifyScriptPath: string;
  /** @default "/etc/keepalived/havip-check.sh" */
  readonly healthCheckScriptPath: string;
  /** @default "/etc/logrotate.d/havip-keepalived" */
  readonly logrotatePath: string;
  /** The notify script writes the current VRRP state here. @default "/var/keepalived/state" */
  readonly stateFilePath: string;
  /** Consecutive failed health checks, reset on MASTER. @default "/var/keepalived/check_failed_count" */
  readonly failureCountPath: string;
  /** @default - the cluster's notifyLogPath */
  readonly notifyLogPath?: string;
}

export const DEFAULT_KEEPALIVED_FILE_PATHS: KeepalivedFilePaths = {
  configPath: "/etc/keepalived/keepalived.conf",
  notifyScriptPath: "/etc/keepalived/havip-notify.sh",
  healthCheckScriptPath: "/etc/keepalived/havip-check.sh",
  logrotatePath: "/etc/logrotate.d/havip-keepalived",
  stateFilePath: DEFAULT_STATE_FILE_PATH,
  failureCountPath: "/var/keepalived/check_failed_count",
};

export type ResolvedKeepalivedFilePaths = Required<KeepalivedFilePaths>;

export function resolveKeepalivedFilePaths(
  notifyLogPath: string,
  overrides: Partial<KeepalivedFilePaths> = {},
): ResolvedKeepalivedFilePaths {
  return { ...DEFAULT_KEEPALIVED_FILE_PATHS, notifyLogPath, ...stripUndefined(overrides) };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
