import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { signedCall, TEST_SECRET_ID, TEST_SECRET_KEY } from "./local-cloud-fixture";

const REPO_ROOT = resolve(__dirname, "../../..");
let dir: string;
let child: ChildProcess | undefined;

/**
 * SIGKILL to the server itself: the tsx launcher runs it as a child process of its own, so the
 * launcher leads a process group (detached) and the signal goes to the group.
 */
async function killServer(): Promise<void> {
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolveExit) => child?.once("exit", resolveExit));
  process.kill(-child.pid, "SIGKILL");
  await exited;
}

afterEach(async () => {
  await killServer();
  rmSync(dir, { recursive: true, force: true });
});

/** `local-cloud/main.ts` as a process of its own; resolves to the URL it prints once listening. */
async function startMain(listen: string[]): Promise<string> {
  child = spawn(
    join(REPO_ROOT, "node_modules/.bin/tsx"),
    [
      join(REPO_ROOT, "local-cloud/main.ts"),
      "--state",
      join(dir, "state.json"),
      ...listen,
      "--credentials-file",
      join(dir, "credentials.json"),
      "--region",
      "ap-guangzhou",
      "--zone",
      "ap-guangzhou-3",
      "--boot-delay-ms",
      "10",
    ],
    { stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  return new Promise((resolveUrl, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /local cloud: (\S+),/.exec(output);
      if (match) resolveUrl(match[1]);
    };
    child?.stdout?.on("data", collect);
    child?.stderr?.on("data", collect);
    child?.once("exit", (code) => reject(new Error(`local-cloud/main.ts exited (${String(code)}): ${output}`)));
  });
}

describe("local-cloud/main.ts", () => {
  it("keeps what it answered when it is killed (SIGKILL), and serves it again from a Unix socket", async () => {
    dir = mkdtempSync(join(tmpdir(), "local-cloud-main-"));
    writeFileSync(join(dir, "credentials.json"), JSON.stringify({ secretId: TEST_SECRET_ID, secretKey: TEST_SECRET_KEY }));
    const url = await startMain(["--listen", "127.0.0.1:0"]);
    const port = Number(new URL(url).port);
    const created = await signedCall({
      target: { port },
      action: "CreateVpc",
      body: JSON.stringify({ VpcName: "kept", CidrBlock: "10.8.0.0/16" }),
    });
    const vpcId = created.json.Response.Vpc.VpcId as string;
    await killServer();

    const socketPath = join(dir, "api.sock");
    expect(await startMain(["--socket", socketPath])).toBe(`unix:${socketPath}`);
    const described = await signedCall({ target: { socketPath }, action: "DescribeVpcs", body: JSON.stringify({ VpcIds: [vpcId] }) });
    expect(described.json.Response.VpcSet).toEqual([expect.objectContaining({ VpcId: vpcId, VpcName: "kept", CidrBlock: "10.8.0.0/16" })]);
    expect(readFileSync(join(dir, "state.json"), "utf8")).not.toContain(TEST_SECRET_KEY);
  }, 60_000);
});
