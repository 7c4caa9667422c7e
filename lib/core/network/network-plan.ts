import type { SettingsProblem } from "../settings-error";
import {
  DEFAULT_PRIMARY_HOST_OFFSET,
  DEFAULT_SECONDARY_HOST_OFFSET,
  SUBNET_PREFIX_LENGTH_MAX,
  VPC_PREFIX_LENGTH_MAX,
  VPC_PREFIX_LENGTH_MIN,
} from "../limits";
import {
  addressAtOffset,
  alignedCidrText,
  cidrsOverlap,
  containsAddress,
  containsCidr,
  type Ipv4Cidr,
  isNetworkAligned,
  parseIpv4Cidr,
} from "./ipv4-cidr";
import { type HostAddressEntry, hostAddressProblems, PROPS_ADDRESS_WORDING, vipCountProblems } from "./host-addresses";

/** The address-level inputs of one cluster, as the user gave them. */
export interface NetworkPlanInput {
  /** Absent: a new VPC is created from `vpcCidr`. */
  readonly vpcId?: string;
  /** Required for a new VPC; for an existing one it lets the subnet be checked against it. */
  readonly vpcCidr?: string;
  /** Absent: a new subnet is created from `subnetCidr`. */
  readonly subnetId?: string;
  readonly subnetCidr: string;
  readonly primaryIp?: string;
  readonly secondaryIp?: string;
  /** One entry per HAVIP: a fixed address, or undefined for one Tencent assigns. */
  readonly havipAddresses: readonly (string | undefined)[];
  /** Nodes get public IPs for SSH, so an operator CIDR is required. */
  readonly publicSsh: boolean;
  readonly sshAllowedCidr?: string;
  /** The SSH CIDR is a Terraform expression (a variable): Terraform checks it at plan time. */
  readonly sshAllowedCidrDeferred?: boolean;
  /** Extra CIDRs with the field they came from, e.g. `serviceIngress[0].cidrBlock`. */
  readonly otherCidrs?: readonly { readonly field: string; readonly cidr: string }[];
}

/** The validated plan: every address known except auto-assigned HAVIPs. */
export interface NetworkPlan {
  readonly vpcCidr?: string;
  readonly subnetCidr: string;
  readonly subnetPrefixLength: number;
  readonly primaryIp: string;
  readonly secondaryIp: string;
  readonly havipAddresses: readonly (string | undefined)[];
}

const show = (value: unknown): string => (typeof value === "string" ? value || '""' : String(value));

function checkCidr(field: string, text: string | undefined, problems: SettingsProblem[]): Ipv4Cidr | undefined {
  if (text === undefined) return undefined;
  const cidr = parseIpv4Cidr(text);
  if (!cidr) {
    problems.push({ field, value: show(text), rule: "is not an IPv4 CIDR block (expected a.b.c.d/n)" });
    return undefined;
  }
  if (!isNetworkAligned(cidr)) {
    problems.push({ field, value: text, rule: `has host bits set; the block is ${alignedCidrText(cidr)}` });
    return undefined;
  }
  return cidr;
}

const PRIVATE_BLOCKS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((text) => parseIpv4Cidr(text) as Ipv4Cidr);

/** Both ends inside one private block: 192.168.0.0/15 starts in 192.168.0.0/16 but runs past it. */
function checkPrivateBlock(field: string, cidr: Ipv4Cidr, problems: SettingsProblem[]): void {
  if (!PRIVATE_BLOCKS.some((block) => containsCidr(block, cidr))) {
    const start = PRIVATE_BLOCKS.find((block) => containsAddress(block, cidr.network));
    const runsPast = start ? `: it starts in ${start.text} but runs past its end` : "";
    problems.push({ field, value: cidr.text, rule: `is not a private block (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)${runsPast}` });
  }
}

/** Problems with the VPC and subnet blocks; returns the parsed blocks when they are usable. */
function checkBlocks(input: NetworkPlanInput, problems: SettingsProblem[]): { vpc?: Ipv4Cidr; subnet?: Ipv4Cidr } {
  if (input.subnetId !== undefined && input.vpcId === undefined) {
    problems.push({
      field: "network.subnetId",
      value: input.subnetId,
      rule: "needs network.vpcId (an existing subnet lives in an existing VPC)",
    });
  }
  if (input.vpcId === undefined && input.vpcCidr === undefined) {
    problems.push({
      field: "network.vpcCidr",
      value: "(missing)",
      rule: "is required when no network.vpcId is given (a new VPC is created)",
    });
  }
  const vpc = checkCidr("network.vpcCidr", input.vpcCidr, problems);
  if (vpc) {
    checkPrivateBlock("network.vpcCidr", vpc, problems);
    if (vpc.prefixLength < VPC_PREFIX_LENGTH_MIN || vpc.prefixLength > VPC_PREFIX_LENGTH_MAX) {
      problems.push({
        field: "network.vpcCidr",
        value: vpc.text,
        rule: `has prefix /${vpc.prefixLength}; Tencent VPCs are /${VPC_PREFIX_LENGTH_MIN} to /${VPC_PREFIX_LENGTH_MAX}`,
      });
    }
  }
  const subnet = checkCidr("network.subnetCidr", input.subnetCidr, problems);
  if (!subnet) return { vpc };
  checkPrivateBlock("network.subnetCidr", subnet, problems);
  if (subnet.prefixLength > SUBNET_PREFIX_LENGTH_MAX) {
    problems.push({
      field: "network.subnetCidr",
      value: subnet.text,
      rule: `has prefix /${subnet.prefixLength}; Tencent subnets are at most /${SUBNET_PREFIX_LENGTH_MAX}`,
    });
  }
  if (vpc && !containsCidr(vpc, subnet)) {
    const rule = cidrsOverlap(vpc, subnet) ? `is larger than VPC ${vpc.text}` : `is outside VPC ${vpc.text}`;
    problems.push({ field: "network.subnetCidr", value: subnet.text, rule });
  }
  return { vpc, subnet };
}

function defaultAddress(subnet: Ipv4Cidr, offset: number): string {
  return addressAtOffset(subnet, offset)?.toString() ?? "";
}

function checkSsh(input: NetworkPlanInput, problems: SettingsProblem[]): void {
  if (input.sshAllowedCidrDeferred) return;
  if (input.sshAllowedCidr === undefined || input.sshAllowedCidr === "") {
    if (input.publicSsh) {
      problems.push({
        field: "sshAllowedCidr",
        value: "(missing)",
        rule: "is required while publicSsh is on: give the operator's CIDR, e.g. 203.0.113.7/32 (there is no open default)",
      });
    }
    return;
  }
  checkCidr("sshAllowedCidr", input.sshAllowedCidr, problems);
}

/** Every broken address rule of one cluster; empty when the plan is sound. */
export function validateNetworkPlan(input: NetworkPlanInput): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  const { subnet } = checkBlocks(input, problems);
  checkSsh(input, problems);
  for (const other of input.otherCidrs ?? []) checkCidr(other.field, other.cidr, problems);

  problems.push(...vipCountProblems(input.havipAddresses.length, "havips", PROPS_ADDRESS_WORDING));
  if (!subnet) return problems;

  const entries: HostAddressEntry[] = [
    { field: "nodes.primaryIp", value: input.primaryIp ?? defaultAddress(subnet, DEFAULT_PRIMARY_HOST_OFFSET), role: "node" },
    { field: "nodes.secondaryIp", value: input.secondaryIp ?? defaultAddress(subnet, DEFAULT_SECONDARY_HOST_OFFSET), role: "node" },
    ...input.havipAddresses.flatMap((address, index): HostAddressEntry[] =>
      address === undefined ? [] : [{ field: `havips[${index}].address`, value: address, role: "vip" }],
    ),
  ];
  problems.push(...hostAddressProblems(entries, subnet, PROPS_ADDRESS_WORDING));
  return problems;
}

/** The plan with defaults filled in. Call only after `validateNetworkPlan` returned no problems. */
export function resolveNetworkPlan(input: NetworkPlanInput): NetworkPlan {
  const subnet = parseIpv4Cidr(input.subnetCidr);
  if (!subnet) throw new Error(`resolveNetworkPlan: ${input.subnetCidr} was not validated`);
  return {
    vpcCidr: input.vpcCidr,
    subnetCidr: subnet.text,
    subnetPrefixLength: subnet.prefixLength,
    primaryIp: input.primaryIp ?? defaultAddress(subnet, DEFAULT_PRIMARY_HOST_OFFSET),
    secondaryIp: input.secondaryIp ?? defaultAddress(subnet, DEFAULT_SECONDARY_HOST_OFFSET),
    havipAddresses: [...input.havipAddresses],
  };
}

/** True for a block that admits every IPv4 address (`0.0.0.0/0`). */
export function isOpenToEveryone(cidrText: string): boolean {
  const cidr = parseIpv4Cidr(cidrText);
  return cidr !== undefined && cidr.prefixLength === 0;
}
