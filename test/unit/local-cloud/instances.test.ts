import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createNetwork, runInstance, runInstancesParams, startTestCloud, type TestCloud } from "./local-cloud-fixture";

let test: TestCloud;
let network: Awaited<ReturnType<typeof createNetwork>>;
beforeEach(async () => {
  test = await startTestCloud({ operationDelayMs: 50 });
  network = await createNetwork(test);
});
afterEach(async () => {
  await test.close();
});

const describeInstance = async (instanceId: string) =>
  (await test.call("cvm", "DescribeInstances", { InstanceIds: [instanceId] })).InstanceSet[0];

describe("CVM instances", () => {
  it("launches PENDING, then RUNNING once the host has booted the machine with its address, key and user data", async () => {
    const { ImageSet } = await test.call("cvm", "DescribeImages", { Filters: [{ Name: "image-type", Values: ["PUBLIC_IMAGE"] }] });
    expect(ImageSet.map((image: { ImageName: string }) => image.ImageName)).toEqual(["Debian 12.8 64bit", "Debian 11.11 64bit"]);
    expect(ImageSet[0]).toMatchObject({ OsName: "Debian 12.8 64bit", Platform: "Debian", ImageType: "PUBLIC_IMAGE", ImageState: "NORMAL" });
    const userData = Buffer.from("#!/bin/sh\necho first boot\n").toString("base64");
    const { InstanceIdSet } = await test.call("cvm", "RunInstances", {
      ...runInstancesParams(network, ImageSet[0].ImageId, { privateIp: "172.16.16.5", publicIp: true }),
      UserData: userData,
    });
    const [instanceId] = InstanceIdSet as string[];
    expect(await describeInstance(instanceId)).toMatchObject({
      InstanceState: "PENDING",
      LatestOperation: "RunInstances",
      LatestOperationState: "OPERATING",
    });

    const running = await test.waitForInstance(instanceId, "RUNNING");
    expect(running).toMatchObject({
      LatestOperationState: "SUCCESS",
      PrivateIpAddresses: ["172.16.16.5"],
      PublicIpAddresses: ["198.18.0.2"],
      CPU: 2,
      Memory: 2,
      OsName: "Debian 12.8 64bit",
      LoginSettings: { KeyIds: [network.keyId] },
    });
    const machine = test.host.machines.get(instanceId);
    expect(machine?.spec).toMatchObject({
      privateIp: "172.16.16.5",
      prefixLength: 24,
      gateway: "172.16.16.1",
      hostName: "VM-16-5-debian",
      userData: "#!/bin/sh\necho first boot\n",
    });
    expect(machine?.spec.authorizedKeys[0]).toMatch(/^ssh-ed25519 /);
    expect(test.host.publicRoutes.get("198.18.0.2")).toMatchObject({ address: "172.16.16.5" });
    const attributes = await test.call("cvm", "DescribeInstancesAttributes", { InstanceIds: [instanceId], Attributes: ["UserData"] });
    expect(attributes.InstanceSet[0].Attributes.UserData).toBe(userData);
    const disks = await test.call("cbs", "DescribeDisks", { DiskIds: [running.SystemDisk.DiskId] });
    expect(disks.DiskSet[0]).toMatchObject({ DiskState: "ATTACHED", DiskSize: 50, DiskType: "CLOUD_PREMIUM", InstanceId: instanceId });
  });

  it("stops and starts, refusing what the state does not allow", async () => {
    const instanceId = await runInstance(test, network);
    expect(await test.failure("cvm", "StartInstances", { InstanceIds: [instanceId] })).toMatchObject({
      code: "UnsupportedOperation.InstanceStateRunning",
    });
    await test.call("cvm", "StopInstances", { InstanceIds: [instanceId], StopType: "SOFT" });
    expect(await describeInstance(instanceId)).toMatchObject({ InstanceState: "STOPPING", LatestOperationState: "OPERATING" });
    expect(await test.failure("cvm", "StopInstances", { InstanceIds: [instanceId] })).toMatchObject({
      code: "OperationDenied.InstanceOperationInProgress",
    });
    await test.waitForInstance(instanceId, "STOPPED");
    expect(test.host.machines.get(instanceId)?.running).toBe(false);
    expect(await test.failure("cvm", "StopInstances", { InstanceIds: [instanceId] })).toMatchObject({
      code: "UnsupportedOperation.InstanceStateStopped",
    });
    await test.call("cvm", "StartInstances", { InstanceIds: [instanceId] });
    await test.waitForInstance(instanceId, "RUNNING");
    expect(test.host.machines.get(instanceId)?.running).toBe(true);
  });

  it("reinstalls with ResetInstance: a fresh disk from the new image and a new host key, same address, running again", async () => {
    const instanceId = await runInstance(test, network, { privateIp: "172.16.16.5" });
    const before = { ...test.host.machines.get(instanceId)! };
    const older = (await test.call("cvm", "DescribeImages", { Filters: [{ Name: "image-name", Values: ["Debian 11.11 64bit"] }] }))
      .ImageSet[0];
    await test.call("cvm", "ResetInstance", { InstanceId: instanceId, ImageId: older.ImageId, LoginSettings: { KeyIds: [network.keyId] } });
    expect(await describeInstance(instanceId)).toMatchObject({ LatestOperation: "ResetInstance", LatestOperationState: "OPERATING" });
    expect(await test.failure("cvm", "ResetInstancesType", { InstanceIds: [instanceId], InstanceType: "S5.MEDIUM4" })).toMatchObject({
      code: "OperationDenied.InstanceOperationInProgress",
    });
    const after = await test.waitForInstance(instanceId, "RUNNING");
    expect(after).toMatchObject({
      ImageId: older.ImageId,
      OsName: "Debian 11.11 64bit",
      PrivateIpAddresses: ["172.16.16.5"],
      LatestOperationState: "SUCCESS",
    });
    const machine = test.host.machines.get(instanceId)!;
    expect(machine.diskGeneration).toBe(before.diskGeneration + 1);
    expect(machine.hostKey).not.toBe(before.hostKey);
    expect(test.host.calls.filter((call) => call.includes(instanceId)).slice(-3)).toEqual([
      `stopMachine ${instanceId}`,
      `reinstallMachine ${instanceId} debian-11.11`,
      `startMachine ${instanceId}`,
    ]);
  });

  it("resizes with ResetInstancesType: a running instance is stopped, resized and shown RUNNING", async () => {
    const instanceId = await runInstance(test, network);
    await test.call("cvm", "ResetInstancesType", { InstanceIds: [instanceId], InstanceType: "S5.LARGE8", ForceStop: false });
    const after = await test.waitForInstance(instanceId, "RUNNING");
    expect(after).toMatchObject({ InstanceType: "S5.LARGE8", CPU: 4, Memory: 8, LatestOperation: "ResetInstancesType" });
    expect(test.host.machines.get(instanceId)?.size).toMatchObject({ cpu: 4, memoryGiB: 8 });
    expect(await test.failure("cvm", "ResetInstancesType", { InstanceIds: [instanceId], InstanceType: "Q9.HUGE1" })).toMatchObject({
      code: "InvalidParameterValue.InstanceTypeNotFound",
    });
  });

  it("changes keys only on a stopped instance unless ForceStop", async () => {
    const instanceId = await runInstance(test, network);
    const { KeyId } = await test.call("cvm", "ImportKeyPair", {
      KeyName: "second",
      ProjectId: 0,
      PublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbB second",
    });
    expect(await test.failure("cvm", "AssociateInstancesKeyPairs", { InstanceIds: [instanceId], KeyIds: [KeyId] })).toMatchObject({
      code: "UnsupportedOperation.InstanceStateRunning",
    });
    await test.call("cvm", "AssociateInstancesKeyPairs", { InstanceIds: [instanceId], KeyIds: [KeyId], ForceStop: true });
    const after = await test.waitForInstance(instanceId, "RUNNING");
    expect(after.LoginSettings.KeyIds).toEqual([KeyId]);
    expect(test.host.machines.get(instanceId)?.spec.authorizedKeys[0]).toContain("second");
  });

  it("terminates at once (pay-as-you-go): TERMINATING, then gone with its machine and addresses", async () => {
    const instanceId = await runInstance(test, network, { privateIp: "172.16.16.5", publicIp: true });
    await test.call("cvm", "TerminateInstances", { InstanceIds: [instanceId] });
    expect(await describeInstance(instanceId)).toMatchObject({ InstanceState: "TERMINATING" });
    await expect
      .poll(async () => (await test.call("cvm", "DescribeInstances", { InstanceIds: [instanceId] })).TotalCount, { interval: 10 })
      .toBe(0);
    expect(test.host.machines.has(instanceId)).toBe(false);
    expect(test.host.publicRoutes.size).toBe(0);
    // The address is free again.
    await runInstance(test, network, { privateIp: "172.16.16.5" });
  });

  it("reports a machine that does not boot as LAUNCH_FAILED with the host's message", async () => {
    const imageId = (await test.call("cvm", "DescribeImages", {})).ImageSet[0].ImageId;
    test.host.failNextLaunch();
    const { InstanceIdSet } = await test.call("cvm", "RunInstances", runInstancesParams(network, imageId));
    const failed = await test.waitForInstance(InstanceIdSet[0], "LAUNCH_FAILED");
    expect(failed).toMatchObject({
      LatestOperationState: "FAILED",
      LatestOperationErrorMsg: `the machine ${InstanceIdSet[0]} did not boot`,
    });
  });

  it("keeps protected instances (DisableApiTermination)", async () => {
    const instanceId = await runInstance(test, network);
    await test.call("cvm", "ModifyInstancesAttribute", { InstanceIds: [instanceId], DisableApiTermination: true });
    expect(await test.failure("cvm", "TerminateInstances", { InstanceIds: [instanceId] })).toMatchObject({
      code: "UnsupportedOperation.InstancesProtected",
    });
  });

  it("hands the host each instance's security rules in order, and new ones when they change", async () => {
    await test.call("vpc", "ModifySecurityGroupPolicies", {
      SecurityGroupId: network.securityGroupId,
      SecurityGroupPolicySet: { Ingress: [{ Protocol: "TCP", Port: "80,443", CidrBlock: "0.0.0.0/0", Action: "ACCEPT" }] },
    });
    const instanceId = await runInstance(test, network, { privateIp: "172.16.16.5" });
    expect(test.host.machines.get(instanceId)?.rules).toEqual({
      ingress: [{ action: "ACCEPT", protocol: "TCP", port: "80,443", cidrBlocks: ["0.0.0.0/0"] }],
      egress: [],
    });
    await test.call("vpc", "ModifySecurityGroupPolicies", {
      SecurityGroupId: network.securityGroupId,
      SecurityGroupPolicySet: {
        Ingress: [
          { Protocol: "TCP", Port: "22", CidrBlock: "203.0.113.7/32", Action: "ACCEPT", PolicyDescription: "ssh" },
          { Protocol: "ALL", Port: "ALL", SecurityGroupId: network.securityGroupId, Action: "ACCEPT" },
        ],
        Egress: [{ Protocol: "ALL", Port: "ALL", CidrBlock: "0.0.0.0/0", Action: "ACCEPT" }],
      },
    });
    expect(test.host.machines.get(instanceId)?.rules).toEqual({
      ingress: [
        { action: "ACCEPT", protocol: "TCP", port: "22", cidrBlocks: ["203.0.113.7/32"] },
        { action: "ACCEPT", protocol: "ALL", port: "ALL", cidrBlocks: ["172.16.16.5/32"] },
      ],
      egress: [{ action: "ACCEPT", protocol: "ALL", port: "ALL", cidrBlocks: ["0.0.0.0/0"] }],
    });
    const policies = await test.call("vpc", "DescribeSecurityGroupPolicies", { SecurityGroupId: network.securityGroupId });
    expect(policies.SecurityGroupPolicySet).toMatchObject({ Version: "2", Ingress: [{ PolicyIndex: 0, Port: "22" }, { PolicyIndex: 1 }] });
    expect(
      await test.failure("vpc", "ModifySecurityGroupPolicies", {
        SecurityGroupId: network.securityGroupId,
        SecurityGroupPolicySet: { Ingress: [{ Protocol: "ICMP", Port: "22", CidrBlock: "0.0.0.0/0", Action: "ACCEPT" }] },
      }),
    ).toMatchObject({ code: "InvalidParameterValue.Range" });
  });
});
