import { describe, expect, it } from "vitest";
import { describeProblem } from "../../../lib/core/settings-error";
import { type ClusterFootprint, findNeighbourConflicts } from "../../../lib/core/network";

const first: ClusterFootprint = {
  clusterName: "web",
  vpcKey: "vpc-1",
  subnetKey: "subnet-1",
  subnetCidr: "172.16.16.0/24",
  virtualRouterId: 51,
  addresses: [{ field: "nodes.primaryIp", address: "172.16.16.5" }],
};

describe("findNeighbourConflicts", () => {
  it("rejects a duplicate virtual_router_id in the same VPC", () => {
    expect(
      findNeighbourConflicts({ ...first, clusterName: "db", subnetKey: "subnet-2", subnetCidr: "172.16.17.0/24", addresses: [] }, [
        first,
      ]).map(describeProblem),
    ).toEqual(["keepalived.virtualRouterId 51 is already used by cluster 'web' in the same VPC; give each cluster its own id"]);
  });

  it("allows the same virtual_router_id in another VPC", () => {
    expect(findNeighbourConflicts({ ...first, vpcKey: "vpc-2" }, [first])).toEqual([]);
  });

  it("rejects overlapping subnets in one VPC", () => {
    const problems = findNeighbourConflicts(
      { ...first, virtualRouterId: 52, subnetKey: "new", subnetCidr: "172.16.16.128/25", addresses: [] },
      [first],
    );
    expect(problems.map(describeProblem)).toEqual([
      "network.subnetCidr 172.16.16.128/25 overlaps subnet 172.16.16.0/24 of cluster 'web' in the same VPC; subnets of one VPC must not overlap",
    ]);
  });

  it("rejects an address another cluster in the subnet already uses", () => {
    const problems = findNeighbourConflicts(
      { ...first, virtualRouterId: 52, addresses: [{ field: "havips[0].address", address: "172.16.16.5" }] },
      [first],
    );
    expect(problems.map(describeProblem)).toEqual([
      "havips[0].address 172.16.16.5 is already nodes.primaryIp of cluster 'web' in the same subnet",
    ]);
  });
});
