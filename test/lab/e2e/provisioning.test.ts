import { testLabPrefix } from "../test-lab-prefix";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommandOrThrow } from "../../../lab/host/host-command";
import { reloadCommand } from "../../../lib/core/node/keepalived-service";
import {
  type Lab,
  execInServer,
  keepalivedPid,
  labDown,
  labStatus,
  labUp,
  readServerFile,
  signalKeepalived,
  vipHolders,
} from "../../../lab";
import { E2E_LAB_RUNS, KEEPALIVED_OF_RELEASE, cli, labSpec, missingForLab, provision, skipLab, waitFor } from "./lab-fixture";

const CONF = "/etc/keepalived/keepalived.conf";
const sha256 = (text: string | undefined) =>
  createHash("sha256")
    .update(text ?? "")
    .digest("hex");
const authPassOf = (conf: string | undefined) => /auth_pass\s+(\S+)/.exec(conf ?? "")?.[1];

it.runIf(process.env.CI === "true" || missingForLab.length === 0)("has what the lab needs on this machine", () => {
  expect(missingForLab).toEqual([]);
});

describe.skipIf(skipLab).each(E2E_LAB_RUNS)("provisioning a $name over SSH with the real provisioner", ({ tag, release }) => {
  const PREFIX = testLabPrefix(`havip-e2e-${tag}`);
  let lab: Lab;
  let scratch: string;

  beforeAll(async () => {
    await labDown({ prefix: PREFIX });
    lab = await labUp({ prefix: PREFIX, release, onStep: (step) => console.log(`lab ${PREFIX}: ${step}`) });
    scratch = mkdtempSync(join(tmpdir(), "havip-e2e-"));
  }, 600_000);

  afterAll(async () => {
    await labDown({ prefix: PREFIX });
    rmSync(scratch, { recursive: true, force: true });
  }, 30_000);

  it("installs Keepalived with apt from the lab's source, pushes every file, starts it under systemd on both and reports one VIP holder", async () => {
    expect((await execInServer(lab, "a", ["sh", "-c", "command -v keepalived"])).code).not.toBe(0);
    const first = await provision(lab);
    expect(first.stderr).not.toMatch(/failed/i);
    expect(first.code).toBe(0);
    expect(first.report?.changed).toBe(8);
    expect(first.report?.nodes.map((n) => n.action)).toEqual(["start", "start"]);
    expect(first.report?.nodes.map((n) => n.install)).toEqual(["installed-package", "installed-package"]);
    expect(first.report?.nodes.map((n) => n.keepalivedVersion)).toEqual([
      KEEPALIVED_OF_RELEASE[lab.releases.a],
      KEEPALIVED_OF_RELEASE[lab.releases.b],
    ]);
    for (const server of ["a", "b"] as const) {
      expect((await execInServer(lab, server, ["systemctl", "is-active", "keepalived"])).stdout.trim()).toBe("active");
      expect((await execInServer(lab, server, ["systemctl", "is-enabled", "keepalived"])).stdout.trim()).toBe("enabled");
    }
    expect(["a", "b"]).toContain(first.report?.vipHolder);
    const status = await labStatus(lab);
    expect(status.vipHolders).toEqual([first.report?.vipHolder]);
    expect(status.servers.every((server) => server.keepalivedPid !== undefined)).toBe(true);
  }, 60_000);

  it("gives both servers the same generated 8-character VRRP password and never prints it", async () => {
    const [confA, confB] = [await readServerFile(lab, "a", CONF), await readServerFile(lab, "b", CONF)];
    const pass = authPassOf(confA);
    expect(pass).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(authPassOf(confB)).toBe(pass);
    const dryRun = await cli(lab, ["provision", "--dry-run", "--verbose"]);
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout + dryRun.stderr).not.toContain(pass as string);
  }, 60_000);

  it("changes nothing on a second run and reports 0 changed", async () => {
    const pidsBefore = [await keepalivedPid(lab, "a"), await keepalivedPid(lab, "b")];
    const confBefore = sha256(await readServerFile(lab, "a", CONF));
    const second = await provision(lab);
    expect(second.code).toBe(0);
    expect(second.report?.changed).toBe(0);
    expect(second.report?.nodes.map((n) => n.action)).toEqual(["none", "none"]);
    expect([await keepalivedPid(lab, "a"), await keepalivedPid(lab, "b")]).toEqual(pidsBefore);
    expect(sha256(await readServerFile(lab, "a", CONF))).toBe(confBefore);
  }, 60_000);

  it("reloads a node whose files were installed but never loaded (a run interrupted before the reload)", async () => {
    const backup = (await vipHolders(lab))[0] === "a" ? "b" : "a";
    expect(await readServerFile(lab, backup, "/var/keepalived/.havip-applied")).toMatch(/^[0-9a-f]{64}\n$/);
    await execInServer(lab, backup, ["rm", "-f", "/var/keepalived/.havip-applied"]);
    const result = await provision(lab);
    expect(result.code).toBe(0);
    expect(result.report?.changed).toBe(0);
    expect(result.report?.nodes.find((n) => n.node === backup)?.action).toBe("reload");
    expect(result.report?.nodes.find((n) => n.node !== backup)?.action).toBe("none");
    expect((await provision(lab)).report?.nodes.map((n) => n.action)).toEqual(["none", "none"]);
  }, 60_000);

  it("shows a changed setting as a diff in --dry-run and changes nothing", async () => {
    const before = sha256(await readServerFile(lab, "b", "/etc/keepalived/havip-notify.sh"));
    const spec = { ...labSpec(lab), notifyLogPath: "/var/log/havip-notify.log" };
    const dryRun = await cli(lab, ["provision", "--dry-run"], spec);
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toMatch(/^dry run: [1-9]\d* changed$/m);
    expect(dryRun.stdout).toMatch(/^\+.*\/var\/log\/havip-notify\.log/m);
    expect(dryRun.stdout).toMatch(/^-.*\/var\/log\/keepalived\.log/m);
    expect(dryRun.stdout).toMatch(/^then: reload keepalived/m);
    expect(dryRun.stdout).toMatch(/^ {2}\$ keepalived -t .*-f \/etc\/keepalived\/\.havip-staging\/keepalived\.conf/m);
    // The lab's servers run systemd: the step is systemd's reload, exactly as the real run performs it.
    expect(dryRun.stdout.split("\n")).toContain(`  $ ${reloadCommand("systemd")}`);
    expect(sha256(await readServerFile(lab, "b", "/etc/keepalived/havip-notify.sh"))).toBe(before);
  }, 60_000);

  it("rolls a change out to the backup first, then the VIP holder, and the VIP stays put", async () => {
    const holder = (await vipHolders(lab))[0];
    const spec = { ...labSpec(lab), healthCheck: { ...labSpec(lab).healthCheck, fall: 3 } };
    const result = await provision(lab, spec);
    expect(result.code).toBe(0);
    expect(result.report?.rolloutOrder).toEqual([holder === "a" ? "b" : "a", holder]);
    expect(result.report?.nodes.map((n) => n.action)).toEqual(["reload", "reload"]);
    expect(await vipHolders(lab)).toEqual([holder]);
    expect(await readServerFile(lab, holder, CONF)).toMatch(/fall 3/);
    const restored = await provision(lab);
    expect(restored.report?.changed).toBe(2);
  }, 90_000);

  it("refuses a configuration the node's keepalived -t rejects and keeps the old one serving the VIP", async () => {
    const holder = (await vipHolders(lab))[0];
    const confBefore = sha256(await readServerFile(lab, "a", CONF));
    const pidBefore = await keepalivedPid(lab, "a");
    const result = await provision(lab, { ...labSpec(lab), interfaceName: "eth9" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("keepalived -t rejected the new configuration; the running configuration was left untouched");
    expect(result.stderr).toMatch(/eth9/);
    expect(sha256(await readServerFile(lab, "a", CONF))).toBe(confBefore);
    expect(await keepalivedPid(lab, "a")).toBe(pidBefore);
    expect(await vipHolders(lab)).toEqual([holder]);
    expect(await readServerFile(lab, "a", "/etc/keepalived/.havip-staging/keepalived.conf")).toBeUndefined();
  }, 60_000);

  it("refuses to connect when a server's host key does not match known_hosts", async () => {
    const keyPath = join(scratch, "other");
    await runCommandOrThrow(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keyPath]);
    const otherKey = readFileSync(`${keyPath}.pub`, "utf8").split(" ").slice(0, 2).join(" ");
    const knownHosts = join(scratch, "known_hosts_wrong");
    const pinned = readFileSync(lab.knownHostsPath, "utf8")
      .split("\n")
      .filter((l) => !l.startsWith("172.16.16.5 "));
    writeFileSync(knownHosts, [...pinned, `172.16.16.5 ${otherKey}`].join("\n") + "\n");
    const result = await provision(lab, undefined, ["--known-hosts", knownHosts]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /host key of 172\.16\.16\.5 changed: it offers SHA256:\S+, known_hosts pins SHA256:\S+; refusing to connect/,
    );
  }, 60_000);

  it("refuses an unknown host key unless trust-on-first-use is allowed, and then records it", async () => {
    const knownHosts = join(scratch, "known_hosts_empty");
    writeFileSync(knownHosts, "");
    const refused = await provision(lab, undefined, ["--known-hosts", knownHosts]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is not in known_hosts; .*trust-on-first-use/);
    const trusted = await provision(lab, undefined, ["--known-hosts", knownHosts, "--trust-on-first-use"]);
    expect(trusted.code).toBe(0);
    expect(trusted.report?.changed).toBe(0);
    const recorded = readFileSync(knownHosts, "utf8");
    expect(recorded).toMatch(/^172\.16\.16\.5 ssh-ed25519 /m);
    expect(recorded).toMatch(/^172\.16\.16\.6 ssh-ed25519 /m);
    expect(readFileSync(lab.knownHostsPath, "utf8")).toContain(recorded.split("\n")[0].split(" ")[2]);
  }, 60_000);

  it("reports each node's Keepalived and the VIP holder with `status --json`", async () => {
    const result = await cli(lab, ["status", "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      healthy: boolean;
      vipHolders: string[];
      nodes: { keepalivedRunning: boolean; notifiedState: string; keepalivedVersion: string; recentNotifyLog: string[] }[];
      cloud?: unknown;
    };
    expect(report.healthy).toBe(true);
    expect(report.vipHolders).toEqual(await vipHolders(lab));
    expect(report.nodes.map((n) => n.notifiedState).sort()).toEqual(["BACKUP", "MASTER"]);
    expect(report.nodes.every((n) => n.keepalivedRunning && /^\d+\.\d+\.\d+$/.test(n.keepalivedVersion))).toBe(true);
    expect(report.nodes.every((n) => n.recentNotifyLog.length > 0)).toBe(true);
    expect(report.cloud).toBeUndefined();
  }, 60_000);

  it("runs the scripts as a non-root script user it creates, which can record state changes", async () => {
    const spec = { ...labSpec(lab), scriptUser: "keepalived_script" };
    const result = await provision(lab, spec);
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
    const backup = (await vipHolders(lab))[0] === "a" ? "b" : "a";
    expect(await readServerFile(lab, backup, "/etc/passwd")).toMatch(/^keepalived_script:/m);
    expect(await readServerFile(lab, backup, CONF)).toMatch(/script_user keepalived_script/);
    const owner = await execInServer(lab, backup, ["stat", "-c", "%U", "/var/keepalived", "/var/log/keepalived.log"]);
    expect(owner.stdout.trim().split("\n")).toEqual(["keepalived_script", "keepalived_script"]);
    await signalKeepalived(lab, backup, "SIGTERM", "parent");
    const deadline = Date.now() + 10_000;
    await waitFor(
      async () => (await readServerFile(lab, backup, "/var/keepalived/state"))?.trim(),
      (state) => state === "STOP",
      deadline - Date.now(),
    );
    expect((await readServerFile(lab, backup, "/var/keepalived/state"))?.trim()).toBe("STOP");
    expect(await readServerFile(lab, backup, "/var/log/keepalived.log")).toMatch(/ STOP\n$/);
    await waitFor(
      () => keepalivedPid(lab, backup),
      (pid) => pid === undefined,
      deadline - Date.now(),
    );
    const restored = await provision(lab);
    expect(restored.code).toBe(0);
    expect(restored.report?.nodes.find((n) => n.node === backup)?.action).toBe("start");
  }, 90_000);

  it("reaches both nodes through a jump host (server a as the bastion) and verifies every host key on the way", async () => {
    const spec = labSpec(lab);
    const viaJump = { ...spec, ssh: { ...spec.ssh, jumpHost: { host: "172.16.16.5" } } };
    const result = await cli(lab, ["status", "--json"], viaJump);
    const report = JSON.parse(result.stdout) as { nodes: { node: string; reachable: boolean; keepalivedVersion?: string }[] };
    expect(report.nodes.map((n) => n.reachable)).toEqual([true, true]);
    expect(report.nodes.map((n) => n.keepalivedVersion)).toEqual([
      KEEPALIVED_OF_RELEASE[lab.releases.a],
      KEEPALIVED_OF_RELEASE[lab.releases.b],
    ]);
    const knownHosts = join(scratch, "known_hosts_only_b");
    writeFileSync(
      knownHosts,
      readFileSync(lab.knownHostsPath, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("172.16.16.6 "))
        .join("\n") + "\n",
    );
    const refused = await cli(lab, ["status", "--json", "--known-hosts", knownHosts], viaJump);
    expect(JSON.parse(refused.stdout).nodes[1].error).toMatch(/jump host.*172\.16\.16\.5 is not in known_hosts/);
  }, 60_000);

  it("runs failover-test: the VIP moves to the peer, the old master returns and nopreempt keeps the VIP", async () => {
    const holder = (await vipHolders(lab))[0];
    const result = await cli(lab, ["failover-test", "--json", "--probe-port", "9"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      passed: boolean;
      from: string;
      to: string;
      vipMovedAfterSeconds: number;
      nopreemptHeld: boolean;
      probe: { sent: number; longestGapMs: number };
    };
    expect(report.from).toBe(holder);
    expect(report.to).toBe(holder === "a" ? "b" : "a");
    expect(report.vipMovedAfterSeconds).toBeGreaterThan(0);
    expect(report.nopreemptHeld).toBe(true);
    expect(report.passed).toBe(true);
    expect(report.probe.sent).toBeGreaterThan(10);
    expect(await vipHolders(lab)).toEqual([report.to]);
  }, 90_000);
});
