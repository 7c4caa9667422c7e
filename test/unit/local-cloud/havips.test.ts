import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InMemoryHost } from "../../../local-cloud";
import { createNetwork, DEFAULT_IMAGES, runInstance, startTestCloud, type TestCloud } from "./local-cloud-fixture";

let test: TestCloud;
let network: Awaited<ReturnType<typeof createNetwork>>;
beforeEach(async () => {
  test = await startTestCloud();
  network = await createNetwork(test);
});
afterEach(async () => {
  await test.close();
});

async function createHaVip(name: string, checkAssociate = true): Promise<{ HaVipId: string; Vip: string }> {
  const { HaVip } = await test.call("vpc", "CreateHaVip", {
    VpcId: network.vpcId,
    SubnetId: network.subnetId,
    HaVipName: name,
    CheckAssociate: checkAssociate,
  });
  return HaVip;
}

const associate = (havipId: string, instanceId: string) =>
  test.call("vpc", "AssociateHaVipInstance", { HaVipAssociationSet: [{ HaVipId: havipId, InstanceId: instanceId, InstanceType: "CVM" }] });

describe("HAVIPs", () => {
  it("refuses a sixth HAVIP on one ENI (LimitExceeded)", async () => {
    const instanceId = await runInstance(test, network);
    for (let i = 1; i <= 5; i++) await associate((await createHaVip(`vip-${i}`)).HaVipId, instanceId);
    const sixth = await createHaVip("vip-6");
    const failure = await test.failure("vpc", "AssociateHaVipInstance", {
      HaVipAssociationSet: [{ HaVipId: sixth.HaVipId, InstanceId: instanceId, InstanceType: "CVM" }],
    });
    expect(failure.code).toBe("LimitExceeded");
    expect(failure.message).toContain("5");
  });

  it("refuses an eleventh HAVIP in a VPC (the quota)", async () => {
    for (let i = 1; i <= 10; i++) await createHaVip(`vip-${i}`, false);
    expect(
      await test.failure("vpc", "CreateHaVip", { VpcId: network.vpcId, SubnetId: network.subnetId, HaVipName: "vip-11" }),
    ).toMatchObject({ code: "LimitExceeded" });
  });

  it("binds to the associated instance that announces the address, and ignores one outside the drift range (check_associate)", async () => {
    const primary = await runInstance(test, network, { privateIp: "172.16.16.5" });
    const secondary = await runInstance(test, network, { privateIp: "172.16.16.6" });
    const stranger = await runInstance(test, network, { privateIp: "172.16.16.7" });
    const havip = await createHaVip("vip");
    await associate(havip.HaVipId, primary);
    await associate(havip.HaVipId, secondary);
    const describe = async () => (await test.call("vpc", "DescribeHaVips", { HaVipIds: [havip.HaVipId] })).HaVipSet[0];

    const routedTo = () => test.host.addressRoutes.get(`${network.subnetId}/${havip.Vip}`);
    expect(await describe()).toMatchObject({ State: "UNBIND", InstanceId: "", NetworkInterfaceId: "", FlushedTime: "0000-00-00 00:00:00" });
    test.host.announce(primary, havip.Vip);
    await expect.poll(async () => (await describe()).InstanceId).toBe(primary);
    const bound = await describe();
    expect(bound).toMatchObject({ State: "AVAILABLE", InstanceId: primary });
    expect(bound.NetworkInterfaceId).toMatch(/^eni-[a-z0-9]{8}$/);
    expect(bound.FlushedTime).not.toBe("0000-00-00 00:00:00");
    await expect.poll(routedTo).toBe(primary);

    test.host.announce(stranger, havip.Vip);
    // Well past the switch delay: the stranger's announcement changed nothing.
    await new Promise((settle) => setTimeout(settle, 200));
    expect(await describe()).toMatchObject({ InstanceId: primary });
    expect(routedTo()).toBe(primary);
    test.host.announce(secondary, havip.Vip);
    await expect.poll(async () => (await describe()).InstanceId).toBe(secondary);
    await expect.poll(routedTo).toBe(secondary);

    // The read the provider does for one lock: the filter matches the HAVIP, whose whole association set comes back.
    const filtered = await test.call("vpc", "DescribeHaVips", {
      Filters: [
        { Name: "havip-id", Values: [havip.HaVipId] },
        { Name: "havip-association.instance-id", Values: [secondary] },
      ],
    });
    expect(filtered.HaVipSet[0].HaVipAssociationSet.map((association: { InstanceId: string }) => association.InstanceId)).toEqual([
      primary,
      secondary,
    ]);

    await test.call("vpc", "DisassociateHaVipInstance", { HaVipAssociationSet: [{ HaVipId: havip.HaVipId, InstanceId: secondary }] });
    expect(await describe()).toMatchObject({ State: "UNBIND", InstanceId: "" });
    await expect.poll(routedTo).toBeUndefined();
  });

  it("follows an announcement only after the switch delay, and routes the address on to the new holder then", async () => {
    await test.close();
    test = await startTestCloud({ havipSwitchDelayMs: 400 });
    network = await createNetwork(test);
    const primary = await runInstance(test, network, { privateIp: "172.16.16.5" });
    const havip = await createHaVip("vip");
    await associate(havip.HaVipId, primary);
    const announcedAt = Date.now();
    test.host.announce(primary, havip.Vip);
    expect((await test.call("vpc", "DescribeHaVips", { HaVipIds: [havip.HaVipId] })).HaVipSet[0].State).toBe("UNBIND");
    await expect.poll(() => test.host.addressRoutes.get(`${network.subnetId}/${havip.Vip}`), { timeout: 3000 }).toBe(primary);
    expect(Date.now() - announcedAt).toBeGreaterThanOrEqual(400);
    expect((await test.call("vpc", "DescribeHaVips", { HaVipIds: [havip.HaVipId] })).HaVipSet[0].InstanceId).toBe(primary);
  });

  it("tells a host that starts again where every HAVIP goes, and a deleted HAVIP's address goes nowhere", async () => {
    const primary = await runInstance(test, network, { privateIp: "172.16.16.5" });
    const havip = await createHaVip("vip");
    await associate(havip.HaVipId, primary);
    test.host.announce(primary, havip.Vip);
    await expect.poll(() => test.host.addressRoutes.get(`${network.subnetId}/${havip.Vip}`)).toBe(primary);
    // A new host (the lab's machinery after a restart of the endpoint) learns the route at start.
    const fresh = new InMemoryHost({ images: DEFAULT_IMAGES, operationDelayMs: 20 });
    for (const [id, machine] of test.host.machines) fresh.machines.set(id, machine);
    await test.restart({ host: fresh });
    await expect.poll(() => fresh.addressRoutes.get(`${network.subnetId}/${havip.Vip}`)).toBe(primary);
    await test.call("vpc", "DisassociateHaVipInstance", { HaVipAssociationSet: [{ HaVipId: havip.HaVipId, InstanceId: primary }] });
    await test.call("vpc", "DeleteHaVip", { HaVipId: havip.HaVipId });
    await expect.poll(() => fresh.addressRoutes.has(`${network.subnetId}/${havip.Vip}`)).toBe(false);
  });

  it("refuses to associate an instance of another subnet", async () => {
    const { Subnet } = await test.call("vpc", "CreateSubnet", {
      VpcId: network.vpcId,
      SubnetName: "other",
      CidrBlock: "172.16.17.0/24",
      Zone: "ap-guangzhou-3",
    });
    const instanceId = await runInstance(test, { ...network, subnetId: Subnet.SubnetId });
    const havip = await createHaVip("vip");
    expect(
      await test.failure("vpc", "AssociateHaVipInstance", {
        HaVipAssociationSet: [{ HaVipId: havip.HaVipId, InstanceId: instanceId, InstanceType: "CVM" }],
      }),
    ).toMatchObject({
      code: "InvalidParameterValue.ParameterMismatch",
    });
  });
});
