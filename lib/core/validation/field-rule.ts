import type { SettingsProblem } from "../settings-error";
import { kindOf, showValue } from "./show-value";

/**
 * The rule of one field: the one description the construct, the spec loader, the CLI options and
 * the config file all check a value against. The type is checked first, then the range, pattern
 * or allowed values; `rule` is phrased to follow the value: `field value rule`.
 */
export interface FieldRule {
  /** E.g. "must be a whole number from 1 to 255 (VRRP router id, unique per cluster in the VPC)". */
  readonly rule: string;
  /** Problems with a value that is present (undefined is the caller's business: see checkOptional). */
  check(value: unknown, field: string): SettingsProblem[];
}

export function problem(field: string, value: unknown, rule: string): SettingsProblem {
  return { field, value: showValue(value), rule };
}

/** `rule` for a value of the wrong kind: the rule, and what was given instead. */
export function wrongKind(field: string, value: unknown, rule: string): SettingsProblem {
  // "(missing) must be ..." says it already.
  return problem(field, value, value === undefined ? rule : `${rule}, not ${kindOf(value)}`);
}

/** A whole number from `min` to `max`; `because` (e.g. " (VRRP router id, ...)") follows the range. */
export function wholeNumberRule(min: number, max: number, because = ""): FieldRule {
  const rule = `must be a whole number from ${min} to ${max}${because}`;
  return {
    rule,
    check(value, field) {
      if (typeof value !== "number" || Number.isNaN(value)) return [wrongKind(field, value, rule)];
      return Number.isInteger(value) && value >= min && value <= max ? [] : [problem(field, value, rule)];
    },
  };
}

/** A whole number from `min` to `max`, checked once (not from a table); `why` is appended to the rule. */
export function validateWholeNumber(value: unknown, field: string, min: number, max: number, why = ""): SettingsProblem[] {
  return wholeNumberRule(min, max, why).check(value, field);
}

/** A string for which `test` holds. */
export function textRule(rule: string, test: (text: string) => boolean): FieldRule {
  return {
    rule,
    check(value, field) {
      if (typeof value !== "string") return [wrongKind(field, value, rule)];
      return test(value) ? [] : [problem(field, value, rule)];
    },
  };
}

/** One of a fixed set of strings; `because` says where the set comes from. */
export function oneOfRule(values: readonly string[], because = ""): FieldRule {
  const rule = `must be one of ${values.join(", ")}${because}`;
  return textRule(rule, (text) => values.includes(text));
}

export const BOOLEAN_RULE: FieldRule = {
  rule: "must be true or false",
  check: (value, field) => (typeof value === "boolean" ? [] : [problem(field, value, "must be true or false")]),
};

/** Checks `value` when it is present; absent is fine. */
export function checkOptional(rule: FieldRule, value: unknown, field: string): SettingsProblem[] {
  return value === undefined ? [] : rule.check(value, field);
}

/** Checks `value`, which must be present: `field (missing) <rule>` otherwise. */
export function checkRequired(rule: FieldRule, value: unknown, field: string): SettingsProblem[] {
  return value === undefined ? [problem(field, value, rule.rule)] : rule.check(value, field);
}

/** A table of field rules for one object: the one place a subject's fields are described. */
export type RuleTable<K extends string = string> = { readonly [key in K]: FieldRule };

/**
 * Checks the fields of `object` named in `table`; `required` lists those that must be present.
 * Field names are `${field}.${key}`.
 */
export function checkFields<K extends string>(
  object: Record<string, unknown>,
  table: RuleTable<K>,
  field: string,
  required: readonly K[] = [],
): SettingsProblem[] {
  return (Object.keys(table) as K[]).flatMap((key) =>
    (required.includes(key) ? checkRequired : checkOptional)(table[key], object[key], `${field}.${key}`),
  );
}
