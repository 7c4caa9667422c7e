import { testLabPrefix } from "../test-lab-prefix";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommandOrThrow } from "../../../lab/host/host-command";
import {
  type Lab,
  execInServer,
  healPartition,
  keepalivedProcesses,
  labDown,
  labLayout,
  labPreflight,
  labStatus,
  labUp,
  loadLab,
  partitionServers,
  runInOperatorNamespace,
  crashServer,
  setLink,
  signalKeepalived,
  sshFromOperator,
  startOutageProbe,
  vipHolders,
} from "../../../lab";

const PREFIX = testLabPrefix("havip-t");
const STATE_DIR = `/run/${PREFIX}`;
const missing = labPreflight();
const onCi = process.env.CI === "true";
// Off CI a machine without root/Linux/sshd skips with the reason; under CI=true the lab must run.
const skip = missing.length > 0 && !onCi;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function digestTree(dir: string): string {
  const hash = createHash("sha256");
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
      const full = path.join(current, entry.name);
      hash.update(full);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) hash.update(fs.readFileSync(full));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return hash.digest("hex");
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(50);
  }
  return condition();
}

it.runIf(onCi || missing.length === 0)("runs on a machine that has everything the lab needs", () => {
  expect(missing).toEqual([]);
});

describe.skipIf(skip)(`the local lab${skip ? ` (skipped: ${missing[0]})` : ""}`, () => {
  let lab: Lab;
  let hostLinksBefore: string;
  let hostAddressesBefore: string;
  let hostKeepalivedBefore: string;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    await labDown({ prefix: PREFIX, stateDir: STATE_DIR });
    hostLinksBefore = await runCommandOrThrow(["ip", "-o", "link", "show"]);
    hostAddressesBefore = await runCommandOrThrow(["ip", "-o", "addr", "show"]);
    hostKeepalivedBefore = digestTree("/etc/keepalived");
    const started = Date.now();
    lab = await labUp({ prefix: PREFIX, stateDir: STATE_DIR, onStep: (step) => console.log(`lab ${PREFIX}: ${step}`) });
    timings.upMs = Date.now() - started;
  }, 600_000);

  afterAll(async () => {
    await labDown({ prefix: PREFIX, stateDir: STATE_DIR });
    console.log(`lab timings: ${JSON.stringify(timings)}`);
  });

  it("accepts SSH logins on both servers from the operator namespace with the pinned host keys", async () => {
    for (const name of ["a", "b"] as const) {
      const result = await sshFromOperator(lab, lab.servers[name], ["hostname"]);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe(`${PREFIX}-${name}`);
    }
  });

  it("rejects a server whose host key does not match the pinned one", async () => {
    const swapped = path.join(STATE_DIR, "swapped_known_hosts");
    const [lineA] = fs.readFileSync(lab.knownHostsPath, "utf8").split("\n");
    fs.writeFileSync(swapped, lineA.replace(lab.servers.a.ip, lab.servers.b.ip) + "\n");
    try {
      const result = await sshFromOperator({ ...lab, knownHostsPath: swapped }, lab.servers.b, ["true"]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/host key|HOST IDENTIFICATION/i);
    } finally {
      fs.rmSync(swapped);
    }
  });

  it("keeps a file written on A over SSH invisible to B and to the host, /etc/keepalived included", async () => {
    const write = await sshFromOperator(lab, lab.servers.a, [
      "sh",
      "-c",
      "mkdir -p /etc/keepalived && echo from-a > /etc/keepalived/keepalived.conf && echo from-a > /root/marker",
    ]);
    expect(write.code).toBe(0);
    expect((await execInServer(lab, "a", ["cat", "/etc/keepalived/keepalived.conf"])).stdout).toBe("from-a\n");
    const onB = await sshFromOperator(lab, lab.servers.b, ["sh", "-c", "ls /etc/keepalived/keepalived.conf /root/marker"]);
    expect(onB.code).not.toBe(0);
    expect(fs.existsSync("/etc/keepalived/keepalived.conf")).toBe(false);
    expect(digestTree("/etc/keepalived")).toBe(hostKeepalivedBefore);
  });

  it("gives each server writable /var and an apt that installs keepalived from the lab's source only, with no route out", async () => {
    const sources = await execInServer(lab, "b", ["sh", "-c", "cat /etc/apt/sources.list; ls /etc/apt/sources.list.d"]);
    expect(sources.stdout.trim()).toBe("deb [trusted=yes] http://mirror.lab.internal:8080/bookworm ./");
    const mirror = await execInServer(lab, "b", ["getent", "hosts", "mirror.lab.internal"]);
    expect(mirror.stdout.trim().split(/\s+/)).toEqual(["172.16.16.100", "mirror.lab.internal"]);
    const routes = await execInServer(lab, "b", ["ip", "-4", "route", "show", "table", "main"]);
    expect(routes.stdout.trim()).toBe("172.16.16.0/24 dev eth0 proto kernel scope link src 172.16.16.6");
    const result = await sshFromOperator(
      lab,
      lab.servers.b,
      [
        "sh",
        "-c",
        "mkdir -p /var/keepalived && echo MASTER > /var/keepalived/state && echo x >> /var/log/keepalived.log && apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get -qq install -y keepalived >/dev/null",
      ],
      { timeoutMs: 60_000 },
    );
    expect(result.stderr).not.toMatch(/^(E|W):/m);
    expect(result.code).toBe(0);
    const version = await execInServer(lab, "b", ["keepalived", "--version"]);
    expect(version.stdout + version.stderr).toMatch(/Keepalived v2\.2\.7/);
    expect(fs.readFileSync(lab.packageServerLogPath, "utf8")).toMatch(/"GET \/bookworm\/(\.\/)?keepalived_[^ ]+\.deb HTTP\/1\.1" 200/);
    expect((await labStatus(lab)).servers.map((server) => server.vrrpState)).toEqual([undefined, "MASTER"]);
    expect(fs.existsSync("/var/keepalived/state")).toBe(false);
  });

  it("gives the operator namespace only the lab subnet: no default route, no other interface", async () => {
    const routes = await runInOperatorNamespace(lab, ["ip", "-4", "route", "show", "table", "all"]);
    expect(routes.stdout).not.toMatch(/default/);
    expect(routes.stdout).toMatch(/^172\.16\.16\.0\/24 dev eth0/m);
    const links = await runInOperatorNamespace(lab, ["ip", "-o", "link", "show"]);
    expect(
      links.stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => line.split(":")[1].trim().split("@")[0]),
    ).toEqual(["lo", "eth0"]);
  });

  it("adds no interface and no address to the host's network namespace", async () => {
    expect(await runCommandOrThrow(["ip", "-o", "link", "show"])).toBe(hostLinksBefore);
    expect(await runCommandOrThrow(["ip", "-o", "addr", "show"])).toBe(hostAddressesBefore);
  });

  it("refuses to run in the operator namespace once it has a route outside the lab subnet", async () => {
    await runCommandOrThrow(["ip", "-n", lab.operatorNamespace, "route", "add", "10.99.0.0/16", "dev", "eth0"]);
    try {
      await expect(runInOperatorNamespace(lab, ["true"])).rejects.toThrow(/routes other than 172\.16\.16\.0\/24.*10\.99\.0\.0\/16/);
    } finally {
      await runCommandOrThrow(["ip", "-n", lab.operatorNamespace, "route", "del", "10.99.0.0/16", "dev", "eth0"]);
    }
    expect((await runInOperatorNamespace(lab, ["true"])).code).toBe(0);
  });

  it("refuses to run anything for a lab whose namespaces do not exist", async () => {
    await expect(runInOperatorNamespace(labLayout("havip-absent"), ["true"])).rejects.toThrow(
      /network namespace havip-absent-sw does not exist/,
    );
  });

  it("lets another process find the lab through its persisted handle", () => {
    const found = loadLab(PREFIX, STATE_DIR);
    expect(found?.specPath).toBe(lab.specPath);
    expect(JSON.parse(fs.readFileSync(lab.specPath, "utf8")).nodes.map((node: { sshHost: string }) => node.sshHost)).toEqual([
      "172.16.16.5",
      "172.16.16.6",
    ]);
  });

  it("sees the VIP where it is, answers the outage probe from there, and loses it when the link goes down", async () => {
    expect(await vipHolders(lab)).toEqual([]);
    await runCommandOrThrow(["ip", "-n", lab.servers.a.namespace, "addr", "add", `${lab.vip}/24`, "dev", "eth0"]);
    expect(await vipHolders(lab)).toEqual(["a"]);
    const healthy = await (await startOutageProbe(lab, { maxProbes: 5, intervalMs: 50 })).finished;
    expect(healthy).toMatchObject({ sent: 5, lost: 0 });
    const probe = await startOutageProbe(lab, { maxProbes: 10, intervalMs: 50, timeoutMs: 100 });
    await sleep(120);
    await setLink(lab, "a", "down");
    const outage = await probe.finished;
    await setLink(lab, "a", "up");
    await runCommandOrThrow(["ip", "-n", lab.servers.a.namespace, "addr", "del", `${lab.vip}/24`, "dev", "eth0"]);
    expect(outage.lost).toBeGreaterThan(3);
    expect(outage.longestGapMs).toBeGreaterThanOrEqual(200);
  });

  it("partitions A from B while both still reach the operator, and heals", async () => {
    const reach = (from: "a" | "b", ip: string) =>
      execInServer(lab, from, ["timeout", "1", "bash", "-c", `exec 3<>/dev/tcp/${ip}/22`]).then((result) => result.code === 0);
    expect(await reach("a", lab.servers.b.ip)).toBe(true);
    await partitionServers(lab);
    try {
      expect(await reach("a", lab.servers.b.ip)).toBe(false);
      for (const name of ["a", "b"] as const) expect((await sshFromOperator(lab, lab.servers[name], ["true"])).code).toBe(0);
    } finally {
      await healPartition(lab);
    }
    expect(await reach("b", lab.servers.a.ip)).toBe(true);
  });

  it("finds and signals only the keepalived running in the given server", async () => {
    const start = await execInServer(lab, "b", [
      "sh",
      "-c",
      "printf 'global_defs {\\n}\\n' > /etc/keepalived/idle.conf && (setsid keepalived -f /etc/keepalived/idle.conf --dont-fork -l -D </dev/null >/var/log/keepalived.out 2>&1 &)",
    ]);
    expect(start.code).toBe(0);
    expect(await waitFor(async () => (await keepalivedProcesses(lab, "b")) !== undefined, 3000)).toBe(true);
    expect(await keepalivedProcesses(lab, "a")).toBeUndefined();
    const status = await labStatus(lab);
    expect(status.servers.map((server) => server.keepalivedPid !== undefined)).toEqual([false, true]);
    expect(await signalKeepalived(lab, "b", "SIGTERM", "parent")).toHaveLength(1);
    expect(await waitFor(async () => (await keepalivedProcesses(lab, "b")) === undefined, 5000)).toBe(true);
  });

  it("runs each server in its own pid namespace with systemd as PID 1, sshd as a unit, and systemd running", async () => {
    const result = await execInServer(lab, "b", ["cat", "/proc/1/comm"]);
    expect(result.stdout.trim()).toBe("systemd");
    expect((await execInServer(lab, "b", ["systemctl", "is-active", "ssh"])).stdout.trim()).toBe("active");
    const processes = await execInServer(lab, "b", ["ps", "-e", "-o", "comm="]);
    expect(processes.stdout).not.toMatch(/keepalived|vitest|node/);
    expect((await labStatus(lab)).servers.map((server) => server.systemState)).toEqual(["running", "running"]);
  });

  it("boots a server again after `systemctl reboot` and after a crash, without an address it had added", async () => {
    await runCommandOrThrow(["ip", "-n", lab.servers.a.namespace, "addr", "add", `${lab.vip}/32`, "dev", "eth0"]);
    expect(await vipHolders(lab)).toEqual(["a"]);
    await execInServer(lab, "a", ["systemctl", "reboot"]);
    expect(await waitFor(async () => (await vipHolders(lab)).length === 0, 10_000)).toBe(true);
    expect(
      await waitFor(
        async () => (await sshFromOperator(lab, lab.servers.a, ["systemctl", "is-system-running"])).stdout.trim() === "running",
        30_000,
      ),
    ).toBe(true);
    expect(fs.readFileSync(lab.servers.a.consoleLogPath, "utf8")).toMatch(/stopped with exit 133[\s\S]*supervisor: boot 2/);
    await runCommandOrThrow(["ip", "-n", lab.servers.a.namespace, "addr", "add", `${lab.vip}/32`, "dev", "eth0"]);
    await crashServer(lab, "a");
    expect(await waitFor(async () => (await vipHolders(lab)).length === 0, 10_000)).toBe(true);
    expect(await waitFor(async () => (await sshFromOperator(lab, lab.servers.a, ["true"])).code === 0, 30_000)).toBe(true);
    expect(fs.readFileSync(lab.servers.a.consoleLogPath, "utf8")).toMatch(/supervisor: boot 3/);
  }, 90_000);

  it("tears everything down: servers, cgroups, namespaces, mounts, processes and state dir, and a second down succeeds", async () => {
    const started = Date.now();
    await labDown({ prefix: PREFIX, stateDir: STATE_DIR });
    timings.downMs = Date.now() - started;
    const namespaces = await runCommandOrThrow(["ip", "netns", "list"]);
    expect(namespaces).not.toContain(PREFIX);
    expect(fs.readFileSync("/proc/mounts", "utf8")).not.toContain(STATE_DIR);
    expect(fs.existsSync(STATE_DIR)).toBe(false);
    for (const hierarchy of ["unified", "systemd"])
      expect(fs.existsSync(`/sys/fs/cgroup/${hierarchy}/${lab.servers.a.cgroupPath}`)).toBe(false);
    expect(await runCommandOrThrow(["ip", "-o", "link", "show"])).toBe(hostLinksBefore);
    await expect(labDown({ prefix: PREFIX, stateDir: STATE_DIR })).resolves.toBeUndefined();
    await expect(labStatus(lab)).resolves.toMatchObject({ vipHolders: [] });
  });
});

describe.skipIf(skip)("a lab up that fails partway", () => {
  it("tears down the namespaces and state it had built", async () => {
    const prefix = testLabPrefix("havip-f");
    const stateDir = `/run/${prefix}`;
    await labDown({ prefix, stateDir });
    const failing = labUp({
      prefix,
      stateDir,
      onStep: (step) => {
        if (step.startsWith("booting server a")) throw new Error("injected failure");
      },
    });
    await expect(failing).rejects.toThrow("injected failure");
    expect(await runCommandOrThrow(["ip", "netns", "list"])).not.toContain(prefix);
    expect(fs.existsSync(stateDir)).toBe(false);
    expect(fs.readFileSync("/proc/mounts", "utf8")).not.toContain(stateDir);
  });
});
