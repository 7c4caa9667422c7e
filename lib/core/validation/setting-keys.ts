import type { SettingsProblem } from "../settings-error";
import { isPlainObject } from "./show-value";
import { keyPath, unknownKeyProblem } from "./unknown-keys";

/**
 * Where a settings object's keys go: a leaf (its value is not an object whose keys are checked
 * here: a string, a number, or a part with its own validator), a table of keys, or a list of one
 * table.
 */
export type KeyShape = "leaf" | KeyTable | { readonly listOf: KeyTable };

export interface KeyTable {
  readonly keys: Readonly<Record<string, KeyShape>>;
}

/**
 * Every key of T, each with its shape: the table a type's keys are checked against. The compiler
 * refuses a table that misses a key of T or names one T does not have, so a field added to a
 * settings type cannot be forgotten here: a misspelt key is refused wherever a user writes it.
 */
export type KeysOf<T> = { readonly [K in keyof Required<T>]-?: KeyShape };

export function keyTable<T>(keys: KeysOf<T>): KeyTable {
  return { keys };
}

/** The keys a table knows, in its order. */
export function keysOf(table: KeyTable): string[] {
  return Object.keys(table.keys);
}

/**
 * Every key of `value` (and of the objects and lists in it that the shape describes) that its
 * table does not know, named by its path, with the nearest known key. Values of the wrong kind are
 * skipped: their own rules name them.
 */
export function unknownKeysIn(value: unknown, shape: KeyShape, field: string): SettingsProblem[] {
  if (shape === "leaf") return [];
  if ("listOf" in shape) {
    if (!Array.isArray(value)) return [];
    return value.flatMap((item, index) => unknownKeysIn(item, shape.listOf, `${field}[${index}]`));
  }
  if (!isPlainObject(value)) return [];
  const known = keysOf(shape);
  return Object.entries(value).flatMap(([key, item]) => {
    // Own keys only: `constructor` or `toString` in a file is no setting.
    if (!Object.hasOwn(shape.keys, key)) return [unknownKeyProblem(keyPath(field, key), key, item, known)];
    return unknownKeysIn(item, shape.keys[key], keyPath(field, key));
  });
}
