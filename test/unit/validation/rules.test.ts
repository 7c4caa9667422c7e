import { describe, expect, it } from "vitest";
import { describeProblem } from "../../../lib/core/settings-error";
import { closestKey, showValue, sshPublicKeyFlaw, validateClusterSpec, validateSshSettings } from "../../../lib/core/validation";
import { clusterSpec } from "../../fixtures/keepalived-spec";
import { TEST_PUBLIC_KEY } from "../../fixtures/synth-cluster";
import { constructVerdict } from "../../fixtures/construct-verdict";
import { guideProps } from "../../fixtures/synth-cluster";
import type { HaVipClusterProps } from "../../../lib/construct";

function refusal(props: unknown): string {
  const verdict = constructVerdict(props);
  if (verdict.kind !== "refused") throw new Error("expected a SettingsError");
  return verdict.error.message;
}

const wire = (...parts: Buffer[]) => Buffer.concat(parts.flatMap((part) => [Buffer.from([0, 0, 0, part.length]), part])).toString("base64");

describe("values are shown as written", () => {
  it("quotes a string that would read as a number, boolean or null, and one with spaces", () => {
    expect([showValue("51"), showValue(51), showValue("true"), showValue("null"), showValue("a b"), showValue("eth0")]).toEqual([
      '"51"',
      "51",
      '"true"',
      '"null"',
      '"a b"',
      "eth0",
    ]);
  });

  it("never fails on what JSON cannot show, and cuts long values", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect([showValue(10n), showValue(cycle), showValue(Symbol("s")), showValue(undefined)]).toEqual([
      "10n",
      "(an object)",
      "(a symbol)",
      "(missing)",
    ]);
    expect(showValue("x".repeat(500))).toBe(`${"x".repeat(80)}...`);
  });
});

describe("untyped input to the construct", () => {
  it.each<[string, Partial<Record<keyof HaVipClusterProps, unknown>>, string]>([
    [
      "a missing network",
      { network: undefined },
      "network (missing) is required (an object { subnetCidr, availabilityZone, vpcCidr or vpcId, ... })",
    ],
    ["keepalived: null", { keepalived: null }, "keepalived null must be an object with at least virtualRouterId, not null"],
    ["havips that is not a list", { havips: "172.16.16.12" }, "havips 172.16.16.12 must be a list, not a string"],
    [
      "a string where a number belongs",
      { keepalived: { virtualRouterId: "51" } },
      'keepalived.virtualRouterId "51" must be a whole number from 1 to 255 (VRRP router id, unique per cluster in the VPC), not a string',
    ],
    [
      "a misspelt key in the Keepalived settings",
      { keepalived: { virtualRouterId: 51, authpass: "Secret12" } },
      "keepalived.authpass (a string) is not a known key (did you mean authPass?)",
    ],
    [
      "an unknown EIP charge type",
      { eip: { internetChargeType: "BANDWIDTH_PACKAGE" } },
      "eip.internetChargeType BANDWIDTH_PACKAGE must be one of TRAFFIC_POSTPAID_BY_HOUR, BANDWIDTH_POSTPAID_BY_HOUR, BANDWIDTH_PREPAID_BY_MONTH",
    ],
    [
      "an unknown system disk type",
      { nodes: { systemDiskType: "cloud_premium" } },
      "nodes.systemDiskType cloud_premium must be one of CLOUD_PREMIUM,",
    ],
    [
      "a port range written high-low",
      { serviceIngress: [{ protocol: "TCP", port: "8080-80", cidrBlock: "10.0.0.0/8" }] },
      "serviceIngress[0].port 8080-80 must be ALL, a port 1-65535, a range 8000-8080 or a list 80,443; a range runs from the lower port to the higher (80-8080, not 8080-80)",
    ],
    [
      "a VPC block that runs past its private range",
      { network: { ...guideProps.network, vpcCidr: "192.168.0.0/15", subnetCidr: "192.168.16.0/24" }, nodes: {}, havips: [{}] },
      "network.vpcCidr 192.168.0.0/15 is not a private block",
    ],
    [
      "a private-key path that names a directory",
      { ssh: { privateKeyPath: "keys/" } },
      "ssh.privateKeyPath keys/ must be a file path: absolute, ~/... (your home) or relative to the directory cdktf (or havip-cluster) runs in",
    ],
    [
      "another user's ~ in the known_hosts path",
      { ssh: { knownHostsPath: "~ops/.havip/known_hosts" } },
      "ssh.knownHostsPath ~ops/.havip/known_hosts must be a file path",
    ],
  ])("%s is a SettingsError naming the field", (_name, overrides, message) => {
    const text = refusal({ ...guideProps, ...overrides });
    expect(text).toContain(message);
    expect(text).not.toContain("Secret12");
  });

  it("the password of a misspelt key never appears", () => {
    expect(refusal({ ...guideProps, keepalived: { virtualRouterId: 51, authpass: "Secret12" } })).not.toContain("Secret12");
  });
});

describe("SSH public keys are parsed, not pattern-matched", () => {
  const [label, blob, comment] = TEST_PUBLIC_KEY.split(" ");

  it("accepts a whole key and refuses a truncated blob", () => {
    expect(sshPublicKeyFlaw(TEST_PUBLIC_KEY)).toBeUndefined();
    expect(sshPublicKeyFlaw(`${label} ${blob.slice(0, -8)} ${comment}`)).toBe(
      "is truncated or damaged: its base64 blob does not hold a whole ssh-ed25519 key",
    );
  });

  it("refuses a label that does not match the type inside the blob", () => {
    expect(sshPublicKeyFlaw(`ssh-rsa ${blob} ${comment}`)).toBe("has type label ssh-rsa but the key inside it is ssh-ed25519");
  });

  it("refuses trailing bytes and a wrong key length", () => {
    expect(sshPublicKeyFlaw(`ssh-ed25519 ${wire(Buffer.from("ssh-ed25519"), Buffer.alloc(32), Buffer.from("x"))}`)).toMatch(
      /truncated or damaged/,
    );
    expect(sshPublicKeyFlaw(`ssh-ed25519 ${wire(Buffer.from("ssh-ed25519"), Buffer.alloc(31))}`)).toMatch(/truncated or damaged/);
    expect(sshPublicKeyFlaw(`ssh-ed25519 ${wire(Buffer.from("ssh-ed25519"), Buffer.alloc(32))}`)).toBeUndefined();
  });
});

describe("the spec a CLI command reads", () => {
  it("refuses an unknown key naming the closest known one", () => {
    const spec = { ...clusterSpec(), authpass: "Secret12" };
    expect(validateClusterSpec(spec).map(describeProblem)[0]).toMatch(
      /^spec\.authpass \(a string\) is not a known key \(did you mean authPass\?\); known: specVersion, clusterName,/,
    );
  });

  it("refuses a node or VIP on an address Tencent reserves, as the construct does", () => {
    expect(validateClusterSpec(clusterSpec({ vips: ["172.16.16.255"] })).map(describeProblem)).toEqual([
      "spec.vips[0] 172.16.16.255 is the broadcast address of subnet 172.16.16.0/24, which Tencent reserves (usable: 172.16.16.2-172.16.16.254)",
    ]);
    expect(validateClusterSpec(clusterSpec({ vips: ["172.16.16.1"] })).map((p) => p.field)).toEqual(["spec.vips[0]"]);
  });

  it("refuses a cluster name the construct refuses", () => {
    expect(validateClusterSpec(clusterSpec({ clusterName: "1st" })).map(describeProblem)).toEqual([
      "spec.clusterName 1st must start with a letter and hold only letters, digits, '-' and '_'",
    ]);
  });

  it("names SSH settings given as a string", () => {
    expect(validateSshSettings("root@host", "spec.ssh").map(describeProblem)).toEqual([
      "spec.ssh root@host must be an object (use {} for the defaults)",
    ]);
  });
});

describe("did you mean", () => {
  it("finds a key spelt in another case or a couple of edits away, and nothing for a stranger", () => {
    expect([
      closestKey("authpass", ["authPass"]),
      closestKey("virtualRouterID", ["virtualRouterId"]),
      closestKey("prority", ["priority"]),
    ]).toEqual(["authPass", "virtualRouterId", "priority"]);
    expect(closestKey("zzz", ["authPass", "priority"])).toBeUndefined();
  });
});

describe("a missing required field", () => {
  it("reads (missing) and the rule, with no 'not missing' tail", () => {
    const text = refusal({ ...guideProps, serviceIngress: [{ cidrBlock: "10.0.0.0/8" }] });
    expect(text).toContain("serviceIngress[0].protocol (missing) must be one of TCP, UDP, ICMP, ALL");
    expect(text).not.toContain("not missing");
  });
});
