/**
 * A bash single-quoted literal: bash reads it back as exactly `value`, whatever it holds
 * (quotes, `$()`, backticks, newlines). NUL cannot live in a shell word and is refused.
 */
export function bashLiteral(value: string): string {
  if (value.includes("\0")) throw new Error("a shell literal cannot hold a NUL character");
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Escapes POSIX extended-regex metacharacters so pgrep matches `text` literally. */
export function escapeExtendedRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");
}
