import type { Construct } from "constructs";
import { HaVipCluster } from "../lib/construct/ha-vip-cluster";
import type { HaVipClusterProps } from "../lib/construct/ha-vip-cluster-props";

/** A key that only exists to be synthesized; nothing is ever deployed from the benchmark. */
const BENCH_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEJlbmNobWFya0tleU9ubHlGb3JTeW50aGVzaXMtLS0t bench@example";
/** Subnets 172.16.16.0/24 ... 172.16.215.0/24 and router ids 51 ... 250: all valid, none shared. */
export const MAX_BENCH_CLUSTERS = 200;

/** Cluster n (from 0) of the benchmark: its own /24 and virtual_router_id, the guide's addresses inside it. */
function benchClusterProps(index: number): HaVipClusterProps {
  const third = 16 + index;
  return {
    network: { vpcCidr: "172.16.0.0/16", subnetCidr: `172.16.${third}.0/24`, availabilityZone: "ap-guangzhou-3" },
    nodes: {},
    havips: [{ address: `172.16.${third}.12` }],
    keepalived: { virtualRouterId: 51 + index },
    sshPublicKey: BENCH_PUBLIC_KEY,
    // Documentation range (RFC 5737): synthesized only.
    sshAllowedCidr: "203.0.113.7/32",
    ssh: { knownHostsPath: ".havip/known_hosts", trustOnFirstUse: true },
  };
}

/**
 * Adds `count` clusters to `scope`, all in the first cluster's VPC, as a user with several
 * services in one VPC would: one subnet and one virtual_router_id each.
 */
export function addBenchClusters(scope: Construct, count: number): HaVipCluster[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_BENCH_CLUSTERS) {
    throw new Error(`cluster count ${count} must be a whole number from 1 to ${MAX_BENCH_CLUSTERS}`);
  }
  const clusters: HaVipCluster[] = [];
  for (let index = 0; index < count; index++) {
    const props = benchClusterProps(index);
    const network = index === 0 ? props.network : { ...props.network, vpcId: clusters[0].vpcId };
    clusters.push(new HaVipCluster(scope, `svc${index + 1}`, { ...props, network }));
  }
  return clusters;
}
