import { afterEach, describe, expect, it } from "vitest";
import type { DescribeHaVipsRequest } from "../../../lib/cloud/vpc-models";
import { createVpcClient, TencentCloudApiError } from "../../../lib/cloud";
import { readTencentCloudCredentials } from "../../../lib/cloud/credentials";
import { describeHaVipBindings, planHaVipFilterSets, toHaVipBinding } from "../../../lib/cloud/havip-bindings";
import { FakeVpcApi, haVipRecord, haVipsAnswer, startFakeVpcApi } from "../../fixtures/fake-vpc-api";

const credentials = readTencentCloudCredentials({
  TENCENTCLOUD_SECRET_ID: "AKIDtestonly",
  TENCENTCLOUD_SECRET_KEY: "test-secret",
  TENCENTCLOUD_REGION: "ap-guangzhou",
});
if (credentials === undefined) throw new Error("test credentials missing");

function numbered(index: number): Record<string, unknown> {
  return haVipRecord({ HaVipId: `havip-${index}`, Vip: `172.16.${Math.floor(index / 250)}.${(index % 250) + 1}` });
}

let api: FakeVpcApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function fakeClient(answer: Parameters<typeof startFakeVpcApi>[0]) {
  api = await startFakeVpcApi(answer);
  return createVpcClient(credentials as NonNullable<typeof credentials>, { endpoint: api.endpoint, protocol: "http", agent: api.agent });
}

function sentBodies(): DescribeHaVipsRequest[] {
  return (api?.requests ?? []).map((request) => JSON.parse(request.body) as DescribeHaVipsRequest);
}

describe("describeHaVipBindings", () => {
  it("reads every page until TotalCount HAVIPs are collected", async () => {
    const all = Array.from({ length: 150 }, (_, index) => numbered(index));
    const client = await fakeClient((request) => {
      const { Offset = 0, Limit = 20 } = JSON.parse(request.body) as DescribeHaVipsRequest;
      return haVipsAnswer(all.slice(Offset, Offset + Limit), all.length);
    });

    const bindings = await describeHaVipBindings(client, { vpcId: "vpc-1" });

    expect(bindings).toHaveLength(150);
    expect(bindings[149].havipId).toBe("havip-149");
    expect(sentBodies().map(({ Offset, Limit }) => [Offset, Limit])).toEqual([
      [0, 100],
      [100, 100],
    ]);
  });

  it("stops at a short page when the response has no TotalCount", async () => {
    const client = await fakeClient((_request, index) => ({
      json: { Response: { HaVipSet: index === 0 ? [numbered(0), numbered(1)] : [numbered(2)], RequestId: "r" } },
    }));

    const bindings = await describeHaVipBindings(client, {}, { pageSize: 2 });

    expect(bindings.map((binding) => binding.havipId)).toEqual(["havip-0", "havip-1", "havip-2"]);
    expect(api?.requests).toHaveLength(2);
  });

  it("stops when a page is empty even if TotalCount promises more", async () => {
    const client = await fakeClient((_request, index) => haVipsAnswer(index === 0 ? [numbered(0)] : [], 50));

    const bindings = await describeHaVipBindings(client, {});

    expect(bindings).toHaveLength(1);
    expect(api?.requests).toHaveLength(2);
  });

  it("gives up after maxPages and says how to narrow the query", async () => {
    const client = await fakeClient(() => haVipsAnswer([numbered(0), numbered(1)], 10_000));

    const error = await describeHaVipBindings(client, { vpcId: "vpc-1" }, { pageSize: 2, maxPages: 3 }).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(TencentCloudApiError);
    expect((error as Error).message).toBe(
      "Tencent Cloud DescribeHaVips failed: more than 6 HAVIPs match vpc-id=vpc-1; narrow the query with vpcId, vips or havipIds",
    );
    expect(api?.requests).toHaveLength(3);
  });

  it("asks for vips and havipIds separately and lists a HAVIP matched by both once", async () => {
    const client = await fakeClient(() => haVipsAnswer([haVipRecord()]));

    const bindings = await describeHaVipBindings(client, { vips: ["172.16.16.12"], havipIds: ["havip-abc"] });

    expect(bindings.map((binding) => binding.havipId)).toEqual(["havip-abc"]);
    expect(sentBodies().map((body) => body.Filters)).toEqual([
      [{ Name: "havip-id", Values: ["havip-abc"] }],
      [{ Name: "vip", Values: ["172.16.16.12"] }],
    ]);
  });
});

describe("planHaVipFilterSets", () => {
  it("splits more than 5 values of one filter into several queries", () => {
    const vips = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.7"];
    expect(planHaVipFilterSets({ vips, vpcId: "vpc-1" })).toEqual([
      [
        { Name: "vip", Values: vips.slice(0, 5) },
        { Name: "vpc-id", Values: ["vpc-1"] },
      ],
      [
        { Name: "vip", Values: vips.slice(5) },
        { Name: "vpc-id", Values: ["vpc-1"] },
      ],
    ]);
  });

  it("drops repeated values", () => {
    expect(planHaVipFilterSets({ havipIds: ["havip-a", "havip-a"] })).toEqual([[{ Name: "havip-id", Values: ["havip-a"] }]]);
  });

  it("asks without filters when nothing narrows the query", () => {
    expect(planHaVipFilterSets({})).toEqual([[]]);
  });
});

describe("toHaVipBinding", () => {
  it("maps an unbound HAVIP without EIP to undefined ids and address", () => {
    const binding = toHaVipBinding({
      HaVipId: "havip-idle",
      Vip: "172.16.16.13",
      VpcId: "vpc-1",
      SubnetId: "subnet-1",
      InstanceId: "",
      NetworkInterfaceId: "",
      AddressIp: "",
      State: "UNBIND",
      FlushedTime: "0000-00-00 00:00:00",
    });
    expect(binding).toMatchObject({ havipId: "havip-idle", state: "UNBIND", allowedInstanceIds: [] });
    expect(binding.boundInstanceId).toBeUndefined();
    expect(binding.boundNetworkInterfaceId).toBeUndefined();
    expect(binding.addressIp).toBeUndefined();
    expect(binding.flushedTime).toBeUndefined();
  });

  it("rejects a HAVIP without HaVipId", () => {
    expect(() => toHaVipBinding({ Vip: "172.16.16.13" })).toThrow("the response holds a HAVIP without HaVipId");
  });
});
