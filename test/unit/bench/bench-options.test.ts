import { describe, expect, it } from "vitest";
import { MAX_BENCH_RUNS, parseRuns, parseSections } from "../../../bench/bench-options";

describe("--runs", () => {
  it("accepts a whole number of runs", () => {
    expect(parseRuns("2")).toBe(2);
    expect(parseRuns(String(MAX_BENCH_RUNS))).toBe(MAX_BENCH_RUNS);
  });

  it.each(["0", "-1", "1.5", "abc", "", `${MAX_BENCH_RUNS + 1}`])("rejects %j naming the rule", (text) => {
    expect(() => parseRuns(text)).toThrow(`--runs ${JSON.stringify(text)} must be a whole number from 1 to ${MAX_BENCH_RUNS}`);
  });
});

describe("--only", () => {
  it("keeps the sections in the order they run, whatever order they are given in", () => {
    expect(parseSections("synth, drills")).toEqual(["drills", "synth"]);
  });

  it("accepts a single section", () => {
    expect(parseSections("provision")).toEqual(["provision"]);
  });

  it("rejects an unknown section and names it", () => {
    expect(() => parseSections("drills,failover")).toThrow(
      '--only "drills,failover" must list sections from drills, provision, deploy, synth (unknown: failover)',
    );
  });

  it("rejects an empty list", () => {
    expect(() => parseSections(" , ")).toThrow("unknown: none given");
  });
});
