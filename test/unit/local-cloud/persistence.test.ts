import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { InMemoryHost } from "../../../local-cloud";
import { createNetwork, DEFAULT_IMAGES, runInstancesParams, startTestCloud, type TestCloud } from "./local-cloud-fixture";

let test: TestCloud | undefined;
let stateDir: string | undefined;
afterEach(async () => {
  await test?.close();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  test = stateDir = undefined;
});

describe("the state file", () => {
  it("keeps everything over a restart of the endpoint, ids and images included", async () => {
    stateDir = mkdtempSync(join(tmpdir(), "local-cloud-restart-"));
    test = await startTestCloud({ stateDir });
    const network = await createNetwork(test);
    const imageId = (await test.call("cvm", "DescribeImages", {})).ImageSet[0].ImageId;
    const { InstanceIdSet } = await test.call("cvm", "RunInstances", runInstancesParams(network, imageId, { privateIp: "172.16.16.5" }));
    await test.waitForInstance(InstanceIdSet[0], "RUNNING");
    await test.call("tag", "ModifyResourceTags", {
      Resource: `qcs::vpc:ap-guangzhou:uin/:vpc/${network.vpcId}`,
      ReplaceTags: [{ TagKey: "env", TagValue: "lab" }],
    });

    await test.restart();

    expect((await test.call("cvm", "DescribeImages", {})).ImageSet[0].ImageId).toBe(imageId);
    expect((await test.call("vpc", "DescribeVpcs", { VpcIds: [network.vpcId] })).VpcSet[0]).toMatchObject({
      CidrBlock: "172.16.0.0/16",
      TagSet: [{ Key: "env", Value: "lab" }],
    });
    expect((await test.call("cvm", "DescribeInstances", { InstanceIds: InstanceIdSet })).InstanceSet[0]).toMatchObject({
      InstanceState: "RUNNING",
      PrivateIpAddresses: ["172.16.16.5"],
    });
    expect(await test.failure("cvm", "RunInstances", runInstancesParams(network, imageId, { privateIp: "172.16.16.5" }))).toMatchObject({
      code: "VpcIpIsUsed",
    });
  });

  it("carries an operation a killed endpoint left unfinished to its end after the restart", async () => {
    stateDir = mkdtempSync(join(tmpdir(), "local-cloud-kill-"));
    test = await startTestCloud({ stateDir });
    const network = await createNetwork(test);
    const imageId = (await test.call("cvm", "DescribeImages", {})).ImageSet[0].ImageId;
    // The machine never comes up while this endpoint lives: it is "killed" with the launch in flight.
    test.host.launchMachine = () => new Promise<void>(() => {});
    const { InstanceIdSet } = await test.call("cvm", "RunInstances", runInstancesParams(network, imageId, { privateIp: "172.16.16.5" }));
    expect((await test.call("cvm", "DescribeInstances", { InstanceIds: InstanceIdSet })).InstanceSet[0].InstanceState).toBe("PENDING");

    await test.restart({ waitForOperations: false, host: new InMemoryHost({ images: DEFAULT_IMAGES, operationDelayMs: 20 }) });

    const running = await test.waitForInstance(InstanceIdSet[0], "RUNNING");
    expect(running).toMatchObject({ LatestOperation: "RunInstances", LatestOperationState: "SUCCESS" });
    expect(test.host.machines.get(InstanceIdSet[0])?.spec.privateIp).toBe("172.16.16.5");
  });
});
