import type { SettingsProblem } from "../settings-error";
import { cidrsOverlap, parseIpv4Cidr } from "./ipv4-cidr";

/** What one cluster occupies in its VPC, for checks across clusters of one app. */
export interface ClusterFootprint {
  /** How the cluster is named in messages, e.g. its construct path. */
  readonly clusterName: string;
  /** Identifies the VPC: an existing VPC's id, or the id expression of the VPC a cluster creates. */
  readonly vpcKey: string;
  /** Identifies the subnet the same way. */
  readonly subnetKey: string;
  readonly subnetCidr: string;
  readonly virtualRouterId: number;
  /** Fixed addresses with the field they came from (`nodes.primaryIp`, `havips[0].address`). */
  readonly addresses: readonly { readonly field: string; readonly address: string }[];
}

function overlapProblem(candidate: ClusterFootprint, other: ClusterFootprint): SettingsProblem | undefined {
  const mine = parseIpv4Cidr(candidate.subnetCidr);
  const theirs = parseIpv4Cidr(other.subnetCidr);
  if (!mine || !theirs || !cidrsOverlap(mine, theirs)) return undefined;
  return {
    field: "network.subnetCidr",
    value: candidate.subnetCidr,
    rule: `overlaps subnet ${other.subnetCidr} of cluster '${other.clusterName}' in the same VPC; subnets of one VPC must not overlap`,
  };
}

function addressProblems(candidate: ClusterFootprint, other: ClusterFootprint): SettingsProblem[] {
  return candidate.addresses.flatMap(({ field, address }) => {
    const clash = other.addresses.find((taken) => taken.address === address);
    return clash ? [{ field, value: address, rule: `is already ${clash.field} of cluster '${other.clusterName}' in the same subnet` }] : [];
  });
}

/**
 * Rules between clusters that share a VPC: each needs its own virtual_router_id (VRRP adverts of
 * one cluster must never be taken for the other's), subnets must not overlap, and clusters in one
 * subnet must not share an address.
 */
export function findNeighbourConflicts(candidate: ClusterFootprint, neighbours: readonly ClusterFootprint[]): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  for (const other of neighbours) {
    if (other.vpcKey !== candidate.vpcKey) continue;
    if (other.virtualRouterId === candidate.virtualRouterId) {
      problems.push({
        field: "keepalived.virtualRouterId",
        value: String(candidate.virtualRouterId),
        rule: `is already used by cluster '${other.clusterName}' in the same VPC; give each cluster its own id`,
      });
    }
    if (other.subnetKey === candidate.subnetKey) {
      if (other.subnetCidr !== candidate.subnetCidr) {
        problems.push({
          field: "network.subnetCidr",
          value: candidate.subnetCidr,
          rule: `differs from ${other.subnetCidr}, which cluster '${other.clusterName}' gives for the same subnet ${candidate.subnetKey}; one subnet has one CIDR`,
        });
      }
      problems.push(...addressProblems(candidate, other));
    } else {
      const overlap = overlapProblem(candidate, other);
      if (overlap) problems.push(overlap);
    }
  }
  return problems;
}
