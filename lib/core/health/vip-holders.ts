import type { KeepalivedObservation } from "./keepalived-observation";

/**
 * Who holds the VIP: the nodes whose VRRP interface carries every VIP of the cluster (two during a
 * split brain, none during a failover). The one answer to that question, for provisioning, status,
 * failover-test and the lab's drills.
 */
export function vipHolders(vips: readonly string[], observations: readonly KeepalivedObservation[]): string[] {
  return observations.filter((seen) => vips.every((vip) => seen.keepalived?.addresses.includes(vip))).map((seen) => seen.node);
}

/** Nodes that carry any VIP: a partial holder answers ARP for what it carries. */
export function vipCarriers(vips: readonly string[], observations: readonly KeepalivedObservation[]): string[] {
  return observations.filter((seen) => vips.some((vip) => seen.keepalived?.addresses.includes(vip))).map((seen) => seen.node);
}

/** The one node that holds every VIP while no other carries any; undefined otherwise. */
export function singleVipHolder(vips: readonly string[], observations: readonly KeepalivedObservation[]): string | undefined {
  const holders = vipHolders(vips, observations);
  return holders.length === 1 && vipCarriers(vips, observations).length === 1 ? holders[0] : undefined;
}
