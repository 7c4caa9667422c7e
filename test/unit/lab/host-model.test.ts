import { describe, expect, it } from "vitest";
import { emptyHostModel, nextRouterAddress, routerModelOf, type HostModel } from "../../../lab/cloud/host-model";

const instance = (instanceId: string, vpcId: string, privateIp: string) => ({
  instanceId,
  vpcId,
  subnetId: `subnet-${vpcId}`,
  privateIp,
  prefixLength: 24,
  gateway: "172.16.16.1",
  hostName: instanceId,
});

const MODEL: HostModel = {
  ...emptyHostModel(),
  vpcs: {
    "vpc-a": { vpcId: "vpc-a", cidrBlock: "172.16.0.0/16", uplinkAddress: "198.51.100.16" },
    "vpc-b": { vpcId: "vpc-b", cidrBlock: "10.0.0.0/16", uplinkAddress: "198.51.100.17" },
  },
  subnets: { "subnet-vpc-a": { subnetId: "subnet-vpc-a", vpcId: "vpc-a", cidrBlock: "172.16.16.0/24", gateway: "172.16.16.1" } },
  instances: {
    "ins-aaaaaaa1": instance("ins-aaaaaaa1", "vpc-a", "172.16.16.5"),
    "ins-aaaaaaa2": instance("ins-aaaaaaa2", "vpc-a", "172.16.16.6"),
    "ins-bbbbbbb1": instance("ins-bbbbbbb1", "vpc-b", "10.0.1.5"),
  },
  publicAddresses: {
    "198.51.100.130": { vpcId: "vpc-a", subnetId: "subnet-vpc-a", address: "172.16.16.5" },
    "198.51.100.140": { vpcId: "vpc-a", subnetId: "subnet-vpc-a", address: "172.16.16.12" },
  },
  boundAddresses: {
    "subnet-vpc-a/172.16.16.12": { vpcId: "vpc-a", subnetId: "subnet-vpc-a", address: "172.16.16.12", instanceId: "ins-aaaaaaa2" },
  },
};

describe("the lab host's model of a VPC router", () => {
  it("gives an instance the public IP translated to its own address, and translates every other one (an EIP on an HAVIP)", () => {
    const router = routerModelOf(MODEL, "vpc-a", "wan0");
    expect(router?.instances.find((i) => i.instanceId === "ins-aaaaaaa1")?.publicIp).toBe("198.51.100.130");
    expect(router?.instances.find((i) => i.instanceId === "ins-aaaaaaa2")?.publicIp).toBeUndefined();
    expect(router?.translations).toEqual([{ publicIp: "198.51.100.140", privateIp: "172.16.16.12" }]);
    expect(router?.boundAddresses).toEqual([{ address: "172.16.16.12", instanceId: "ins-aaaaaaa2" }]);
  });

  it("keeps the lab's partitions between instances of that VPC only", () => {
    const faults = {
      partitions: [
        ["ins-aaaaaaa1", "ins-aaaaaaa2"],
        ["ins-aaaaaaa1", "ins-bbbbbbb1"],
      ] as const,
    };
    expect(routerModelOf(MODEL, "vpc-a", "wan0", faults)?.partitions).toEqual([["ins-aaaaaaa1", "ins-aaaaaaa2"]]);
    expect(routerModelOf(MODEL, "vpc-a", "wan0")?.partitions).toEqual([]);
    expect(routerModelOf(MODEL, "vpc-missing", "wan0")).toBeUndefined();
  });

  it("hands a new VPC the lowest free router address", () => {
    expect(nextRouterAddress(MODEL)).toBe("198.51.100.18");
    expect(nextRouterAddress(emptyHostModel())).toBe("198.51.100.16");
  });
});
