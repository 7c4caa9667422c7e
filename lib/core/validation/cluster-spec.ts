import type ipaddr from "ipaddr.js";
import type { ClusterSpec } from "../cluster-settings";
import { MAX_VIPS_PER_ENI } from "../limits";
import { containsAddress, parseIpv4Address, parseIpv4Cidr, reservedRole, usableRangeText } from "../network";
import type { SettingsProblem } from "../settings-error";
import { type RuleTable, checkFields, checkOptional, checkRequired, problem, textRule, wholeNumberRule } from "./field-rule";
import { validateHealthCheck } from "./health-check";
import { KEEPALIVED_RULES, type KeepalivedField } from "./keepalived-rules";
import { RESOLVED_SERVICE_RULES, SERVICE_RULES, validateVrrpV3Authentication } from "./service-settings";
import { validateKeepalivedSource } from "./keepalived-source";
import { PORT_RULE, SSH_HOST_RULE } from "./network-rules";
import { isPlainObject, showValue } from "./show-value";
import { validateSshSettings } from "./ssh-settings";
import { CLUSTER_NAME_RULE, NON_EMPTY_TEXT_RULE } from "./tencent-rules";
import { unknownKeyProblems } from "./unknown-keys";

/** Every key a ClusterSpec may hold; anything else is refused (a misspelt `authpass` would drop the password). */
export const CLUSTER_SPEC_KEYS = [
  "specVersion",
  "clusterName",
  ...(Object.keys(KEEPALIVED_RULES) as KeepalivedField[]),
  ...(Object.keys(SERVICE_RULES) as (keyof typeof SERVICE_RULES)[]),
  "healthCheck",
  "vips",
  "subnetPrefixLength",
  "nodes",
  "ssh",
  "cloud",
  "keepalivedSource",
  "labOperatorNamespace",
] as const satisfies readonly (keyof ClusterSpec)[];

/** The operator namespace a lab writes into its spec (the CLI refuses such a spec outside that namespace: lib/cli/lab-spec-guard.ts). */
export const LAB_OPERATOR_NAMESPACE_RULE = textRule('must be a lab namespace name (a-z first, then a-z, 0-9 and "-", at most 31)', (name) =>
  /^[a-z][a-z0-9-]{0,30}$/.test(name),
);

const IPV4_RULE = textRule("must be an IPv4 address in dotted decimal", (text) => parseIpv4Address(text) !== undefined);

const NODE_RULES = {
  name: textRule("must be a name of letters, digits, _ and - (e.g. primary)", (name) => /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)),
  privateIp: IPV4_RULE,
  sshHost: SSH_HOST_RULE,
  sshPort: PORT_RULE,
  instanceId: NON_EMPTY_TEXT_RULE,
} as const satisfies RuleTable;

const CLOUD_RULES = { region: NON_EMPTY_TEXT_RULE, vpcId: NON_EMPTY_TEXT_RULE, eip: NON_EMPTY_TEXT_RULE } as const satisfies RuleTable;

interface Address {
  readonly field: string;
  readonly text: string;
  readonly address: ipaddr.IPv4;
}

function listOf(
  value: unknown,
  field: string,
  what: string,
  sizeRule: string,
  fits: (length: number) => boolean,
): { items: unknown[]; problems: SettingsProblem[] } {
  if (!Array.isArray(value)) return { items: [], problems: [problem(field, value, sizeRule)] };
  return { items: value, problems: fits(value.length) ? [] : [{ field, value: `(${value.length} ${what})`, rule: sizeRule }] };
}

function vipProblems(vips: unknown, field: string, parsed: Address[]): SettingsProblem[] {
  const { items, problems } = listOf(
    vips,
    field,
    "addresses",
    `must hold 1 to ${MAX_VIPS_PER_ENI} addresses (Tencent Cloud binds at most ${MAX_VIPS_PER_ENI} HAVIPs to one ENI)`,
    (length) => length >= 1 && length <= MAX_VIPS_PER_ENI,
  );
  items.forEach((vip, index) => {
    const vipField = `${field}[${index}]`;
    const found = IPV4_RULE.check(vip, vipField);
    if (found.length > 0) {
      problems.push(...found);
      return;
    }
    const address = parseIpv4Address(vip as string) as ipaddr.IPv4;
    const earlier = parsed.find((other) => other.address.toString() === address.toString());
    if (earlier) problems.push(problem(vipField, vip, `repeats ${earlier.field.slice(field.lastIndexOf(".") + 1)}`));
    parsed.push({ field: vipField, text: address.toString(), address });
  });
  return problems;
}

function nodeProblems(nodes: unknown, field: string, vips: readonly Address[], parsed: Address[]): SettingsProblem[] {
  const { items, problems } = listOf(nodes, field, "nodes", "must hold exactly two nodes", (length) => length === 2);
  const names: string[] = [];
  items.forEach((node, index) => {
    const nodeField = `${field}[${index}]`;
    if (!isPlainObject(node)) {
      problems.push(problem(nodeField, node, "must be an object { name, privateIp, sshHost, sshPort? }"));
      return;
    }
    problems.push(...unknownKeyProblems(node, Object.keys(NODE_RULES), nodeField));
    const nameProblems = checkRequired(NODE_RULES.name, node.name, `${nodeField}.name`);
    if (nameProblems.length === 0 && names.includes(node.name as string))
      nameProblems.push(problem(`${nodeField}.name`, node.name, "repeats the other node's name"));
    names.push(node.name as string);
    problems.push(
      ...nameProblems,
      ...checkRequired(NODE_RULES.sshHost, node.sshHost, `${nodeField}.sshHost`),
      ...checkFields(node, { sshPort: NODE_RULES.sshPort, instanceId: NODE_RULES.instanceId }, nodeField),
    );
    const ipField = `${nodeField}.privateIp`;
    const ipProblems = checkRequired(IPV4_RULE, node.privateIp, ipField);
    if (ipProblems.length > 0) {
      problems.push(...ipProblems);
      return;
    }
    const address = parseIpv4Address(node.privateIp as string) as ipaddr.IPv4;
    if (parsed.some((other) => other.address.toString() === address.toString())) {
      problems.push(problem(ipField, node.privateIp, "is the other node's address too: the two nodes need distinct private IPs"));
    }
    const vip = vips.find((candidate) => candidate.text === address.toString());
    if (vip)
      problems.push(
        problem(
          ipField,
          node.privateIp,
          `is also a VIP (${vip.field.slice(vip.field.lastIndexOf(".") + 1)}): a node's own address cannot float`,
        ),
      );
    parsed.push({ field: ipField, text: address.toString(), address });
  });
  return problems;
}

/** Every node and VIP in the first node's subnet, and none on an address Tencent reserves (as the construct checks). */
function subnetProblems(prefixLength: number, field: string, nodes: readonly Address[], vips: readonly Address[]): SettingsProblem[] {
  if (nodes.length === 0) return [];
  const anchor = nodes[0];
  const subnet = parseIpv4Cidr(`${anchor.text}/${prefixLength}`);
  if (!subnet) return [];
  const subnetText = `${subnet.network.toString()}/${prefixLength}`;
  const aligned = { ...subnet, text: subnetText };
  const problems: SettingsProblem[] = [];
  for (const [address, outsideRule] of [
    ...nodes
      .slice(1)
      .map((node) => [node, `is outside subnet ${subnetText} of ${anchor.field.slice(field.length + 1, -".privateIp".length)}`] as const),
    ...vips.map((vip) => [vip, `is outside subnet ${subnetText} of the nodes`] as const),
  ]) {
    if (!containsAddress(aligned, address.address)) problems.push(problem(address.field, address.text, outsideRule));
  }
  for (const address of [...nodes, ...vips]) {
    const role = containsAddress(aligned, address.address) ? reservedRole(aligned, address.address) : undefined;
    if (role) {
      problems.push(
        problem(
          address.field,
          address.text,
          `is the ${role} of subnet ${subnetText}, which Tencent reserves (usable: ${usableRangeText(aligned)})`,
        ),
      );
    }
  }
  return problems;
}

function cloudProblems(cloud: unknown, field: string): SettingsProblem[] {
  if (cloud === undefined) return [];
  if (!isPlainObject(cloud)) return [problem(field, cloud, "must be an object { region?, vpcId?, havipIds?, eip? }")];
  const problems = [
    ...unknownKeyProblems(cloud, [...Object.keys(CLOUD_RULES), "havipIds"], field),
    ...checkFields(cloud, CLOUD_RULES, field),
  ];
  if (cloud.havipIds !== undefined) {
    if (!Array.isArray(cloud.havipIds)) problems.push(problem(`${field}.havipIds`, cloud.havipIds, "must be a list of HAVIP ids"));
    else cloud.havipIds.forEach((id, index) => problems.push(...NON_EMPTY_TEXT_RULE.check(id, `${field}.havipIds[${index}]`)));
  }
  return problems;
}

const PREFIX_LENGTH_RULE = wholeNumberRule(1, 32);

/**
 * A resolved ClusterSpec (a spec file, a stack output): every key known, the Keepalived rules with
 * every field but authPass required, the construct's cluster-name rule, 1..MAX_VIPS_PER_ENI
 * distinct IPv4 VIPs, two nodes with distinct private IPs that are not VIPs, and all of them
 * inside one subnet of subnetPrefixLength on addresses Tencent does not reserve.
 */
export function validateClusterSpec(spec: ClusterSpec | unknown, field = "spec"): SettingsProblem[] {
  if (!isPlainObject(spec)) return [problem(field, spec, "must be an object")];
  const required = (Object.keys(KEEPALIVED_RULES) as KeepalivedField[]).filter((key) => key !== "authPass");
  const problems: SettingsProblem[] = [
    ...unknownKeyProblems(spec, CLUSTER_SPEC_KEYS, field),
    ...(spec.specVersion === 1 ? [] : [problem(`${field}.specVersion`, spec.specVersion, "must be 1")]),
    ...checkRequired(CLUSTER_NAME_RULE, spec.clusterName, `${field}.clusterName`),
    ...checkFields(spec, KEEPALIVED_RULES, field, required),
    ...checkFields(spec, RESOLVED_SERVICE_RULES, field, []),
    ...validateVrrpV3Authentication(spec.advertIntSeconds, spec.authPass, field),
    ...validateHealthCheck(spec.healthCheck, `${field}.healthCheck`, true),
    ...checkOptional(LAB_OPERATOR_NAMESPACE_RULE, spec.labOperatorNamespace, `${field}.labOperatorNamespace`),
  ];
  const prefixProblems = checkRequired(PREFIX_LENGTH_RULE, spec.subnetPrefixLength, `${field}.subnetPrefixLength`);
  const vips: Address[] = [];
  const nodes: Address[] = [];
  problems.push(
    ...prefixProblems,
    ...vipProblems(spec.vips, `${field}.vips`, vips),
    ...nodeProblems(spec.nodes, `${field}.nodes`, vips, nodes),
    ...validateSshSettings(spec.ssh, `${field}.ssh`),
    ...validateKeepalivedSource(spec.keepalivedSource, `${field}.keepalivedSource`),
    ...cloudProblems(spec.cloud, `${field}.cloud`),
  );
  if (prefixProblems.length === 0) problems.push(...subnetProblems(spec.subnetPrefixLength as number, field, nodes, vips));
  return problems;
}

/** The name to put in a message about a spec, whatever its clusterName holds. */
export function specLabel(spec: unknown): string {
  return showValue(isPlainObject(spec) ? spec.clusterName : undefined);
}
