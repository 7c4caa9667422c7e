import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterSpec } from "../../../lib/core/cluster-settings";
import { testClusterSpec } from "../../fixtures/cluster-spec";

const BIN = resolve(__dirname, "../../../bin/havip-cluster.cjs");

/** The environment without anything that could hand the CLI a spec or cloud credentials. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => key !== "HAVIP_CLUSTER_SPEC" && !key.startsWith("TENCENTCLOUD_")),
  );
}

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(...args: string[]): Promise<CliRun> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { encoding: "utf8", env: cleanEnv(), timeout: 15_000 },
      (_error, stdout, stderr) => done({ code: child.exitCode, stdout, stderr }),
    );
  });
}

describe.concurrent("havip-cluster --help", () => {
  it("lists every command, and none of the lab's (the lab is not part of the package)", async () => {
    const { code, stdout } = await cli("--help");
    expect(code).toBe(0);
    for (const command of ["preflight", "provision", "status", "failover-test"])
      expect(stdout).toMatch(new RegExp(`^\\s+${command} `, "m"));
    expect(stdout).not.toMatch(/^\s+(lab|probe) /m);
  });

  it("prints the package's version with --version and -V", async () => {
    const { version } = JSON.parse(readFileSync(resolve(__dirname, "../../../package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const { code, stdout } = await cli(flag);
      expect(code).toBe(0);
      expect(stdout).toBe(`${version}\n`);
    }
  });

  it("lists provision's options", async () => {
    const { code, stdout } = await cli("provision", "--help");
    expect(code).toBe(0);
    for (const option of [
      "--spec-file <path>",
      "--outputs-file <path>",
      "--cluster <name>",
      "--user <name>",
      "--private-key <path>",
      "--known-hosts <path>",
      "--trust-on-first-use",
      "--dry-run",
      "--verbose",
      "--json",
      "--vip-timeout <seconds>",
    ]) {
      expect(stdout).toContain(option);
    }
  });

  it("lists the cluster options on status and failover-test too", async () => {
    const [status, failoverTest] = await Promise.all([cli("status", "--help"), cli("failover-test", "--help")]);
    expect(status.stdout).toContain("--spec-file <path>");
    const failover = failoverTest.stdout;
    expect(failover).toContain("--reboot");
    expect(failover).toContain("--probe-port <port>");
  });
});

describe.concurrent("havip-cluster provision with bad input", () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "havip-cli-bin-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A lab spec whose SSH hosts are loopback port 1: should validation ever let it through, nothing leaves the machine. */
  function writeSpec(name: string, changes: Partial<ClusterSpec>): string {
    const lab = testClusterSpec();
    const spec = {
      ...lab,
      nodes: lab.nodes.map((node) => ({ ...node, sshHost: "127.0.0.1", sshPort: 1 })),
      ...changes,
    };
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(spec));
    return path;
  }

  it("fails without a spec and names --spec-file", async () => {
    const { code, stderr, stdout } = await cli("provision");
    expect(code).toBe(2);
    expect(stderr).toContain("--spec-file");
    expect(stdout).toBe("");
  });

  it("fails clearly on a spec file that does not exist", async () => {
    const { code, stderr } = await cli("provision", "--spec-file", "/nonexistent/spec.json");
    expect(code).toBe(2);
    expect(stderr).toMatch(/^havip-cluster: --spec-file \/nonexistent\/spec\.json cannot be read/);
  });

  it("exits with 2 (bad input) on an invalid spec and names the field", async () => {
    const { code, stderr, stdout } = await cli("provision", "--spec-file", writeSpec("vrid0.json", { virtualRouterId: 0 }));
    expect(code).toBe(2);
    expect(stderr).toContain("virtualRouterId");
    expect(stderr).toContain("virtualRouterId 0");
    expect(stdout).toBe("");
  });

  it("rejects an unknown option with a non-zero exit and shows the usage", async () => {
    const { code, stderr } = await cli("provision", "--no-such-option");
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option '--no-such-option'");
    expect(stderr).toContain("Usage: havip-cluster provision");
  });

  it("rejects a --vip-timeout that is not a positive number before connecting anywhere", async () => {
    const { code, stderr } = await cli("provision", "--vip-timeout", "abc", "--spec-file", "/nonexistent/spec.json");
    expect(code).toBe(2);
    expect(stderr).toContain("abc is not a number of seconds greater than 0");
  });

  it("reads `terraform output -json` from stdin with --outputs-file - and validates the spec in it", async () => {
    const outputs = JSON.stringify({
      "web-spec": { sensitive: false, type: "string", value: JSON.stringify({ specVersion: 1, clusterName: "web", virtualRouterId: 0 }) },
    });
    const { code, stderr } = await new Promise<CliRun>((done) => {
      const child = execFile(
        process.execPath,
        [BIN, "status", "--outputs-file", "-"],
        { encoding: "utf8", env: cleanEnv(), timeout: 15_000 },
        (_e, stdout, stderr) => done({ code: child.exitCode, stdout, stderr }),
      );
      child.stdin?.end(outputs);
    });
    expect(code).toBe(2);
    expect(stderr).toContain("cluster web");
    expect(stderr).toContain("virtualRouterId 0");
  });
});
