/**
 * Every string in a Terraform configuration, JSON syntax included, is a template: `${...}` is an
 * interpolation and `%{...}` a directive. Text that must reach Terraform as data has them doubled
 * (`$${`, `%%{`), which Terraform reads back as the original characters. Quotes, backslashes and
 * control characters are JSON's business (JSON.stringify), not the template's.
 */
export function escapeTemplateText(text: string): string {
  return text.replace(/([$%])\{/g, "$1$1{");
}

/** A piece of a template: literal text (escaped when joined) or an interpolation written by the caller. */
export type TemplatePart = string | { readonly interpolation: string };

/**
 * Joins literal text (escaped) and interpolations (kept as written, e.g. `${jsonencode(x)}` or a
 * cdktf token) into one template. `$`s that end a literal right before an interpolation would
 * turn into the `$${` escape, so they are written as an interpolation of a string, `${"$"}`.
 */
export function joinTemplate(parts: readonly TemplatePart[]): string {
  let out = "";
  let literal = "";
  const flush = (beforeInterpolation: boolean) => {
    const escaped = escapeTemplateText(literal);
    const dollars = beforeInterpolation ? (/\$+$/.exec(escaped)?.[0] ?? "") : "";
    out += dollars ? `${escaped.slice(0, -dollars.length)}\${"${dollars}"}` : escaped;
    literal = "";
  };
  for (const part of parts) {
    if (typeof part === "string") {
      literal += part;
    } else {
      flush(true);
      out += part.interpolation;
    }
  }
  flush(false);
  return out;
}
