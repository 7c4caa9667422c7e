import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { testClusterSpec } from "../../fixtures/cluster-spec";
import { writeTestKeyPair } from "../../fixtures/ssh-keys";

const BIN = resolve(__dirname, "../../../bin/havip-cluster.cjs");
const scratch = mkdtempSync(join(tmpdir(), "havip-preflight-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
writeTestKeyPair(join(scratch, "id"), "ops@example");

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `havip-cluster preflight` as the construct's local-exec runs it: in the project directory, the settings in $HAVIP_PREFLIGHT. */
function preflight(input: unknown, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("HAVIP_") && key !== "SSH_AUTH_SOCK" && !key.startsWith("TENCENTCLOUD_")),
  );
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [BIN, "preflight", ...args],
      {
        cwd: scratch,
        encoding: "utf8",
        env: { ...base, ...(input === undefined ? {} : { HAVIP_PREFLIGHT: JSON.stringify(input) }), ...env },
        timeout: 15_000,
      },
      (_error, stdout, stderr) => done({ code: child.exitCode, stdout, stderr }),
    );
  });
}

describe.concurrent("havip-cluster preflight", () => {
  it("is ready with a key file and trust-on-first-use, resolving relative paths in the directory it runs in", async () => {
    const run = await preflight({
      clusterName: "web",
      ssh: { privateKeyPath: "id", knownHostsPath: ".havip/known_hosts", trustOnFirstUse: true },
    });
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toBe(
      `preflight web: ready: the provisioner signs in as root with key id (${join(scratch, "id")}); host keys trusted on first use and recorded in .havip/known_hosts (${join(scratch, ".havip/known_hosts")})\n`,
    );
  });

  it("refuses a missing key file in one line naming both forms of the path (exit 2)", async () => {
    const run = await preflight({ clusterName: "web", ssh: { privateKeyPath: "keys/nope", trustOnFirstUse: true, knownHostsPath: "kh" } });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      `havip-cluster: cluster web (checked before anything is created): ssh.privateKeyPath keys/nope (${join(scratch, "keys/nope")}) does not exist: give the path of the private key the provisioner signs in with, or leave ssh.privateKeyPath out to use the SSH agent\n`,
    );
  });

  it("refuses no key file and no SSH agent, and a known_hosts file that is not there without trust-on-first-use", async () => {
    const run = await preflight({ clusterName: "web", ssh: { knownHostsPath: "kh" } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "ssh.privateKeyPath (missing) and no SSH agent (SSH_AUTH_SOCK is not set): set ssh.privateKeyPath to your private key, or start an SSH agent and ssh-add the key",
    );
    expect(run.stderr).toContain(`ssh.knownHostsPath kh (${join(scratch, "kh")}) does not exist, so no host key of the new nodes is known`);
  });

  it("names the option that set a field", async () => {
    const run = await preflight({ clusterName: "web", ssh: { trustOnFirstUse: true, knownHostsPath: "kh" } }, ["--private-key", "gone"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--private-key (ssh.privateKeyPath) ${join(scratch, "gone")} does not exist`);
  });

  it("checks a whole spec from --spec-file the same way", async () => {
    const specFile = join(scratch, "spec.json");
    writeFileSync(
      specFile,
      JSON.stringify({ ...testClusterSpec(), ssh: { privateKeyPath: join(scratch, "id.pub"), hostKeyFingerprints: {} } }),
    );
    const run = await preflight(undefined, ["--spec-file", specFile]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`ssh.privateKeyPath ${join(scratch, "id.pub")} is not a private key file`);
    expect(run.stderr).toContain("gives the provisioner no way to trust the new nodes' host keys");
  });

  it("refuses an unknown key in its input, as a spec's", async () => {
    const run = await preflight({
      clusterName: "web",
      ssh: { privateKeyPath: "id", trustOnFirstUse: true, knownHostsPath: "kh" },
      nodes: [],
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("nodes (a list) is not a known key");
  });
});
