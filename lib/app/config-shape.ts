import type { SettingsProblem } from "../core/settings-error";

/** The JSON shape a config file may have: keys and value kinds, nothing more. */
export type Shape =
  | "string"
  | "number"
  | "boolean"
  | "json-object"
  | { readonly fields: { readonly [key: string]: Shape } }
  | { readonly listOf: Shape }
  | { readonly mapOf: Shape }
  | { readonly anyOf: readonly Shape[] };

function describeShape(shape: Shape): string {
  if (typeof shape === "string") return shape === "json-object" ? "an object" : `a ${shape}`;
  if ("fields" in shape) return "an object";
  if ("listOf" in shape) return "a list";
  if ("mapOf" in shape) return "an object";
  return shape.anyOf.map(describeShape).join(" or ");
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function matches(value: unknown, shape: Shape, field: string, problems: SettingsProblem[]): boolean {
  if (typeof shape === "string") {
    const ok = shape === "json-object" ? isPlainObject(value) : typeof value === shape;
    if (!ok) problems.push({ field, value: kindOf(value), rule: `must be ${describeShape(shape)}` });
    return ok;
  }
  if ("anyOf" in shape) {
    const fitting = shape.anyOf.find((option) => matches(value, option, field, []));
    if (fitting) return matches(value, fitting, field, problems);
    problems.push({ field, value: kindOf(value), rule: `must be ${describeShape(shape)}` });
    return false;
  }
  if ("listOf" in shape) {
    if (!Array.isArray(value)) {
      problems.push({ field, value: kindOf(value), rule: "must be a list" });
      return false;
    }
    return value.map((item, index) => matches(item, shape.listOf, `${field}[${index}]`, problems)).every(Boolean);
  }
  if (!isPlainObject(value)) {
    problems.push({ field, value: kindOf(value), rule: "must be an object" });
    return false;
  }
  const entries = Object.entries(value);
  if ("mapOf" in shape) return entries.map(([key, item]) => matches(item, shape.mapOf, `${field}.${key}`, problems)).every(Boolean);
  const known = Object.keys(shape.fields);
  return entries
    .map(([key, item]) => {
      const path = field ? `${field}.${key}` : key;
      const fieldShape = shape.fields[key];
      if (!fieldShape) {
        problems.push({ field: path, value: JSON.stringify(item) ?? "undefined", rule: `is not a known key (known: ${known.join(", ")})` });
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
