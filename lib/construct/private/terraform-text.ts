import { Fn, TerraformLocal, Token, Tokenization } from "cdktf";
import type { Construct } from "constructs";
import { joinTemplate, type TemplatePart } from "../../core/terraform";

/** A string as literal text and cdktf tokens (Terraform expressions), in order. */
function fragmentsOf(text: string): TemplatePart[] {
  const asParts = (value: unknown): TemplatePart[] => {
    if (Array.isArray(value)) return value as TemplatePart[];
    if (value === undefined) return [];
    if (typeof value !== "string") return [{ interpolation: Token.asString(value) }];
    return [Token.isUnresolved(value) ? { interpolation: value } : value];
  };
  // Each fragment is a literal or a token's string encoding; the first join gets two raw fragments.
  return asParts(Tokenization.reverseString(text).join({ join: (left, right) => [...asParts(left), ...asParts(right)] }));
}

/**
 * A user's string for a resource argument: its literal text reaches Terraform as data (`${` and
 * `%{` escaped), its tokens stay expressions. cdktf writes top-level literals as they are, and
 * Fn.rawString only helps inside function calls (it escapes `"` but neither `%{` nor `\`).
 */
export function terraformText(text: string): string;
export function terraformText(text: string | undefined): string | undefined;
export function terraformText(text: string | undefined): string | undefined {
  return text === undefined ? undefined : joinTemplate(fragmentsOf(text));
}

/** Tag keys and values as data (see terraformText). */
export function terraformTags(tags: { readonly [key: string]: string } | undefined): { [key: string]: string } | undefined {
  return tags === undefined
    ? undefined
    : Object.fromEntries(Object.entries(tags).map(([key, value]) => [terraformText(key), terraformText(value)]));
}

const QUOTE = Fn.rawString('"');

/** JSON text of `value` as template parts: literals are JSON.stringify's, tokens are `jsonencode(...)` interpolations. */
function jsonParts(value: unknown, path: string): TemplatePart[] {
  if (value === null) return ["null"];
  if (typeof value === "boolean") return [String(value)];
  if (typeof value === "number") {
    if (Token.isUnresolved(value)) return [{ interpolation: Fn.jsonencode(value) }];
    if (!Number.isFinite(value)) throw new Error(`${path} is ${value}, which JSON cannot hold`);
    return [JSON.stringify(value)];
  }
  if (typeof value === "string") {
    const fragments = fragmentsOf(value);
    if (fragments.length === 1 && typeof fragments[0] !== "string") return [{ interpolation: Fn.jsonencode(value) }];
    // Text around an expression: the expression's JSON without its quotes goes inside one JSON string.
    const inside = fragments.map((fragment) =>
      typeof fragment === "string"
        ? JSON.stringify(fragment).slice(1, -1)
        : { interpolation: Fn.trimsuffix(Fn.trimprefix(Fn.jsonencode(fragment.interpolation), QUOTE), QUOTE) },
    );
    return ['"', ...inside, '"'];
  }
  if (Array.isArray(value)) {
    const items = value.map((item, index) => (item === undefined ? ["null"] : jsonParts(item, `${path}[${index}]`)));
    return ["[", ...items.flatMap((item, index) => (index === 0 ? item : [",", ...item])), "]"];
  }
  if (typeof value === "object") {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    const members = entries.map(([key, item]) => {
      if (Token.isUnresolved(key)) throw new Error(`${path} has a Terraform expression as a key`);
      return [JSON.stringify(key), ":", ...jsonParts(item, `${path}.${key}`)];
    });
    return ["{", ...members.flatMap((member, index) => (index === 0 ? member : [",", ...member])), "}"];
  }
  throw new Error(`${path} is a ${typeof value}, which JSON cannot hold`);
}

/**
 * `value` as a Terraform template that evaluates to its JSON text: every literal string arrives
 * byte for byte (no user text is ever parsed as HCL), expressions are spliced in as
 * `${jsonencode(...)}`. Unlike Fn.jsonencode over the object, quotes and backslashes stay data.
 * Only valid at the top level of an argument (cdktf re-escapes strings inside function calls).
 */
export function jsonTemplate(value: unknown): string {
  return joinTemplate(jsonParts(value, "value"));
}

/**
 * A local holding `value` as JSON (see jsonTemplate), so that outputs, the provisioner's
 * environment and hashes all read one evaluated string (`local.<name>`) and the template is
 * written once.
 */
export function jsonLocal(scope: Construct, id: string, value: unknown): string {
  return new TerraformLocal(scope, id, jsonTemplate(value)).asString;
}
