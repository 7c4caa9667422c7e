/**
 * Quotes one word for a POSIX shell: the result is always a single literal argument,
 * whatever the input holds (quotes, `$()`, backticks, newlines).
 */
export function quoteShellWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Joins an argv into a command line for `sh -c` with every word quoted. */
export function shellCommandLine(argv: readonly string[]): string {
  return argv.map(quoteShellWord).join(" ");
}
