/**
 * A POSIX shell single-quoted literal: the shell reads it back as exactly `value`, whatever it
 * holds (quotes, `$()`, backticks, newlines). NUL cannot live in a shell word and is refused.
 */
export function shellLiteral(value: string): string {
  if (value.includes("\0")) throw new Error("a shell literal cannot hold a NUL character");
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Like shellLiteral, but leaves words made only of safe characters bare, for readable commands. */
export function quoteShellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : shellLiteral(word);
}
