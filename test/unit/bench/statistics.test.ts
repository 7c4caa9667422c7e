import { describe, expect, it } from "vitest";
import { formatSpread, spreadOf } from "../../../bench/statistics";

describe("spreadOf", () => {
  it("takes the middle value as median of an odd count, whatever the order", () => {
    expect(spreadOf([3.2, 1.5, 2.8])).toEqual({ count: 3, min: 1.5, median: 2.8, max: 3.2 });
  });

  it("takes the mean of the middle two as median of an even count", () => {
    expect(spreadOf([4, 1, 2, 10])).toEqual({ count: 4, min: 1, median: 3, max: 10 });
  });

  it("gives min = median = max for one measurement", () => {
    expect(spreadOf([0.85])).toEqual({ count: 1, min: 0.85, median: 0.85, max: 0.85 });
  });

  it("has no spread without measurements", () => {
    expect(spreadOf([])).toBeUndefined();
  });

  it("rejects a measurement that is not a finite number", () => {
    expect(() => spreadOf([1, Number.NaN])).toThrow("measurement NaN is not a finite number");
  });

  it("does not reorder the caller's array", () => {
    const values = [3, 1, 2];
    spreadOf(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe("formatSpread", () => {
  it("prints min / median / max with the given decimals and unit", () => {
    expect(formatSpread({ count: 3, min: 1, median: 2.345, max: 3.5 }, 2, " s")).toBe("1.00 / 2.35 / 3.50 s");
  });

  it("prints a dash when nothing was measured", () => {
    expect(formatSpread(undefined, 2)).toBe("-");
  });
});
