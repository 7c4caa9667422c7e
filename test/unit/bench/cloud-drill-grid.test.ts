import { describe, expect, it } from "vitest";
import { expectedFalseFailoversPerHour, formatCloudGridTables } from "../../../bench/cloud-drill-grid";

describe("the cloud-drills grid", () => {
  it("expects a false failover per run of 3 lost adverts: 3600 / advert_int x (1 - p) x p^3 an hour", () => {
    expect(expectedFalseFailoversPerHour(1, 10)).toBeCloseTo(3.24, 6);
    expect(expectedFalseFailoversPerHour(0.1, 10)).toBeCloseTo(32.4, 6);
    expect(expectedFalseFailoversPerHour(2, 0)).toBe(0);
  });

  it("prints a crash row per advert_int and switch delay with its VRRP version and bound, and leaves out what was not measured", () => {
    const text = formatCloudGridTables({
      crash: [
        { advertIntSeconds: 0.5, switchDelayMs: 4000, outageMs: 5300, vipMovedAfterSeconds: 1.3, bindingMovedAfterSeconds: 5.3 },
        { advertIntSeconds: 0.5, switchDelayMs: 4000, outageMs: 5400, error: "not steady" },
      ],
      link: [],
      partition: [],
    });
    expect(text).toMatch(
      /^\| 0\.5 \(VRRPv3\) +\| 4\.0 +\| 1 \(\+1 failed\) +\| 1\.50 +\| 1\.30 \/ 1\.30 \/ 1\.30 +\| 5\.30 \/ 5\.30 \/ 5\.30 +\| 5\.50 +\| 5\.30 \/ 5\.30 \/ 5\.30 +\|$/m,
    );
    expect(text).not.toContain("False failovers");
    expect(text).not.toContain("Partition");
  });
});
