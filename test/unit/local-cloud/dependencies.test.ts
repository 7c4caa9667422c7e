import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createNetwork, runInstance, startTestCloud, TEST_PUBLIC_KEY, type TestCloud, ZONE } from "./local-cloud-fixture";

let test: TestCloud;
beforeEach(async () => {
  test = await startTestCloud();
});
afterEach(async () => {
  await test.close();
});

describe("deleting what is still in use fails with Tencent's errors", () => {
  it("keeps a VPC that still has a subnet (ResourceInUse) and deletes it once empty", async () => {
    const network = await createNetwork(test);
    expect(await test.failure("vpc", "DeleteVpc", { VpcId: network.vpcId })).toMatchObject({ code: "ResourceInUse" });
    await test.call("vpc", "DeleteSubnet", { SubnetId: network.subnetId });
    await test.call("vpc", "DeleteVpc", { VpcId: network.vpcId });
    expect((await test.call("vpc", "DescribeVpcs", { Filters: [{ Name: "vpc-id", Values: [network.vpcId] }] })).TotalCount).toBe(0);
    expect(test.host.vpcs.size).toBe(0);
  });

  it("keeps a subnet with an instance in it, and the security group, key pair and placement group the instance uses", async () => {
    const network = await createNetwork(test);
    const { DisasterRecoverGroupId } = await test.call("cvm", "CreateDisasterRecoverGroup", { Name: "spread", Type: "HOST", Affinity: 1 });
    const { ImageSet } = await test.call("cvm", "DescribeImages", {});
    const { InstanceIdSet } = await test.call("cvm", "RunInstances", {
      Placement: { Zone: ZONE },
      ImageId: ImageSet[0].ImageId,
      VirtualPrivateCloud: { VpcId: network.vpcId, SubnetId: network.subnetId },
      SecurityGroupIds: [network.securityGroupId],
      LoginSettings: { KeyIds: [network.keyId] },
      DisasterRecoverGroupIds: [DisasterRecoverGroupId],
    });
    const instanceId = InstanceIdSet[0] as string;
    await test.waitForInstance(instanceId, "RUNNING");

    expect(await test.failure("vpc", "DeleteSubnet", { SubnetId: network.subnetId })).toMatchObject({ code: "ResourceInUse" });
    expect(await test.failure("vpc", "DeleteSecurityGroup", { SecurityGroupId: network.securityGroupId })).toMatchObject({
      code: "ResourceInUse",
    });
    expect(await test.failure("cvm", "DeleteKeyPairs", { KeyIds: [network.keyId] })).toMatchObject({
      code: "InvalidParameterValue.KeyPairNotSupported",
    });
    expect(await test.failure("cvm", "DeleteDisasterRecoverGroups", { DisasterRecoverGroupIds: [DisasterRecoverGroupId] })).toMatchObject({
      code: "FailedOperation.PlacementSetNotEmpty",
    });
    const statistics = await test.call("vpc", "DescribeSecurityGroupAssociationStatistics", {
      SecurityGroupIds: [network.securityGroupId],
    });
    expect(statistics.SecurityGroupAssociationStatisticsSet[0]).toMatchObject({ CVM: 1, SG: 0 });

    await test.call("cvm", "TerminateInstances", { InstanceIds: [instanceId] });
    await expect
      .poll(async () => (await test.call("cvm", "DescribeInstances", { InstanceIds: [instanceId] })).TotalCount, { interval: 10 })
      .toBe(0);
    await test.call("cvm", "DeleteDisasterRecoverGroups", { DisasterRecoverGroupIds: [DisasterRecoverGroupId] });
    await test.call("cvm", "DeleteKeyPairs", { KeyIds: [network.keyId] });
    await test.call("vpc", "DeleteSecurityGroup", { SecurityGroupId: network.securityGroupId });
    await test.call("vpc", "DeleteSubnet", { SubnetId: network.subnetId });
  });

  it("keeps a security group another group's rules name", async () => {
    const { SecurityGroup: other } = await test.call("vpc", "CreateSecurityGroup", { GroupName: "other", GroupDescription: "x" });
    const { SecurityGroup: referring } = await test.call("vpc", "CreateSecurityGroup", { GroupName: "referring", GroupDescription: "x" });
    await test.call("vpc", "ModifySecurityGroupPolicies", {
      SecurityGroupId: referring.SecurityGroupId,
      SecurityGroupPolicySet: { Ingress: [{ Protocol: "TCP", Port: "22", SecurityGroupId: other.SecurityGroupId, Action: "ACCEPT" }] },
    });
    expect(await test.failure("vpc", "DeleteSecurityGroup", { SecurityGroupId: other.SecurityGroupId })).toMatchObject({
      code: "ResourceInUse",
    });
  });

  it("keeps an HAVIP that has an EIP, and an EIP bound to an HAVIP", async () => {
    const network = await createNetwork(test);
    const { HaVip } = await test.call("vpc", "CreateHaVip", {
      VpcId: network.vpcId,
      SubnetId: network.subnetId,
      HaVipName: "vip",
      Vip: "172.16.16.12",
    });
    const { AddressSet } = await test.call("vpc", "AllocateAddresses", { InternetMaxBandwidthOut: 1 });
    const {
      AddressSet: [eip],
    } = await test.call("vpc", "DescribeAddresses", { AddressIds: AddressSet });
    await test.call("vpc", "HaVipAssociateAddressIp", { HaVipId: HaVip.HaVipId, AddressIp: eip.AddressIp });

    expect(await test.failure("vpc", "DeleteHaVip", { HaVipId: HaVip.HaVipId })).toMatchObject({ code: "UnsupportedOperation.BindEIP" });
    expect(await test.failure("vpc", "ReleaseAddresses", { AddressIds: AddressSet })).toMatchObject({ code: "InvalidAddressState" });
    expect((await test.call("vpc", "DescribeAddresses", { AddressIds: AddressSet })).AddressSet[0]).toMatchObject({
      AddressStatus: "BIND",
      InstanceId: HaVip.HaVipId,
      PrivateAddressIp: "172.16.16.12",
    });
    expect(test.host.publicRoutes.get(eip.AddressIp)).toMatchObject({ subnetId: network.subnetId, address: "172.16.16.12" });

    await test.call("vpc", "HaVipDisassociateAddressIp", { HaVipId: HaVip.HaVipId });
    await test.call("vpc", "ReleaseAddresses", { AddressIds: AddressSet });
    await test.call("vpc", "DeleteHaVip", { HaVipId: HaVip.HaVipId });
    expect(test.host.publicRoutes.size).toBe(0);
  });

  it("refuses to import the same public key twice (InvalidPublicKey.Duplicate), as two clusters sharing one key would", async () => {
    await test.call("cvm", "ImportKeyPair", { KeyName: "web_key", ProjectId: 0, PublicKey: TEST_PUBLIC_KEY });
    const failure = await test.failure("cvm", "ImportKeyPair", {
      KeyName: "db_key",
      ProjectId: 0,
      PublicKey: TEST_PUBLIC_KEY.replace("test@local-cloud", "other comment"),
    });
    expect(failure.code).toBe("InvalidPublicKey.Duplicate");
  });

  it("removes a terminated instance's tags, disk and HAVIP associations with it", async () => {
    const network = await createNetwork(test);
    const instanceId = await runInstance(test, network, { privateIp: "172.16.16.5" });
    const { HaVip } = await test.call("vpc", "CreateHaVip", {
      VpcId: network.vpcId,
      SubnetId: network.subnetId,
      HaVipName: "vip",
      CheckAssociate: true,
    });
    await test.call("vpc", "AssociateHaVipInstance", {
      HaVipAssociationSet: [{ HaVipId: HaVip.HaVipId, InstanceId: instanceId, InstanceType: "CVM" }],
    });
    await test.call("tag", "ModifyResourceTags", {
      Resource: `qcs::cvm:ap-guangzhou:uin/:instance/${instanceId}`,
      ReplaceTags: [{ TagKey: "team", TagValue: "web" }],
    });
    await test.call("cvm", "TerminateInstances", { InstanceIds: [instanceId] });
    await expect
      .poll(async () => (await test.call("cvm", "DescribeInstances", { InstanceIds: [instanceId] })).TotalCount, { interval: 10 })
      .toBe(0);
    const state = test.cloud.state();
    expect(state.disks).toEqual({});
    expect(state.tags).toEqual({});
    expect(state.havips[HaVip.HaVipId].associations).toEqual([]);
    const used = await test.call("vpc", "DescribeUsedIpAddress", {
      VpcId: network.vpcId,
      SubnetId: network.subnetId,
      IpAddresses: ["172.16.16.5"],
    });
    expect(used.IpAddressStates).toEqual([]);
  });
});
