import { describe, expect, it } from "vitest";
import { describeProblem } from "../../../lib/core/settings-error";
import {
  validateClusterSpec,
  validateKeepalivedSettings,
  validateKeepalivedSource,
  validateSshSettings,
  validateWholeNumber,
} from "../../../lib/core/validation";
import type { ClusterSpec, KeepalivedSettings } from "../../../lib/core/cluster-settings";
import { clusterSpec } from "../../fixtures/keepalived-spec";

function messages(settings: KeepalivedSettings): string[] {
  return validateKeepalivedSettings(settings).map(describeProblem);
}

function specMessages(overrides: Partial<ClusterSpec>): string[] {
  return validateClusterSpec(clusterSpec(overrides)).map(describeProblem);
}

describe("validateKeepalivedSettings", () => {
  it("accepts the minimal settings", () => {
    expect(messages({ virtualRouterId: 51 })).toEqual([]);
  });

  it("rejects a router id outside 1-255 or not whole", () => {
    expect(messages({ virtualRouterId: 0 })[0]).toMatch(/^keepalived\.virtualRouterId 0 must be a whole number from 1 to 255/);
    expect(messages({ virtualRouterId: 256 })).toHaveLength(1);
    expect(messages({ virtualRouterId: 1.5 })).toHaveLength(1);
  });

  it("rejects advert_int and priority out of range", () => {
    expect(messages({ virtualRouterId: 1, advertIntSeconds: 0 })[0]).toMatch(/advertIntSeconds 0/);
    expect(messages({ virtualRouterId: 1, priority: 255 })[0]).toMatch(/priority 255 .*address owner/);
  });

  it("rejects a password longer than 8 characters without printing it", () => {
    const [message] = messages({ virtualRouterId: 1, authPass: "supersecret1" });
    expect(message).toBe(
      "keepalived.authPass (12 characters) is too long: Keepalived uses at most 8 characters and silently drops the rest",
    );
    expect(message).not.toContain("supersecret1");
  });

  it("rejects an empty password and one with characters keepalived.conf would misread, saying why", () => {
    expect(messages({ virtualRouterId: 1, authPass: "" })[0]).toMatch(/must not be empty/);
    for (const bad of ["a b", 'a"b', "a'b", "#abc", "a!b", "a$b", "a{b", "a\\b"]) {
      expect(messages({ virtualRouterId: 1, authPass: bad })[0], bad).toMatch(/comment, parameter or block syntax/);
    }
  });

  it("rejects a health check whose interval is not larger than its timeout", () => {
    expect(messages({ virtualRouterId: 1, healthCheck: { kind: "maintenance-flag", intervalSeconds: 3, timeoutSeconds: 3 } })).toEqual([
      "keepalived.healthCheck.intervalSeconds 3 must be larger than timeoutSeconds 3: otherwise a slow check is still running when the next one starts",
    ]);
  });

  it("rejects a timeout that is not smaller than the default interval, saying the interval is the default", () => {
    expect(messages({ virtualRouterId: 1, healthCheck: { kind: "tcp-port", port: 80, timeoutSeconds: 6 } })).toEqual([
      "keepalived.healthCheck.timeoutSeconds 6 must be smaller than intervalSeconds 5 (the default): otherwise a slow check is still running when the next one starts",
    ]);
  });

  it("rejects an interval that is not larger than the default timeout, saying the timeout is the default", () => {
    expect(messages({ virtualRouterId: 1, healthCheck: { kind: "maintenance-flag", intervalSeconds: 3 } })).toEqual([
      "keepalived.healthCheck.intervalSeconds 3 must be larger than timeoutSeconds 3 (the default): otherwise a slow check is still running when the next one starts",
    ]);
  });

  it("accepts one timing given when it fits the other's default", () => {
    expect(messages({ virtualRouterId: 1, healthCheck: { kind: "maintenance-flag", intervalSeconds: 4 } })).toEqual([]);
    expect(messages({ virtualRouterId: 1, healthCheck: { kind: "tcp-port", port: 80, timeoutSeconds: 4 } })).toEqual([]);
  });

  it("rejects fall and rise below 1", () => {
    expect(messages({ virtualRouterId: 1, healthCheck: { kind: "maintenance-flag", fall: 0, rise: 0 } })).toHaveLength(2);
  });

  it("checks each health-check kind's own fields", () => {
    expect(messages({ virtualRouterId: 1, healthCheck: { kind: "tcp-port", port: 70000 } })[0]).toMatch(/healthCheck\.port 70000/);
    expect(messages({ virtualRouterId: 1, healthCheck: { kind: "http", url: "ftp://x/" } })[0]).toMatch(
      /healthCheck\.url ftp:\/\/x\/ must be an http/,
    );
    expect(messages({ virtualRouterId: 1, healthCheck: { kind: "process", processName: "" } })[0]).toMatch(/processName/);
    expect(messages({ virtualRouterId: 1, healthCheck: { kind: "process", processName: "a-very-long-daemon" } })[0]).toMatch(/first 15/);
    expect(messages({ virtualRouterId: 1, healthCheck: { kind: "command", command: " " } })[0]).toMatch(/non-empty one-line/);
    expect(messages({ virtualRouterId: 1, healthCheck: { kind: "command", command: "a\nb" } })[0]).toMatch(/one-line/);
    expect(messages({ virtualRouterId: 1, healthCheck: { kind: "maintenance-flag", flagPath: "relative" } })[0]).toMatch(/absolute path/);
    expect(messages({ virtualRouterId: 1, healthCheck: { kind: "bogus" } as never })[0]).toMatch(/kind bogus must be one of/);
  });

  it("accepts every well-formed health-check kind", () => {
    expect(messages({ virtualRouterId: 1, healthCheck: { kind: "tcp-port", port: 6379, host: "localhost" } })).toEqual([]);
    expect(messages({ virtualRouterId: 1, healthCheck: { kind: "http", url: "https://127.0.0.1:8443/health?x=1" } })).toEqual([]);
    expect(messages({ virtualRouterId: 1, healthCheck: { kind: "process", processName: "php-fpm8.2" } })).toEqual([]);
    expect(messages({ virtualRouterId: 1, healthCheck: { kind: "command", command: "pgrep -f 'java .*app.jar'" } })).toEqual([]);
  });

  it("rejects unsafe paths, interface names and script users", () => {
    expect(messages({ virtualRouterId: 1, notifyLogPath: "/var/log/../etc/passwd" })[0]).toMatch(/notifyLogPath/);
    expect(messages({ virtualRouterId: 1, notifyLogPath: "/var/log/keepalived log" })[0]).toMatch(/no spaces/);
    expect(messages({ virtualRouterId: 1, interfaceName: "eth0; reboot" })[0]).toMatch(
      /interfaceName "eth0; reboot" must be a Linux interface name/,
    );
    expect(messages({ virtualRouterId: 1, interfaceName: "averyveryverylongname" })).toHaveLength(1);
    expect(messages({ virtualRouterId: 1, scriptUser: "Root" })[0]).toMatch(/scriptUser Root must be a user name/);
  });
});

describe("validateClusterSpec", () => {
  it("accepts a well-formed spec", () => {
    expect(specMessages({})).toEqual([]);
  });

  it("rejects no VIPs and more than 5", () => {
    expect(specMessages({ vips: [] })[0]).toMatch(/^spec\.vips \(0 addresses\) must hold 1 to 5 addresses/);
    const six = ["172.16.16.100", "172.16.16.101", "172.16.16.102", "172.16.16.103", "172.16.16.104", "172.16.16.105"];
    expect(specMessages({ vips: six })[0]).toMatch(/at most 5 HAVIPs to one ENI/);
  });

  it("rejects malformed and repeated VIPs", () => {
    expect(specMessages({ vips: ["172.16.16.300"] })[0]).toBe("spec.vips[0] 172.16.16.300 must be an IPv4 address in dotted decimal");
    expect(specMessages({ vips: ["172.16.16.100", "172.16.16.100"] })[0]).toBe("spec.vips[1] 172.16.16.100 repeats vips[0]");
  });

  it("rejects a node address that is also a VIP or the other node's", () => {
    const base = clusterSpec();
    expect(specMessages({ vips: ["172.16.16.5"] })[0]).toMatch(/nodes\[0\]\.privateIp 172\.16\.16\.5 is also a VIP/);
    const sameIps = specMessages({ nodes: [base.nodes[0], { ...base.nodes[1], privateIp: base.nodes[0].privateIp }] });
    expect(sameIps[0]).toMatch(/nodes\[1\]\.privateIp 172\.16\.16\.5 is the other node's address too/);
  });

  it("rejects a VIP outside the nodes' subnet", () => {
    expect(specMessages({ vips: ["172.16.17.3"] })[0]).toBe("spec.vips[0] 172.16.17.3 is outside subnet 172.16.16.0/24 of the nodes");
  });

  it("requires the resolved timings and fields a spec read from a file might lack", () => {
    const spec = { ...clusterSpec(), healthCheck: { kind: "maintenance-flag" } } as unknown as ClusterSpec;
    expect(validateClusterSpec(spec).map((p) => p.field)).toEqual([
      "spec.healthCheck.intervalSeconds",
      "spec.healthCheck.timeoutSeconds",
      "spec.healthCheck.fall",
      "spec.healthCheck.rise",
    ]);
  });
});

describe("validateClusterSpec: how the provisioner reaches the nodes", () => {
  it("rejects a node without an SSH host or with a port outside 1-65535", () => {
    const base = clusterSpec();
    const nodes = [
      { ...base.nodes[0], sshHost: "" },
      { ...base.nodes[1], sshPort: 70000 },
    ] as unknown as ClusterSpec["nodes"];
    const found = specMessages({ nodes });
    expect(found.some((m) => m.startsWith("spec.nodes[0].sshHost"))).toBe(true);
    expect(found.some((m) => m.startsWith("spec.nodes[1].sshPort 70000"))).toBe(true);
  });

  it("rejects a source tarball that is not https or whose sha256 is not 64 hex digits", () => {
    const found = specMessages({ keepalivedSource: { url: "ftp://example.org/k.tar.gz", sha256: "abc  /bin/true" } });
    expect(found).toContain("spec.keepalivedSource.url ftp://example.org/k.tar.gz must be an https:// URL");
    expect(
      found.some(
        (m) =>
          m.startsWith("spec.keepalivedSource.sha256") &&
          m.endsWith("must be 64 lowercase hex digits (the tarball's SHA-256 as sha256sum prints it)"),
      ),
    ).toBe(true);
  });

  it("rejects SSH settings of the wrong kind", () => {
    const found = specMessages({ ssh: { user: 5, trustOnFirstUse: "yes" } as unknown as ClusterSpec["ssh"] });
    expect(found.some((m) => m.startsWith("spec.ssh.user 5"))).toBe(true);
    expect(found.some((m) => m.startsWith("spec.ssh.trustOnFirstUse"))).toBe(true);
  });
});

describe("validateSshSettings", () => {
  it("accepts the defaults and trust-on-first-use with a known_hosts file", () => {
    expect(validateSshSettings({}, "ssh")).toEqual([]);
    expect(validateSshSettings({ knownHostsPath: "/home/ops/.havip/known_hosts", trustOnFirstUse: true }, "ssh")).toEqual([]);
  });

  it("rejects trust-on-first-use without a known_hosts file to record the keys in", () => {
    expect(validateSshSettings({ trustOnFirstUse: true }, "ssh").map(describeProblem)).toEqual([
      "ssh.trustOnFirstUse true needs ssh.knownHostsPath: the first-seen host keys are recorded there",
    ]);
  });

  it("rejects a user name with spaces or punctuation", () => {
    expect(validateSshSettings({ user: "bad user!" }, "ssh").map(describeProblem)).toEqual(['ssh.user "bad user!" must be a user name']);
  });

  it("applies to a spec's ssh settings too", () => {
    expect(specMessages({ ssh: { trustOnFirstUse: true } })).toEqual([
      "spec.ssh.trustOnFirstUse true needs spec.ssh.knownHostsPath: the first-seen host keys are recorded there",
    ]);
  });
});

describe("validateKeepalivedSource", () => {
  const url = "https://example.org/keepalived-2.2.8.tar.gz";

  it("accepts an https URL with a lowercase SHA-256, and no source at all", () => {
    expect(validateKeepalivedSource({ url, sha256: "0123456789abcdef".repeat(4) }, "keepalivedSource")).toEqual([]);
    expect(validateKeepalivedSource(undefined, "keepalivedSource")).toEqual([]);
  });

  it("rejects an upper-case SHA-256, saying lowercase is required", () => {
    const sha256 = "0123456789ABCDEF".repeat(4);
    expect(validateKeepalivedSource({ url, sha256 }, "keepalivedSource").map(describeProblem)).toEqual([
      `keepalivedSource.sha256 ${sha256} must be 64 lowercase hex digits (the tarball's SHA-256 as sha256sum prints it)`,
    ]);
  });

  it("rejects a SHA-256 of the wrong length", () => {
    expect(validateKeepalivedSource({ url, sha256: "a".repeat(63) }, "keepalivedSource")).toHaveLength(1);
    expect(validateKeepalivedSource({ url, sha256: "a".repeat(65) }, "keepalivedSource")).toHaveLength(1);
  });
});

describe("validateWholeNumber", () => {
  it("accepts whole numbers in range and rejects the rest with the range in the rule", () => {
    expect(validateWholeNumber(20, "nodes.systemDiskSizeGb", 20, 1024)).toEqual([]);
    expect(validateWholeNumber(19.5, "nodes.systemDiskSizeGb", 20, 1024).map(describeProblem)).toEqual([
      "nodes.systemDiskSizeGb 19.5 must be a whole number from 20 to 1024",
    ]);
    // A string is shown as written, quoted, and the rule names the kind it got.
    expect(validateWholeNumber("20", "x", 1, 2).map(describeProblem)).toEqual(['x "20" must be a whole number from 1 to 2, not a string']);
  });
});

describe("validateSshSettings: jump host and pinned fingerprints", () => {
  it("rejects a malformed fingerprint and a jump host without a usable host or port", () => {
    const found = validateSshSettings(
      { hostKeyFingerprints: { "203.0.113.5": "md5:aa:bb", "203.0.113.6": `SHA256:${"A".repeat(43)}` }, jumpHost: { host: "", port: 0 } },
      "ssh",
    ).map(describeProblem);
    expect(found).toContain(
      'ssh.hostKeyFingerprints["203.0.113.5"] md5:aa:bb must be a SHA256:... fingerprint as `ssh-keygen -lf` prints it',
    );
    expect(found.some((m) => m.startsWith('ssh.hostKeyFingerprints["203.0.113.6"]'))).toBe(false);
    expect(found.some((m) => m.startsWith("ssh.jumpHost.host"))).toBe(true);
    expect(found.some((m) => m.startsWith("ssh.jumpHost.port 0"))).toBe(true);
  });
});
