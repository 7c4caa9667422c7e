import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NODE_SCRIPTS } from "../../fixtures/node-scripts";

const GOLDEN_DIR = join(__dirname, "..", "..", "golden", "node");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

describe("the shell text sent to a node matches the reviewed goldens (UPDATE_GOLDEN=1 rewrites them)", () => {
  it.each(NODE_SCRIPTS)("%s as in test/golden/node/%s.sh", (name, script) => {
    const goldenPath = join(GOLDEN_DIR, `${name}.sh`);
    if (UPDATE) {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(goldenPath, `${script}\n`);
    }
    expect(existsSync(goldenPath), `${goldenPath} is missing: run UPDATE_GOLDEN=1 npx vitest run test/node`).toBe(true);
    expect(`${script}\n`).toBe(readFileSync(goldenPath, "utf8"));
  });

  it("names every script once", () => {
    const names = NODE_SCRIPTS.map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
  });
});
