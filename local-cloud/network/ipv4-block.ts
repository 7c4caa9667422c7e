import ipaddr from "ipaddr.js";

/** An IPv4 CIDR block, with its addresses as unsigned 32-bit numbers. */
export interface Ipv4Block {
  readonly text: string;
  readonly network: number;
  readonly prefixLength: number;
  readonly size: number;
}

function toNumber(address: ipaddr.IPv4): number {
  return address.toByteArray().reduce((value, byte) => value * 256 + byte, 0);
}

export function addressText(value: number): string {
  return new ipaddr.IPv4([value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]).toString();
}

/** The address as a number, or undefined when `text` is not a dotted-quad IPv4 address. */
export function parseIpv4(text: string): number | undefined {
  return ipaddr.IPv4.isValidFourPartDecimal(text) ? toNumber(ipaddr.IPv4.parse(text)) : undefined;
}

/** The block, or undefined when `text` is not `a.b.c.d/n` with the host bits zero. */
export function parseIpv4Block(text: string): Ipv4Block | undefined {
  const slash = text.indexOf("/");
  if (slash < 0 || !/^\d{1,2}$/.test(text.slice(slash + 1))) return undefined;
  const network = parseIpv4(text.slice(0, slash));
  const prefixLength = Number(text.slice(slash + 1));
  if (network === undefined || prefixLength > 32) return undefined;
  const size = 2 ** (32 - prefixLength);
  if (network % size !== 0) return undefined;
  return { text, network, prefixLength, size };
}

export function blockContains(block: Ipv4Block, address: number): boolean {
  return address >= block.network && address < block.network + block.size;
}

export function blocksOverlap(a: Ipv4Block, b: Ipv4Block): boolean {
  return a.network < b.network + b.size && b.network < a.network + a.size;
}

/** Whether `inner` lies entirely in `outer`. */
export function blockWithin(inner: Ipv4Block, outer: Ipv4Block): boolean {
  return blockContains(outer, inner.network) && blockContains(outer, inner.network + inner.size - 1);
}

/** RFC 1918 private ranges: the only ones a Tencent VPC may use. */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((text) => parseIpv4Block(text) as Ipv4Block);

export function isPrivateBlock(block: Ipv4Block): boolean {
  return PRIVATE_RANGES.some((range) => blockWithin(block, range));
}

/**
 * Addresses of a subnet Tencent keeps for itself: the network address, the first host address
 * (the subnet's gateway) and the broadcast address.
 */
export function reservedRole(subnet: Ipv4Block, address: number): string | undefined {
  if (address === subnet.network) return "the network address";
  if (address === subnet.network + 1) return "the gateway address";
  if (address === subnet.network + subnet.size - 1) return "the broadcast address";
  return undefined;
}

/** The addresses a CVM, an ENI or an HAVIP may take in the subnet, lowest first. */
export function* assignableAddresses(subnet: Ipv4Block): Generator<number> {
  for (let address = subnet.network + 2; address < subnet.network + subnet.size - 1; address++) yield address;
}

/** Number of addresses a subnet can hand out (its size less the reserved ones). */
export function assignableCount(subnet: Ipv4Block): number {
  return Math.max(0, subnet.size - 3);
}
