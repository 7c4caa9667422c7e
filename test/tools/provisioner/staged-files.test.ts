import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ManagedFile } from "../../../lib/core/keepalived";
import { writeStagedFiles } from "../../../lib/provisioner/remote-files";
import type { RemoteShell } from "../../../lib/provisioner/ssh/remote-shell";
import { runningAsRoot } from "../../fixtures/tools";

/** The provisioner's scripts run by the local sh, as they run on a node over SSH. */
const localShell = {
  nodeName: "local",
  run: async (script: string, options: { stdin?: string } = {}) => {
    const result = spawnSync("sh", ["-c", script], { input: options.stdin ?? "", encoding: "utf8" });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  },
  check: async (step: string, script: string, options: { stdin?: string } = {}) => {
    const result = await localShell.run(script, options);
    if (result.code !== 0) throw new Error(`${step}: ${result.stderr}`);
    return result.stdout;
  },
} as unknown as RemoteShell;

/** Whether `user` may do `test <flag> path` (runuser drops root's access rights). */
function userMay(user: string, flag: "-r" | "-x", path: string): boolean {
  return spawnSync("runuser", ["-u", user, "--", "test", flag, path]).status === 0;
}

describe.runIf(runningAsRoot())("writeStagedFiles (as root, on this machine)", () => {
  // Stands in for /etc/keepalived (0755 root): mkdtemp makes it 0700.
  const parent = mkdtempSync(join(tmpdir(), "havip-staging-"));
  chmodSync(parent, 0o755);
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it("lets a non-root script user reach the staged scripts by name, but neither list the directory nor read the config", async () => {
    const staging = join(parent, ".havip-staging");
    const conf: ManagedFile = {
      path: join(staging, "keepalived.conf"),
      mode: 0o600,
      owner: "root",
      group: "root",
      content: "auth_pass secret\n",
      secret: true,
    };
    const check: ManagedFile = {
      path: join(staging, "havip-check.sh"),
      mode: 0o755,
      owner: "root",
      group: "root",
      content: "#!/bin/sh\nexit 0\n",
    };
    await writeStagedFiles(localShell, staging, [conf, check]);
    expect(statSync(staging).mode & 0o7777).toBe(0o711);
    expect(statSync(conf.path).mode & 0o7777).toBe(0o600);
    expect(statSync(check.path).mode & 0o7777).toBe(0o755);
    expect([statSync(staging).uid, statSync(conf.path).uid, statSync(check.path).uid]).toEqual([0, 0, 0]);
    expect(userMay("nobody", "-x", check.path)).toBe(true);
    expect(userMay("nobody", "-r", check.path)).toBe(true);
    expect(userMay("nobody", "-r", conf.path)).toBe(false);
    expect(userMay("nobody", "-r", staging)).toBe(false);
  });
});
