import type { KeepalivedSettings } from "../cluster-settings";
import { PRIORITY_MAX, PRIORITY_MIN, VIRTUAL_ROUTER_ID_MAX, VIRTUAL_ROUTER_ID_MIN } from "../limits";
import type { SettingsProblem } from "../settings-error";
import {
  INTERFACE_NAME_RULE,
  SAFE_ABSOLUTE_PATH_RULE,
  SCRIPT_USER_RULE,
  isInterfaceName,
  isSafeAbsolutePath,
  isScriptUser,
} from "../keepalived/setting-rules";
import { AUTH_PASS_RULE } from "./auth-pass-rule";
import { type FieldRule, checkFields, problem, textRule, wholeNumberRule } from "./field-rule";
import { validateWrittenHealthCheck } from "./health-check";
import { ADVERT_INT_FIELD_RULE, SERVICE_RULES, validateVrrpV3Authentication } from "./service-settings";
import { isPlainObject } from "./show-value";
import { keysOf, keyTable, unknownKeysIn } from "./setting-keys";

/** An absolute path that keepalived.conf and a logrotate rule take unquoted. */
export const SAFE_ABSOLUTE_PATH: FieldRule = textRule(SAFE_ABSOLUTE_PATH_RULE, isSafeAbsolutePath);

/**
 * One rule per Keepalived field, for the settings a user writes (where most are optional) and
 * the resolved spec (where all but authPass are required) alike.
 */
export const KEEPALIVED_RULES = {
  virtualRouterId: wholeNumberRule(VIRTUAL_ROUTER_ID_MIN, VIRTUAL_ROUTER_ID_MAX, " (VRRP router id, unique per cluster in the VPC)"),
  advertIntSeconds: ADVERT_INT_FIELD_RULE,
  priority: wholeNumberRule(PRIORITY_MIN, PRIORITY_MAX, " (255 is reserved for an address owner)"),
  authPass: AUTH_PASS_RULE,
  interfaceName: textRule(INTERFACE_NAME_RULE, isInterfaceName),
  notifyLogPath: SAFE_ABSOLUTE_PATH,
  scriptUser: textRule(SCRIPT_USER_RULE, isScriptUser),
} as const;

export type KeepalivedField = keyof typeof KEEPALIVED_RULES;

/** Every key of KeepalivedSettings; the health check, the hooks and the service setup check their own keys. */
export const KEEPALIVED_KEYS = keyTable<KeepalivedSettings>({
  ...(Object.fromEntries(Object.keys(KEEPALIVED_RULES).map((key) => [key, "leaf"])) as Record<KeepalivedField, "leaf">),
  hooks: "leaf",
  nonlocalBind: "leaf",
  serviceSetup: "leaf",
  healthCheck: "leaf",
});

/** The keys KeepalivedSettings may hold. */
export const KEEPALIVED_SETTINGS_KEYS: readonly string[] = keysOf(KEEPALIVED_KEYS);

/** Every rule a user's KeepalivedSettings must meet; field names start with `field`. */
export function validateKeepalivedSettings(settings: KeepalivedSettings | unknown, field = "keepalived"): SettingsProblem[] {
  if (!isPlainObject(settings)) return [problem(field, settings, "must be an object with at least virtualRouterId")];
  return [
    ...unknownKeysIn(settings, KEEPALIVED_KEYS, field),
    ...checkFields(settings, KEEPALIVED_RULES, field, ["virtualRouterId"]),
    ...checkFields(settings, SERVICE_RULES, field, []),
    ...validateVrrpV3Authentication(settings.advertIntSeconds, settings.authPass, field),
    ...validateWrittenHealthCheck(settings.healthCheck, `${field}.healthCheck`),
  ];
}
