import { Token } from "cdktf";

/**
 * A user's text as a Terraform string that Terraform reads back unchanged: cdktf emits plain
 * strings as they are, and Terraform would evaluate `${...}` and `%{...}` in them (a cloud-init
 * script full of `${HOME}` would fail to plan, or run functions on the operator's machine).
 * `$${` and `%%{` are Terraform's escapes; JSON quoting covers `"` and `\`. A token (a Terraform
 * expression the user built on purpose, e.g. `Fn.file(...)`) is left alone.
 */
export function terraformLiteral(text: string): string {
  if (Token.isUnresolved(text)) return text;
  return text.replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
}
