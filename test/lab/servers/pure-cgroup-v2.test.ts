import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cgroupDirs, cgroupLayoutFrom, readCgroupFacts } from "../../../lab/host/cgroup-layout";
import { runCommand, runCommandOrThrow } from "../../../lab/host/host-command";
import { labPreflight } from "../../../lab/lab-preflight";
import { labCacheDir, releaseRootPaths } from "../../../lab/roots/release-roots";
import { destroyServer } from "../../../lab/servers/server-lifecycle";
import { type ServerLayoutInput, serverLayout } from "../../../lab/servers/server-layout";
import { testLabPrefix } from "../test-lab-prefix";

/**
 * The lab on a host with cgroup v2 only (Debian 12/13, Ubuntu 22.04+, Fedora, RHEL 9), proven on
 * these hybrid machines: a child process runs in a private mount namespace where cgroup2 alone is
 * mounted at /sys/fs/cgroup (the host's mounts stay as they are), and boots, powers off, starts
 * and destroys one server there with the lab's own functions. The hybrid path is what every
 * other lab test runs.
 */
const PREFIX = testLabPrefix("havip-v2");
const STATE_DIR = `/run/${PREFIX}`;
const NAMESPACE = `${PREFIX}-s`;
const missing = labPreflight();
const skip = missing.length > 0 && process.env.CI !== "true";

const input: ServerLayoutInput = {
  name: "s",
  machineName: `${PREFIX}-s`,
  namespace: NAMESPACE,
  ip: "10.99.0.5",
  prefixLength: 24,
  gateway: "10.99.0.1",
  hostname: "pure-v2",
  dir: path.join(STATE_DIR, "s"),
};

describe.skipIf(skip)(`a server on a host with cgroup v2 only${skip ? ` (skipped: ${missing[0]})` : ""}`, () => {
  const server = serverLayout(input);
  let seen: Record<string, unknown> = {};
  let childError = "";

  beforeAll(async () => {
    await destroyServer(server);
    await runCommand(["ip", "netns", "del", NAMESPACE]);
    // The server's own namespace with an eth0 that leads nowhere (its veth peer stays in the same namespace, down): nothing can leave it.
    await runCommandOrThrow(["ip", "netns", "add", NAMESPACE]);
    await runCommandOrThrow([
      "ip",
      "netns",
      "exec",
      NAMESPACE,
      "sysctl",
      "-q",
      "-w",
      "net.ipv6.conf.all.disable_ipv6=1",
      "net.ipv6.conf.default.disable_ipv6=1",
    ]);
    await runCommandOrThrow(["ip", "-n", NAMESPACE, "link", "set", "lo", "up"]);
    await runCommandOrThrow(["ip", "-n", NAMESPACE, "link", "add", "eth0", "type", "veth", "peer", "name", "nowhere"]);
    const child = await runCommand(
      [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        'umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && exec "$@"',
        "pure-v2",
        process.execPath,
        "--import",
        "tsx",
        path.join(__dirname, "pure-cgroup-v2-boot.ts"),
        JSON.stringify(input),
        releaseRootPaths("bookworm", labCacheDir()).rootDir,
      ],
      { timeoutMs: 240_000 },
    );
    childError = `exit ${child.code}: ${child.stderr.trim()}`;
    const line = child.stdout.trim().split("\n").at(-1) ?? "";
    if (child.code === 0) seen = JSON.parse(line) as Record<string, unknown>;
  }, 300_000);

  afterAll(async () => {
    // If the child failed half-way, its server is still in the cgroup2 tree the host sees too.
    await destroyServer(server);
    await runCommand(["ip", "netns", "del", NAMESPACE]);
    fs.rmSync(STATE_DIR, { recursive: true, force: true });
    console.log(`pure cgroup v2: ${JSON.stringify(seen)}`);
  }, 60_000);

  it("detects the cgroup v2 only layout, and the preflight finds nothing missing", () => {
    expect(childError).toBe("exit 0: ");
    expect(seen).toMatchObject({ layout: "unified", preflight: [] });
  });

  it("boots the server with systemd running, in a cgroup2 hierarchy of its own below the server's cgroup", () => {
    expect(seen).toMatchObject({ system: "running", machineCgroupFs: "cgroup2fs" });
    // The kernel here still has v1 hierarchies (its controllers are bound there): their lines stay, the machine mounts only cgroup2.
    expect(seen.machineInitCgroup).toMatch(/^0::\/init\.scope$/m);
    // nspawn puts the machine in <cgroup>/payload (and itself in <cgroup>/supervisor) on cgroup v2.
    expect(seen.initCgroupOnHost).toMatch(new RegExp(`^0::/tencentcloud-havip-cluster/${server.machineName}/payload/init\\.scope$`, "m"));
  });

  it("powers the server off to stopped and starts it again", () => {
    expect(seen).toMatchObject({ afterPowerOff: "stopped", afterStart: "running" });
  });

  it("destroys it with cgroup.kill: no process, cgroup, mount or state left, in the child's view and the host's", () => {
    expect(seen.pidsBeforeDestroy).toBeGreaterThan(2);
    expect(seen.afterDestroy).toEqual({ power: "absent", cgroupDirExists: false, mounts: [], dirExists: false, initPid: null });
    const hostLayout = cgroupLayoutFrom(readCgroupFacts());
    if (!("problem" in hostLayout)) for (const dir of cgroupDirs(hostLayout, server.cgroupPath)) expect(fs.existsSync(dir)).toBe(false);
    expect(fs.existsSync(server.dir)).toBe(false);
  });
});
