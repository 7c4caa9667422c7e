import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testClusterSpec } from "../../fixtures/cluster-spec";
import { writeTestKeyPair } from "../../fixtures/ssh-keys";

const BIN = resolve(__dirname, "../../../bin/havip-cluster.cjs");
const scratch = mkdtempSync(join(tmpdir(), "havip-unreachable-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A loopback port nothing listens on: a connection there is refused at once, as at a CVM whose sshd is not up yet. */
function closedLoopbackPort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

let specFile: string;
beforeAll(async () => {
  writeTestKeyPair(join(scratch, "id"), "ops@example");
  const [primaryPort, secondaryPort] = [await closedLoopbackPort(), await closedLoopbackPort()];
  const spec = testClusterSpec({
    ssh: { privateKeyPath: join(scratch, "id"), knownHostsPath: join(scratch, "kh"), trustOnFirstUse: true },
  });
  specFile = join(scratch, "spec.json");
  writeFileSync(
    specFile,
    JSON.stringify({
      ...spec,
      nodes: [
        { ...spec.nodes[0], sshHost: "127.0.0.1", sshPort: primaryPort },
        { ...spec.nodes[1], sshHost: "127.0.0.1", sshPort: secondaryPort },
      ],
    }),
  );
});

function provision(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("HAVIP_") && key !== "SSH_AUTH_SOCK"));
  const started = Date.now();
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [BIN, "provision", "--spec-file", specFile, ...args],
      { env, encoding: "utf8", timeout: 30_000 },
      (_error, stdout, stderr) => done({ code: child.exitCode, stdout, stderr, seconds: (Date.now() - started) / 1000 }),
    );
  });
}

describe.concurrent("provision against nodes that do not answer", () => {
  it("gives up after --connect-timeout, says how long it goes on, and fails each node with its own error", async () => {
    const run = await provision("--dry-run", "--connect-timeout", "6");
    expect(run.code).toBe(1);
    expect(run.seconds).toBeLessThan(15);
    expect(run.stdout).toMatch(/does not answer yet \(ECONNREFUSED, attempt 1\); trying again in 5 s, giving up in [56] s/);
    for (const node of ["primary", "secondary"]) {
      // listr2 writes failed rows to stderr.
      expect(run.stderr).toMatch(new RegExp(`✖ ${node} \\[FAILED: ${node}: cannot connect to root@127\\.0\\.0\\.1:\\d+`));
    }
    expect(run.stderr).toMatch(
      /\nhavip-cluster: 2 nodes failed:\n {2}- primary: .*--connect-timeout sets how long to wait\)\n {2}- secondary: /,
    );
  });

  it("prints a JSON report on failure under --json, each node with its own error", async () => {
    const run = await provision("--dry-run", "--json", "--connect-timeout", "1");
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { failed: boolean; exitCode: number; nodes: { node: string; error: string }[] };
    expect(report).toMatchObject({ failed: true, exitCode: 1, dryRun: true });
    expect(report.nodes.map((node) => node.node)).toEqual(["primary", "secondary"]);
    expect(report.nodes.every((node) => node.error.startsWith(`${node.node}: cannot connect`))).toBe(true);
  });

  it("prints a JSON report for bad input too (exit 2)", async () => {
    const run = await provision("--json", "--spec-file", join(scratch, "missing.json"));
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ failed: true, exitCode: 2, nodes: [] });
  });
});
