import type { SettingsProblem } from "../settings-error";
import { kindOf } from "./show-value";

/** Levenshtein distance, for "did you mean": keys are short, so the quadratic table is cheap. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The known key a misspelt one most likely meant: same letters in another case, or at most 2 edits away. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const sameLetters = known.find((candidate) => candidate.toLowerCase() === key.toLowerCase());
  if (sameLetters) return sameLetters;
  const scored = known.map((candidate) => ({ candidate, distance: editDistance(key.toLowerCase(), candidate.toLowerCase()) }));
  const best = scored.sort((a, b) => a.distance - b.distance)[0];
  return best && best.distance <= Math.min(2, Math.floor(key.length / 2)) ? best.candidate : undefined;
}

/** The problem with one unknown key at `path`; its value is shown by kind only (a misspelt `authpass` holds a password). */
export function unknownKeyProblem(path: string, key: string, value: unknown, known: readonly string[]): SettingsProblem {
  const guess = closestKey(key, known);
  return {
    field: path,
    value: `(${kindOf(value)})`,
    rule: `is not a known key${guess ? ` (did you mean ${guess}?)` : ""}; known: ${known.join(", ")}`,
  };
}

/**
 * Keys of `object` that are not in `known`: a misspelt key would otherwise be dropped without a
 * word (a misspelt `authpass` loses the user's password).
 */
export function unknownKeyProblems(object: Record<string, unknown>, known: readonly string[], field: string): SettingsProblem[] {
  return Object.keys(object)
    .filter((key) => !known.includes(key))
    .map((key) => unknownKeyProblem(keyPath(field, key), key, object[key], known));
}

/** `field.key`, or `field["odd key"]` for a key that is not a plain name; just `key` at the top. */
export function keyPath(field: string, key: string): string {
  if (!/^[A-Za-z_$][\w$-]*$/.test(key)) return `${field}[${JSON.stringify(key)}]`;
  return field === "" ? key : `${field}.${key}`;
}
