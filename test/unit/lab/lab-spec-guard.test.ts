import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labSpecRefusal } from "../../../lib/cli/lab-spec-guard";
import { buildLabClusterSpec } from "../../../lab/lab-cluster-spec";
import { labLayout } from "../../../lab/lab-layout";

const BIN = resolve(__dirname, "../../../bin/havip-cluster.cjs");

describe("a lab's spec outside its lab", () => {
  const spec = buildLabClusterSpec(labLayout("havip-g", "/run/havip-g"));

  it("records the lab's operator namespace in the spec", () => {
    expect(spec.labOperatorNamespace).toBe("havip-g-op");
  });

  it("is refused in another network namespace, and when the lab's namespace does not exist", () => {
    expect(labSpecRefusal(spec, { currentInode: 1, labInode: 2 })).toBe(
      "cluster lab is a lab's spec: it only works in network namespace havip-g-op, not here; " +
        "run it there (`ip netns exec havip-g-op havip-cluster ...`) or use `npm run lab -- status`",
    );
    expect(labSpecRefusal(spec, { currentInode: 1, labInode: undefined })).toMatch(
      /namespace havip-g-op does not exist \(is the lab up\?\); refusing to send anything/,
    );
    expect(labSpecRefusal({ ...spec, labOperatorNamespace: "../x" }, { currentInode: 1, labInode: 1 })).toMatch(
      /is not a lab namespace name/,
    );
  });

  it("is accepted inside the lab's operator namespace, and a spec without the marker anywhere", () => {
    expect(labSpecRefusal(spec, { currentInode: 7, labInode: 7 })).toBeUndefined();
    expect(labSpecRefusal({ ...spec, labOperatorNamespace: undefined }, { currentInode: 1, labInode: undefined })).toBeUndefined();
  });
});

describe("every command given a lab's spec on the host", () => {
  // The spec's nodes point at a listener on loopback: a command that connected at all would show up here.
  let listener: Server;
  let connections = 0;
  let dir: string;
  let specFile: string;

  beforeAll(async () => {
    listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((done) => listener.listen(0, "127.0.0.1", done));
    const port = (listener.address() as AddressInfo).port;
    const lab = buildLabClusterSpec(labLayout("havip-g", "/run/havip-g"));
    const spec = { ...lab, nodes: lab.nodes.map((node) => ({ ...node, sshHost: "127.0.0.1", sshPort: port })) };
    dir = mkdtempSync(join(tmpdir(), "havip-guard-"));
    specFile = join(dir, "cluster-spec.json");
    writeFileSync(specFile, JSON.stringify(spec));
  });

  afterAll(() => {
    listener.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([["status"], ["provision"], ["provision", "--dry-run"], ["failover-test"]])(
    "`%s` refuses with one line and exit 2 before connecting",
    async (...args: string[]) => {
      const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
        const child = execFile(
          process.execPath,
          [BIN, ...args, "--spec-file", specFile],
          { encoding: "utf8", timeout: 20_000 },
          (_error, stdout, stderr) => done({ code: child.exitCode, stdout, stderr }),
        );
      });
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(/^havip-cluster: cluster lab is a lab's spec/);
      expect(connections).toBe(0);
    },
    30_000,
  );
});
