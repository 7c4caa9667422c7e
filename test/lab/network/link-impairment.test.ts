import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CloudNetworkLayout,
  ROUTER_UPLINK_INTERFACE,
  attachInstance,
  clearLinkImpairment,
  cloudNetworkLayout,
  createInternet,
  createVpcRouter,
  deleteCloudNetwork,
  deleteVpcRouter,
  detachInstance,
  impairLink,
  instanceNamespace,
  instancePortName,
  reconcileVpcRouter,
  type VpcRouterModel,
  vpcNamespace,
} from "../../../lab/cloud-network";
import { runCommand, runCommandOrThrow } from "../../../lab/host/host-command";
import { labPreflight } from "../../../lab";
import { PACKAGE_SERVER_PYTHON } from "../../../lab/roots/lab-package-server";
import { testLabPrefix } from "../test-lab-prefix";

/**
 * A link impairment measured from the outside: a UDP prober in a's namespace sends numbered
 * datagrams at a steady pace to an echo server in b's (or c's) and times each answer. Only a → b
 * is impaired in most tests, so a round trip is the drawn one-way delay plus the unimpaired path.
 * Both ends run at the impairment program's real-time priority, so that they measure the link,
 * not the load of a shared 2-core machine. Bounds are statistical, at about 5 standard deviations,
 * plus 5 ms of scheduling for a few packets; the measurements are printed for the record.
 */
const PREFIX = testLabPrefix("havip-li");
const STATE_DIR = `/run/${PREFIX}`;
const VPC = "vpc-li000001";
const A = "ins-li00000a";
const B = "ins-li00000b";
const C = "ins-li00000c";
const IP: Record<string, string> = { [A]: "172.16.16.5", [B]: "172.16.16.6", [C]: "172.16.16.7" };
const HAVIP = "172.16.16.12";
const missing = [...labPreflight(), ...(fs.existsSync("/dev/net/tun") ? [] : ["no /dev/net/tun (the kernel's TUN driver)"])];
const skip = missing.length > 0 && process.env.CI !== "true";
const hasKeepalived = fs.existsSync("/usr/sbin/keepalived");

const ECHO_PROGRAM = `
import os, socket
os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))
IP_RECVTTL, IP_TTL = 12, 2
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
s.bind(("0.0.0.0", 7001))
print("ready", flush=True)
while True:
    data, ancillary, _, peer = s.recvmsg(2048, 64)
    ttl = [int.from_bytes(value, "little") for _, kind, value in ancillary if kind == IP_TTL]
    s.sendto(data + b" %d" % ttl[0], peer)
`;

/** Sends `count` datagrams `intervalMs` apart; prints each one's round trip (ms, null when lost), the TTLs b saw, and the order answers came in. */
const PROBE_PROGRAM = `
import json, os, select, socket, sys, time
os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))
address, count, interval, tail = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]) / 1000, float(sys.argv[4]) / 1000
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sent, rtts, ttls, order = [None] * count, [None] * count, set(), []
start = time.monotonic()
next_index, deadline = 0, None
while True:
    now = time.monotonic()
    if next_index < count and now >= start + next_index * interval:
        sent[next_index] = now
        s.sendto(b"%d" % next_index, (address, 7001))
        next_index += 1
        continue
    if next_index == count and deadline is None:
        deadline = now + tail
    if deadline is not None and now >= deadline:
        break
    wake = deadline if deadline is not None else start + next_index * interval
    if select.select([s], [], [], max(0.0, wake - now))[0]:
        try:
            index, ttl = s.recv(2048).split()
        except OSError:
            continue
        rtts[int(index)] = (time.monotonic() - sent[int(index)]) * 1000
        ttls.add(int(ttl))
        order.append(int(index))
print(json.dumps({"rtts": rtts, "ttls": sorted(ttls), "order": order}))
`;

interface Probe {
  readonly rtts: (number | null)[];
  readonly ttls: number[];
  readonly order: number[];
}

async function probe(from: string, address: string, count: number, intervalMs: number, tailMs = 500): Promise<Probe> {
  const output = await runCommandOrThrow(
    ["ip", "netns", "exec", from, PACKAGE_SERVER_PYTHON, "-c", PROBE_PROGRAM, address, String(count), String(intervalMs), String(tailMs)],
    { timeoutMs: 30_000 },
  );
  return JSON.parse(output) as Probe;
}

const received = (probe: Probe) => probe.rtts.filter((rtt): rtt is number => rtt !== null).sort((x, y) => x - y);
const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const lostIndexes = (probe: Probe) => probe.rtts.flatMap((rtt, index) => (rtt === null ? [index] : []));
const summary = (sorted: readonly number[]) =>
  `n=${sorted.length} min=${sorted[0]?.toFixed(3)} p50=${quantile(sorted, 0.5)?.toFixed(3)} p90=${quantile(sorted, 0.9)?.toFixed(3)} p99=${quantile(sorted, 0.99)?.toFixed(3)} max=${sorted.at(-1)?.toFixed(3)} ms`;

function model(partitions: VpcRouterModel["partitions"] = []): VpcRouterModel {
  return {
    vpcId: VPC,
    uplinkAddress: "198.51.100.16",
    uplinkInterface: ROUTER_UPLINK_INTERFACE,
    gateways: ["172.16.16.1"],
    instances: [A, B, C].map((id) => ({ instanceId: id, port: instancePortName(id), privateIp: IP[id] })),
    boundAddresses: [{ address: HAVIP, instanceId: B }],
    translations: [],
    partitions,
  };
}

describe.skipIf(skip)(`a link impairment between two instances of a VPC${skip ? ` (skipped: ${missing[0]})` : ""}`, () => {
  let layout: CloudNetworkLayout;
  let router: string;
  const ns = (id: string) => instanceNamespace(layout, id);
  const processes: ChildProcess[] = [];
  const measurements: string[] = [];
  let baseline: number[];
  let baselineTtl: number[];

  beforeAll(async () => {
    layout = cloudNetworkLayout(PREFIX);
    router = vpcNamespace(layout, VPC);
    await deleteCloudNetwork(layout);
    await createInternet(layout);
    await createVpcRouter(layout, VPC, "198.51.100.16");
    for (const id of [A, B, C])
      await attachInstance(layout, VPC, { instanceId: id, privateIp: IP[id], prefixLength: 24, gateway: "172.16.16.1" });
    await reconcileVpcRouter(layout, model());
    await runCommandOrThrow(["ip", "-n", ns(B), "addr", "add", `${HAVIP}/24`, "dev", "eth0"]);
    for (const id of [B, C]) {
      const echo = spawn("ip", ["netns", "exec", ns(id), PACKAGE_SERVER_PYTHON, "-c", ECHO_PROGRAM], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      processes.push(echo);
      await new Promise((ready) => echo.stdout.once("data", ready));
    }
    fs.mkdirSync(STATE_DIR, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    for (const process of processes) process.kill("SIGKILL");
    await deleteCloudNetwork(layout);
    fs.rmSync(STATE_DIR, { recursive: true, force: true });
    console.log(`link impairment measurements:\n  ${measurements.join("\n  ")}`);
  }, 30_000);

  it("measures the unimpaired path first", async () => {
    const measured = await probe(ns(A), IP[B], 500, 1, 200);
    baseline = received(measured);
    baselineTtl = measured.ttls;
    measurements.push(`unimpaired a -> b round trip: ${summary(baseline)}, TTL at b ${baselineTtl.join(",")}`);
    expect(baseline).toHaveLength(500);
    expect(baselineTtl).toEqual([63]);
  });

  it("drops the loss share of a's packets to b and delays the others uniformly within delay ± jitter, reordering them like netem", async () => {
    await impairLink(layout, VPC, { a: A, b: B }, { lossPercent: 10, delayMs: 50, jitterMs: 20, direction: "a-to-b" });
    const [toB, toC, toHavip] = await Promise.all([
      probe(ns(A), IP[B], 1000, 2, 300),
      probe(ns(A), IP[C], 500, 4, 100),
      probe(ns(A), HAVIP, 100, 20, 300),
    ]);
    const rtts = received(toB);
    const base = quantile(baseline, 0.5);
    measurements.push(`a -> b at 10 % loss, 50 ± 20 ms: ${1000 - rtts.length} lost, round trip ${summary(rtts)}`);
    measurements.push(`a -> c meanwhile: ${summary(received(toC))}`);
    // Binomial(1000, 0.1): standard deviation 9.5.
    expect(1000 - rtts.length).toBeGreaterThanOrEqual(53);
    expect(1000 - rtts.length).toBeLessThanOrEqual(147);
    expect(rtts[0]).toBeGreaterThanOrEqual(30);
    expect(rtts.filter((rtt) => rtt <= 70 + base + 5).length / rtts.length).toBeGreaterThanOrEqual(0.98);
    // Uniform on [30, 70]: quartiles at 40, 50, 60 ms, each with a standard error of 0.6 ms.
    for (const [q, at] of [
      [0.25, 40],
      [0.5, 50],
      [0.75, 60],
    ])
      expect(Math.abs(quantile(rtts, q) - base - at)).toBeLessThan(4);
    expect(toB.order).not.toEqual([...toB.order].sort((x, y) => x - y));
    expect(toB.ttls).toEqual(baselineTtl);
    // The HAVIP bound to b is b's traffic too; c is not touched.
    expect(quantile(received(toHavip), 0)).toBeGreaterThanOrEqual(30);
    expect(received(toC)).toHaveLength(500);
    expect(quantile(received(toC), 0.9)).toBeLessThan(5);
  });

  it("repeats the same drops for the same seed, and others for another", async () => {
    const run = async (seed: number) => {
      await impairLink(layout, VPC, { a: A, b: B }, { lossPercent: 30, seed, direction: "a-to-b" });
      return lostIndexes(await probe(ns(A), IP[B], 300, 1, 200));
    };
    const first = await run(7);
    expect(first.length).toBeGreaterThan(90 - 40);
    expect(first.length).toBeLessThan(90 + 40);
    expect(await run(7)).toEqual(first);
    expect(await run(8)).not.toEqual(first);
  });

  it("adds little to a packet with no delay, and holds a fixed delay precisely", async () => {
    const base = quantile(baseline, 0.5);
    await impairLink(layout, VPC, { a: A, b: B }, { direction: "a-to-b" });
    const passThrough = received(await probe(ns(A), IP[B], 500, 1, 200));
    await impairLink(layout, VPC, { a: A, b: B }, { delayMs: 50, direction: "a-to-b" });
    const fixed = received(await probe(ns(A), IP[B], 300, 2, 300));
    const error = fixed.map((rtt) => rtt - base - 50);
    measurements.push(`a -> b through the program at 0 ms: ${summary(passThrough)}`);
    measurements.push(`a -> b at 50 ms, error over the unimpaired round trip: ${summary(error)}`);
    expect(passThrough).toHaveLength(500);
    expect(quantile(passThrough, 0.5) - base).toBeLessThan(2);
    expect(fixed).toHaveLength(300);
    expect(error[0]).toBeGreaterThan(-1);
    expect(Math.abs(quantile(error, 0.5))).toBeLessThan(2);
    expect(quantile(error, 0.9)).toBeLessThan(5);
  });

  it("impairs both directions", async () => {
    await impairLink(layout, VPC, { a: A, b: B }, { delayMs: 20 });
    const rtts = received(await probe(ns(A), IP[B], 100, 5, 200));
    measurements.push(`a <-> b at 20 ms both ways: ${summary(rtts)}`);
    expect(rtts).toHaveLength(100);
    expect(Math.abs(quantile(rtts, 0.5) - quantile(baseline, 0.5) - 40)).toBeLessThan(3);
  });

  it("keeps a partition whole while the link is impaired, and the impairment after it heals", async () => {
    await impairLink(layout, VPC, { a: A, b: B }, { delayMs: 20 });
    await reconcileVpcRouter(layout, model([[A, B]]));
    const [cut, other] = await Promise.all([probe(ns(A), IP[B], 50, 4, 200), probe(ns(A), IP[C], 50, 4, 100)]);
    expect(received(cut)).toEqual([]);
    expect(received(other)).toHaveLength(50);
    await reconcileVpcRouter(layout, model());
    const healed = received(await probe(ns(A), IP[B], 50, 4, 200));
    expect(healed).toHaveLength(50);
    expect(healed[0]).toBeGreaterThanOrEqual(40);
  });

  it("clears to the unimpaired link, twice without complaint, leaving no program, device, rule or table", async () => {
    await clearLinkImpairment(layout, VPC, { a: A, b: B });
    await clearLinkImpairment(layout, VPC, { a: A, b: B });
    const rtts = received(await probe(ns(A), IP[B], 300, 1, 200));
    expect(rtts).toHaveLength(300);
    expect(quantile(rtts, 0.5) - quantile(baseline, 0.5)).toBeLessThan(1);
    expect(await runCommandOrThrow(["ip", "-n", router, "-o", "link", "show", "type", "tun"])).toBe("");
    expect((await runCommandOrThrow(["ip", "-n", router, "rule", "show"])).trim().split("\n")).toHaveLength(3);
    expect(await runCommandOrThrow(["ip", "netns", "exec", router, "nft", "list", "tables"])).toBe("table ip havip_vpc\n");
    expect(await runCommandOrThrow(["ip", "netns", "pids", router])).toBe("");
  });

  it("refuses a bad profile or an instance without a port, before changing anything", async () => {
    await expect(impairLink(layout, VPC, { a: A, b: B }, { lossPercent: 150 })).rejects.toThrow(
      `cannot impair the link ${A} - ${B}: impairment.lossPercent 150 is not a percentage from 0 to 100`,
    );
    await expect(impairLink(layout, VPC, { a: A, b: "ins-li0000zz" }, { delayMs: 5 })).rejects.toThrow(
      `cannot impair the link ${A} - ins-li0000zz: ins-li0000zz has no port (pli0000zz) on the router of ${VPC}`,
    );
    expect(await runCommandOrThrow(["ip", "netns", "pids", router])).toBe("");
  });

  describe.skipIf(!hasKeepalived && process.env.CI !== "true")("Keepalived across an impaired link", () => {
    it("keeps one master over unicast VRRPv3 at 5 % loss and 20 ± 10 ms both ways: the second node joins as backup and stays backup", async () => {
      await impairLink(layout, VPC, { a: A, b: B }, { lossPercent: 5, delayMs: 20, jitterMs: 10 });
      const vip = "172.16.16.100";
      const nodes = [
        { id: A, self: IP[A], peer: IP[B] },
        { id: B, self: IP[B], peer: IP[A] },
      ];
      const logs: Record<string, string> = {};
      const daemons: ChildProcess[] = [];
      const holders = async () => {
        const held: string[] = [];
        for (const node of nodes) {
          const shown = await runCommandOrThrow(["ip", "-n", ns(node.id), "-4", "-o", "addr", "show", "dev", "eth0"]);
          if (shown.includes(` ${vip}/`)) held.push(node.id);
        }
        return held;
      };
      const start = (node: (typeof nodes)[number]) => {
        const dir = path.join(STATE_DIR, node.id);
        fs.mkdirSync(dir, { recursive: true });
        const config = path.join(dir, "keepalived.conf");
        fs.writeFileSync(config, keepalivedConfig(node.id, node.self, node.peer, vip));
        const daemon = spawn(
          "ip",
          [
            ...["netns", "exec", ns(node.id), "/usr/sbin/keepalived", "--dont-fork", "--log-console", "--no-syslog", "--vrrp"],
            ...[`--use-file=${config}`, `--pid=${dir}/keepalived.pid`, `--vrrp_pid=${dir}/vrrp.pid`],
          ],
          { stdio: ["ignore", "pipe", "pipe"] },
        );
        logs[node.id] = "";
        for (const stream of [daemon.stdout, daemon.stderr])
          stream.setEncoding("utf8").on("data", (chunk: string) => (logs[node.id] += chunk));
        processes.push(daemon);
        daemons.push(daemon);
      };
      try {
        // One node at a time, as the provisioner starts them: a takes the VIP, then b joins and must stay backup.
        start(nodes[0]);
        await expect.poll(holders, { timeout: 5000, interval: 100 }).toEqual([A]);
        start(nodes[1]);
        await expect.poll(() => logs[B], { timeout: 5000, interval: 100 }).toMatch(/Entering BACKUP STATE/);
        const samples: string[][] = [];
        for (const started = Date.now(); Date.now() - started < 3000;) {
          samples.push(await holders());
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const masters = nodes.map((node) => (logs[node.id].match(/Entering MASTER STATE/g) ?? []).length);
        measurements.push(
          `Keepalived at 5 % loss, 20 ± 10 ms both ways: MASTER entries a=${masters[0]} b=${masters[1]} in ${samples.length} samples`,
        );
        // A false failover (three adverts in a row lost: 1.25e-4 each) would show here; about 0.2 % of runs.
        expect(samples.filter((held) => held.length !== 1 || held[0] !== A)).toEqual([]);
        expect(masters).toEqual([1, 0]);
        expect(logs[A] + logs[B]).not.toMatch(/invalid TTL|TTL\/HL .* not in range/);
      } finally {
        for (const daemon of daemons) daemon.kill("SIGTERM");
        await Promise.all(
          daemons.map((daemon) => new Promise((exited) => (daemon.exitCode === null ? daemon.once("exit", exited) : exited(0)))),
        );
        await clearLinkImpairment(layout, VPC, { a: A, b: B });
      }
    }, 20_000);
  });

  it("leaves nothing behind when the router, or the whole cloud network, is deleted with the link impaired", async () => {
    const impairedPids = async () => {
      await impairLink(layout, VPC, { a: A, b: B }, { delayMs: 10 });
      const pids = (await runCommandOrThrow(["ip", "netns", "pids", router])).split(/\s+/).filter(Boolean);
      expect(pids).toHaveLength(2);
      return pids;
    };
    // Killed with the namespace's other processes (and reaped by this process, their parent, in a moment).
    const gone = (pids: string[]) => expect.poll(() => pids.filter((pid) => fs.existsSync(`/proc/${pid}`)), { timeout: 2000 }).toEqual([]);
    const first = await impairedPids();
    await deleteVpcRouter(layout, VPC);
    await gone(first);
    await createVpcRouter(layout, VPC, "198.51.100.16");
    for (const id of [A, B]) {
      await detachInstance(layout, VPC, id);
      await attachInstance(layout, VPC, { instanceId: id, privateIp: IP[id], prefixLength: 24, gateway: "172.16.16.1" });
    }
    await reconcileVpcRouter(layout, { ...model(), instances: model().instances.filter((instance) => instance.instanceId !== C) });
    const second = await impairedPids();
    for (const process of processes.splice(0)) process.kill("SIGKILL");
    await deleteCloudNetwork(layout);
    await gone(second);
    expect((await runCommand(["ip", "netns", "list"])).stdout).not.toContain(PREFIX);
  });
});

/** The project's VRRP settings that matter on the wire: both BACKUP at 254, nopreempt, VRRPv3 adverts every 0.2 s, unicast to the peer. */
function keepalivedConfig(id: string, self: string, peer: string, vip: string): string {
  return `global_defs {
    router_id ${id.replace(/-/g, "_")}
    vrrp_version 3
}

vrrp_instance havip_li {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 254
    advert_int 0.2
    nopreempt
    unicast_src_ip ${self}
    unicast_peer {
        ${peer}
    }
    virtual_ipaddress {
        ${vip}/24 dev eth0
    }
}
`;
}
