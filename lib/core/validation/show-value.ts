/** Longest value shown in a message; a hostile caller's megabyte string is cut, not echoed. */
const MAX_SHOWN_LENGTH = 80;

/** Strings that would read as another JSON type when shown bare: `"51"`, `"true"`, `"null"`. */
const LOOKS_LIKE_OTHER_TYPE = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)$/;

function cut(text: string): string {
  return text.length > MAX_SHOWN_LENGTH ? `${text.slice(0, MAX_SHOWN_LENGTH)}...` : text;
}

function jsonOf(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // BigInt, a cycle, a throwing toJSON: describe instead of failing.
    return `(${kindOf(value)})`;
  }
}

/**
 * How a value appears in an error message, as the user wrote it: a string bare when that is
 * unambiguous, JSON-quoted when it holds spaces or control characters or would read as a number,
 * boolean or null (`"51"`); anything else as JSON.
 */
export function showValue(value: unknown): string {
  if (typeof value === "string")
    return /^[\x21-\x7e]+$/.test(value) && !LOOKS_LIKE_OTHER_TYPE.test(value) ? cut(value) : cut(JSON.stringify(value));
  if (value === undefined) return "(missing)";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function" || typeof value === "symbol") return `(${kindOf(value)})`;
  return cut(jsonOf(value));
}

/** What kind of value this is, for a rule that names the kind it got: "a string", "a list", "null". */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "missing";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "object":
      return "an object";
    case "string":
      return "a string";
    case "number":
      return Number.isNaN(value) ? "NaN" : "a number";
    case "boolean":
      return "a boolean";
    case "bigint":
      return "a bigint";
    case "function":
      return "a function";
    default:
      return "a symbol";
  }
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
