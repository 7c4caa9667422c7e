import type ipaddr from "ipaddr.js";
import { MAX_VIPS_PER_ENI } from "../limits";
import type { SettingsProblem } from "../settings-error";
import { containsAddress, type Ipv4Cidr, parseIpv4Address, sameAddress } from "./ipv4-cidr";
import { reservedRole, usableRangeText } from "./tencent-subnet";
import { checkRequired, textRule } from "../validation/field-rule";

/** A node's or a HAVIP's address as the user wrote it, and the field that holds it. */
export interface HostAddressEntry {
  readonly field: string;
  readonly value: unknown;
  readonly role: "node" | "vip";
}

/**
 * How the address problems of one kind of input (the construct's props, a spec) are worded. The
 * rules are the same for both; the words follow the fields the user wrote there.
 */
export interface HostAddressWording {
  /** The problems of a value that is no IPv4 address (of the wrong kind, missing, or malformed). */
  readonly notAnAddress: (entry: HostAddressEntry) => SettingsProblem[];
  readonly outsideSubnet: (entry: HostAddressEntry, subnetText: string) => string;
  readonly sameAddressAs: (entry: HostAddressEntry, earlier: HostAddressEntry) => string;
  /** The rule and the unit of the VIP count (`must hold 1 to 5 ...`, `entries`). */
  readonly vipCount: { readonly rule: string; readonly unit: string };
}

/**
 * Every node and HAVIP address, in order, meets one rule after the other and gets at most one
 * problem: it is an IPv4 address, inside the subnet (when the subnet is known), not an address
 * Tencent reserves there, and not an address an earlier entry already has.
 */
export function hostAddressProblems(
  entries: readonly HostAddressEntry[],
  subnet: Ipv4Cidr | undefined,
  wording: HostAddressWording,
): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  const used: { readonly entry: HostAddressEntry; readonly address: ipaddr.IPv4 }[] = [];
  for (const entry of entries) {
    const address = typeof entry.value === "string" ? parseIpv4Address(entry.value) : undefined;
    if (!address) {
      problems.push(...wording.notAnAddress(entry));
      continue;
    }
    const shown = entry.value as string;
    if (subnet && !containsAddress(subnet, address)) {
      problems.push({ field: entry.field, value: shown, rule: wording.outsideSubnet(entry, subnet.text) });
      continue;
    }
    const role = subnet ? reservedRole(subnet, address) : undefined;
    if (subnet && role) {
      problems.push({
        field: entry.field,
        value: shown,
        rule: `is the ${role} of subnet ${subnet.text}, which Tencent reserves (usable: ${usableRangeText(subnet)})`,
      });
      continue;
    }
    const clash = used.find((other) => sameAddress(other.address, address));
    if (clash) {
      problems.push({ field: entry.field, value: shown, rule: wording.sameAddressAs(entry, clash.entry) });
      continue;
    }
    used.push({ entry, address });
  }
  return problems;
}

/** 1 to MAX_VIPS_PER_ENI HAVIPs: Tencent binds at most that many to one ENI. */
export function vipCountProblems(count: number, field: string, wording: HostAddressWording): SettingsProblem[] {
  return count >= 1 && count <= MAX_VIPS_PER_ENI
    ? []
    : [{ field, value: `(${count} ${wording.vipCount.unit})`, rule: wording.vipCount.rule }];
}

const showText = (value: unknown): string => (typeof value === "string" ? value || '""' : String(value));

/** The construct's props (and the config file): `nodes.primaryIp`, `havips[0].address`. */
export const PROPS_ADDRESS_WORDING: HostAddressWording = {
  notAnAddress: (entry) => [{ field: entry.field, value: showText(entry.value), rule: "is not an IPv4 address (expected a.b.c.d)" }],
  outsideSubnet: (_entry, subnetText) => `is outside subnet ${subnetText}`,
  sameAddressAs: (_entry, earlier) => `equals ${earlier.field}; every node and HAVIP needs its own address`,
  vipCount: {
    rule: `must hold 1 to ${MAX_VIPS_PER_ENI} HAVIPs (Tencent binds at most ${MAX_VIPS_PER_ENI} to one ENI)`,
    unit: "entries",
  },
};

const SPEC_IPV4_RULE = textRule("must be an IPv4 address in dotted decimal", (text) => parseIpv4Address(text) !== undefined);

/** `vips[0]` of `spec.vips[0]`, `nodes[0]` of `spec.nodes[0].privateIp`: how one spec field names another. */
function specFieldName(field: string): string {
  const owner = field.endsWith(".privateIp") ? field.slice(0, -".privateIp".length) : field;
  return owner.slice(owner.lastIndexOf(".") + 1);
}

/**
 * A spec (a spec file, a stack output): `spec.vips[0]`, `spec.nodes[0].privateIp`, checked VIPs
 * first, in the subnet of `anchor` (the first node's address and the spec's prefix length).
 */
export function specAddressWording(anchor: HostAddressEntry): HostAddressWording {
  return {
    notAnAddress: (entry) => checkRequired(SPEC_IPV4_RULE, entry.value, entry.field),
    outsideSubnet: (entry, subnetText) =>
      `is outside subnet ${subnetText} of ${entry.role === "vip" ? "the nodes" : specFieldName(anchor.field)}`,
    sameAddressAs: (entry, earlier) => {
      if (entry.role === "node" && earlier.role === "node")
        return "is the other node's address too: the two nodes need distinct private IPs";
      if (entry.role === "node") return `is also a VIP (${specFieldName(earlier.field)}): a node's own address cannot float`;
      return `repeats ${specFieldName(earlier.field)}`;
    },
    vipCount: {
      rule: `must hold 1 to ${MAX_VIPS_PER_ENI} addresses (Tencent Cloud binds at most ${MAX_VIPS_PER_ENI} HAVIPs to one ENI)`,
      unit: "addresses",
    },
  };
}
