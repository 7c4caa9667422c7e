import ipaddr from "ipaddr.js";

/** An IPv4 block in CIDR notation, parsed once. */
export interface Ipv4Cidr {
  /** The text as given, e.g. `172.16.16.0/24`. */
  readonly text: string;
  readonly network: ipaddr.IPv4;
  readonly prefixLength: number;
}

/** Parses `a.b.c.d/n`; undefined when the text is not one. Host bits may be set (see `isNetworkAligned`). */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(text)) return undefined;
  const [, prefixLength] = ipaddr.IPv4.parseCIDR(text);
  return { text, network: ipaddr.IPv4.networkAddressFromCIDR(text), prefixLength };
}

/** True when the address part of the text is the block's network address (`172.16.16.0/24`, not `172.16.16.5/24`). */
export function isNetworkAligned(cidr: Ipv4Cidr): boolean {
  return cidr.text.split("/")[0] === cidr.network.toString();
}

/** `172.16.16.5/24` -> `172.16.16.0/24`, to suggest a fix. */
export function alignedCidrText(cidr: Ipv4Cidr): string {
  return `${cidr.network.toString()}/${cidr.prefixLength}`;
}

/** Parses a dotted-quad IPv4 address; undefined when the text is not one. */
export function parseIpv4Address(text: string): ipaddr.IPv4 | undefined {
  return ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text) : undefined;
}

export function containsAddress(cidr: Ipv4Cidr, address: ipaddr.IPv4): boolean {
  return address.match(cidr.network, cidr.prefixLength);
}

/** True when every address of `inner` lies in `outer`. */
export function containsCidr(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.prefixLength >= outer.prefixLength && containsAddress(outer, inner.network);
}

/** Two aligned blocks overlap exactly when one contains the other. */
export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return containsCidr(a, b) || containsCidr(b, a);
}

export function broadcastAddress(cidr: Ipv4Cidr): ipaddr.IPv4 {
  return ipaddr.IPv4.broadcastAddressFromCIDR(alignedCidrText(cidr));
}

/** Number of addresses in the block (2^(32-prefix)). */
export function blockSize(cidr: Ipv4Cidr): number {
  return 2 ** (32 - cidr.prefixLength);
}

/**
 * The address `offset` places after the network address, or undefined when that is outside the block.
 * ipaddr.js has no address arithmetic, so the octets are read as one base-256 number.
 */
export function addressAtOffset(cidr: Ipv4Cidr, offset: number): ipaddr.IPv4 | undefined {
  if (!Number.isInteger(offset) || offset < 0 || offset >= blockSize(cidr)) return undefined;
  let value = cidr.network.octets.reduce((sum, octet) => sum * 256 + octet, 0) + offset;
  const octets: number[] = [];
  for (let i = 0; i < 4; i++) {
    octets.unshift(value % 256);
    value = Math.floor(value / 256);
  }
  return ipaddr.IPv4.parse(octets.join("."));
}

export function sameAddress(a: ipaddr.IPv4, b: ipaddr.IPv4): boolean {
  return a.toString() === b.toString();
}
