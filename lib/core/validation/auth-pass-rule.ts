import { AUTH_PASS_PATTERN, AUTH_PASS_RULE_TEXT } from "../keepalived/auth-pass";
import { MAX_AUTH_PASS_LENGTH } from "../limits";
import type { SettingsProblem } from "../settings-error";
import type { FieldRule } from "./field-rule";

/**
 * The VRRP PASS password, the one place its rule lives; its value never appears in a message,
 * only its kind or length.
 */
export const AUTH_PASS_RULE: FieldRule = {
  rule: `must be 1 to ${MAX_AUTH_PASS_LENGTH} characters; ${AUTH_PASS_RULE_TEXT}`,
  check(authPass, field) {
    if (typeof authPass !== "string") return [{ field, value: typeof authPass, rule: "must be a string" }];
    const shown = `(${authPass.length} characters)`;
    if (authPass.length === 0) return [{ field, value: shown, rule: "must not be empty (leave it out to have one generated)" }];
    if (authPass.length > MAX_AUTH_PASS_LENGTH) {
      return [
        {
          field,
          value: shown,
          rule: `is too long: Keepalived uses at most ${MAX_AUTH_PASS_LENGTH} characters and silently drops the rest`,
        },
      ];
    }
    if (!AUTH_PASS_PATTERN.test(authPass)) return [{ field, value: shown, rule: AUTH_PASS_RULE_TEXT }];
    return [];
  },
};

/** The VRRP PASS password; its value never appears in a message, only its length. */
export function validateAuthPass(authPass: unknown, field: string): SettingsProblem[] {
  return AUTH_PASS_RULE.check(authPass, field);
}
