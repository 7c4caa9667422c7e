import type {
  HealthCheck,
  KeepalivedSettings,
  ResolvedHealthCheck,
  ResolvedTransitionHooks,
  ServiceSetup,
  TransitionHooks,
} from "./cluster-settings";
import {
  DEFAULT_ADVERT_INT_SECONDS,
  DEFAULT_HEALTH_CHECK_FALL,
  DEFAULT_HEALTH_CHECK_INTERVAL_SECONDS,
  DEFAULT_HEALTH_CHECK_RISE,
  DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS,
  DEFAULT_HOOK_TIMEOUT_SECONDS,
  DEFAULT_INTERFACE_NAME,
  DEFAULT_MAINTENANCE_FLAG_PATH,
  DEFAULT_NOTIFY_LOG_PATH,
  DEFAULT_PRIORITY,
  DEFAULT_SCRIPT_USER,
} from "./limits";
import { DEFAULT_TCP_CHECK_HOST } from "./keepalived/keepalived-limits";

/** KeepalivedSettings with every default filled in: the Keepalived fields of a ClusterSpec. */
export interface ResolvedKeepalivedSettings {
  readonly virtualRouterId: number;
  readonly advertIntSeconds: number;
  readonly priority: number;
  readonly interfaceName: string;
  readonly healthCheck: ResolvedHealthCheck;
  readonly notifyLogPath: string;
  readonly scriptUser: string;
  /** Absent: the provisioner generates one on first provisioning. */
  readonly authPass?: string;
  /** Absent: no hooks. */
  readonly hooks?: ResolvedTransitionHooks;
  readonly nonlocalBind: boolean;
  /** Absent: nothing to install. */
  readonly serviceSetup?: ServiceSetup;
}

export const DEFAULT_HEALTH_CHECK: HealthCheck = { kind: "maintenance-flag" };

/** Fills in defaults; does not validate (call validateKeepalivedSettings first). */
export function resolveKeepalivedSettings(settings: KeepalivedSettings): ResolvedKeepalivedSettings {
  return {
    virtualRouterId: settings.virtualRouterId,
    advertIntSeconds: settings.advertIntSeconds ?? DEFAULT_ADVERT_INT_SECONDS,
    priority: settings.priority ?? DEFAULT_PRIORITY,
    interfaceName: settings.interfaceName ?? DEFAULT_INTERFACE_NAME,
    healthCheck: resolveHealthCheck(settings.healthCheck ?? DEFAULT_HEALTH_CHECK),
    notifyLogPath: settings.notifyLogPath ?? DEFAULT_NOTIFY_LOG_PATH,
    scriptUser: settings.scriptUser ?? DEFAULT_SCRIPT_USER,
    ...(settings.authPass === undefined ? {} : { authPass: settings.authPass }),
    ...(settings.hooks === undefined ? {} : { hooks: resolveTransitionHooks(settings.hooks) }),
    nonlocalBind: settings.nonlocalBind ?? true,
    ...(settings.serviceSetup === undefined ? {} : { serviceSetup: settings.serviceSetup }),
  };
}

export function resolveTransitionHooks(hooks: TransitionHooks): ResolvedTransitionHooks {
  return { ...hooks, timeoutSeconds: hooks.timeoutSeconds ?? DEFAULT_HOOK_TIMEOUT_SECONDS };
}

/** Fills in timing defaults and the kind-specific defaults (flag path, TCP host). */
export function resolveHealthCheck(check: HealthCheck): ResolvedHealthCheck {
  const timing = {
    intervalSeconds: check.intervalSeconds ?? DEFAULT_HEALTH_CHECK_INTERVAL_SECONDS,
    timeoutSeconds: check.timeoutSeconds ?? DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS,
    fall: check.fall ?? DEFAULT_HEALTH_CHECK_FALL,
    rise: check.rise ?? DEFAULT_HEALTH_CHECK_RISE,
  };
  switch (check.kind) {
    case "maintenance-flag":
      return { ...check, ...timing, flagPath: check.flagPath ?? DEFAULT_MAINTENANCE_FLAG_PATH };
    case "tcp-port":
      return { ...check, ...timing, host: check.host ?? DEFAULT_TCP_CHECK_HOST };
    default:
      return { ...check, ...timing };
  }
}
