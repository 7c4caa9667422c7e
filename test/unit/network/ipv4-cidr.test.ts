import { describe, expect, it } from "vitest";
import { addressAtOffset, cidrsOverlap, parseIpv4Cidr, reservedAddresses, type Ipv4Cidr } from "../../../lib/core/network";

const cidr = (text: string): Ipv4Cidr => {
  const parsed = parseIpv4Cidr(text);
  if (!parsed) throw new Error(`bad test CIDR ${text}`);
  return parsed;
};

describe("ipv4 blocks", () => {
  it("finds overlapping and disjoint blocks", () => {
    expect(cidrsOverlap(cidr("172.16.0.0/16"), cidr("172.16.16.0/24"))).toBe(true);
    expect(cidrsOverlap(cidr("172.16.16.0/24"), cidr("172.16.17.0/24"))).toBe(false);
  });

  it("carries offsets across octets and stops at the end of the block", () => {
    expect(addressAtOffset(cidr("10.0.0.0/16"), 256 + 7)?.toString()).toBe("10.0.1.7");
    expect(addressAtOffset(cidr("10.0.0.0/30"), 4)).toBeUndefined();
  });

  it("lists Tencent's three reserved addresses of a /24", () => {
    expect(reservedAddresses(cidr("10.0.0.0/24")).map((r) => `${r.role}=${r.address.toString()}`)).toEqual([
      "network address=10.0.0.0",
      "gateway address=10.0.0.1",
      "broadcast address=10.0.0.255",
    ]);
  });
});
