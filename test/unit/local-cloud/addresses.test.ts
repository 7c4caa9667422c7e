import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNetwork, runInstance, runInstancesParams, startTestCloud, type TestCloud } from "./local-cloud-fixture";

let test: TestCloud;
let network: Awaited<ReturnType<typeof createNetwork>>;
let imageId: string;
beforeAll(async () => {
  test = await startTestCloud();
  network = await createNetwork(test);
  imageId = (await test.call("cvm", "DescribeImages", {})).ImageSet[0].ImageId;
  await runInstance(test, network, { privateIp: "172.16.16.5" });
  await test.call("vpc", "CreateHaVip", { VpcId: network.vpcId, SubnetId: network.subnetId, HaVipName: "taken", Vip: "172.16.16.12" });
});
afterAll(async () => {
  await test.close();
});

describe("private addresses follow the subnet's rules", () => {
  it.each([
    ["outside the subnet", "172.16.17.5", "VpcAddrNotInSubNet"],
    ["the network address", "172.16.16.0", "InvalidParameterValue"],
    ["the gateway address", "172.16.16.1", "InvalidParameterValue"],
    ["the broadcast address", "172.16.16.255", "InvalidParameterValue"],
    ["another instance's address", "172.16.16.5", "VpcIpIsUsed"],
    ["an HAVIP's address", "172.16.16.12", "VpcIpIsUsed"],
    ["not an address", "172.16.16.300", "InvalidParameterValue.IPAddressMalformed"],
  ])("RunInstances refuses an address %s (%s)", async (_case, privateIp, code) => {
    const failure = await test.failure("cvm", "RunInstances", runInstancesParams(network, imageId, { privateIp }));
    expect(failure.code).toBe(code);
    expect(failure.message).toContain(privateIp);
  });

  it.each([
    ["outside the subnet", "172.16.17.12", "InvalidParameterValue.Range"],
    ["the gateway address", "172.16.16.1", "InvalidParameterValue.Reserved"],
    ["the broadcast address", "172.16.16.255", "InvalidParameterValue.Reserved"],
    ["an instance's address", "172.16.16.5", "ResourceInUse"],
    ["another HAVIP's address", "172.16.16.12", "ResourceInUse"],
  ])("CreateHaVip refuses an address %s (%s)", async (_case, vip, code) => {
    const failure = await test.failure("vpc", "CreateHaVip", {
      VpcId: network.vpcId,
      SubnetId: network.subnetId,
      HaVipName: "x",
      Vip: vip,
    });
    expect(failure.code).toBe(code);
    expect(failure.message).toContain(vip);
  });

  it("gives an HAVIP without an address the lowest free one, and counts it as used", async () => {
    const before = (await test.call("vpc", "DescribeSubnets", { SubnetIds: [network.subnetId] })).SubnetSet[0].AvailableIpAddressCount;
    const { HaVip } = await test.call("vpc", "CreateHaVip", { VpcId: network.vpcId, SubnetId: network.subnetId, HaVipName: "auto" });
    expect(HaVip.Vip).toBe("172.16.16.2");
    const after = (await test.call("vpc", "DescribeSubnets", { SubnetIds: [network.subnetId] })).SubnetSet[0].AvailableIpAddressCount;
    expect(after).toBe(before - 1);
    const used = await test.call("vpc", "DescribeUsedIpAddress", { VpcId: network.vpcId, IpAddresses: ["172.16.16.2", "172.16.16.99"] });
    expect(used.IpAddressStates).toEqual([
      expect.objectContaining({ IpAddress: "172.16.16.2", ResourceType: "HAVIP", ResourceId: HaVip.HaVipId }),
    ]);
    await test.call("vpc", "DeleteHaVip", { HaVipId: HaVip.HaVipId });
  });

  it.each([
    ["outside the VPC", "10.1.0.0/24", "InvalidParameterValue.SubnetRange"],
    ["overlapping the existing subnet", "172.16.16.128/25", "InvalidParameterValue.SubnetConflict"],
    ["smaller than /28", "172.16.20.0/29", "InvalidParameterValue.SubnetRange"],
  ])("CreateSubnet refuses a block %s (%s)", async (_case, cidr, code) => {
    const failure = await test.failure("vpc", "CreateSubnet", {
      VpcId: network.vpcId,
      SubnetName: "s",
      CidrBlock: cidr,
      Zone: "ap-guangzhou-3",
    });
    expect(failure.code).toBe(code);
  });

  it("refuses an instance whose zone is not its subnet's", async () => {
    const params = runInstancesParams(network, imageId) as { Placement: { Zone: string } };
    expect(await test.failure("cvm", "RunInstances", { ...params, Placement: { Zone: "ap-guangzhou-4" } })).toMatchObject({
      code: "InvalidParameterValue.SubnetIdZoneIdNotMatch",
    });
  });
});
