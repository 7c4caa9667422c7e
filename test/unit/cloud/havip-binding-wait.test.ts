import { describe, expect, it } from "vitest";
import type { DescribeHaVipsRequest, DescribeHaVipsResponse, HaVip } from "../../../lib/cloud/vpc-models";
import { waitForHaVipBinding } from "../../../lib/cloud/havip-binding-wait";
import type { HaVipApi } from "../../../lib/cloud/vpc-client";

/** A HAVIP that moves to ins-2 on the given call, and a clock that only sleeps advance. */
function failoverAfter(movesOnCall: number | undefined) {
  let clock = 1_000_000;
  const requests: DescribeHaVipsRequest[] = [];
  const client: HaVipApi = {
    async DescribeHaVips(request): Promise<DescribeHaVipsResponse> {
      requests.push(request);
      const moved = movesOnCall !== undefined && requests.length >= movesOnCall;
      const haVip: HaVip = {
        HaVipId: "havip-abc",
        Vip: "172.16.16.12",
        VpcId: "vpc-1",
        SubnetId: "subnet-1",
        InstanceId: moved ? "ins-2" : "ins-1",
        NetworkInterfaceId: moved ? "eni-2" : "eni-1",
        State: "AVAILABLE",
      };
      return { HaVipSet: [haVip], TotalCount: 1, RequestId: "r" };
    },
  };
  const sleeps: number[] = [];
  return {
    client,
    requests,
    sleeps,
    now: () => clock,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock += ms;
    },
  };
}

describe("waitForHaVipBinding", () => {
  it("returns the elapsed time once the HAVIP is bound to the expected instance", async () => {
    const fake = failoverAfter(4);
    const result = await waitForHaVipBinding(fake.client, "havip-abc", "ins-2", {
      timeoutMs: 10_000,
      intervalMs: 500,
      now: fake.now,
      sleep: fake.sleep,
    });
    expect(result).toMatchObject({ outcome: "bound", elapsedMs: 1_500, attempts: 4 });
    expect(fake.requests[0].Filters).toEqual([{ Name: "havip-id", Values: ["havip-abc"] }]);
  });

  it("accepts the ENI id for HAVIPs bound to an ENI", async () => {
    const fake = failoverAfter(1);
    const result = await waitForHaVipBinding(fake.client, "havip-abc", "eni-2", { now: fake.now, sleep: fake.sleep });
    expect(result).toMatchObject({ outcome: "bound", elapsedMs: 0, attempts: 1 });
  });

  it("times out with where the HAVIP still is, checking once more at the deadline", async () => {
    const fake = failoverAfter(undefined);
    const result = await waitForHaVipBinding(fake.client, "havip-abc", "ins-2", {
      timeoutMs: 1_200,
      intervalMs: 500,
      now: fake.now,
      sleep: fake.sleep,
    });
    expect(result).toMatchObject({
      outcome: "timeout",
      elapsedMs: 1_200,
      attempts: 4,
      message: "HAVIP 172.16.16.12 (havip-abc) was still bound to ins-1, not ins-2, after 1200 ms",
    });
    expect(fake.sleeps).toEqual([500, 500, 200]);
  });

  it("stops polling even when the clock does not advance", async () => {
    const fake = failoverAfter(undefined);
    const result = await waitForHaVipBinding(fake.client, "havip-abc", "ins-2", {
      timeoutMs: 1_000,
      intervalMs: 500,
      now: () => 0,
      sleep: async () => undefined,
    });
    expect(result.outcome).toBe("timeout");
    expect(fake.requests).toHaveLength(4);
  });

  it("throws when the HAVIP does not exist", async () => {
    const empty: HaVipApi = { DescribeHaVips: async () => ({ HaVipSet: [], TotalCount: 0 }) };
    await expect(waitForHaVipBinding(empty, "havip-gone", "ins-2", { sleep: async () => undefined })).rejects.toThrow(
      "HAVIP havip-gone does not exist in this region",
    );
  });

  it("rejects a zero timeout and an interval faster than the API's rate limit", async () => {
    const fake = failoverAfter(1);
    await expect(waitForHaVipBinding(fake.client, "havip-abc", "ins-2", { timeoutMs: 0, intervalMs: 10 })).rejects.toThrow(
      "waitForHaVipBinding:\n  - timeoutMs 0 must be more than 0 and at most 600000\n" +
        "  - intervalMs 10 must be at least 50 (DescribeHaVips allows 20 calls a second)",
    );
    expect(fake.requests).toHaveLength(0);
  });
});
