import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TransitionHooks } from "../../../lib/core/cluster-settings";
import { renderNotifyScript } from "../../../lib/core/keepalived";
import { resolveTransitionHooks } from "../../../lib/core/resolve-keepalived-settings";
import { runningAsRoot, toolAvailable } from "../../fixtures/tools";

// The hooks rely on util-linux (flock, setsid) and coreutils (timeout), as on every supported node.
const hasTools = toolAvailable("flock") && toolAvailable("setsid") && toolAvailable("timeout");

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "havip-hooks-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface NotifyScript {
  readonly path: string;
  readonly state: string;
  readonly log: string;
  notify(state: string): { status: number | null; stderr: string };
  logText(): string;
}

function notifyScript(hooks: TransitionHooks): NotifyScript {
  const state = join(dir, "var", "state");
  const log = join(dir, "log", "keepalived.log");
  const path = join(dir, "notify.sh");
  writeFileSync(
    path,
    renderNotifyScript({
      instanceName: "havip_demo",
      stateFilePath: state,
      failureCountPath: join(dir, "var", "count"),
      notifyLogPath: log,
      hooks: resolveTransitionHooks(hooks),
    }),
  );
  chmodSync(path, 0o755);
  return {
    path,
    state,
    log,
    notify: (value) => {
      const result = spawnSync(path, [value], { encoding: "utf8", timeout: 10_000, cwd: dir });
      return { status: result.status, stderr: result.stderr };
    },
    logText: () => (existsSync(log) ? readFileSync(log, "utf8") : ""),
  };
}

/** Polls until `predicate` holds (hooks run in the background); fails with the last log after `ms`. */
async function eventually(script: NotifyScript, predicate: (log: string) => boolean, ms = 8_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const log = script.logText();
    if (predicate(log)) return log;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms; log:\n${log}`);
    await sleep(50);
  }
}

describe.skipIf(!hasTools)("transition hooks in the notify script", () => {
  it("runs the state's hook after recording the state, with the state as $1, and logs its output", async () => {
    const script = notifyScript({ master: 'echo "hook sees $1 $HAVIP_STATE $(cat ' + join(dir, "var", "state") + ')"' });
    expect(script.notify("MASTER").status).toBe(0);
    const log = await eventually(script, (text) => text.includes("hook: exited 0"));
    expect(log).toContain("hook sees MASTER MASTER MASTER\n");
    expect(log).toMatch(/ havip_demo MASTER\n[^\n]* havip_demo MASTER hook: started\nhook sees/);
  });

  it("runs only the hook of the state at hand", async () => {
    const script = notifyScript({ master: "echo ran-master", backup: "echo ran-backup" });
    expect(script.notify("BACKUP").status).toBe(0);
    const log = await eventually(script, (text) => text.includes("BACKUP hook: exited 0"));
    expect(log).toContain("ran-backup");
    expect(log).not.toContain("ran-master");
  });

  it("records the state and exits 0 when the hook fails, and logs the hook's exit code", async () => {
    const script = notifyScript({ fault: "echo failing >&2; exit 3" });
    expect(script.notify("FAULT").status).toBe(0);
    expect(readFileSync(script.state, "utf8")).toBe("FAULT\n");
    const log = await eventually(script, (text) => text.includes("hook: exited 3"));
    expect(log).toContain("failing\n");
  });

  it("returns before a hanging hook ends, and the timeout ends the hook", async () => {
    const marker = join(dir, "hook-finished");
    const script = notifyScript({ backup: `sleep 30; touch ${marker}`, timeoutSeconds: 1 });
    expect(script.notify("BACKUP").status).toBe(0);
    // The notify has returned; the hook is still sleeping.
    expect(readFileSync(script.state, "utf8")).toBe("BACKUP\n");
    expect(script.logText()).not.toContain("timed out");
    const log = await eventually(script, (text) => text.includes("hook: timed out after 1 s"));
    expect(log).toMatch(/BACKUP hook: timed out after 1 s \(exit 124\)/);
    expect(existsSync(marker)).toBe(false);
  });

  it("keeps the hook running when the notify's whole process group is killed (as Keepalived does on stop)", async () => {
    const marker = join(dir, "stop-hook-done");
    const script = notifyScript({ stop: `sleep 1; touch ${marker}` });
    // A shell in its own process group runs the notify, then the group is killed right after.
    const result = spawnSync("setsid", ["sh", "-c", `"$1" STOP; kill -KILL 0`, "sh", script.path], { encoding: "utf8", timeout: 10_000 });
    expect(result.signal).toBe("SIGKILL");
    await eventually(script, (text) => text.includes("STOP hook: exited 0"));
    expect(existsSync(marker)).toBe(true);
  });

  it("skips a hook whose state was replaced by a newer transition while it waited its turn", async () => {
    const script = notifyScript({ backup: "sleep 1; echo backup-hook-ran", master: "echo master-hook-ran" });
    expect(script.notify("BACKUP").status).toBe(0);
    await eventually(script, (text) => text.includes("BACKUP hook: started"));
    expect(script.notify("MASTER").status).toBe(0);
    expect(script.notify("BACKUP").status).toBe(0);
    const log = await eventually(
      script,
      (text) => (text.match(/BACKUP hook: exited 0/g) ?? []).length === 2 && text.includes("MASTER hook: skipped"),
    );
    expect(log).toContain("MASTER hook: skipped: the state is BACKUP now");
    expect(log).not.toContain("master-hook-ran");
  });

  it("does not hand the hook lock to the hook, so a daemon it leaves behind cannot block later hooks", async () => {
    const pidFile = join(dir, "daemon.pid");
    const script = notifyScript({ master: `sleep 20 & echo $! > ${pidFile}`, backup: "echo backup-after-daemon" });
    expect(script.notify("MASTER").status).toBe(0);
    await eventually(script, (text) => text.includes("MASTER hook: exited 0"));
    expect(script.notify("BACKUP").status).toBe(0);
    const log = await eventually(script, (text) => text.includes("BACKUP hook: exited 0"));
    expect(log).toContain("backup-after-daemon");
    process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
  });

  it("refuses an unknown state in hook mode too, without running anything", () => {
    const script = notifyScript({ master: `touch ${join(dir, "pwned")}` });
    const result = spawnSync(script.path, ["--run-hook", "$(touch pwned)"], { encoding: "utf8", cwd: dir });
    expect(result.status).toBe(2);
    expect(existsSync(join(dir, "pwned"))).toBe(false);
  });

  it.skipIf(!runningAsRoot())("under systemd, as root, starts the hook as a transient unit of its own (systemd-run)", async () => {
    // A private mount namespace with a tmpfs /run holding /run/systemd/system makes the script see
    // systemd; a recording systemd-run on PATH stands in for the real one, which needs systemd as PID 1.
    const bin = join(dir, "bin");
    const args = join(dir, "systemd-run-args");
    spawnSync("mkdir", ["-p", bin]);
    writeFileSync(
      join(bin, "systemd-run"),
      `#!/bin/sh\nprintf '%s\\n' "$@" > ${args}\nshift 2\nsetsid "$@" </dev/null >/dev/null 2>&1 &\n`,
    );
    chmodSync(join(bin, "systemd-run"), 0o755);
    const script = notifyScript({ master: "echo unit-hook-ran" });
    const result = spawnSync(
      "unshare",
      [
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        'mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system && exec "$1" MASTER',
        "sh",
        script.path,
      ],
      {
        encoding: "utf8",
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        timeout: 10_000,
      },
    );
    expect(result.status).toBe(0);
    await eventually(script, (text) => text.includes("MASTER hook: exited 0"));
    expect(readFileSync(args, "utf8").split("\n").slice(0, 5)).toEqual([
      expect.stringMatching(/^--unit=havip-hook-master-\d+$/),
      "--description=havip havip_demo MASTER hook",
      script.path,
      "--run-hook",
      "MASTER",
    ]);
  });
});
