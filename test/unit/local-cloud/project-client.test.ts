import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVpcClient, describeHaVipBindings } from "../../../lib/cloud";
import { LoopbackAgent } from "../../fixtures/fake-vpc-api";
import { createNetwork, REGION, runInstance, startTestCloud, TEST_SECRET_ID, TEST_SECRET_KEY, type TestCloud } from "./local-cloud-fixture";

let test: TestCloud;
beforeAll(async () => {
  test = await startTestCloud();
});
afterAll(async () => {
  await test.close();
});

describe("the project's own Tencent client (lib/cloud) against the local cloud", () => {
  it("reads where an HAVIP is bound with DescribeHaVips, signed by the SDK and verified by the endpoint", async () => {
    const network = await createNetwork(test);
    const primary = await runInstance(test, network, { privateIp: "172.16.16.5" });
    const { HaVip } = await test.call("vpc", "CreateHaVip", {
      VpcId: network.vpcId,
      SubnetId: network.subnetId,
      HaVipName: "web",
      Vip: "172.16.16.12",
      CheckAssociate: true,
    });
    await test.call("vpc", "AssociateHaVipInstance", {
      HaVipAssociationSet: [{ HaVipId: HaVip.HaVipId, InstanceId: primary, InstanceType: "CVM" }],
    });
    test.host.announce(primary, "172.16.16.12");
    await expect.poll(() => test.host.addressRoutes.get(`${network.subnetId}/172.16.16.12`)).toBe(primary);

    const agent = new LoopbackAgent(test.port);
    const client = createVpcClient(
      { secretId: TEST_SECRET_ID, secretKey: TEST_SECRET_KEY, region: REGION },
      { endpoint: `vpc.localhost:${test.port}`, protocol: "http", agent },
    );
    try {
      const bindings = await describeHaVipBindings(client, { vips: ["172.16.16.12"], vpcId: network.vpcId });
      expect(bindings).toEqual([
        expect.objectContaining({
          havipId: HaVip.HaVipId,
          address: "172.16.16.12",
          state: "AVAILABLE",
          boundInstanceId: primary,
          allowedInstanceIds: [primary],
        }),
      ]);
      const wrongKey = createVpcClient(
        { secretId: TEST_SECRET_ID, secretKey: "wrong", region: REGION },
        { endpoint: `vpc.localhost:${test.port}`, protocol: "http", agent },
      );
      await expect(describeHaVipBindings(wrongKey, { vips: ["172.16.16.12"] })).rejects.toThrow(/AuthFailure\.SignatureFailure/);
    } finally {
      agent.destroy();
    }
  });
});
