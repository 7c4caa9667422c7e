/**
 * Turns a synthesized cdk.tf.json into a configuration Terraform can plan without the Tencent
 * provider binary: every `tencentcloud_*` resource and data source becomes a built-in
 * `terraform_data` whose `input` carries the same arguments plus fake values for the computed
 * attributes other blocks read, and every reference to it is rewritten to that `input`.
 * Everything else (variables and their validations, outputs, locals, the provisioning
 * `terraform_data`) is left as written, so Terraform evaluates it for real.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const PROVIDER_PREFIX = "tencentcloud_";
/** Meta-arguments that are not resource arguments: kept on the stand-in (rewritten) or dropped. */
const KEPT_META_ARGUMENTS = ["depends_on", "count", "for_each"] as const;
const DROPPED_META_ARGUMENTS = ["provider", "provisioner", "connection"] as const;
/** Lifecycle settings a stand-in keeps; `ignore_changes` is mapped onto the stand-in's `input`. */
const KEPT_LIFECYCLE = [
  "create_before_destroy",
  "prevent_destroy",
  "replace_triggered_by",
  "precondition",
  "postcondition",
  "ignore_changes",
] as const;

const isObject = (value: Json | undefined): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

/** The `terraform_data` name standing in for a resource (`data: false`) or data source of the provider. */
export function standInName(type: string, name: string, data: boolean): string {
  return `${data ? "data__" : ""}${type}__${name}`;
}

/** One step of an attribute path after the block's name: `.attr`, `[0]` or `["key"]`. */
type PathStep = { readonly key: string } | { readonly index: number };

function parsePath(text: string): PathStep[] {
  const steps: PathStep[] = [];
  for (const match of text.matchAll(/\.([A-Za-z_][\w-]*)|\[(\d+)\]|\["([^"]*)"\]/g)) {
    if (match[1] !== undefined) steps.push({ key: match[1] });
    else if (match[2] !== undefined) steps.push({ index: Number(match[2]) });
    else steps.push({ key: match[3] });
  }
  return steps;
}

// data.? tencentcloud_type . name  (attribute path)
const REFERENCE = /(?<![\w.])(data\.)?(tencentcloud_[a-z0-9_]+)\.([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[\d+\]|\["[^"\\]*"\])*)/g;

interface Reference {
  readonly data: boolean;
  readonly type: string;
  readonly name: string;
  readonly path: readonly PathStep[];
}

/**
 * Applies `rewrite` to the expression code of every `${...}` and `%{...}` in a Terraform JSON
 * string, skipping escaped `$${`/`%%{` and string literals inside the expressions; literal text
 * is returned untouched.
 */
export function mapTemplateExpressions(text: string, rewrite: (code: string) => string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const two = text.slice(i, i + 2);
    if ((two === "$$" || two === "%%") && text[i + 2] === "{") {
      out += text.slice(i, i + 3);
      i += 3;
      continue;
    }
    if (two === "${" || two === "%{") {
      const end = expressionEnd(text, i + 2);
      out += two + mapExpressionCode(text.slice(i + 2, end), rewrite) + "}";
      i = end + 1;
      continue;
    }
    out += text[i];
    i++;
  }
  return out;
}

/** Index of the `}` closing an expression that starts at `start`, skipping nested braces and quoted strings. */
function expressionEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (char === '"') i = stringEnd(text, i);
    else if (char === "{") depth++;
    else if (char === "}") {
      if (depth === 0) return i;
      depth--;
    }
  }
  throw new Error(`unterminated template expression in ${JSON.stringify(text)}`);
}

/** Index of the `"` closing the string literal whose opening quote is at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
    else if (text.startsWith("${", i) || text.startsWith("%{", i)) i = expressionEnd(text, i + 2);
  }
  throw new Error(`unterminated string literal in ${JSON.stringify(text)}`);
}

/** Rewrites the code parts of an expression, leaving its string literals alone. */
function mapExpressionCode(code: string, rewrite: (code: string) => string): string {
  let out = "";
  let segmentStart = 0;
  for (let i = 0; i < code.length; i++) {
    if (code[i] !== '"') continue;
    const end = stringEnd(code, i);
    out += rewrite(code.slice(segmentStart, i)) + code.slice(i, end + 1);
    segmentStart = end + 1;
    i = end;
  }
  return out + rewrite(code.slice(segmentStart));
}

/** A template that cannot be scanned is left as it is, for Terraform to report in its own words. */
function rewriteTemplate(text: string, rewrite: (code: string) => string): string {
  try {
    return mapTemplateExpressions(text, rewrite);
  } catch {
    return text;
  }
}

/** Every string in a JSON value, rewritten by `map` (object keys are kept). */
function mapStrings(value: Json, map: (text: string) => string): Json {
  if (typeof value === "string") return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
  return value;
}

/**
 * A fake value for a computed attribute at `path` (after the attribute name), e.g. `images[0].image_id`.
 * Addresses (`*_ip`, `vip`) come from TEST-NET-2 (198.51.100.0/24, documentation only), one per
 * attribute, so that values which must be addresses are; a whole result list of a data source
 * (`*_list`, e.g. `instance_list`) is empty, as a lookup that found nothing; everything else is a
 * labelled string.
 */
function fakeValue(label: string, attribute: string, path: readonly PathStep[], known: KnownValues): Json {
  if (path.length === 0) {
    const given = known.computed[label];
    if (given !== undefined) return given;
    if (attribute.endsWith("_list")) return [];
    if (!known.fakes.has(label)) {
      const addresses = [...known.fakes.values()].filter((value) => value.startsWith("198.51.100.")).length;
      known.fakes.set(label, /(^|_)ip$|^vip$/.test(attribute) ? `198.51.100.${addresses + 1}` : `fake-${label}`);
    }
    return known.fakes.get(label) as string;
  }
  const [step, ...rest] = path;
  if ("index" in step) return Array.from({ length: step.index + 1 }, () => fakeValue(label, attribute, rest, known));
  return { [step.key]: fakeValue(`${label}.${step.key}`, step.key, rest, known) };
}

/**
 * The values given for computed attributes, and the fakes made so far: a fake address depends
 * only on the fakes before it, so giving a value for one attribute leaves the others as they were.
 */
interface KnownValues {
  readonly computed: Readonly<Record<string, Json>>;
  readonly fakes: Map<string, string>;
}

/** Merges a fake value into what the block already has, keeping every configured value. */
function mergeFake(existing: Json | undefined, fake: Json): Json {
  if (existing === undefined) return fake;
  if (Array.isArray(existing) && Array.isArray(fake)) {
    return fake.map((item, index) => mergeFake(existing[index], item)).concat(existing.slice(fake.length));
  }
  if (isObject(existing) && isObject(fake)) {
    const merged: JsonObject = { ...existing };
    for (const [key, item] of Object.entries(fake)) merged[key] = mergeFake(existing[key], item);
    return merged;
  }
  return existing;
}

export interface StandInResult {
  /** The configuration to give Terraform. */
  readonly config: JsonObject;
  /** `tencentcloud_*` block addresses replaced, e.g. `tencentcloud_vpc.web_vpc_1234`, `data.tencentcloud_images.x`. */
  readonly replaced: readonly string[];
}

export interface StandInOptions {
  /**
   * Values for computed attributes, by `<type>.<logical name>.<attribute>`, e.g. an address in the
   * subnet for an auto-assigned HAVIP's `vip`, or what a data source found (`instance_list`).
   * @default - fakes (see fakeValue)
   */
  readonly computed?: Readonly<Record<string, Json>>;
  /**
   * `<block>.id` reads the stand-in's own `id`, which Terraform assigns anew each time it creates or
   * replaces it, as a provider does: for applying changes, where a replacement must be seen by what
   * reads the id. Planned values built from an id are then unknown until apply.
   * @default false - a fake id, fixed and known at plan time (in `replace_triggered_by` the own id is always read)
   */
  readonly idsChangeOnReplace?: boolean;
}

/** The stand-in configuration for a synthesized cdk.tf.json (see the file comment). */
export function withStandIns(synthesized: JsonObject, options: StandInOptions = {}): StandInResult {
  const config = structuredClone(synthesized);
  const references: Reference[] = [];
  const rewriteReferences = (code: string, ownId: boolean) =>
    code.replace(REFERENCE, (_all, data: string | undefined, type: string, name: string, path: string) => {
      const standIn = `terraform_data.${standInName(type, name, data !== undefined)}`;
      if (ownId && path === ".id") return `${standIn}.id`;
      references.push({ data: data !== undefined, type, name, path: parsePath(path) });
      return `${standIn}${path === "" ? "" : `.input${path}`}`;
    });
  const rewriteCode = (code: string) => rewriteReferences(code, options.idsChangeOnReplace === true);
  const rewriteTemplates = (value: Json) => mapStrings(value, (text) => rewriteTemplate(text, rewriteCode));
  // depends_on and replace_triggered_by list plain references, not templates; a replacement shows in the own id.
  const rewriteAddress = (address: Json) => (typeof address === "string" ? rewriteReferences(address, true) : address);

  const standIns: Record<string, JsonObject> = {};
  const replaced: string[] = [];
  for (const [kind, data] of [
    ["resource", false],
    ["data", true],
  ] as const) {
    const blocks = config[kind];
    if (!isObject(blocks)) continue;
    for (const [type, byName] of Object.entries(blocks)) {
      if (!type.startsWith(PROVIDER_PREFIX) || !isObject(byName)) continue;
      for (const [name, block] of Object.entries(byName)) {
        if (!isObject(block)) continue;
        const input: JsonObject = {};
        const standIn: JsonObject = {};
        for (const [key, value] of Object.entries(block)) {
          if ((KEPT_META_ARGUMENTS as readonly string[]).includes(key)) standIn[key] = value;
          else if (key === "lifecycle" && isObject(value)) standIn.lifecycle = standInLifecycle(value);
          else if (!(DROPPED_META_ARGUMENTS as readonly string[]).includes(key)) input[key] = value;
        }
        standIns[standInName(type, name, data)] = { ...standIn, input };
        replaced.push(`${data ? "data." : ""}${type}.${name}`);
      }
      delete blocks[type];
    }
    if (Object.keys(blocks).length === 0) delete config[kind];
  }

  for (const key of Object.keys(config)) {
    if (key === "terraform") continue;
    config[key] = rewriteTemplates(config[key]);
  }
  for (const [name, standIn] of Object.entries(standIns)) {
    standIns[name] = rewriteTemplates(standIn) as JsonObject;
  }
  const blocksWithDependsOn = [
    ...[config.resource, config.data].flatMap((kind) =>
      isObject(kind) ? Object.values(kind).flatMap((byName) => (isObject(byName) ? Object.values(byName) : [])) : [],
    ),
    ...(isObject(config.output) ? Object.values(config.output) : []),
    ...Object.values(standIns),
  ];
  // An import block's `to` is a plain address too.
  if (Array.isArray(config.import)) {
    for (const block of config.import) if (isObject(block)) block.to = rewriteAddress(block.to);
  }
  for (const block of blocksWithDependsOn) {
    if (!isObject(block)) continue;
    if (Array.isArray(block.depends_on)) block.depends_on = block.depends_on.map(rewriteAddress);
    const lifecycle = block.lifecycle;
    if (isObject(lifecycle) && Array.isArray(lifecycle.replace_triggered_by)) {
      lifecycle.replace_triggered_by = lifecycle.replace_triggered_by.map(rewriteAddress);
    }
  }

  const knownValues: KnownValues = { computed: options.computed ?? {}, fakes: new Map() };
  for (const reference of references) {
    const standIn = standIns[standInName(reference.type, reference.name, reference.data)];
    if (!standIn) throw new Error(`a reference to ${reference.type}.${reference.name}, which the configuration does not declare`);
    const [attribute, ...rest] = reference.path;
    if (!attribute || !("key" in attribute)) continue;
    const input = standIn.input as JsonObject;
    const label = `${reference.type}.${reference.name}.${attribute.key}`;
    input[attribute.key] = mergeFake(input[attribute.key], fakeValue(label, attribute.key, rest, knownValues));
  }

  if (Object.keys(standIns).length > 0) {
    const resources = isObject(config.resource) ? config.resource : {};
    const terraformData = isObject(resources.terraform_data) ? resources.terraform_data : {};
    config.resource = { ...resources, terraform_data: { ...terraformData, ...standIns } };
  }
  config.terraform = withoutProvider(config.terraform);
  if (isObject(config.provider)) {
    for (const name of Object.keys(config.provider)) if (name === "tencentcloud") delete config.provider[name];
    if (Object.keys(config.provider).length === 0) delete config.provider;
  }
  return { config, replaced };
}

/**
 * A provider block's lifecycle for its stand-in: conditions read `self.input.<attribute>` instead
 * of `self.<attribute>`, and `ignore_changes` names `input.<attribute>` (`all` stays `all`).
 */
function standInLifecycle(lifecycle: JsonObject): JsonObject {
  const kept = Object.fromEntries(Object.entries(lifecycle).filter(([key]) => (KEPT_LIFECYCLE as readonly string[]).includes(key)));
  if (Array.isArray(kept.ignore_changes))
    kept.ignore_changes = kept.ignore_changes.map((path) => (typeof path === "string" ? `input.${path}` : path));
  for (const key of ["precondition", "postcondition"]) {
    if (kept[key] !== undefined) {
      kept[key] = mapStrings(kept[key], (text) =>
        rewriteTemplate(text, (code) => code.replace(/(?<![\w.])self\.(?!input\b)/g, "self.input.")),
      );
    }
  }
  return kept;
}

/** The `terraform` block without the Tencent provider requirement and without a remote backend. */
function withoutProvider(terraform: Json | undefined): JsonObject {
  const block: JsonObject = isObject(terraform) ? { ...terraform } : {};
  delete block.backend;
  if (isObject(block.required_providers)) {
    const required = { ...block.required_providers };
    delete required.tencentcloud;
    if (Object.keys(required).length === 0) delete block.required_providers;
    else block.required_providers = required;
  }
  return block;
}
