import { Token } from "cdktf";

/**
 * A user's text as a Terraform string that Terraform reads back unchanged: cdktf emits a plain
 * `${...}` as it is, and Terraform would evaluate it and `%{...}` (a cloud-init script full of
 * `${HOME}` would fail to plan, or run functions on the operator's machine). `$${` and `%%{` are
 * Terraform's escapes; JSON quoting covers `"` and `\`. test/construct/user-data.test.ts checks the
 * round trip through Terraform. A token (a Terraform expression the user built on purpose, e.g.
 * `Fn.file(...)`) is left alone.
 */
export function terraformLiteral(text: string): string {
  if (Token.isUnresolved(text)) return text;
  // Function replacements: in a replacement string `$$` would mean one `$`.
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}
