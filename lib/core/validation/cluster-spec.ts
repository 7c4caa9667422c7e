import type { ClusterSpec, NodeSpec } from "../cluster-settings";
import {
  type HostAddressEntry,
  type HostAddressWording,
  hostAddressProblems,
  type Ipv4Cidr,
  parseIpv4Address,
  parseIpv4Cidr,
  specAddressWording,
  vipCountProblems,
} from "../network";
import type { SettingsProblem } from "../settings-error";
import { type RuleTable, checkFields, checkOptional, checkRequired, problem, textRule, wholeNumberRule } from "./field-rule";
import { validateHealthCheck } from "./health-check";
import { KEEPALIVED_RULES, type KeepalivedField } from "./keepalived-rules";
import { RESOLVED_SERVICE_RULES, validateVrrpV3Authentication } from "./service-settings";
import { validateKeepalivedSource } from "./keepalived-source";
import { PORT_RULE, SSH_HOST_RULE } from "./network-rules";
import { isPlainObject, showValue } from "./show-value";
import { validateSshSettings } from "./ssh-settings";
import { CLUSTER_NAME_RULE, NON_EMPTY_TEXT_RULE } from "./tencent-rules";
import { keysOf, keyTable, unknownKeysIn } from "./setting-keys";

const NODE_SPEC_KEYS = keyTable<NodeSpec>({
  name: "leaf",
  privateIp: "leaf",
  sshHost: "leaf",
  sshPort: "leaf",
  instanceId: "leaf",
  imageId: "leaf",
});
const CLOUD_KEYS = keyTable<NonNullable<ClusterSpec["cloud"]>>({ region: "leaf", vpcId: "leaf", eip: "leaf", havipIds: "leaf" });

/**
 * Every key a ClusterSpec may hold, to any depth; anything else is refused (a misspelt `authpass`
 * would drop the password). The SSH settings, the health check and the source tarball check their
 * own keys.
 */
export const CLUSTER_SPEC_KEY_TABLE = keyTable<ClusterSpec>({
  specVersion: "leaf",
  clusterName: "leaf",
  virtualRouterId: "leaf",
  advertIntSeconds: "leaf",
  priority: "leaf",
  authPass: "leaf",
  interfaceName: "leaf",
  notifyLogPath: "leaf",
  scriptUser: "leaf",
  hooks: "leaf",
  nonlocalBind: "leaf",
  serviceSetup: "leaf",
  healthCheck: "leaf",
  vips: "leaf",
  subnetPrefixLength: "leaf",
  nodes: { listOf: NODE_SPEC_KEYS },
  ssh: "leaf",
  cloud: CLOUD_KEYS,
  keepalivedSource: "leaf",
  labOperatorNamespace: "leaf",
});

/** Every key a ClusterSpec may hold at its top. */
export const CLUSTER_SPEC_KEYS: readonly string[] = keysOf(CLUSTER_SPEC_KEY_TABLE);

/** The operator namespace a lab writes into its spec (the CLI refuses such a spec outside that namespace: lib/cli/lab-spec-guard.ts). */
export const LAB_OPERATOR_NAMESPACE_RULE = textRule('must be a lab namespace name (a-z first, then a-z, 0-9 and "-", at most 31)', (name) =>
  /^[a-z][a-z0-9-]{0,30}$/.test(name),
);

const NODE_RULES = {
  name: textRule("must be a name of letters, digits, _ and - (e.g. primary)", (name) => /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)),
  sshHost: SSH_HOST_RULE,
  sshPort: PORT_RULE,
  instanceId: NON_EMPTY_TEXT_RULE,
  imageId: NON_EMPTY_TEXT_RULE,
} as const satisfies RuleTable;

const CLOUD_RULES = { region: NON_EMPTY_TEXT_RULE, vpcId: NON_EMPTY_TEXT_RULE, eip: NON_EMPTY_TEXT_RULE } as const satisfies RuleTable;

const PREFIX_LENGTH_RULE = wholeNumberRule(1, 32);

/** The VIPs as address entries; a value that is not a list is a problem here, and no entry. */
function vipEntries(
  vips: unknown,
  field: string,
  wording: HostAddressWording,
): { entries: HostAddressEntry[]; problems: SettingsProblem[] } {
  if (!Array.isArray(vips)) return { entries: [], problems: [problem(field, vips, wording.vipCount.rule)] };
  return {
    entries: vips.map((vip, index) => ({ field: `${field}[${index}]`, value: vip, role: "vip" })),
    problems: vipCountProblems(vips.length, field, wording),
  };
}

/** Every rule of the two nodes but their addresses (see hostAddressProblems); the address entries of the nodes that are objects. */
function nodeProblems(nodes: unknown, field: string): { entries: HostAddressEntry[]; problems: SettingsProblem[] } {
  if (!Array.isArray(nodes)) return { entries: [], problems: [problem(field, nodes, "must hold exactly two nodes")] };
  const problems: SettingsProblem[] =
    nodes.length === 2 ? [] : [{ field, value: `(${nodes.length} nodes)`, rule: "must hold exactly two nodes" }];
  const entries: HostAddressEntry[] = [];
  const names: string[] = [];
  nodes.forEach((node, index) => {
    const nodeField = `${field}[${index}]`;
    if (!isPlainObject(node)) {
      problems.push(problem(nodeField, node, "must be an object { name, privateIp, sshHost, sshPort? }"));
      return;
    }
    const nameProblems = checkRequired(NODE_RULES.name, node.name, `${nodeField}.name`);
    if (nameProblems.length === 0 && names.includes(node.name as string))
      nameProblems.push(problem(`${nodeField}.name`, node.name, "repeats the other node's name"));
    names.push(node.name as string);
    problems.push(
      ...nameProblems,
      ...checkRequired(NODE_RULES.sshHost, node.sshHost, `${nodeField}.sshHost`),
      ...checkFields(node, { sshPort: NODE_RULES.sshPort, instanceId: NODE_RULES.instanceId, imageId: NODE_RULES.imageId }, nodeField),
    );
    entries.push({ field: `${nodeField}.privateIp`, value: node.privateIp, role: "node" });
  });
  return { entries, problems };
}

/** The subnet every node and VIP must be in: the first node's address with the spec's prefix length. */
function anchorSubnet(anchor: HostAddressEntry | undefined, prefixLength: unknown): Ipv4Cidr | undefined {
  if (!anchor || typeof anchor.value !== "string" || parseIpv4Address(anchor.value) === undefined) return undefined;
  if (PREFIX_LENGTH_RULE.check(prefixLength, "subnetPrefixLength").length > 0) return undefined;
  const subnet = parseIpv4Cidr(`${anchor.value}/${String(prefixLength)}`);
  return subnet && parseIpv4Cidr(`${subnet.network.toString()}/${String(prefixLength)}`);
}

function cloudProblems(cloud: unknown, field: string): SettingsProblem[] {
  if (cloud === undefined) return [];
  if (!isPlainObject(cloud)) return [problem(field, cloud, "must be an object { region?, vpcId?, havipIds?, eip? }")];
  const problems = [...checkFields(cloud, CLOUD_RULES, field)];
  if (cloud.havipIds !== undefined) {
    if (!Array.isArray(cloud.havipIds)) problems.push(problem(`${field}.havipIds`, cloud.havipIds, "must be a list of HAVIP ids"));
    else cloud.havipIds.forEach((id, index) => problems.push(...NON_EMPTY_TEXT_RULE.check(id, `${field}.havipIds[${index}]`)));
  }
  return problems;
}

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
    ...unknownKeysIn(spec, CLUSTER_SPEC_KEY_TABLE, field),
    ...(spec.specVersion === 1 ? [] : [problem(`${field}.specVersion`, spec.specVersion, "must be 1")]),
    ...checkRequired(CLUSTER_NAME_RULE, spec.clusterName, `${field}.clusterName`),
    ...checkFields(spec, KEEPALIVED_RULES, field, required),
    ...checkFields(spec, RESOLVED_SERVICE_RULES, field, []),
    ...validateVrrpV3Authentication(spec.advertIntSeconds, spec.authPass, field),
    ...validateHealthCheck(spec.healthCheck, `${field}.healthCheck`, true),
    ...checkOptional(LAB_OPERATOR_NAMESPACE_RULE, spec.labOperatorNamespace, `${field}.labOperatorNamespace`),
  ];
  const nodes = nodeProblems(spec.nodes, `${field}.nodes`);
  const wording = specAddressWording(nodes.entries[0] ?? { field: `${field}.nodes[0].privateIp`, value: undefined, role: "node" });
  const vips = vipEntries(spec.vips, `${field}.vips`, wording);
  problems.push(
    ...checkRequired(PREFIX_LENGTH_RULE, spec.subnetPrefixLength, `${field}.subnetPrefixLength`),
    ...vips.problems,
    ...nodes.problems,
    ...hostAddressProblems([...vips.entries, ...nodes.entries], anchorSubnet(nodes.entries[0], spec.subnetPrefixLength), wording),
    ...validateSshSettings(spec.ssh, `${field}.ssh`),
    ...validateKeepalivedSource(spec.keepalivedSource, `${field}.keepalivedSource`),
    ...cloudProblems(spec.cloud, `${field}.cloud`),
  );
  return problems;
}

/** The name to put in a message about a spec, whatever its clusterName holds. */
export function specLabel(spec: unknown): string {
  return showValue(isPlainObject(spec) ? spec.clusterName : undefined);
}
