import { describe, expect, it } from "vitest";
import { masterDownIntervalSeconds, skewTimeSeconds } from "../../../lib/core/vrrp-timing";

describe("VRRPv2 timing as Keepalived computes it", () => {
  it.each([
    [1, 100, 0.609],
    [2, 100, 0.609],
    [5, 100, 0.609],
    [1, 254, 0.008],
  ])("skew at advert_int %i s, priority %i is %f s: a fraction of one second, not of advert_int", (advertInt, priority, skew) => {
    expect(skewTimeSeconds(advertInt, priority)).toBeCloseTo(skew, 3);
  });

  it.each([
    [1, 100, 3.609],
    [2, 100, 6.609],
    [5, 100, 15.609],
    [1, 254, 3.008],
  ])("master-down interval at advert_int %i s, priority %i is %f s", (advertInt, priority, masterDown) => {
    expect(masterDownIntervalSeconds(advertInt, priority)).toBeCloseTo(masterDown, 3);
  });
});
