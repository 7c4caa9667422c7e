import type ipaddr from "ipaddr.js";
import { addressAtOffset, blockSize, broadcastAddress, type Ipv4Cidr, sameAddress } from "./ipv4-cidr";

/**
 * Tencent Cloud keeps three addresses of every subnet for itself: the network address, the first
 * host address (the subnet's gateway) and the broadcast address. In 10.0.0.0/24 only .2-.254 can
 * be given to a CVM or an HAVIP. (Tencent VPC docs, "Subnet": reserved IP addresses.)
 */
export function reservedAddresses(subnet: Ipv4Cidr): { readonly address: ipaddr.IPv4; readonly role: string }[] {
  const gateway = addressAtOffset(subnet, 1);
  return [
    { address: subnet.network, role: "network address" },
    ...(gateway ? [{ address: gateway, role: "gateway address" }] : []),
    { address: broadcastAddress(subnet), role: "broadcast address" },
  ];
}

/** The reserved role of an address in the subnet ("gateway address", ...), or undefined when usable. */
export function reservedRole(subnet: Ipv4Cidr, address: ipaddr.IPv4): string | undefined {
  return reservedAddresses(subnet).find((reserved) => sameAddress(reserved.address, address))?.role;
}

/** First and last address a CVM or HAVIP may use, for messages (`172.16.16.2-172.16.16.254`). */
export function usableRangeText(subnet: Ipv4Cidr): string {
  const first = addressAtOffset(subnet, 2);
  const last = addressAtOffset(subnet, blockSize(subnet) - 2);
  return first && last ? `${first.toString()}-${last.toString()}` : "none";
}
