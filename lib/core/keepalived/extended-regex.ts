/** Escapes POSIX extended-regex metacharacters so pgrep matches `text` literally. */
export function escapeExtendedRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");
}
