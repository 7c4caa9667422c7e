import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateApiReference, renderSourceReference } from "../../../scripts/generate-api-reference";
import { REPO_ROOT } from "../../fixtures/package-build";

describe("docs/api-reference.md", () => {
  it("matches what scripts/generate-api-reference.ts makes of the current JSDoc (run `npm run docs:api` after changing props)", () => {
    const committed = readFileSync(join(REPO_ROOT, "docs", "api-reference.md"), "utf8");
    expect(committed).toBe(generateApiReference(REPO_ROOT));
  });

  it("documents every HaVipClusterProps field with its default", () => {
    const reference = generateApiReference(REPO_ROOT);
    expect(reference).toContain("| `keepalived` | `KeepalivedSettings` | required |");
    expect(reference).toContain("| `driftLock` | `boolean` | `true` |");
    expect(reference).toContain("| `advertIntSeconds` | `number` | `2` |");
  });
});

describe("docs/construct.md", () => {
  it("links the generated props reference instead of repeating its table by hand", () => {
    const construct = readFileSync(join(REPO_ROOT, "docs", "construct.md"), "utf8");
    expect(construct).toContain("](api-reference.md#havipclusterprops)");
    const reference = generateApiReference(REPO_ROOT);
    const referenceSection = reference.slice(reference.indexOf("### `HaVipClusterProps`"));
    const fields = [...referenceSection.matchAll(/^\| `(\w+)` \|/gm)].map((match) => match[1]);
    expect(fields.length).toBeGreaterThan(10);
    const handWritten = fields.filter((field) =>
      new RegExp(`^\\| \`(network\\.)?${field}\` \\| (string|boolean|number)`, "m").test(construct),
    );
    expect(handWritten).toEqual([]);
  });
});

describe("the API reference generator", () => {
  const sample = [
    "/** A thing. */",
    "export interface Thing {",
    "  /** Its size. @default 3 */",
    "  readonly size?: number;",
    "  /** Left or right: `a | b`. */",
    '  readonly side: "left" | "right";',
    "  /** @default - whatever the cloud picks */",
    "  readonly zone?: string;",
    "}",
    "interface Hidden { readonly secret: string }",
  ].join("\n");

  it("renders one row per field with type, default and description, escaping pipes", () => {
    const reference = renderSourceReference("thing.ts", sample);
    expect(reference).toContain("| `size` | `number` | `3` | Its size. |");
    expect(reference).toContain('| `side` | `"left" \\| "right"` | required | Left or right: `a \\| b`. |');
    expect(reference).toContain("| `zone` | `string` | whatever the cloud picks |  |");
  });

  it("leaves out what the file does not export", () => {
    expect(renderSourceReference("thing.ts", sample)).not.toContain("Hidden");
  });
});
