import type { SettingsProblem } from "../lib/core/settings-error";
import { type FieldRule, isPlainObject, keyPath, unknownKeyProblem, wrongKind } from "../lib/core/validation";

/**
 * The JSON shape a config file may have: keys and value kinds, and for the fields that have one
 * the field's own rule (the one the construct checks), so a config file gets the same message.
 */
export type Shape =
  | FieldRule
  | "string"
  | "number"
  | "boolean"
  | "json-object"
  | { readonly fields: { readonly [key: string]: Shape } }
  | { readonly listOf: Shape }
  | { readonly mapOf: Shape }
  | { readonly anyOf: readonly Shape[] };

/**
 * The shape of every key of T: the compiler refuses one that misses a key of T or names one T
 * does not have, so a field added to the props cannot be forgotten in the config file's check.
 */
export type ShapeFields<T> = { readonly [K in keyof Required<T>]-?: Shape };

export function fieldsOf<T>(fields: ShapeFields<T>): { readonly fields: ShapeFields<T> } {
  return { fields };
}

const isRule = (shape: Shape): shape is FieldRule => typeof shape === "object" && "check" in shape;

function describeShape(shape: Shape): string {
  if (isRule(shape)) return shape.rule.replace(/^must be /, "");
  if (typeof shape === "string") return shape === "json-object" ? "an object" : `a ${shape}`;
  if ("fields" in shape) return "an object";
  if ("listOf" in shape) return "a list";
  if ("mapOf" in shape) return "an object";
  return shape.anyOf.map(describeShape).join(" or ");
}

function matches(value: unknown, shape: Shape, field: string, problems: SettingsProblem[]): boolean {
  if (isRule(shape)) {
    const found = shape.check(value, field);
    problems.push(...found);
    return found.length === 0;
  }
  if (typeof shape === "string") {
    const ok = shape === "json-object" ? isPlainObject(value) : typeof value === shape;
    if (!ok) problems.push(wrongKind(field, value, `must be ${describeShape(shape)}`));
    return ok;
  }
  if ("anyOf" in shape) {
    const fitting = shape.anyOf.find((option) => matches(value, option, field, []));
    if (fitting) return matches(value, fitting, field, problems);
    problems.push(wrongKind(field, value, `must be ${describeShape(shape)}`));
    return false;
  }
  if ("listOf" in shape) {
    if (!Array.isArray(value)) {
      problems.push(wrongKind(field, value, "must be a list"));
      return false;
    }
    return value.map((item, index) => matches(item, shape.listOf, `${field}[${index}]`, problems)).every(Boolean);
  }
  if (!isPlainObject(value)) {
    problems.push(wrongKind(field, value, "must be an object"));
    return false;
  }
  const entries = Object.entries(value);
  if ("mapOf" in shape) return entries.map(([key, item]) => matches(item, shape.mapOf, keyPath(field, key), problems)).every(Boolean);
  const known = Object.keys(shape.fields);
  return entries
    .map(([key, item]) => {
      const path = keyPath(field, key);
      const fieldShape = shape.fields[key];
      if (!fieldShape) {
        problems.push(unknownKeyProblem(path, key, item, known));
        return false;
      }
      return matches(item, fieldShape, path, problems);
    })
    .every(Boolean);
}

/** Problems with keys and value kinds of `value` against `shape`; field paths start at the top level. */
export function checkShape(value: unknown, shape: Shape): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  matches(value, shape, "", problems);
  return problems.map((problem) => (problem.field === "" ? { ...problem, field: "(config file)" } : problem));
}
