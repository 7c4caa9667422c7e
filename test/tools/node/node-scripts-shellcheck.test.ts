import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { toolAvailable } from "../../fixtures/tools";
import { NODE_SCRIPTS } from "../../fixtures/node-scripts";

const hasShellcheck = toolAvailable("shellcheck");
const dir = mkdtempSync(join(tmpdir(), "havip-node-scripts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("every script sent to a node is valid POSIX sh", () => {
  // SC1091: /etc/os-release is the node's, not a file shellcheck can follow here.
  it.each(NODE_SCRIPTS)(`%s passes sh -n${hasShellcheck ? " and shellcheck -s sh" : ""}`, (name, script) => {
    const path = join(dir, `${name}.sh`);
    writeFileSync(path, `${script}\n`);
    const syntax = spawnSync("sh", ["-n", path], { encoding: "utf8" });
    expect(syntax.stderr).toBe("");
    expect(syntax.status).toBe(0);
    if (!hasShellcheck) return;
    const lint = spawnSync("shellcheck", ["--shell=sh", "--severity=style", "--exclude=SC1091", path], { encoding: "utf8" });
    expect(lint.stdout).toBe("");
    expect(lint.status).toBe(0);
  });
});
