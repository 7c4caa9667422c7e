import type { KeepalivedStatus } from "./keepalived-service";

/** Names of the nodes whose interface carries every VIP of the cluster. */
export function nodesHoldingVips(
  vips: readonly string[],
  statuses: readonly { readonly nodeName: string; readonly status: KeepalivedStatus }[],
): string[] {
  return statuses.filter(({ status }) => vips.every((vip) => status.addresses.includes(vip))).map(({ nodeName }) => nodeName);
}

/** Whether any node carries any VIP: partial holders count, as they answer ARP for it. */
export function nodesCarryingAnyVip(
  vips: readonly string[],
  statuses: readonly { readonly nodeName: string; readonly status: KeepalivedStatus }[],
): string[] {
  return statuses.filter(({ status }) => vips.some((vip) => status.addresses.includes(vip))).map(({ nodeName }) => nodeName);
}
