import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ManagedFile, renderNodeFiles } from "../../../lib/core/keepalived";
import { PRIMARY, RENDER_CASES, TEST_AUTH_PASS, validSpec } from "../../fixtures/keepalived-spec";

const GOLDEN_DIR = join(__dirname, "..", "..", "golden", "keepalived");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

/** All files of one node in one readable text: a header per file, then its content. */
function goldenText(files: readonly ManagedFile[]): string {
  return files
    .map((file) => {
      const header = `==> ${file.path} (mode ${file.mode.toString(8).padStart(4, "0")}, ${file.owner}:${file.group}${file.secret ? ", secret" : ""}) <==`;
      return `${header}\n${file.content}`;
    })
    .join("\n");
}

describe("rendered node files match the reviewed goldens (UPDATE_GOLDEN=1 rewrites them)", () => {
  for (const renderCase of RENDER_CASES) {
    it(`renders ${renderCase.name} as in test/golden/keepalived/${renderCase.name}.txt`, () => {
      const files = renderNodeFiles(validSpec(renderCase.spec, TEST_AUTH_PASS), {
        ...PRIMARY,
        ...nodeIps(renderCase),
        keepalivedVersion: renderCase.keepalivedVersion,
      });
      const actual = goldenText(files);
      const goldenPath = join(GOLDEN_DIR, `${renderCase.name}.txt`);
      if (UPDATE) {
        mkdirSync(GOLDEN_DIR, { recursive: true });
        writeFileSync(goldenPath, actual);
      }
      expect(existsSync(goldenPath), `${goldenPath} is missing: run UPDATE_GOLDEN=1 npx vitest run test/keepalived`).toBe(true);
      expect(actual).toBe(readFileSync(goldenPath, "utf8"));
    });
  }
});

function nodeIps(renderCase: (typeof RENDER_CASES)[number]): { ownIp: string; peerIp: string } {
  const [self, peer] = renderCase.spec.nodes;
  return { ownIp: self.privateIp, peerIp: peer.privateIp };
}
