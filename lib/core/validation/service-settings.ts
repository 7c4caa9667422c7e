import {
  ADVERT_INT_FRACTIONAL_MAX_SECONDS,
  ADVERT_INT_FRACTIONAL_MIN_SECONDS,
  ADVERT_INT_MAX_SECONDS,
  ADVERT_INT_MIN_SECONDS,
  HOOK_TIMEOUT_MAX_SECONDS,
  MAX_SERVICE_PACKAGES,
  PACKAGE_NAME_PATTERN,
} from "../limits";
import type { SettingsProblem } from "../settings-error";
import { hasControlCharacter } from "../keepalived/setting-rules";
import { usesVrrpV3 } from "../keepalived/vrrp-version";
import type { ServiceSetup, TransitionHooks } from "../cluster-settings";
import { BOOLEAN_RULE, type FieldRule, problem, type RuleTable } from "./field-rule";
import { keyTable, unknownKeysIn } from "./setting-keys";

/**
 * Rules for the service behind the VIP (transition hooks, nonlocal bind, service setup) and the
 * advert interval with its VRRPv3 form; the Keepalived rule tables take them as field rules.
 */

export const ADVERT_INT_RULE =
  `must be a whole number of seconds from ${ADVERT_INT_MIN_SECONDS} to ${ADVERT_INT_MAX_SECONDS} (VRRPv2), ` +
  `or a fraction from ${ADVERT_INT_FRACTIONAL_MIN_SECONDS} to ${ADVERT_INT_FRACTIONAL_MAX_SECONDS} in steps of 0.01 (VRRPv3 counts centiseconds)`;

/** advert_int: whole seconds (VRRPv2) or centiseconds (VRRPv3); `undefined` passes unless `required`. */
export function validateAdvertInt(value: unknown, field: string, required = false): SettingsProblem[] {
  if (value === undefined && !required) return [];
  if (typeof value !== "number" || !Number.isFinite(value)) return [problem(field, value, ADVERT_INT_RULE)];
  if (Number.isInteger(value)) {
    return value >= ADVERT_INT_MIN_SECONDS && value <= ADVERT_INT_MAX_SECONDS ? [] : [problem(field, value, ADVERT_INT_RULE)];
  }
  const centiseconds = value * 100;
  const inSteps = Math.abs(centiseconds - Math.round(centiseconds)) < 1e-6;
  if (value < ADVERT_INT_FRACTIONAL_MIN_SECONDS) {
    return [
      problem(
        field,
        value,
        `is below ${ADVERT_INT_FRACTIONAL_MIN_SECONDS} s: the backup would declare the master dead after ${(3 * value).toFixed(2)} s of silence, ` +
          "so a short stall of either VM flaps the VIP",
      ),
    ];
  }
  if (value > ADVERT_INT_FRACTIONAL_MAX_SECONDS || !inSteps) return [problem(field, value, ADVERT_INT_RULE)];
  return [];
}

/** VRRPv3 (a fractional advert_int) has no authentication (RFC 5798 dropped it): a password would be ignored. */
export function validateVrrpV3Authentication(advertIntSeconds: unknown, authPass: unknown, field: string): SettingsProblem[] {
  if (typeof advertIntSeconds !== "number" || !usesVrrpV3(advertIntSeconds) || authPass === undefined) return [];
  return [
    {
      field: `${field}.authPass`,
      value: "(set)",
      rule: `must be left out with advertIntSeconds ${advertIntSeconds}: a fractional advert interval needs VRRPv3, which has no authentication (RFC 5798), and Keepalived would ignore the password`,
    },
  ];
}

/** The keys of the hooks and the service setup, checked where a user writes them. */
export const HOOKS_KEYS = keyTable<TransitionHooks>({
  master: "leaf",
  backup: "leaf",
  fault: "leaf",
  stop: "leaf",
  timeoutSeconds: "leaf",
});
export const SERVICE_SETUP_KEYS = keyTable<ServiceSetup>({ packages: "leaf", command: "leaf" });

const HOOK_STATES = ["master", "backup", "fault", "stop"] as const satisfies readonly (keyof TransitionHooks)[];

/** One-line shell commands (data to the notify script, never spliced into it) and a timeout. */
export function validateTransitionHooks(hooks: unknown, field: string, requireTimeout = false): SettingsProblem[] {
  if (hooks === undefined) return [];
  if (typeof hooks !== "object" || hooks === null || Array.isArray(hooks)) {
    return [problem(field, hooks, "must be an object { master?, backup?, fault?, stop?, timeoutSeconds? }")];
  }
  const h = hooks as Record<string, unknown>;
  const problems: SettingsProblem[] = [];
  for (const key of Object.keys(h)) {
    if (!Object.hasOwn(HOOKS_KEYS.keys, key)) {
      problems.push(problem(`${field}.${key}`, h[key], `is not a hook: use ${HOOK_STATES.join(", ")} or timeoutSeconds`));
    }
  }
  for (const state of HOOK_STATES) {
    const command = h[state];
    if (command === undefined) continue;
    if (typeof command !== "string" || command.trim().length === 0 || hasControlCharacter(command)) {
      problems.push(
        problem(`${field}.${state}`, command, "must be a non-empty one-line shell command (run through /bin/sh -c with the state as $1)"),
      );
    }
  }
  const timeout = h.timeoutSeconds;
  if (
    timeout === undefined
      ? requireTimeout
      : !(typeof timeout === "number" && Number.isInteger(timeout) && timeout >= 1 && timeout <= HOOK_TIMEOUT_MAX_SECONDS)
  ) {
    problems.push(problem(`${field}.timeoutSeconds`, timeout, `must be a whole number of seconds from 1 to ${HOOK_TIMEOUT_MAX_SECONDS}`));
  }
  return problems;
}

/** Package names as the distribution spells them, and a one-line command; both reach the node's shell as data. */
export function validateServiceSetup(setup: unknown, field: string): SettingsProblem[] {
  if (setup === undefined) return [];
  if (typeof setup !== "object" || setup === null || Array.isArray(setup))
    return [problem(field, setup, "must be an object { packages?, command? }")];
  const s = setup as Record<string, unknown>;
  const problems: SettingsProblem[] = unknownKeysIn(s, SERVICE_SETUP_KEYS, field);
  if (s.packages !== undefined) {
    if (!Array.isArray(s.packages) || s.packages.length > MAX_SERVICE_PACKAGES) {
      problems.push(problem(`${field}.packages`, s.packages, `must be a list of at most ${MAX_SERVICE_PACKAGES} package names`));
    } else {
      (s.packages as unknown[]).forEach((name, index) => {
        if (typeof name !== "string" || !PACKAGE_NAME_PATTERN.test(name)) {
          problems.push(
            problem(
              `${field}.packages[${index}]`,
              name,
              "must be a package name: lower-case letters, digits, + - . (e.g. nginx, php8.2-fpm)",
            ),
          );
        }
      });
    }
  }
  if (s.command !== undefined && (typeof s.command !== "string" || s.command.trim().length === 0 || hasControlCharacter(s.command))) {
    problems.push(problem(`${field}.command`, s.command, "must be a non-empty one-line shell command"));
  }
  return problems;
}

/** advert_int as a field rule (whole seconds for VRRPv2, centiseconds for VRRPv3). */
export const ADVERT_INT_FIELD_RULE: FieldRule = { rule: ADVERT_INT_RULE, check: (value, field) => validateAdvertInt(value, field, true) };

const HOOKS_RULE = "must be an object { master?, backup?, fault?, stop?, timeoutSeconds? }";
const SERVICE_SETUP_RULE = "must be an object { packages?, command? }";

/** The optional service settings a user writes; each field's one rule. */
export const SERVICE_RULES = {
  hooks: { rule: HOOKS_RULE, check: (value, field) => validateTransitionHooks(value, field) },
  nonlocalBind: BOOLEAN_RULE,
  serviceSetup: { rule: SERVICE_SETUP_RULE, check: (value, field) => validateServiceSetup(value, field) },
} as const satisfies RuleTable;

/** In a resolved spec the hooks carry their timeout (resolution fills it in). */
export const RESOLVED_SERVICE_RULES = {
  ...SERVICE_RULES,
  hooks: { rule: HOOKS_RULE, check: (value, field) => validateTransitionHooks(value, field, true) },
} as const satisfies RuleTable;
