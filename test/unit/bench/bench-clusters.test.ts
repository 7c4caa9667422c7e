import { Testing, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { MAX_BENCH_CLUSTERS, addBenchClusters } from "../../../bench/bench-clusters";

function synthesized(count: number) {
  const stack = new TerraformStack(Testing.app(), "bench");
  addBenchClusters(stack, count);
  return JSON.parse(Testing.synth(stack)) as {
    resource: Record<string, Record<string, Record<string, unknown>>>;
    output: Record<string, { value: string }>;
    locals: Record<string, string>;
  };
}

describe("the benchmark's clusters", () => {
  it("puts 10 clusters into one VPC, each with its own subnet", () => {
    const { resource } = synthesized(10);
    expect(Object.keys(resource.tencentcloud_vpc)).toHaveLength(1);
    const subnets = Object.values(resource.tencentcloud_subnet).map((subnet) => subnet.cidr_block);
    expect(new Set(subnets).size).toBe(10);
    expect(subnets).toContain("172.16.25.0/24");
    expect(Object.keys(resource.tencentcloud_instance)).toHaveLength(20);
  });

  it("gives every cluster its own virtual_router_id", () => {
    const { output, locals } = synthesized(10);
    // Each spec output reads a local holding the spec's JSON template; its router id is a literal inside it.
    const ids = Object.entries(output)
      .filter(([name]) => name.endsWith("-spec"))
      .map(([, out]) => Number(/"virtualRouterId":(\d+)/.exec(locals[out.value.replace(/^\$\{local\.(.+)\}$/, "$1")])?.[1]));
    expect(ids.sort((a, b) => a - b)).toEqual([51, 52, 53, 54, 55, 56, 57, 58, 59, 60]);
  });

  it.each([0, 1.5, MAX_BENCH_CLUSTERS + 1])("rejects a cluster count of %j", (count) => {
    expect(() => addBenchClusters(new TerraformStack(Testing.app(), "bench"), count)).toThrow(
      `cluster count ${count} must be a whole number from 1 to ${MAX_BENCH_CLUSTERS}`,
    );
  });
});
