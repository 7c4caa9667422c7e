import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderHealthCheckScript, renderLogrotateRule, renderNotifyScript, resolveHealthCheck } from "../../../lib/core/keepalived";
import type { HealthCheck } from "../../../lib/core/cluster-settings";
import { SettingsError } from "../../../lib/core/settings-error";

/**
 * The renderers are the last line of defence: even a value that slipped past validation must
 * reach the script as a literal. Each hostile value tries to create a marker file in `dir`.
 */
let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "havip-escape-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function hostile(label: string): string {
  return `${label}'"$(touch ${dir}/pwned-dollar)\`touch ${dir}/pwned-backtick\`;touch ${dir}/pwned-semicolon\ntouch ${dir}/pwned-newline \\' $HOME`;
}

function markers(): string[] {
  return readdirSync(dir).filter((name) => name.startsWith("pwned"));
}

function runScript(content: string, args: string[] = []): { status: number | null; stderr: string } {
  const path = join(dir, "script.sh");
  writeFileSync(path, content);
  chmodSync(path, 0o755);
  const result = spawnSync(path, args, { encoding: "utf8", cwd: dir, timeout: 15_000 });
  const syntax = spawnSync("bash", ["-n", path], { encoding: "utf8" });
  expect(syntax.status).toBe(0);
  return { status: result.status, stderr: result.stderr };
}

function checkScript(check: HealthCheck): string {
  return renderHealthCheckScript({ healthCheck: resolveHealthCheck(check), failureCountPath: join(dir, "count") });
}

describe("hostile strings stay literal in the rendered scripts", () => {
  it("writes the notify log to a path full of shell syntax without running any of it", () => {
    const logDir = join(dir, hostile("dir"));
    const log = join(logDir, "notify.log");
    const result = runScript(
      renderNotifyScript({
        instanceName: hostile("instance"),
        stateFilePath: join(dir, "state"),
        failureCountPath: join(dir, "count"),
        notifyLogPath: log,
      }),
      ["MASTER"],
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(readFileSync(log, "utf8")).toContain(hostile("instance"));
    expect(markers()).toEqual([]);
  });

  it("checks a flag path full of shell syntax literally", () => {
    const flag = join(dir, hostile("flag"));
    const script = checkScript({ kind: "maintenance-flag", flagPath: flag });
    expect(runScript(script).status).toBe(0);
    mkdirSync(flag, { recursive: true });
    expect(runScript(script).status).toBe(1);
    expect(markers()).toEqual([]);
  });

  it("looks for a process name full of shell syntax literally", () => {
    expect(runScript(checkScript({ kind: "process", processName: hostile("proc") })).status).toBe(1);
    expect(markers()).toEqual([]);
  });

  it("passes a hostile URL to curl as one argument", () => {
    const result = runScript(
      checkScript({ kind: "http", url: `http://127.0.0.1:1/${hostile("url")}`, timeoutSeconds: 1, intervalSeconds: 2 }),
    );
    expect(result.status).toBe(1);
    expect(markers()).toEqual([]);
  });

  it("passes a hostile TCP host to the inner shell as an argument, never as code", () => {
    expect(runScript(checkScript({ kind: "tcp-port", port: 1, host: hostile("host"), timeoutSeconds: 1, intervalSeconds: 2 })).status).toBe(
      1,
    );
    expect(markers()).toEqual([]);
  });

  it("hands a one-line user command to /bin/sh exactly as written", () => {
    // The command is meant to run, so it must arrive byte for byte: here everything after # is a comment.
    const command = `true # ${hostile("command").replace(/\n/g, " ")}`;
    expect(runScript(checkScript({ kind: "command", command })).status).toBe(0);
    expect(markers()).toEqual([]);
  });

  it("embeds even a multi-line command as a literal that bash reads back unchanged", () => {
    const command = hostile("command");
    const script = checkScript({ kind: "command", command });
    const assignment = script.slice(script.indexOf("readonly CHECK_COMMAND="), script.indexOf("\nif timeout"));
    const roundTrip = spawnSync("bash", ["-c", `${assignment}\nprintf %s "$CHECK_COMMAND"`], { encoding: "utf8" });
    expect(roundTrip.stdout).toBe(command);
    expect(markers()).toEqual([]);
  });

  it("refuses to write a logrotate rule for a path logrotate cannot quote", () => {
    expect(() => renderLogrotateRule(`/var/log/${hostile("log")}`)).toThrow(SettingsError);
    expect(() => renderLogrotateRule("/var/log/a\npostrotate")).toThrow(/notifyLogPath/);
  });

  it("embeds every hook, even a multi-line one, as a literal that bash reads back unchanged", () => {
    const hooks = {
      master: hostile("master"),
      backup: hostile("backup"),
      fault: hostile("fault"),
      stop: hostile("stop"),
      timeoutSeconds: 5,
    };
    const script = renderNotifyScript({
      instanceName: "havip_demo",
      stateFilePath: join(dir, "state"),
      failureCountPath: join(dir, "count"),
      notifyLogPath: join(dir, "log"),
      hooks,
    });
    const assignments = script.slice(script.indexOf("readonly HOOK_MASTER="), script.indexOf("readonly HOOK_TIMEOUT_SECONDS="));
    const roundTrip = spawnSync("bash", ["-c", `${assignments}\nprintf '%s\\0' "$HOOK_MASTER" "$HOOK_BACKUP" "$HOOK_FAULT" "$HOOK_STOP"`], {
      encoding: "utf8",
    });
    expect(roundTrip.stdout.split("\0").slice(0, 4)).toEqual([hooks.master, hooks.backup, hooks.fault, hooks.stop]);
    expect(markers()).toEqual([]);
  });

  it("hands a hook to /bin/sh exactly as written and runs nothing else, with a hostile instance name and log path", async () => {
    const log = join(dir, hostile("logdir"), "notify.log");
    mkdirSync(join(dir, hostile("logdir")), { recursive: true });
    // Everything after # is a comment for /bin/sh: the hook prints $1 and its own text, nothing of it may run.
    const hook = `printf 'hook-arg=%s\\n' "$1" # ${hostile("hook").replace(/\n/g, " ")}`;
    const result = runScript(
      renderNotifyScript({
        instanceName: hostile("instance"),
        stateFilePath: join(dir, "state"),
        failureCountPath: join(dir, "count"),
        notifyLogPath: log,
        hooks: { master: hook, timeoutSeconds: 5 },
      }),
      ["MASTER"],
    );
    expect(result.status).toBe(0);
    const deadline = Date.now() + 8_000;
    while (!readFileSync(log, "utf8").includes("hook: exited") && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const text = readFileSync(log, "utf8");
    expect(text).toContain("hook-arg=MASTER\n");
    expect(text).toContain(`${hostile("instance")} MASTER hook: exited 0`);
    expect(markers()).toEqual([]);
  });
});
