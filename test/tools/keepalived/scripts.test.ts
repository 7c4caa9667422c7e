import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { HealthCheck } from "../../../lib/core/cluster-settings";
import { renderHealthCheckScript, renderLogrotateRule, renderNotifyScript, resolveHealthCheck } from "../../../lib/core/keepalived";
import { RENDER_CASES, TEST_AUTH_PASS } from "../../fixtures/keepalived-spec";
import { writeNodeFiles } from "./node-files-on-disk";
import { toolAvailable } from "../../fixtures/tools";

const hasShellcheck = toolAvailable("shellcheck");
const hasLogrotate = toolAvailable("logrotate");

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "havip-scripts-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeScript(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  chmodSync(path, 0o755);
  return path;
}

function run(path: string, args: string[] = []): { status: number | null; stderr: string } {
  const result = spawnSync(path, args, { encoding: "utf8", timeout: 15_000, cwd: dir });
  return { status: result.status, stderr: result.stderr };
}

function healthCheckScript(check: HealthCheck): string {
  return writeScript("check.sh", renderHealthCheckScript({ healthCheck: resolveHealthCheck(check), failureCountPath: join(dir, "count") }));
}

describe("every rendered shell script is valid bash", () => {
  for (const renderCase of RENDER_CASES) {
    const [self, peer] = renderCase.spec.nodes;
    it(`passes bash -n${hasShellcheck ? " and shellcheck" : ""} for ${renderCase.name}`, () => {
      const onDisk = writeNodeFiles(
        renderCase.spec,
        { ownIp: self.privateIp, peerIp: peer.privateIp, keepalivedVersion: renderCase.keepalivedVersion },
        TEST_AUTH_PASS,
      );
      try {
        for (const script of [onDisk.notifyScriptPath, onDisk.healthCheckScriptPath]) {
          const syntax = spawnSync("bash", ["-n", script], { encoding: "utf8" });
          expect(syntax.stderr).toBe("");
          expect(syntax.status).toBe(0);
          if (hasShellcheck) {
            const lint = spawnSync("shellcheck", ["--shell=bash", "--severity=style", script], { encoding: "utf8" });
            expect(lint.stdout).toBe("");
            expect(lint.status).toBe(0);
          }
        }
      } finally {
        onDisk.remove();
      }
    });
  }

  it.skipIf(!hasShellcheck)("is shellcheck-clean for every health-check kind", () => {
    const kinds: HealthCheck[] = [
      { kind: "maintenance-flag" },
      { kind: "process", processName: "nginx" },
      { kind: "tcp-port", port: 80 },
      { kind: "http", url: "https://example.invalid/" },
      { kind: "command", command: "true" },
    ];
    for (const check of kinds) {
      const lint = spawnSync("shellcheck", ["--shell=bash", "--severity=style", healthCheckScript(check)], { encoding: "utf8" });
      expect(lint.stdout, check.kind).toBe("");
    }
  });
});

describe("the notify script", () => {
  function notifyScript(): { path: string; state: string; count: string; log: string } {
    const state = join(dir, "var", "state");
    const count = join(dir, "var", "check_failed_count");
    const log = join(dir, "log", "keepalived.log");
    const path = writeScript(
      "notify.sh",
      renderNotifyScript({ instanceName: "havip_demo", stateFilePath: state, failureCountPath: count, notifyLogPath: log }),
    );
    return { path, state, count, log };
  }

  it("writes each state to the state file and appends a timestamped line to the log", () => {
    const script = notifyScript();
    expect(run(script.path, ["BACKUP"]).status).toBe(0);
    expect(readFileSync(script.state, "utf8")).toBe("BACKUP\n");
    expect(run(script.path, ["FAULT"]).status).toBe(0);
    expect(run(script.path, ["STOP"]).status).toBe(0);
    expect(readFileSync(script.state, "utf8")).toBe("STOP\n");
    const lines = readFileSync(script.log, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} havip_demo BACKUP$/);
    expect(lines[2]).toMatch(/ havip_demo STOP$/);
  });

  it("resets the failure counter on MASTER (the guide's version forgot the >)", () => {
    const script = notifyScript();
    run(script.path, ["BACKUP"]);
    writeFileSync(script.count, "7\n");
    expect(run(script.path, ["BACKUP"]).status).toBe(0);
    expect(readFileSync(script.count, "utf8")).toBe("7\n");
    expect(run(script.path, ["MASTER"]).status).toBe(0);
    expect(readFileSync(script.count, "utf8")).toBe("0\n");
    expect(readFileSync(script.state, "utf8")).toBe("MASTER\n");
  });

  it("refuses an unknown state and leaves the state file alone", () => {
    const script = notifyScript();
    const result = run(script.path, ["$(touch pwned)"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("usage:");
    expect(existsSync(script.state)).toBe(false);
    expect(existsSync(join(dir, "pwned"))).toBe(false);
  });
});

describe("the maintenance-flag health check", () => {
  it("is healthy on a fresh node where no flag exists, so the VIP stays up", () => {
    expect(run(healthCheckScript({ kind: "maintenance-flag", flagPath: join(dir, "maintenance") })).status).toBe(0);
    expect(readFileSync(join(dir, "count"), "utf8")).toBe("0\n");
  });

  it("fails while the flag exists and counts consecutive failures", () => {
    const flag = join(dir, "maintenance");
    const script = healthCheckScript({ kind: "maintenance-flag", flagPath: flag });
    writeFileSync(flag, "");
    expect(run(script).status).toBe(1);
    expect(run(script).status).toBe(1);
    expect(readFileSync(join(dir, "count"), "utf8")).toBe("2\n");
    rmSync(flag);
    expect(run(script).status).toBe(0);
  });

  it("keeps its verdict when the counter cannot be written", () => {
    const script = writeScript(
      "check.sh",
      renderHealthCheckScript({
        healthCheck: resolveHealthCheck({ kind: "maintenance-flag", flagPath: join(dir, "nope") }),
        failureCountPath: join(dir, "missing-dir", "count"),
      }),
    );
    const result = run(script);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
  });
});

describe("the process health check", () => {
  it("is healthy while a process of that name runs and fails when none does", () => {
    const sleeper = spawnSync("sh", ["-c", "sleep 30 >/dev/null 2>&1 & echo $!"], { encoding: "utf8" });
    const pid = Number(sleeper.stdout.trim());
    try {
      expect(run(healthCheckScript({ kind: "process", processName: "sleep" })).status).toBe(0);
      const missing = run(healthCheckScript({ kind: "process", processName: "no-such-proc" }));
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain("no process named no-such-proc");
    } finally {
      process.kill(pid);
    }
  });

  it("matches the name literally, not as a regex", () => {
    const sleeper = spawnSync("sh", ["-c", "sleep 30 >/dev/null 2>&1 & echo $!"], { encoding: "utf8" });
    const pid = Number(sleeper.stdout.trim());
    try {
      expect(run(healthCheckScript({ kind: "process", processName: "sl.ep" })).status).toBe(1);
      expect(run(healthCheckScript({ kind: "process", processName: ".*" })).status).toBe(1);
    } finally {
      process.kill(pid);
    }
  });
});

describe("the tcp-port and http health checks (loopback only)", () => {
  let tcpServer: ReturnType<typeof createTcpServer>;
  let httpServer: Server;
  let tcpPort = 0;
  let httpPort = 0;
  beforeAll(async () => {
    tcpServer = createTcpServer((socket) => socket.end());
    await new Promise<void>((resolve) => tcpServer.listen(0, "127.0.0.1", resolve));
    tcpPort = (tcpServer.address() as { port: number }).port;
    httpServer = createServer((request, response) => {
      const status = Number(request.url?.slice(1)) || 200;
      response.writeHead(status, status >= 300 && status < 400 ? { location: "/200" } : {});
      response.end();
    });
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
    httpPort = (httpServer.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => tcpServer.close(resolve));
    await new Promise((resolve) => httpServer.close(resolve));
  });

  it("is healthy while a port accepts connections and fails on a closed one", async () => {
    expect(run(healthCheckScript({ kind: "tcp-port", port: tcpPort })).status).toBe(0);
    const closed = await freeLoopbackPort();
    const result = run(healthCheckScript({ kind: "tcp-port", port: closed }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`127.0.0.1:${closed}`);
  });

  it.skipIf(!toolAvailable("curl"))("counts 2xx and 3xx answers as healthy and 4xx/5xx as failures", async () => {
    // The server lives in this process: run the script without blocking the event loop.
    const check = (path: string) =>
      runWithoutBlocking(
        healthCheckScript({ kind: "http", url: `http://127.0.0.1:${httpPort}/${path}`, timeoutSeconds: 2, intervalSeconds: 3 }),
      );
    expect(await check("200")).toBe(0);
    expect(await check("204")).toBe(0);
    expect(await check("302")).toBe(0);
    expect(await check("404")).toBe(1);
    expect(await check("503")).toBe(1);
  });

  it("fails clearly when curl is not installed", () => {
    const script = healthCheckScript({ kind: "http", url: "http://127.0.0.1:1/" });
    const result = spawnSync("/bin/bash", [script], { encoding: "utf8", env: { PATH: join(dir, "empty-path") } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("curl is not installed");
  });
});

describe("the command health check", () => {
  it("follows the command's exit status", () => {
    expect(run(healthCheckScript({ kind: "command", command: "test 1 -eq 1" })).status).toBe(0);
    expect(run(healthCheckScript({ kind: "command", command: "exit 3" })).status).toBe(1);
  });

  it("fails a command that outlives the timeout", () => {
    const started = Date.now();
    expect(run(healthCheckScript({ kind: "command", command: "sleep 10", timeoutSeconds: 1, intervalSeconds: 2 })).status).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe.skipIf(!hasLogrotate)("the logrotate rule", () => {
  it("is accepted by logrotate -d and names the log with copytruncate and limits", () => {
    const log = join(dir, "keepalived.log");
    writeFileSync(log, "line\n");
    const rule = writeScript("rule", renderLogrotateRule(log));
    chmodSync(rule, 0o644);
    const result = spawnSync("logrotate", ["-d", "-s", join(dir, "status"), rule], { encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain(log);
    const content = readFileSync(rule, "utf8");
    expect(content).toMatch(/copytruncate/);
    expect(content).toMatch(/size 1M/);
    expect(content).toMatch(/rotate 5/);
  });
});

function runWithoutBlocking(path: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, [], { stdio: "ignore", cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
    child.on("error", reject);
    child.on("exit", (code) => resolve(code));
  });
}

async function freeLoopbackPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
