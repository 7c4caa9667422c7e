import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { synthCluster } from "./synth-cluster";

const terraformMissing = spawnSync("terraform", ["version"]).status !== 0;
const skip = terraformMissing && process.env.CI !== "true";

type Block = Record<string, unknown>;
const REFERENCE = /\b(data\.)?(tencentcloud_\w+)\.([\w-]+)((?:\.[a-z_]+|\[\d+\])*)/g;

/** `tencentcloud_x.name.attr...` -> the stand-in's `output.attr...` (its input holds every argument). */
function rewrite(text: string, bare = false): string {
  return text.replace(REFERENCE, (_, data: string | undefined, type: string, name: string, path: string) => {
    const standIn = `terraform_data.${data ? "data_" : ""}${type}__${name}`;
    if (bare) return path === ".id" ? `${standIn}.id` : standIn;
    return path === ".id" ? `${standIn}.id` : `${standIn}.output${path}`;
  });
}

function rewriteValue(value: unknown): unknown {
  if (typeof value === "string") return rewrite(value);
  if (Array.isArray(value)) return value.map(rewriteValue);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewriteValue(v)]));
  return value;
}

/** The attributes other blocks read from each Tencent block, with a stand-in value unless the block sets them. */
function referencedAttributes(json: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const match of json.matchAll(REFERENCE)) {
    const key = `${match[1] ? "data_" : ""}${match[2]}__${match[3]}`;
    const attribute = /^\.([a-z_]+)/.exec(match[4])?.[1];
    if (!attribute || attribute === "id") continue;
    found.set(key, (found.get(key) ?? new Set()).add(attribute));
  }
  return found;
}

/**
 * The synthesized stack with each Tencent resource and data source swapped for a built-in
 * `terraform_data` carrying the same arguments (references rewritten), keeping depends_on,
 * replace_triggered_by, postconditions and the provisioners: what Terraform itself can check
 * without the Tencent provider.
 */
function standInStack(json: string): Block {
  const parsed = JSON.parse(json) as { resource?: Record<string, Record<string, Block>>; data?: Record<string, Record<string, Block>>; output?: Block };
  const wanted = referencedAttributes(json);
  const resources: Record<string, Block> = {};
  const add = (key: string, block: Block) => {
    const { depends_on, lifecycle, provisioner, ...args } = block;
    const input: Block = { ...(rewriteValue(args) as Block) };
    for (const attribute of wanted.get(key) ?? []) {
      if (!(attribute in input)) input[attribute] = attribute === "images" ? [{ image_id: "img-stand-in" }] : `stand-in-${attribute}`;
    }
    const life = lifecycle as { replace_triggered_by?: string[]; postcondition?: Block[]; ignore_changes?: string[] } | undefined;
    resources[key] = {
      input,
      ...(depends_on ? { depends_on: (depends_on as string[]).map((d) => rewrite(d, true)) } : {}),
      ...(life
        ? {
            lifecycle: {
              // terraform_data has only `input`: the attribute names themselves are asserted in the synth tests.
              ...(life.ignore_changes ? { ignore_changes: ["input"] } : {}),
              ...(life.replace_triggered_by ? { replace_triggered_by: life.replace_triggered_by.map((r) => rewrite(r, true)) } : {}),
              ...(life.postcondition
                ? { postcondition: life.postcondition.map((c) => ({ ...c, condition: String(c.condition).replace(/\bself\.(?!output)/g, "self.output.") })) }
                : {}),
            },
          }
        : {}),
      ...(provisioner ? { provisioner: rewriteValue(provisioner) } : {}),
    };
  };
  for (const [type, blocks] of Object.entries(parsed.resource ?? {})) {
    for (const [name, block] of Object.entries(blocks)) {
      if (type === "terraform_data") {
        const { depends_on, ...rest } = block;
        resources[name] = { ...(rewriteValue(rest) as Block), ...(depends_on ? { depends_on: (depends_on as string[]).map((d) => rewrite(d, true)) } : {}) };
      }
      else add(`${type}__${name}`, block);
    }
  }
  for (const [type, blocks] of Object.entries(parsed.data ?? {})) {
    for (const [name, block] of Object.entries(blocks)) add(`data_${type}__${name}`, block);
  }
  return { resource: { terraform_data: resources }, output: rewriteValue(parsed.output ?? {}) };
}

function terraform(dir: string, args: string[]): { code: number | null; output: string } {
  const result = spawnSync("terraform", [...args, "-no-color"], { cwd: dir, encoding: "utf8", env: { ...process.env, TF_IN_AUTOMATION: "1" } });
  return { code: result.status, output: result.stdout + result.stderr };
}

function terraformValidate(stack: Block): { code: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "havip-tf-lifecycle-"));
  try {
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(stack, null, 2));
    const init = spawnSync("terraform", ["init", "-input=false", "-backend=false", "-no-color"], { cwd: dir, encoding: "utf8" });
    if (init.status !== 0) return { code: init.status, output: init.stdout + init.stderr };
    const result = spawnSync("terraform", ["validate", "-no-color"], { cwd: dir, encoding: "utf8" });
    return { code: result.status, output: result.stdout + result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(skip)("the day-2 lifecycle settings as Terraform reads them", () => {
  it.each([
    ["an auto-assigned HAVIP and the default image lookup", { havips: [{}] }],
    ["fixed HAVIPs and an explicit image", { nodes: { imageId: "img-0123abcd" } }],
    ["no public SSH", { publicSsh: false, ssh: { jumpHost: { host: "203.0.113.9" } } }],
  ])("validates with %s: replace_triggered_by, postconditions, depends_on and gates, no cycle", (_, props) => {
    const stack = standInStack(synthCluster(props).json);
    const result = terraformValidate(stack);
    expect(result.output).toContain("The configuration is valid");
    expect(result.code).toBe(0);
  }, 60_000);

  it("would reject a replace_triggered_by written as an interpolation (the stand-in keeps the form cdktf emits)", () => {
    const stack = standInStack(synthCluster().json) as { resource: { terraform_data: Record<string, Block> } };
    const lock = Object.entries(stack.resource.terraform_data).find(([key]) => key.includes("primary-lock"));
    if (!lock) throw new Error("no primary lock stand-in");
    const life = lock[1].lifecycle as { replace_triggered_by: string[] };
    life.replace_triggered_by = life.replace_triggered_by.map((ref) => `\${${ref}}`);
    const result = terraformValidate(stack);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/replace_triggered_by/);
  }, 60_000);
});

describe.skipIf(skip)("a resize of both nodes, applied by Terraform", () => {
  it("changes the primary, runs its gate, and only then changes the secondary; the drift locks stay until a node is replaced; destroy works", () => {
    const stack = standInStack(synthCluster().json) as { resource: { terraform_data: Record<string, Block> } };
    const blocks = stack.resource.terraform_data;
    for (const block of Object.values(blocks)) {
      // The gates' and the pair's run: a marker instead of SSH (this test reaches no machine).
      if (block.provisioner) block.provisioner = [{ "local-exec": { interpreter: ["sh", "-c"], command: "sleep 1" } }];
    }
    const instanceKeys = Object.keys(blocks).filter((key) => key.startsWith("tencentcloud_instance__"));
    // The stand-in has only `input`: the image pin is asserted in the synth tests, here only the resize counts.
    for (const key of instanceKeys) delete (blocks[key] as { lifecycle?: unknown }).lifecycle;
    const dir = mkdtempSync(join(tmpdir(), "havip-tf-roll-"));
    try {
      writeFileSync(join(dir, "main.tf.json"), JSON.stringify(stack, null, 2));
      expect(terraform(dir, ["init", "-input=false", "-backend=false"]).code).toBe(0);
      const created = terraform(dir, ["apply", "-input=false", "-auto-approve"]);
      expect(created.output).toContain("Apply complete!");
      for (const key of instanceKeys) (blocks[key].input as Block).instance_type = "S5.LARGE8";
      writeFileSync(join(dir, "main.tf.json"), JSON.stringify(stack, null, 2));
      const resized = terraform(dir, ["apply", "-input=false", "-auto-approve"]);
      expect(resized.output).toContain("Apply complete!");
      const lines = resized.output.split("\n");
      const at = (part: string, event: string) => {
        const index = lines.findIndex((line) => line.includes(part) && line.includes(event));
        if (index < 0) throw new Error(`no "${event}" for ${part} in:\n${resized.output}`);
        return index;
      };
      const primaryChanged = at("tencentcloud_instance__web_primary_", "Modifications complete");
      const primaryGated = at("web_primary-gate", "Creation complete");
      const secondaryStarts = at("tencentcloud_instance__web_secondary_", "Modifying...");
      const secondaryGateStarts = at("web_secondary-gate", "Creating...");
      expect(primaryChanged).toBeLessThan(primaryGated);
      expect(primaryGated).toBeLessThan(secondaryStarts);
      expect(secondaryStarts).toBeLessThan(secondaryGateStarts);
      expect(resized.output).not.toMatch(/lock_\w+: (Destroying|Creating)/);
      // The whole pair's run comes last (here it re-runs because a stand-in's output is unknown after an update).
      expect(secondaryGateStarts).toBeLessThan(at("web_provision_", "Creating..."));

      // A replaced primary: its lock is attached again and its gate re-runs; the secondary's lock stays.
      const primaryKey = instanceKeys.find((key) => key.includes("web_primary_"));
      const replaced = terraform(dir, ["apply", "-input=false", "-auto-approve", `-replace=terraform_data.${primaryKey}`]);
      expect(replaced.output).toContain("Apply complete!");
      expect(replaced.output).toMatch(/havip-1-primary-lock_\w+: Creation complete/);
      expect(replaced.output).toMatch(/web_primary-gate_\w+: Creation complete/);
      expect(replaced.output).not.toMatch(/havip-1-secondary-lock_\w+: (Destroying|Creating)/);

      // Destroy runs no provisioner and takes the secondary down before the primary.
      const destroyed = terraform(dir, ["destroy", "-input=false", "-auto-approve"]);
      expect(destroyed.output).toContain("Destroy complete!");
      expect(destroyed.output).not.toContain("local-exec");
      const gone = destroyed.output.split("\n");
      const destroyedAt = (part: string) => gone.findIndex((line) => line.includes(part) && line.includes("Destruction complete"));
      expect(destroyedAt("tencentcloud_instance__web_secondary_")).toBeGreaterThanOrEqual(0);
      expect(destroyedAt("tencentcloud_instance__web_secondary_")).toBeLessThan(destroyedAt("tencentcloud_instance__web_primary_"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
