import { describe, expect, it } from "vitest";
import { describeProblem } from "../../../lib/core/settings-error";
import { type NetworkPlanInput, resolveNetworkPlan, validateNetworkPlan, isOpenToEveryone } from "../../../lib/core/network";

const guide: NetworkPlanInput = {
  vpcCidr: "172.16.0.0/16",
  subnetCidr: "172.16.16.0/24",
  primaryIp: "172.16.16.5",
  secondaryIp: "172.16.16.6",
  havipAddresses: ["172.16.16.12"],
  publicSsh: true,
  sshAllowedCidr: "203.0.113.7/32",
};

function messages(input: Partial<NetworkPlanInput>): string[] {
  return validateNetworkPlan({ ...guide, ...input }).map(describeProblem);
}

describe("validateNetworkPlan", () => {
  it("accepts the guide's topology", () => {
    expect(messages({})).toEqual([]);
  });

  it("rejects a malformed VPC CIDR", () => {
    expect(messages({ vpcCidr: "172.16.0/16" })).toEqual(["network.vpcCidr 172.16.0/16 is not an IPv4 CIDR block (expected a.b.c.d/n)"]);
  });

  it("rejects a CIDR with host bits set and names the aligned block", () => {
    expect(messages({ subnetCidr: "172.16.16.5/24" })).toEqual([
      "network.subnetCidr 172.16.16.5/24 has host bits set; the block is 172.16.16.0/24",
    ]);
  });

  it("rejects a public VPC block", () => {
    expect(
      messages({
        vpcCidr: "8.8.0.0/16",
        subnetCidr: "8.8.1.0/24",
        primaryIp: "8.8.1.5",
        secondaryIp: "8.8.1.6",
        havipAddresses: [undefined],
      }),
    ).toContain("network.vpcCidr 8.8.0.0/16 is not a private block (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)");
  });

  it("rejects a VPC prefix Tencent does not offer", () => {
    expect(
      messages({
        vpcCidr: "10.0.0.0/8",
        subnetCidr: "10.0.0.0/24",
        primaryIp: "10.0.0.5",
        secondaryIp: "10.0.0.6",
        havipAddresses: [undefined],
      }),
    ).toEqual(["network.vpcCidr 10.0.0.0/8 has prefix /8; Tencent VPCs are /12 to /28"]);
  });

  it("rejects a subnet outside the VPC", () => {
    expect(messages({ subnetCidr: "10.1.0.0/24", primaryIp: "10.1.0.5", secondaryIp: "10.1.0.6", havipAddresses: [undefined] })).toEqual([
      "network.subnetCidr 10.1.0.0/24 is outside VPC 172.16.0.0/16",
    ]);
  });

  it("rejects a subnet that overlaps but is larger than the VPC", () => {
    expect(messages({ vpcCidr: "172.16.16.0/24", subnetCidr: "172.16.0.0/16" })).toContain(
      "network.subnetCidr 172.16.0.0/16 is larger than VPC 172.16.16.0/24",
    );
  });

  it("rejects a subnet smaller than /28", () => {
    expect(messages({ subnetCidr: "172.16.16.0/29", havipAddresses: [undefined] })).toEqual([
      "network.subnetCidr 172.16.16.0/29 has prefix /29; Tencent subnets are at most /28",
    ]);
  });

  it("requires a VPC CIDR when a new VPC is created", () => {
    expect(messages({ vpcCidr: undefined })).toEqual([
      "network.vpcCidr (missing) is required when no network.vpcId is given (a new VPC is created)",
    ]);
  });

  it("accepts an existing VPC without its CIDR", () => {
    expect(messages({ vpcCidr: undefined, vpcId: "vpc-123" })).toEqual([]);
  });

  it("rejects an existing subnet without its VPC", () => {
    expect(messages({ subnetId: "subnet-1" })).toEqual([
      "network.subnetId subnet-1 needs network.vpcId (an existing subnet lives in an existing VPC)",
    ]);
  });

  it("rejects a node IP outside the subnet", () => {
    expect(messages({ primaryIp: "172.16.17.5" })).toEqual(["nodes.primaryIp 172.16.17.5 is outside subnet 172.16.16.0/24"]);
  });

  it("rejects a malformed node IP", () => {
    expect(messages({ secondaryIp: "172.16.16" })).toEqual(["nodes.secondaryIp 172.16.16 is not an IPv4 address (expected a.b.c.d)"]);
  });

  it.each([
    ["172.16.16.0", "network address"],
    ["172.16.16.1", "gateway address"],
    ["172.16.16.255", "broadcast address"],
  ])("rejects the reserved %s (%s) as a node IP", (address, role) => {
    expect(messages({ primaryIp: address })).toEqual([
      `nodes.primaryIp ${address} is the ${role} of subnet 172.16.16.0/24, which Tencent reserves (usable: 172.16.16.2-172.16.16.254)`,
    ]);
  });

  it("accepts the first and last usable addresses", () => {
    expect(messages({ primaryIp: "172.16.16.2", secondaryIp: "172.16.16.254" })).toEqual([]);
  });

  it("rejects equal node IPs", () => {
    expect(messages({ secondaryIp: "172.16.16.5" })).toEqual([
      "nodes.secondaryIp 172.16.16.5 equals nodes.primaryIp; every node and HAVIP needs its own address",
    ]);
  });

  it("rejects a HAVIP outside the subnet", () => {
    expect(messages({ havipAddresses: ["172.16.17.3"] })).toEqual(["havips[0].address 172.16.17.3 is outside subnet 172.16.16.0/24"]);
  });

  it("rejects a HAVIP on the gateway address", () => {
    expect(messages({ havipAddresses: ["172.16.16.1"] })[0]).toMatch(/^havips\[0\]\.address 172\.16\.16\.1 is the gateway address/);
  });

  it("rejects a HAVIP equal to a node IP", () => {
    expect(messages({ havipAddresses: ["172.16.16.6"] })).toEqual([
      "havips[0].address 172.16.16.6 equals nodes.secondaryIp; every node and HAVIP needs its own address",
    ]);
  });

  it("rejects two equal HAVIPs", () => {
    expect(messages({ havipAddresses: ["172.16.16.12", undefined, "172.16.16.12"] })).toEqual([
      "havips[2].address 172.16.16.12 equals havips[0].address; every node and HAVIP needs its own address",
    ]);
  });

  it("rejects more than 5 HAVIPs", () => {
    expect(messages({ havipAddresses: [undefined, undefined, undefined, undefined, undefined, undefined] })).toEqual([
      "havips (6 entries) must hold 1 to 5 HAVIPs (Tencent binds at most 5 to one ENI)",
    ]);
  });

  it("rejects an empty HAVIP list", () => {
    expect(messages({ havipAddresses: [] })[0]).toMatch(/^havips \(0 entries\) must hold 1 to 5/);
  });

  it("requires an SSH CIDR while public SSH is on", () => {
    expect(messages({ sshAllowedCidr: undefined })[0]).toMatch(/^sshAllowedCidr \(missing\) is required while publicSsh is on/);
  });

  it("does not require an SSH CIDR when public SSH is off", () => {
    expect(messages({ sshAllowedCidr: undefined, publicSsh: false })).toEqual([]);
  });

  it("leaves a deferred SSH CIDR to Terraform", () => {
    expect(messages({ sshAllowedCidr: "${var.ssh_allowed_cidr}", sshAllowedCidrDeferred: true })).toEqual([]);
  });

  it("rejects a malformed SSH CIDR", () => {
    expect(messages({ sshAllowedCidr: "203.0.113.7" })).toEqual([
      "sshAllowedCidr 203.0.113.7 is not an IPv4 CIDR block (expected a.b.c.d/n)",
    ]);
  });

  it("checks other CIDRs under their own field names", () => {
    expect(messages({ otherCidrs: [{ field: "serviceIngress[1].cidrBlock", cidr: "10.0.0.0/33" }] })).toEqual([
      "serviceIngress[1].cidrBlock 10.0.0.0/33 is not an IPv4 CIDR block (expected a.b.c.d/n)",
    ]);
  });

  it("reports every problem at once", () => {
    expect(messages({ primaryIp: "172.16.17.5", havipAddresses: ["172.16.16.255"] })).toHaveLength(2);
  });
});

describe("resolveNetworkPlan", () => {
  it("derives node IPs .5 and .6 from the subnet when none are given", () => {
    const plan = resolveNetworkPlan({ ...guide, primaryIp: undefined, secondaryIp: undefined, subnetCidr: "10.8.3.0/24" });
    expect([plan.primaryIp, plan.secondaryIp, plan.subnetPrefixLength]).toEqual(["10.8.3.5", "10.8.3.6", 24]);
  });

  it("derives addresses across an octet boundary", () => {
    const plan = resolveNetworkPlan({ ...guide, primaryIp: undefined, secondaryIp: undefined, subnetCidr: "10.8.2.0/23" });
    expect(plan.primaryIp).toBe("10.8.2.5");
  });
});

describe("isOpenToEveryone", () => {
  it("flags 0.0.0.0/0 and nothing narrower", () => {
    expect([isOpenToEveryone("0.0.0.0/0"), isOpenToEveryone("203.0.113.0/24")]).toEqual([true, false]);
  });
});

describe("private blocks are checked at both ends", () => {
  it("refuses a VPC block that starts in a private range but runs past it", () => {
    expect(
      messages({
        vpcCidr: "192.168.0.0/15",
        subnetCidr: "192.168.16.0/24",
        primaryIp: "192.168.16.5",
        secondaryIp: "192.168.16.6",
        havipAddresses: ["192.168.16.12"],
      }),
    ).toContain(
      "network.vpcCidr 192.168.0.0/15 is not a private block (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16): it starts in 192.168.0.0/16 but runs past its end",
    );
    expect(messages({ vpcCidr: "172.16.0.0/12" })).toEqual([]);
  });
});
