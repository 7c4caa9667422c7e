import { describe, expect, it } from "vitest";
import {
  buildLabClusterSpec,
  drillPassed,
  formatDrillTable,
  labLayout,
  labPrefixProblems,
  operatorSshArgv,
  parseProbeOutput,
  summarizeOutage,
} from "../../../lab";
import { validateClusterSpec } from "../../../lib/core/validation";
import { masterDownIntervalSeconds } from "../../../lib/core/vrrp-timing";
import { renderKnownHosts } from "../../../lab/servers/lab-keys";
import { operatorIsolationProblems } from "../../../lab/network/lab-network";
import { parseProcessStatus } from "../../../lab/host/lab-processes";
import { shellLiteral } from "../../../lib/core/shell-word";
import { DRILL_NAMES, drillNamesFor, formatDrillReport, labUnsteadiness, runDrills } from "../../../lab/drills";
import { isLabService, labServiceOverrides } from "../../../lab/lab-cluster-spec";
import type { LabStatus } from "../../../lab/lab-status";

const layout = labLayout("havip-u", "/run/havip-u");

describe("lab layout", () => {
  it("derives namespace names from the prefix and keeps state under the state dir", () => {
    expect([layout.switchNamespace, layout.servers.a.namespace, layout.servers.b.namespace, layout.operatorNamespace]).toEqual([
      "havip-u-sw",
      "havip-u-a",
      "havip-u-b",
      "havip-u-op",
    ]);
    expect(layout.servers.a.upperDir.startsWith("/run/havip-u/a/")).toBe(true);
    expect(layout.servers.a.hostKeyPathOnHost).toBe("/run/havip-u/a/upper/etc/ssh/ssh_host_ed25519_key");
    expect(layout.servers.b.cgroupPath).toBe("tencentcloud-havip-cluster/havip-u-b");
  });

  it("rejects a prefix with characters a namespace or hostname cannot carry", () => {
    expect(labPrefixProblems("Havip lab")).toHaveLength(1);
    expect(() => labLayout("../etc")).toThrow(/lab prefix/);
  });

  it("rejects a state dir the servers' overlays would cover", () => {
    expect(() => labLayout("havip-u", "/var/lib/havip")).toThrow(/must not be under \/var/);
    expect(() => labLayout("havip-u", "relative/dir")).toThrow(/absolute/);
  });
});

describe("lab cluster spec", () => {
  it("describes servers a and b reached as root with the operator key and pinned host keys", () => {
    const spec = buildLabClusterSpec(layout);
    expect(spec).toMatchObject({
      clusterName: "lab",
      virtualRouterId: 51,
      advertIntSeconds: 1,
      priority: 254,
      interfaceName: "eth0",
      vips: ["172.16.16.12"],
      subnetPrefixLength: 24,
      nodes: [
        { name: "a", privateIp: "172.16.16.5", sshHost: "172.16.16.5" },
        { name: "b", privateIp: "172.16.16.6", sshHost: "172.16.16.6" },
      ],
      notifyLogPath: "/var/log/keepalived.log",
      scriptUser: "root",
      ssh: { user: "root", privateKeyPath: "/run/havip-u/operator/id_ed25519", knownHostsPath: "/run/havip-u/operator/known_hosts" },
    });
    expect(spec.healthCheck.intervalSeconds).toBeGreaterThan(spec.healthCheck.timeoutSeconds);
  });

  it("passes the shared ClusterSpec validation", () => {
    expect(validateClusterSpec(buildLabClusterSpec(layout))).toEqual([]);
  });

  it("applies overrides but never moves the nodes, VIP or SSH settings", () => {
    const spec = buildLabClusterSpec(layout, { advertIntSeconds: 2, clusterName: "drill" });
    expect(spec.advertIntSeconds).toBe(2);
    expect(spec.clusterName).toBe("drill");
    expect(spec.vips).toEqual(["172.16.16.12"]);
  });

  it("with --service nginx: installs nginx before Keepalived, writes a page naming the node, checks the node's own nginx over http", () => {
    const spec = buildLabClusterSpec(layout, labServiceOverrides("nginx"));
    expect(validateClusterSpec(spec)).toEqual([]);
    expect(spec.serviceSetup?.packages).toEqual(["nginx"]);
    expect(spec.serviceSetup?.command).toMatch(
      /^printf '%s\\n%s\\n' "\$\(hostname\)" .* > \/var\/www\/html\/index\.html && systemctl enable --now nginx$/,
    );
    expect(spec.healthCheck).toEqual({ kind: "http", url: "http://127.0.0.1/", intervalSeconds: 2, timeoutSeconds: 1, fall: 2, rise: 2 });
    expect([isLabService("nginx"), isLabService("mysql")]).toEqual([true, false]);
  });
});

describe("drills for a lab with and without a service", () => {
  const serviceLab = { ...layout, service: "nginx" as const };

  it("swaps health-check-fails for the nginx drills on a service lab", () => {
    expect(drillNamesFor(layout)).toEqual([...DRILL_NAMES]);
    expect(drillNamesFor(serviceLab)).toEqual([
      ...DRILL_NAMES.filter((name) => name !== "health-check-fails"),
      "nginx-dies-on-master",
      "nginx-dies-on-backup",
    ]);
  });

  it("refuses a drill that does not fit the lab before touching it", async () => {
    await expect(runDrills(layout, ["nginx-dies-on-backup"], () => undefined)).rejects.toThrow(
      "nginx-dies-on-backup needs a lab with a service behind the VIP (lab up --service nginx)",
    );
    await expect(runDrills(serviceLab, ["health-check-fails"], () => undefined)).rejects.toThrow(
      /not the health check of a lab with --service nginx/,
    );
    await expect(runDrills(layout, ["nginx-dies"], () => undefined)).rejects.toThrow(
      /unknown drill\(s\) nginx-dies; choose from .*nginx-dies-on-master/,
    );
  });

  it("reports who answered HTTP through the VIP", () => {
    const report = formatDrillReport([
      {
        drill: "nginx-dies-on-master",
        faultOn: "a",
        vipMovedAfterSeconds: 3.1,
        longestGapMs: 3100,
        lost: 60,
        sent: 80,
        finalHolders: ["b"],
        httpResponders: ["a", "b"],
      },
    ]);
    expect(report).toContain("nginx-dies-on-master: fault on a, ends with VIP on b; HTTP answered by a, then b");
  });
});

describe("shell and SSH quoting", () => {
  it("quotes words for the shell so a quote cannot end them", () => {
    expect(shellLiteral("it's")).toBe(`'it'\\''s'`);
  });

  it("hands the remote command to SSH as one quoted line", () => {
    const argv = operatorSshArgv(layout, layout.servers.a, ["sh", "-c", "echo a > /tmp/x"]);
    expect(argv.at(-1)).toBe(`'sh' '-c' 'echo a > /tmp/x'`);
    expect(argv).toContain("StrictHostKeyChecking=yes");
    expect(argv).toContain("BatchMode=yes");
  });
});

describe("known_hosts", () => {
  it("pins each address to its key type and key, without the comment", () => {
    expect(renderKnownHosts([{ host: "172.16.16.5", publicKeyLine: "ssh-ed25519 AAAAC3Nz host-a" }])).toBe(
      "172.16.16.5 ssh-ed25519 AAAAC3Nz\n",
    );
  });
});

describe("operator isolation", () => {
  const facts = {
    namespaces: ["havip-u-sw", "havip-u-a", "havip-u-b", "havip-u-op"],
    links: "1: lo: <LOOPBACK,UP>\n3: eth0@if4: <BROADCAST,UP>\n",
    ipv4Routes:
      "172.16.16.0/24 dev eth0 proto kernel scope link src 172.16.16.100\nlocal 172.16.16.100 dev eth0 table local proto kernel scope host src 172.16.16.100\n",
    ipv6Routes: "",
    sameAsHost: false,
  };

  it("accepts a namespace that reaches only the lab subnet", () => {
    expect(operatorIsolationProblems(layout, facts)).toEqual([]);
  });

  it("refuses a default route", () => {
    expect(operatorIsolationProblems(layout, { ...facts, ipv4Routes: `${facts.ipv4Routes}default via 172.16.16.1 dev eth0\n` })[0]).toMatch(
      /routes other than 172\.16\.16\.0\/24 on eth0: default via/,
    );
  });

  it("refuses an extra interface and the host's own namespace", () => {
    const problems = operatorIsolationProblems(layout, { ...facts, links: `${facts.links}5: wlan0: <UP>\n`, sameAsHost: true });
    expect(problems.join("\n")).toMatch(/host's own network namespace/);
    expect(problems.join("\n")).toMatch(/unexpected interfaces: wlan0/);
  });

  it("refuses when a lab namespace is missing", () => {
    expect(operatorIsolationProblems(layout, { ...facts, namespaces: ["havip-u-op"] })).toContain(
      "network namespace havip-u-sw does not exist",
    );
  });
});

describe("process status", () => {
  it("reads the PID a process has inside its own pid namespace", () => {
    const facts = parseProcessStatus(812, "Name:\tkeepalived\nState:\tS (sleeping)\nPPid:\t800\nNSpid:\t812\t18\n");
    expect(facts).toEqual({ pid: 812, ppid: 800, name: "keepalived", state: "S", nsPids: [812, 18] });
  });
});

describe("outage summary", () => {
  const samples = (answers: string) => answers.split("").map((c, seq) => ({ seq, sentAtMs: seq * 100, answered: c === "1" }));

  it("reports one interval and no loss when every probe was answered", () => {
    expect(summarizeOutage(samples("11111"), 100)).toEqual({ longestGapMs: 100, sent: 5, lost: 0 });
  });

  it("measures the longest gap between two answered probes", () => {
    expect(summarizeOutage(samples("1100011001"), 100)).toEqual({ longestGapMs: 400, sent: 10, lost: 5 });
  });

  it("counts losses at the end until one interval after the last probe", () => {
    expect(summarizeOutage(samples("11000"), 100).longestGapMs).toBe(400);
    expect(summarizeOutage(samples("000"), 100).longestGapMs).toBe(300);
  });

  it("parses the probe's output lines and ignores anything else", () => {
    expect(parseProbeOutput("0 0.5 1\nnoise\n1 100.2 0\n")).toEqual([
      { seq: 0, sentAtMs: 0.5, answered: true },
      { seq: 1, sentAtMs: 100.2, answered: false },
    ]);
  });
});

describe("drill measurement", () => {
  it("computes Keepalived's master-down interval: 3 adverts plus the priority skew", () => {
    expect(masterDownIntervalSeconds(1, 100)).toBeCloseTo(3.609, 3);
    expect(masterDownIntervalSeconds(2, 100)).toBeCloseTo(6.609, 3);
  });

  it("formats drills as a Markdown table with a verdict against the bound", () => {
    const table = formatDrillTable([
      { drill: "link down", vipMovedAfterSeconds: 3.16, expectedWithinSeconds: 4.1, longestGapMs: 3680, lost: 36, sent: 100 },
      { drill: "SIGTERM", vipMovedAfterSeconds: undefined, longestGapMs: 0, lost: 0, sent: 10 },
    ]);
    expect(table.split("\n")[2]).toBe("| link down | 3.16 s | 4.10 s | 3.68 s | 36 / 100 | ok |");
    expect(table.split("\n")[3]).toBe("| SIGTERM | never | - | 0.00 s | 0 / 10 | FAILED |");
  });

  it("passes a drill whose VIP must stay only when it stayed, and fails one that did not end with one holder", () => {
    const table = formatDrillTable([
      { drill: "returns", expectsMove: false, longestGapMs: 100, lost: 0, sent: 50, endedWithOneHolder: true },
      { drill: "returns-moved", expectsMove: false, vipMovedAfterSeconds: 1, longestGapMs: 100, lost: 0, sent: 50 },
      {
        drill: "split",
        vipMovedAfterSeconds: 0.4,
        expectedWithinSeconds: 3.6,
        longestGapMs: 100,
        lost: 0,
        sent: 50,
        endedWithOneHolder: false,
      },
    ]).split("\n");
    expect(table[2]).toBe("| returns | stayed (as expected) | - | 0.10 s | 0 / 50 | ok |");
    expect(table[3]).toBe("| returns-moved | 1.00 s | - | 0.10 s | 0 / 50 | FAILED |");
    expect(table[4]).toBe("| split | 0.40 s | 3.60 s | 0.10 s | 0 / 50 | FAILED |");
  });

  const returns = {
    drill: "old-master-returns",
    vipMovedAfterSeconds: 0.8,
    expectedWithinSeconds: 1.11,
    longestGapMs: 900,
    lost: 8,
    sent: 200,
    endedWithOneHolder: true,
  };

  it("passes a drill that moves once and must then stay only when nopreempt held", () => {
    const table = formatDrillTable([
      { ...returns, nopreemptHeld: true },
      { ...returns, nopreemptHeld: false },
    ]).split("\n");
    expect(table[2]).toBe("| old-master-returns | 0.80 s, then stayed | 1.11 s | 0.90 s | 8 / 200 | ok |");
    expect(table[3]).toBe("| old-master-returns | 0.80 s, then did NOT stay | 1.11 s | 0.90 s | 8 / 200 | FAILED |");
  });

  it("fails a drill whose VIP stayed afterwards but moved later than the graceful bound", () => {
    expect(drillPassed({ ...returns, nopreemptHeld: true, vipMovedAfterSeconds: 1.5 })).toBe(false);
    expect(drillPassed({ ...returns, nopreemptHeld: true })).toBe(true);
  });

  it("fails a drill that recorded an error, whatever its measurements, and shows no move it did not measure", () => {
    const table = formatDrillTable([
      { ...returns, nopreemptHeld: true, error: "restoring a failed: exit 1" },
      { drill: "link-down", longestGapMs: 0, lost: 0, sent: 0, error: "not run: the lab is not steady" },
    ]).split("\n");
    expect(table[2]).toBe("| old-master-returns | 0.80 s, then stayed | 1.11 s | 0.90 s | 8 / 200 | FAILED |");
    expect(table[3]).toBe("| link-down | - | - | 0.00 s | 0 / 0 | FAILED |");
  });
});

describe("lab steadiness between drills", () => {
  const server = (name: "a" | "b", keepalivedPid: number | undefined, vrrpState: string | undefined) => ({
    name,
    ip: "",
    namespace: "",
    namespaceExists: true,
    systemState: "running",
    sshdRunning: true,
    keepalivedPid,
    vrrpState,
    holdsVip: false,
  });
  const status = (servers: LabStatus["servers"], vipHolders: LabStatus["vipHolders"]): LabStatus => ({
    prefix: "havip-u",
    vip: "172.16.16.12",
    servers,
    vipHolders,
  });

  it("calls the lab steady with Keepalived MASTER and BACKUP and one VIP holder", () => {
    expect(labUnsteadiness(status([server("a", 10, "MASTER"), server("b", 20, "BACKUP")], ["a"]))).toBeUndefined();
  });

  it("names every reason the lab is not ready for the next drill", () => {
    const reason = labUnsteadiness(status([server("a", undefined, undefined), server("b", 20, "FAULT")], []));
    expect(reason).toBe(
      "Keepalived is not running on a; b is in state FAULT, not MASTER or BACKUP; the VIP is held by nobody, not by exactly one server",
    );
  });

  it("does not call a lab with two VIP holders steady", () => {
    expect(labUnsteadiness(status([server("a", 10, "MASTER"), server("b", 20, "MASTER")], ["a", "b"]))).toMatch(/held by a and b/);
  });
});
