import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { reloadCommand, startCommand } from "../../../lib/core/node/keepalived-service";
import { readSettledKeepalivedStatus } from "../../../lib/provisioner/keepalived-control";
import type { RemoteShell } from "../../../lib/provisioner/ssh/remote-shell";

/**
 * The systemd commands run by sh with a stand-in `systemctl` on PATH that records its arguments
 * and answers from environment variables: what the provisioner does when systemd says no.
 */
describe("systemd start and reload commands (run with a stand-in systemctl)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "havip-systemctl-"));
    writeFileSync(
      join(dir, "systemctl"),
      `#!/bin/sh\necho "$*" >> "${dir}/calls"\ncase "$*" in\n` +
        `  *is-active*) echo "\${STUB_STATE:-active}"; [ "\${STUB_STATE:-active}" = active ];;\n` +
        `  *enable*) exit \${STUB_ENABLE_EXIT:-0};;\n  *start*|*reload*) exit \${STUB_JOB_EXIT:-0};;\n  *) exit 0;;\nesac\n`,
      { mode: 0o755 },
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (command: string, env: Record<string, string> = {}) => {
    const result = spawnSync("sh", ["-c", command], {
      encoding: "utf8",
      env: { ...process.env, ...env, PATH: `${dir}:${process.env.PATH ?? "/usr/bin:/bin"}` },
    });
    let calls: string[] = [];
    try {
      calls = readFileSync(join(dir, "calls"), "utf8").trim().split("\n");
    } catch {
      calls = [];
    }
    return { status: result.status, stderr: result.stderr, calls };
  };

  it("enables, starts and confirms the unit is active", () => {
    const result = run(startCommand("systemd", "/etc/keepalived/keepalived.conf"));
    expect(result.status).toBe(0);
    expect(result.calls).toEqual(["--quiet enable keepalived", "start keepalived", "is-active keepalived"]);
  });

  it("fails when the unit is not active after a start that systemd called successful (a failed ConditionFileNotEmpty)", () => {
    const result = run(startCommand("systemd", "/etc/keepalived/keepalived.conf"), { STUB_STATE: "inactive" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("keepalived.service is inactive");
  });

  it("does not swallow a failing enable, and starts nothing then", () => {
    const result = run(startCommand("systemd", "/etc/keepalived/keepalived.conf"), { STUB_ENABLE_EXIT: "1" });
    expect(result.status).toBe(1);
    expect(result.calls).toEqual(["--quiet enable keepalived"]);
  });

  it("reloads and confirms the unit is still active; a failing reload fails", () => {
    expect(run(reloadCommand("systemd")).calls).toEqual(["reload keepalived", "is-active keepalived"]);
    rmSync(join(dir, "calls"));
    const failed = run(reloadCommand("systemd"), { STUB_JOB_EXIT: "1" });
    expect(failed.status).toBe(1);
    expect(failed.calls).toEqual(["reload keepalived"]);
  });
});

describe("readSettledKeepalivedStatus", () => {
  const proc = "pid_comm=keepalived\npid_state=S\npid_start_ticks=150000\nclock_ticks=100\nboot_time=1700000000\n";
  const shellAnswering = (answers: string[]) => {
    const asked: string[] = [];
    const shell = {
      nodeName: "primary",
      check: async (_step: string, script: string) => {
        asked.push(script);
        return answers.length > 1 ? (answers.shift() as string) : answers[0];
      },
    };
    return { shell: shell as unknown as RemoteShell, asked };
  };

  it("waits while Keepalived is stopping and returns the settled state", async () => {
    const stopping = `${proc}state=STOP\nstate_written_at=1700001600\n`;
    const { shell, asked } = shellAnswering([stopping, stopping, "state=STOP\nstate_written_at=1700001600\n"]);
    const status = await readSettledKeepalivedStatus(shell, "other", "eth0", 5_000, 1);
    expect(status).toMatchObject({ running: false, runState: "stopped" });
    expect(asked).toHaveLength(3);
  });

  it("gives up with the node's name and the state when Keepalived does not settle", async () => {
    const { shell } = shellAnswering(["unit_state=deactivating\n"]);
    await expect(readSettledKeepalivedStatus(shell, "systemd", "eth0", 30, 5)).rejects.toThrow(
      "primary: Keepalived is still stopping after 0 s",
    );
  });
});
