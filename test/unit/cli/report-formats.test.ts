import { describe, expect, it } from "vitest";
import { formatFailoverReport, type FailoverTestReport } from "../../../lib/operations/failover-test-report";
import { formatProvisionReport } from "../../../lib/provisioner/provision-report-format";
import { planNodeChanges } from "../../../lib/core/plan/plan-node-changes";
import { planNodeSteps } from "../../../lib/core/plan/plan-node-steps";
import { startCommand } from "../../../lib/core/node/keepalived-service";
import type { NodeReport, ProvisionReport } from "../../../lib/provisioner/provision-events";
import { formatStatusReport, type ClusterStatusReport } from "../../../lib/operations/status-report";
import { formatDrillReport, type LabDrillResult } from "../../../lab/drills";
import type { NodeStatusReport } from "../../../lib/operations/cluster-status";

describe("formatProvisionReport", () => {
  const applied: ProvisionReport = {
    cluster: "web",
    dryRun: false,
    changed: 2,
    nodes: [
      {
        node: "secondary",
        keepalivedVersion: "2.2.7",
        install: "present",
        changedFiles: ["/etc/keepalived/keepalived.conf", "/etc/keepalived/havip-check.sh"],
        action: "reload",
      },
      { node: "primary", keepalivedVersion: "2.2.7", install: "installed-package", changedFiles: [], action: "none" },
    ],
    rolloutOrder: ["secondary", "primary"],
    vipHolder: "primary",
  };

  it("lists each node's files and action, then the count and the VIP holder", () => {
    const lines = formatProvisionReport(applied).split("\n");
    expect(lines).toEqual([
      "secondary: keepalived 2.2.7 (present); 2 file(s): /etc/keepalived/keepalived.conf, /etc/keepalived/havip-check.sh; reload keepalived",
      "primary: keepalived 2.2.7 (installed-package); no file changed; leave keepalived as it is",
      "2 changed; VIP holder: primary",
    ]);
  });

  it("says 0 changed on a re-run that changed nothing", () => {
    const rerun: ProvisionReport = {
      ...applied,
      changed: 0,
      nodes: applied.nodes.map((n) => ({ ...n, changedFiles: [], action: "none" })),
    };
    const text = formatProvisionReport(rerun);
    expect(text.split("\n").pop()).toBe("0 changed; VIP holder: primary");
    expect(text).not.toContain("reload");
  });

  const confFile = { path: "/etc/keepalived/keepalived.conf", mode: 0o600, owner: "root", group: "root", content: "vrrp\n", secret: true };
  const created = planNodeChanges("primary", [confFile], []).pending;
  const start = { nodeName: "primary", action: "start", reason: "Keepalived is not running" } as const;
  const dryNode = (keepalivedVersion: string, allowUncheckedConfig = false): NodeReport => {
    const steps = planNodeSteps({
      nodeName: "primary",
      keepalivedVersion,
      initSystem: "systemd",
      scriptUser: "root",
      pending: created,
      rollout: start,
      allowUncheckedConfig,
      allowUncheckedConfigOption: "--allow-unchecked-config",
    });
    return {
      node: "primary",
      keepalivedVersion,
      install: "present",
      changedFiles: [confFile.path],
      action: "start",
      reason: steps.reason,
      steps: steps.steps,
      ...(steps.refusal !== undefined ? { refusal: steps.refusal } : {}),
      preview: {
        sshHost: "10.0.0.5",
        osPrettyName: "Debian GNU/Linux 12 (bookworm)",
        keepalivedInstalled: true,
        missingPackages: ["psmisc"],
        packageHold: "apt-mark hold keepalived",
        servicePreparation: ["sysctl: net.ipv4.ip_nonlocal_bind = 1 (persisted, applied)"],
        changes: [`${confFile.path}: content created (holds a secret; diff not shown)`],
      },
    };
  };
  const dryReport = (node: NodeReport): ProvisionReport => ({
    cluster: "web",
    dryRun: true,
    changed: 1,
    nodes: [node],
    rolloutOrder: ["primary"],
  });

  it("marks a dry run and puts each node's details first: packages, changes, then the planned steps", () => {
    const lines = formatProvisionReport(dryReport(dryNode("2.2.7"))).split("\n");
    expect(lines.slice(0, 7)).toEqual([
      "== primary (10.0.0.5, Debian GNU/Linux 12 (bookworm))",
      "keepalived: 2.2.7 installed",
      "packages: would install psmisc",
      "package: would apt-mark hold keepalived",
      "would sysctl: net.ipv4.ip_nonlocal_bind = 1 (persisted, applied)",
      "/etc/keepalived/keepalived.conf: content created (holds a secret; diff not shown)",
      "then: start keepalived (Keepalived is not running)",
    ]);
    expect(lines[7]).toMatch(/^ {2}\$ keepalived -t -e -l -f \/etc\/keepalived\/\.havip-staging\/keepalived\.conf /);
    expect(lines).toContain(`  $ ${startCommand("systemd", "/etc/keepalived/keepalived.conf")}`);
    expect(lines).toContain("primary: keepalived 2.2.7 (present); 1 file(s): /etc/keepalived/keepalived.conf; would start keepalived");
    expect(lines.pop()).toBe("dry run: 1 changed");
  });

  it("shows the refusal, not a start, in a dry run on a node whose Keepalived (1.3.5) cannot check a configuration", () => {
    const text = formatProvisionReport(dryReport(dryNode("1.3.5")));
    expect(text).toMatch(
      /^ {2}REFUSED: primary: Keepalived 1\.3\.5 has no config test .* or run provision with --allow-unchecked-config$/m,
    );
    expect(text).not.toMatch(/^ {2}\$ /m);
    expect(text).toContain(
      "primary: keepalived 1.3.5 (present); 1 file(s): /etc/keepalived/keepalived.conf; would refuse to change keepalived (see REFUSED above)",
    );
  });

  it("shows the unchecked install and the start on such a node with allowUncheckedConfig", () => {
    const text = formatProvisionReport(dryReport(dryNode("1.3.5", true)));
    expect(text).not.toContain("REFUSED");
    expect(text).not.toContain("keepalived -t");
    expect(text).toMatch(/^ {2}# install \/etc\/keepalived\/keepalived\.conf: .*\(UNCHECKED: --allow-unchecked-config\)$/m);
    expect(text).toContain(`  $ ${startCommand("systemd", "/etc/keepalived/keepalived.conf")}`);
  });
});

describe("formatStatusReport", () => {
  const primary: NodeStatusReport = {
    node: "primary",
    sshHost: "10.0.0.5",
    reachable: true,
    keepalivedVersion: "2.2.7",
    keepalivedRunning: true,
    notifiedState: "MASTER",
    holdsVips: ["172.16.16.12"],
    recentNotifyLog: ["2025-01-01T00:00:00 MASTER"],
  };
  const secondary: NodeStatusReport = {
    node: "secondary",
    sshHost: "10.0.0.6",
    reachable: true,
    keepalivedVersion: "2.2.7",
    keepalivedRunning: true,
    notifiedState: "BACKUP",
    holdsVips: [],
    recentNotifyLog: [],
  };
  const healthy: ClusterStatusReport = {
    cluster: "web",
    vips: ["172.16.16.12"],
    nodes: [primary, secondary],
    vipHolders: ["primary"],
    healthy: true,
  };

  it("shows the holder, a table row per node, the notify log and healthy", () => {
    const lines = formatStatusReport(healthy).split("\n");
    expect(lines[0]).toBe("cluster web: VIP 172.16.16.12 held by primary");
    expect(lines[1]).toMatch(/^node\s+ssh host\s+keepalived\s+running\s+state\s+holds VIP$/);
    expect(lines[2].split(/\s+/)).toEqual(["primary", "10.0.0.5", "2.2.7", "yes", "MASTER", "yes"]);
    expect(lines[3].split(/\s+/)).toEqual(["secondary", "10.0.0.6", "2.2.7", "yes", "BACKUP", "no"]);
    expect(lines).toContain("primary notify log:");
    expect(lines).toContain("  2025-01-01T00:00:00 MASTER");
    expect(lines).toContain("cloud: not checked (no TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY / TENCENTCLOUD_REGION)");
    expect(lines.pop()).toBe("healthy");
  });

  it("aligns the table columns", () => {
    const [, header, row] = formatStatusReport(healthy).split("\n");
    expect(row.indexOf("10.0.0.5")).toBe(header.indexOf("ssh host"));
  });

  it("reports an unreachable node with its error, nobody holding the VIP, and NOT healthy", () => {
    const down: NodeStatusReport = {
      node: "secondary",
      sshHost: "10.0.0.6",
      reachable: false,
      error: "connect ECONNREFUSED",
      holdsVips: [],
      recentNotifyLog: [],
    };
    const text = formatStatusReport({ ...healthy, nodes: [{ ...primary, holdsVips: [] }, down], vipHolders: [], healthy: false });
    expect(text).toContain("held by nobody");
    expect(
      text
        .split("\n")
        .find((l) => l.startsWith("secondary "))
        ?.split(/\s+/),
    ).toEqual(["secondary", "10.0.0.6", "unreachable", "-", "-", "-"]);
    expect(text).toContain("secondary: connect ECONNREFUSED");
    expect(text.split("\n").pop()).toBe("NOT healthy");
  });

  it("shows the cloud's binding and each disagreement", () => {
    const text = formatStatusReport({
      ...healthy,
      healthy: false,
      cloud: {
        bindings: [
          {
            havipId: "havip-abc",
            address: "172.16.16.12",
            state: "AVAILABLE",
            boundInstanceId: "ins-2",
            addressIp: "1.2.3.4",
            vpcId: "vpc-1",
            subnetId: "subnet-1",
            allowedInstanceIds: [],
          },
        ],
        disagreements: [
          {
            kind: "split-brain",
            vip: "172.16.16.12",
            havipId: "havip-abc",
            message: "HAVIP 172.16.16.12 (havip-abc) is bound to ins-2 but Keepalived is MASTER on primary",
          },
        ],
      },
    });
    expect(text).toContain("cloud: HAVIP 172.16.16.12 (havip-abc) AVAILABLE, bound to ins-2, EIP 1.2.3.4");
    expect(text).toContain("DISAGREEMENT: HAVIP 172.16.16.12 (havip-abc) is bound to ins-2 but Keepalived is MASTER on primary");
    expect(text).not.toContain("cloud: agrees with Keepalived");
    expect(text.split("\n").pop()).toBe("NOT healthy");
  });

  it("says the cloud agrees when there is no disagreement", () => {
    expect(formatStatusReport({ ...healthy, cloud: { bindings: [], disagreements: [] } })).toContain("cloud: agrees with Keepalived");
  });
});

describe("formatFailoverReport", () => {
  const passed: FailoverTestReport = {
    cluster: "web",
    fault: "stop-keepalived",
    from: "primary",
    to: "secondary",
    vipMovedAfterSeconds: 1.234,
    vrrpBoundSeconds: 6.3125,
    nopreemptHeld: true,
    holdersAtEnd: ["secondary"],
    passed: true,
    problems: [],
    probe: { target: "1.2.3.4:22", longestGapMs: 1500, lost: 2, sent: 120 },
  };

  it("summarises a passed test", () => {
    const lines = formatFailoverReport(passed).split("\n");
    expect(lines[0]).toBe("failover-test on web (stop-keepalived): primary -> secondary");
    expect(lines).toContain("VIP on the peer after:        1.23 s (VRRP master-down bound 6.31 s)");
    expect(lines).toContain("longest probe gap (1.2.3.4:22): 1500 ms, 2/120 probes lost");
    expect(lines.some((l) => l.startsWith("cloud binding:") && l.includes("not checked"))).toBe(true);
    expect(lines).toContain("old master returned; VIP stayed (nopreempt): yes");
    expect(lines).toContain("VIP at the end: secondary");
    expect(lines.some((l) => l.startsWith("FAIL:"))).toBe(false);
    expect(lines.pop()).toBe("PASSED");
  });

  it("lists each problem as FAIL: and ends with FAILED", () => {
    const text = formatFailoverReport({
      ...passed,
      to: undefined,
      vipMovedAfterSeconds: undefined,
      nopreemptHeld: false,
      holdersAtEnd: [],
      passed: false,
      problems: ["the VIP never moved", "nobody holds the VIP at the end"],
    });
    const lines = text.split("\n");
    expect(lines[0]).toContain("primary -> nobody");
    expect(text).toContain("VIP on the peer after:        never");
    expect(text).toContain("(nopreempt): NO");
    expect(lines).toContain("VIP at the end: nobody");
    expect(lines.filter((l) => l.startsWith("FAIL: "))).toEqual(["FAIL: the VIP never moved", "FAIL: nobody holds the VIP at the end"]);
    expect(lines.pop()).toBe("FAILED");
  });

  it("shows how long the cloud binding took to follow, or why it was not measured", () => {
    expect(formatFailoverReport({ ...passed, cloudBindingMovedAfterSeconds: 3.5 })).toContain("cloud binding followed after:   3.50 s");
    expect(formatFailoverReport({ ...passed, cloudNote: "timed out after 60 s" })).toContain("never (timed out after 60 s)");
  });
});

describe("formatDrillReport", () => {
  const results: LabDrillResult[] = [
    {
      drill: "machine-crash",
      faultOn: "a",
      finalHolders: ["b"],
      vipMovedAfterSeconds: 3.5,
      longestGapMs: 3600,
      lost: 30,
      sent: 200,
      expectedWithinSeconds: 4.2,
      endedWithOneHolder: true,
    },
    {
      drill: "old-master-returns",
      faultOn: "b",
      finalHolders: ["a"],
      vipMovedAfterSeconds: 0.7,
      nopreemptHeld: true,
      longestGapMs: 800,
      lost: 7,
      sent: 100,
      expectedWithinSeconds: 1.11,
      endedWithOneHolder: true,
    },
    {
      drill: "partition-heals",
      faultOn: "a",
      finalHolders: ["a", "b"],
      vipMovedAfterSeconds: 9,
      longestGapMs: 100,
      lost: 1,
      sent: 100,
      expectedWithinSeconds: 4.2,
      endedWithOneHolder: false,
      note: "split brain after heal",
    },
  ];

  it("has a table row per drill, the VRRP bound, and an ending per drill", () => {
    const text = formatDrillReport(results);
    const rows = text.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| drill") && !l.startsWith("| ---"));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toBe("| machine-crash | 3.50 s | 4.20 s | 3.60 s | 30 / 200 | ok |");
    expect(rows[1]).toBe("| old-master-returns | 0.70 s, then stayed | 1.11 s | 0.80 s | 7 / 100 | ok |");
    expect(rows[2].endsWith("| FAILED |")).toBe(true);
    expect(text).toMatch(/^VRRP bound: master-down interval = 3 x 1 s \+ \(256 - 254\)\/256 s = 3\.008 s$/m);
    expect(text).toContain("machine-crash: fault on a, ends with VIP on b");
  });

  it("flags a drill that ends with other than one holder as FAIL, with its note", () => {
    const ending = formatDrillReport(results)
      .split("\n")
      .find((l) => l.startsWith("partition-heals:"));
    expect(ending).toBe("partition-heals: fault on a, ends with VIP on a and b  <-- FAIL (split brain after heal)");
    expect(
      formatDrillReport(results)
        .split("\n")
        .find((l) => l.startsWith("machine-crash:")),
    ).not.toContain("FAIL");
  });

  it("gives a failed drill's reason in its ending, and a drill that was not run only its reason", () => {
    const lines = formatDrillReport([
      { ...results[0], error: "restoring a failed: exit 1" },
      {
        drill: "link-down",
        finalHolders: [],
        longestGapMs: 0,
        lost: 0,
        sent: 0,
        error: "not run: the lab is not steady after machine-crash",
      },
    ]).split("\n");
    expect(lines.filter((l) => l.endsWith("| FAILED |"))).toHaveLength(2);
    expect(lines).toContain("machine-crash: fault on a, ends with VIP on b; FAILED: restoring a failed: exit 1");
    expect(lines).toContain("link-down: FAILED: not run: the lab is not steady after machine-crash");
  });
});
