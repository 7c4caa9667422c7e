import { execFile } from "node:child_process";
import { type Server, createServer } from "node:net";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterSpec } from "../../../lib/core/cluster-settings";
import { EXIT_BAD_INPUT } from "../../../lib/cli/exit-codes";
import { withValueAt } from "../../fixtures/hostile-values";
import { specScratch } from "../../fixtures/spec-scratch";

const BIN = resolve(__dirname, "../../../bin/havip-cluster.cjs");

function cli(args: readonly string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => key !== "HAVIP_CLUSTER_SPEC" && key !== "SSH_AUTH_SOCK" && !key.startsWith("TENCENTCLOUD_"),
    ),
  );
  return new Promise((done) => {
    const child = execFile(process.execPath, [BIN, ...args], { encoding: "utf8", env, cwd, timeout: 30_000 }, (_error, _stdout, stderr) =>
      done({ code: child.exitCode, stderr }),
    );
  });
}

/** Both nodes point at a loopback listener that counts connections and drops them: any SSH attempt shows up. */
let listener: Server;
let connections = 0;
const scratch = specScratch();
let spec: ClusterSpec;

beforeAll(async () => {
  listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((ready) => listener.listen(0, "127.0.0.1", ready));
  const port = (listener.address() as { port: number }).port;
  spec = {
    ...scratch.spec,
    nodes: [
      { ...scratch.spec.nodes[0], sshHost: "127.0.0.1", sshPort: port },
      { ...scratch.spec.nodes[1], sshHost: "127.0.0.1", sshPort: port },
    ],
    ssh: { ...scratch.spec.ssh, jumpHost: undefined },
  };
});
afterAll(async () => {
  await new Promise((closed) => listener.close(closed));
  scratch.remove();
});

describe("havip-cluster refuses bad input with exit 2, naming the field, before any connection", () => {
  it.each<[string, (spec: ClusterSpec) => unknown, readonly string[], string]>([
    [
      "ssh given as a string",
      (s) => withValueAt(s, "ssh", "root@host"),
      ["provision", "--dry-run"],
      "spec.ssh root@host must be an object",
    ],
    [
      "a misspelt authpass",
      (s) => withValueAt(s, "authpass", "Secret12"),
      ["provision", "--dry-run"],
      "spec.authpass (a string) is not a known key (did you mean authPass?)",
    ],
    [
      "a VIP on the subnet's network address",
      (s) => withValueAt(s, "vips[0]", "172.16.16.0"),
      ["status"],
      "spec.vips[0] 172.16.16.0 is the network address of subnet 172.16.16.0/24",
    ],
    [
      "a cluster name the construct refuses",
      (s) => withValueAt(s, "clusterName", "my cluster"),
      ["provision", "--dry-run"],
      'spec.clusterName "my cluster" must start with a letter',
    ],
    [
      "a private key that does not exist",
      (s) => withValueAt(s, "ssh.privateKeyPath", join(scratch.dir, "missing_key")),
      ["provision", "--dry-run"],
      `spec.ssh.privateKeyPath ${join(scratch.dir, "missing_key")} does not exist`,
    ],
    [
      "the public key given as the private key",
      (s) => withValueAt(s, "ssh.privateKeyPath", `${scratch.keyPath}.pub`),
      ["provision", "--dry-run"],
      `spec.ssh.privateKeyPath ${scratch.keyPath}.pub is not a private key file`,
    ],
    [
      "a string where a number belongs",
      (s) => withValueAt(s, "virtualRouterId", "51"),
      ["status"],
      'spec.virtualRouterId "51" must be a whole number from 1 to 255',
    ],
  ])("%s", async (_name, mutate, command, expected) => {
    const before = connections;
    const { code, stderr } = await cli([...command, "--spec-file", scratch.write(mutate(spec))], scratch.dir);
    expect(stderr).toContain(expected);
    expect(stderr).not.toContain("Secret12");
    expect(code).toBe(EXIT_BAD_INPUT);
    expect(connections).toBe(before);
  });

  it("resolves a relative --private-key against the working directory and names the option when it is missing", async () => {
    const before = connections;
    const { code, stderr } = await cli(
      ["provision", "--dry-run", "--spec-file", scratch.write(spec), "--private-key", "keys/id_missing"],
      scratch.dir,
    );
    expect(stderr).toContain(`--private-key (spec.ssh.privateKeyPath) ${join(scratch.dir, "keys/id_missing")} does not exist`);
    expect(code).toBe(EXIT_BAD_INPUT);
    expect(connections).toBe(before);
  });

  it("does connect when the input is good (so the checks above can fail)", async () => {
    const before = connections;
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => key !== "HAVIP_CLUSTER_SPEC" && !key.startsWith("TENCENTCLOUD_")),
    );
    const child = execFile(process.execPath, [BIN, "provision", "--dry-run", "--spec-file", scratch.write(spec)], {
      env,
      cwd: scratch.dir,
    });
    try {
      // The first SSH attempt is all this needs to see; the run itself may take its time failing.
      for (let waited = 0; connections === before && waited < 25_000; waited += 100) await new Promise((tick) => setTimeout(tick, 100));
      expect(connections).toBeGreaterThan(before);
    } finally {
      child.kill();
    }
  });
});
