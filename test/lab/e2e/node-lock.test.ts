import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterSpec } from "../../../lib/core/cluster-settings";
import { execInServer, labDown, labUp, readServerFile, sshFromOperator, type Lab } from "../../../lab";
import { NODE_LOCK_OWNER_PATH, NODE_LOCK_PATH } from "../../../lib/core/node/node-lock";
import { testLabPrefix } from "../test-lab-prefix";
import { cli, labSpec, provision, skipLab, waitFor } from "./lab-fixture";

const PREFIX = testLabPrefix("lock");
const CONF = "/etc/keepalived/keepalived.conf";
const authPassOf = (conf: string | undefined) => /auth_pass\s+(\S+)/.exec(conf ?? "")?.[1];

async function waitForFile(lab: Lab, server: "a" | "b", path: string, timeoutMs = 10_000): Promise<string> {
  const content = await waitFor(
    () => readServerFile(lab, server, path),
    (text) => text !== undefined && text.trim() !== "",
    timeoutMs,
    () => `${path} did not appear on ${server}`,
  );
  return content as string;
}

describe.skipIf(skipLab)("one provisioning run at a time per node", () => {
  let lab: Lab;

  beforeAll(async () => {
    await labDown({ prefix: PREFIX });
    lab = await labUp({ prefix: PREFIX });
  }, 60_000);

  afterAll(async () => {
    await labDown({ prefix: PREFIX });
  }, 30_000);

  it("serializes two runs started at once: the second waits, then plans from what the first left", async () => {
    const [first, second] = await Promise.all([provision(lab), provision(lab)]);
    expect([first.code, second.code]).toEqual([0, 0]);
    const waited = [first, second].filter((run) => /waiting for another provisioning run to finish/.test(run.stderr));
    expect(waited).toHaveLength(1);
    // Without the lock both would have planned from the blank nodes and both pushed every file.
    const changed = [first.report?.changed, second.report?.changed].sort();
    expect(changed).toEqual([0, 8]);
    expect(authPassOf(await readServerFile(lab, "a", CONF))).toBe(authPassOf(await readServerFile(lab, "b", CONF)));
  }, 90_000);

  it("gives up after --lock-timeout with exit 1, naming the run that holds the lock", async () => {
    const holder = sshFromOperator(
      lab,
      lab.servers.a,
      ["sh", "-c", `exec 9>>${NODE_LOCK_PATH}; flock 9; echo 'ops@jumpbox pid 4242' > ${NODE_LOCK_OWNER_PATH}; sleep 8`],
      { timeoutMs: 20_000 },
    );
    await waitForFile(lab, "a", NODE_LOCK_OWNER_PATH);
    const started = Date.now();
    const refused = await cli(lab, ["provision", "--lock-timeout", "2"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("ops@jumpbox pid 4242");
    expect(refused.stderr).toMatch(/gave up after \d+ s/);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect((await holder).code).toBe(0);
    // The lock is free again once its holder is gone.
    expect((await provision(lab)).code).toBe(0);
  }, 60_000);

  it("provisions one node with --node and waits until its Keepalived is MASTER or BACKUP", async () => {
    const pass = authPassOf(await readServerFile(lab, "a", CONF));
    // A reinstalled node: no Keepalived running, none of its files.
    await execInServer(lab, "b", ["sh", "-c", `kill "$(cat /run/keepalived.pid)"; sleep 1; rm -f ${CONF} /var/keepalived/.havip-applied`]);
    const result = await cli(lab, ["provision", "--node", "b", "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { node: string; action: string; state: string; changedFiles: string[] };
    expect(report).toMatchObject({ node: "b", action: "start" });
    expect(["MASTER", "BACKUP"]).toContain(report.state);
    expect(report.changedFiles).toContain(CONF);
    // The pair still shares one password: the peer's was read, not a new one made up.
    expect(authPassOf(await readServerFile(lab, "b", CONF))).toBe(pass);
    expect((await provision(lab)).report?.changed).toBe(0);
  }, 60_000);

  it("reaches the peer through the node with --peer-via-node, as the primary's deploy gate does", async () => {
    const pass = authPassOf(await readServerFile(lab, "b", CONF));
    await execInServer(lab, "a", ["sh", "-c", `kill "$(cat /run/keepalived.pid)"; sleep 1; rm -f ${CONF} /var/keepalived/.havip-applied`]);
    const spec = labSpec(lab);
    // b's SSH address is unknown to the gate: only its private IP, reached from a, can work.
    const gateSpec: ClusterSpec = { ...spec, nodes: [spec.nodes[0], { ...spec.nodes[1], sshHost: "peer-address.invalid" }] };
    const result = await cli(lab, ["provision", "--node", "a", "--peer-via-node", "--json"], gateSpec);
    expect(result.stderr).not.toMatch(/warning/);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ node: "a", action: "start" });
    expect(authPassOf(await readServerFile(lab, "a", CONF))).toBe(pass);
  }, 60_000);

  it("refuses an unknown --node with exit 2 before connecting", async () => {
    const result = await cli(lab, ["provision", "--node", "c"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--node c must name a node of cluster");
  }, 30_000);
});
