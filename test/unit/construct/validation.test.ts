import { Testing, TerraformStack, TerraformVariable } from "cdktf";
import { describe, expect, it } from "vitest";
import { HaVipCluster, type HaVipClusterProps } from "../../../lib/construct";
import { SettingsError } from "../../../lib/core/settings-error";
import { guideProps } from "../../fixtures/synth-cluster";

function build(overrides: Partial<HaVipClusterProps>): () => HaVipCluster {
  const stack = new TerraformStack(Testing.app(), "test");
  return () => new HaVipCluster(stack, "web", { ...guideProps, ...overrides } as HaVipClusterProps);
}

function errorOf(overrides: Partial<HaVipClusterProps>): SettingsError {
  try {
    build(overrides)();
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error("expected a SettingsError");
}

const network = guideProps.network;

describe("HaVipCluster validation", () => {
  it.each([
    [
      { sshKeyPairId: "skey-1a2b3c4d" },
      "sshKeyPairId skey-1a2b3c4d goes without sshPublicKey: give the key, or the key pair that holds it",
    ],
    [{ sshPublicKey: undefined }, "sshPublicKey (missing) must not be empty (or give sshKeyPairId, an existing key pair)"],
    [
      { sshPublicKey: undefined, sshKeyPairId: "key-one" },
      "sshKeyPairId key-one must be a key pair id like skey-1a2b3c4d, or another cluster's keyPairId",
    ],
  ] as const)("needs exactly one of sshPublicKey and sshKeyPairId: %j", (overrides, message) => {
    expect(errorOf(overrides).message).toContain(message);
  });

  it("names the construct, field, value and rule in one message", () => {
    expect(() => build({ havips: [{ address: "172.16.17.3" }] })()).toThrow(
      "HaVipCluster 'test/web': havips[0].address 172.16.17.3 is outside subnet 172.16.16.0/24",
    );
  });

  it("creates nothing when the props are invalid", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    expect(() => new HaVipCluster(stack, "web", { ...guideProps, havips: [{ address: "172.16.17.3" }] })).toThrow(SettingsError);
    const cluster = stack.node.tryFindChild("web");
    expect(cluster?.node.children ?? []).toEqual([]);
  });

  it.each<[string, Partial<HaVipClusterProps>, string]>([
    [
      "a malformed VPC CIDR",
      { network: { ...network, vpcCidr: "172.16.0.0/33" } },
      "network.vpcCidr 172.16.0.0/33 is not an IPv4 CIDR block",
    ],
    [
      "a subnet outside the VPC",
      { network: { ...network, subnetCidr: "10.0.0.0/24" } },
      "network.subnetCidr 10.0.0.0/24 is outside VPC 172.16.0.0/16",
    ],
    [
      "a subnet larger than the VPC",
      { network: { ...network, vpcCidr: "172.16.16.0/24", subnetCidr: "172.16.0.0/16" } },
      "network.subnetCidr 172.16.0.0/16 is larger than VPC 172.16.16.0/24",
    ],
    [
      "a node IP outside the subnet",
      { nodes: { primaryIp: "172.16.17.5", secondaryIp: "172.16.16.6" } },
      "nodes.primaryIp 172.16.17.5 is outside subnet 172.16.16.0/24",
    ],
    [
      "a node IP on the gateway address",
      { nodes: { primaryIp: "172.16.16.1", secondaryIp: "172.16.16.6" } },
      "nodes.primaryIp 172.16.16.1 is the gateway address of subnet 172.16.16.0/24",
    ],
    [
      "equal node IPs",
      { nodes: { primaryIp: "172.16.16.5", secondaryIp: "172.16.16.5" } },
      "nodes.secondaryIp 172.16.16.5 equals nodes.primaryIp",
    ],
    [
      "a HAVIP on the broadcast address",
      { havips: [{ address: "172.16.16.255" }] },
      "havips[0].address 172.16.16.255 is the broadcast address of subnet 172.16.16.0/24",
    ],
    ["a HAVIP equal to a node IP", { havips: [{ address: "172.16.16.5" }] }, "havips[0].address 172.16.16.5 equals nodes.primaryIp"],
    [
      "two equal HAVIPs",
      { havips: [{ address: "172.16.16.12" }, { address: "172.16.16.12" }] },
      "havips[1].address 172.16.16.12 equals havips[0].address",
    ],
    ["more than 5 HAVIPs", { havips: [{}, {}, {}, {}, {}, {}] }, "havips (6 entries) must hold 1 to 5 HAVIPs"],
    [
      "a virtual_router_id of 0",
      { keepalived: { virtualRouterId: 0 } },
      "keepalived.virtualRouterId 0 must be a whole number from 1 to 255",
    ],
    [
      "a virtual_router_id of 256",
      { keepalived: { virtualRouterId: 256 } },
      "keepalived.virtualRouterId 256 must be a whole number from 1 to 255",
    ],
    [
      "an advert_int out of range",
      { keepalived: { virtualRouterId: 51, advertIntSeconds: 0 } },
      "keepalived.advertIntSeconds 0 must be a whole number of seconds from 1 to 255",
    ],
    [
      "a VRRP password longer than 8 characters",
      { keepalived: { virtualRouterId: 51, authPass: "123456789" } },
      "keepalived.authPass (9 characters) is too long",
    ],
    ["an empty cluster name", { clusterName: "" }, 'clusterName "" must not be empty'],
    ["a cluster name with spaces", { clusterName: "my cluster" }, 'clusterName "my cluster" must start with a letter'],
    ["a blank HAVIP name", { havips: [{ name: " " }] }, 'havips[0].name " " must not be empty'],
    ["an empty VPC name", { network: { ...network, vpcName: "" } }, 'network.vpcName "" must not be empty'],
    ["an empty availability zone", { network: { ...network, availabilityZone: "" } }, 'network.availabilityZone "" must not be empty'],
    [
      "a missing SSH CIDR while public SSH is on",
      { sshAllowedCidr: undefined },
      "sshAllowedCidr (missing) is required while publicSsh is on",
    ],
    ["a malformed SSH CIDR", { sshAllowedCidr: "203.0.113.7" }, "sshAllowedCidr 203.0.113.7 is not an IPv4 CIDR block"],
    ["a missing public key", { sshPublicKey: "" }, 'sshPublicKey "" must not be empty'],
    [
      "a private key instead of a public one",
      { sshPublicKey: "-----BEGIN OPENSSH PRIVATE KEY-----" },
      "sshPublicKey -----BEGIN OPENSSH PRIVA... is not an OpenSSH public key line",
    ],
    ["a system disk below 20 GB", { nodes: { systemDiskSizeGb: 10 } }, "nodes.systemDiskSizeGb 10 must be a whole number from 20 to 1024"],
    ["a bandwidth of 0", { publicBandwidthMbps: 0 }, "publicBandwidthMbps 0 must be a whole number from 1 to 200"],
    [
      "an unknown ingress protocol",
      { serviceIngress: [{ protocol: "GRE" as never, cidrBlock: "10.0.0.0/8" }] },
      "serviceIngress[0].protocol GRE must be one of TCP, UDP, ICMP, ALL",
    ],
    [
      "a port out of range",
      { serviceIngress: [{ protocol: "TCP", port: "70000", cidrBlock: "10.0.0.0/8" }] },
      'serviceIngress[0].port "70000" must be ALL, a port 1-65535',
    ],
    [
      "a malformed ingress CIDR",
      { serviceIngress: [{ protocol: "TCP", port: "80", cidrBlock: "10.0.0.0" }] },
      "serviceIngress[0].cidrBlock 10.0.0.0 is not an IPv4 CIDR block",
    ],
    [
      "an existing subnet without its VPC",
      { network: { ...network, subnetId: "subnet-1" } },
      "network.subnetId subnet-1 needs network.vpcId",
    ],
    [
      "a Keepalived source over plain http",
      { keepalivedSource: { url: "http://example.com/k.tgz", sha256: "a".repeat(64) } },
      "keepalivedSource.url http://example.com/k.tgz must be an https:// URL",
    ],
    [
      "a Keepalived source without a valid SHA-256",
      { keepalivedSource: { url: "https://example.com/k.tgz", sha256: "abc" } },
      "keepalivedSource.sha256 abc must be 64 lowercase hex digits",
    ],
    [
      "an upper-case SHA-256 (the provisioner compares lowercase)",
      { keepalivedSource: { url: "https://example.com/k.tgz", sha256: "A".repeat(64) } },
      `keepalivedSource.sha256 ${"A".repeat(64)} must be 64 lowercase hex digits`,
    ],
    [
      "a health-check timeout not smaller than the default interval",
      { keepalived: { virtualRouterId: 51, healthCheck: { kind: "tcp-port", port: 80, timeoutSeconds: 6 } } },
      "keepalived.healthCheck.timeoutSeconds 6 must be smaller than intervalSeconds 5 (the default)",
    ],
    [
      "a health-check interval not larger than the default timeout",
      { keepalived: { virtualRouterId: 51, healthCheck: { kind: "tcp-port", port: 80, intervalSeconds: 3 } } },
      "keepalived.healthCheck.intervalSeconds 3 must be larger than timeoutSeconds 3 (the default)",
    ],
    ["an SSH user name with spaces", { ssh: { user: "bad user!" } }, 'ssh.user "bad user!" must be a user name'],
    [
      "trust-on-first-use without a known_hosts file",
      { ssh: { trustOnFirstUse: true } },
      "ssh.trustOnFirstUse true needs ssh.knownHostsPath: the first-seen host keys are recorded there",
    ],
  ])("rejects %s", (_name, overrides, message) => {
    expect(errorOf(overrides).message).toContain(message);
  });

  it("accepts a Keepalived source with a lowercase SHA-256 and SSH settings that record first-seen host keys", () => {
    const ok = build({
      keepalivedSource: { url: "https://example.com/k.tgz", sha256: "0123456789abcdef".repeat(4) },
      ssh: { user: "ops", knownHostsPath: "/home/ops/.havip/known_hosts", trustOnFirstUse: true },
    });
    expect(ok().clusterSpec.ssh.trustOnFirstUse).toBe(true);
  });

  it("rejects an address given as a Terraform expression", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    const token = new TerraformVariable(stack, "havip_address", { type: "string" }).stringValue;
    expect(() => new HaVipCluster(stack, "web", { ...guideProps, havips: [{ address: token }] })).toThrow(
      "havips[0].address (a Terraform expression) must be a literal value",
    );
  });

  it("lists every problem when there are several", () => {
    const error = errorOf({ clusterName: "", havips: [{ address: "172.16.17.3" }], keepalived: { virtualRouterId: 300 } });
    expect(error.problems.map((problem) => problem.field).sort()).toEqual([
      "clusterName",
      "havips[0].address",
      "keepalived.virtualRouterId",
    ]);
  });

  it("never shows the VRRP password in a message", () => {
    expect(errorOf({ keepalived: { virtualRouterId: 51, authPass: "topsecret99" } }).message).not.toContain("topsecret99");
  });
});
