import { Token } from "cdktf";
import {
  PUBLIC_BANDWIDTH_MAX_MBPS,
  PUBLIC_BANDWIDTH_MIN_MBPS,
  SYSTEM_DISK_SIZE_MAX_GB,
  SYSTEM_DISK_SIZE_MIN_GB,
  USER_DATA_MAX_BASE64_BYTES,
} from "../../core/limits";
import { type NetworkPlanInput, validateNetworkPlan } from "../../core/network";
import type { SettingsProblem } from "../../core/settings-error";
import {
  BOOLEAN_RULE,
  CLUSTER_NAME_RULE,
  EIP_INTERNET_CHARGE_TYPE_RULE,
  type FieldRule,
  NON_EMPTY_TEXT_RULE,
  SYSTEM_DISK_TYPE_RULE,
  TENCENT_NAME_RULE,
  checkOptional,
  isPlainObject,
  oneOfRule,
  problem,
  validateKeepalivedSettings,
  validateKeepalivedSource,
  validateSshPublicKey,
  validateSshSettings,
  wholeNumberRule,
  wrongKind,
} from "../../core/validation";
import { unknownKeysIn } from "../../core/validation/setting-keys";
import type { HaVipClusterProps, IngressProtocol } from "../ha-vip-cluster-props";
import { PROPS_KEYS } from "./props-keys";

const INGRESS_PROTOCOL_RULE = oneOfRule(["TCP", "UDP", "ICMP", "ALL"] satisfies IngressProtocol[]);
const PORT_SPEC_RULE = "must be ALL, a port 1-65535, a range 8000-8080 or a list 80,443";
const PORT_PATTERN = /^(ALL|\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*)$/;
const SYSTEM_DISK_SIZE_RULE = wholeNumberRule(SYSTEM_DISK_SIZE_MIN_GB, SYSTEM_DISK_SIZE_MAX_GB);
const BANDWIDTH_RULE = wholeNumberRule(PUBLIC_BANDWIDTH_MIN_MBPS, PUBLIC_BANDWIDTH_MAX_MBPS);

const isExpression = (value: unknown): boolean => typeof value === "string" && Token.isUnresolved(value);

/** A rule that a Terraform expression passes unchecked (Terraform checks it at plan time). */
function unlessExpression(rule: FieldRule): FieldRule {
  return { rule: rule.rule, check: (value, field) => (isExpression(value) ? [] : rule.check(value, field)) };
}

/** cloud-init text: Tencent takes at most 16 KB once base64-encoded (`user_data_raw`). */
const USER_DATA_RULE: FieldRule = {
  rule: `must be cloud-init text of at most ${USER_DATA_MAX_BASE64_BYTES} bytes base64-encoded`,
  check(value, field) {
    if (isExpression(value)) return [];
    if (typeof value !== "string") return [wrongKind(field, value, "must be cloud-init text (a string)")];
    if (value.trim() === "") return [problem(field, value, "must not be empty (leave it out for none)")];
    const encoded = Buffer.byteLength(Buffer.from(value, "utf8").toString("base64"));
    if (encoded <= USER_DATA_MAX_BASE64_BYTES) return [];
    return [
      {
        field,
        value: `(${Buffer.byteLength(value)} bytes)`,
        rule: `is ${encoded} bytes base64-encoded; Tencent CVM user data is at most ${USER_DATA_MAX_BASE64_BYTES}`,
      },
    ];
  },
};

const STRING_RULE: FieldRule = {
  rule: "must be a string",
  check: (value, field) => (typeof value === "string" ? [] : [wrongKind(field, value, "must be a string")]),
};

/** The kinds of the props: checked before any value, so a JavaScript caller's wrong kind is named, not a TypeError. */
function kindProblems(props: Record<string, unknown>): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  const object = (field: string, value: unknown, required: boolean, rule = "must be an object"): value is Record<string, unknown> => {
    if (value === undefined && !required) return false;
    if (isPlainObject(value)) return true;
    problems.push(
      value === undefined ? problem(field, value, `is required (${rule.replace(/^must be /, "")})`) : wrongKind(field, value, rule),
    );
    return false;
  };
  const strings = (owner: Record<string, unknown>, prefix: string, keys: readonly string[]) =>
    keys.forEach((key) => problems.push(...checkOptional(STRING_RULE, owner[key], `${prefix}.${key}`)));
  const list = (field: string, value: unknown, each: (item: unknown, itemField: string) => void) => {
    if (value === undefined) return;
    if (!Array.isArray(value)) problems.push(wrongKind(field, value, "must be a list"));
    else value.forEach((item, index) => each(item, `${field}[${index}]`));
  };

  if (object("network", props.network, true, "must be an object { subnetCidr, availabilityZone, vpcCidr or vpcId, ... }")) {
    strings(props.network, "network", ["vpcId", "vpcCidr", "subnetId", "subnetCidr", "availabilityZone", "vpcName", "subnetName"]);
  }
  if (object("nodes", props.nodes, false)) strings(props.nodes, "nodes", ["primaryIp", "secondaryIp", "imageId", "imageNameRegex"]);
  list("havips", props.havips, (havip, field) => {
    if (object(field, havip, true, "must be an object { address?, name? } (use {} for an auto-assigned address)"))
      strings(havip, field, ["address"]);
  });
  list("serviceIngress", props.serviceIngress, (rule, field) => {
    if (object(field, rule, true, "must be an object { protocol, port?, cidrBlock, description? }")) {
      strings(rule, field, ["port", "description"]);
      const cidrField = `${field}.cidrBlock`;
      if (rule.cidrBlock === undefined)
        problems.push(problem(cidrField, undefined, "is required: who may connect, an IPv4 CIDR block a.b.c.d/n"));
      else if (typeof rule.cidrBlock !== "string")
        problems.push(wrongKind(cidrField, rule.cidrBlock, "must be an IPv4 CIDR block a.b.c.d/n"));
    }
  });
  object("keepalived", props.keepalived, true, "must be an object with at least virtualRouterId");
  if (props.eip !== undefined && props.eip !== false)
    object("eip", props.eip, false, "must be an object { name?, bandwidthMbps?, internetChargeType? } or false");
  if (object("tags", props.tags, false, "must map tag keys to strings")) strings(props.tags, "tags", Object.keys(props.tags));
  problems.push(...checkOptional(STRING_RULE, props.sshAllowedCidr, "sshAllowedCidr"));
  for (const key of ["publicSsh", "driftLock", "spreadAcrossHosts", "provisionOnDeploy", "adoptUnrecorded"])
    problems.push(...checkOptional(BOOLEAN_RULE, props[key], key));
  return problems;
}

function checkPort(rule: Record<string, unknown>, field: string, problems: SettingsProblem[]): void {
  const port = (rule.port as string | undefined) ?? "ALL";
  const ranges = port === "ALL" ? [] : port.split(",").map((part) => part.split("-").map(Number));
  if (!PORT_PATTERN.test(port) || ranges.flat().some((number) => number < 1 || number > 65535)) {
    problems.push(problem(`${field}.port`, port, PORT_SPEC_RULE));
  } else if (ranges.some(([low, high]) => high !== undefined && high < low)) {
    problems.push(
      problem(`${field}.port`, port, `${PORT_SPEC_RULE}; a range runs from the lower port to the higher (80-8080, not 8080-80)`),
    );
  } else if ((rule.protocol === "ICMP" || rule.protocol === "ALL") && port !== "ALL") {
    problems.push(problem(`${field}.port`, port, `must be ALL for protocol ${rule.protocol}`));
  }
}

function checkServiceIngress(rules: readonly Record<string, unknown>[], problems: SettingsProblem[]): void {
  rules.forEach((rule, index) => {
    const field = `serviceIngress[${index}]`;
    problems.push(...INGRESS_PROTOCOL_RULE.check(rule.protocol, `${field}.protocol`));
    checkPort(rule, field, problems);
  });
}

/** Address fields must be literal: validation needs their values at synth time. */
function checkLiteral(field: string, value: string | undefined, problems: SettingsProblem[]): boolean {
  if (!isExpression(value)) return true;
  problems.push({ field, value: "(a Terraform expression)", rule: "must be a literal value; address rules are checked at synth time" });
  return false;
}

/** The address inputs as the network rules see them. */
export function networkPlanInput(props: HaVipClusterProps): NetworkPlanInput {
  return {
    vpcId: props.network.vpcId,
    vpcCidr: props.network.vpcCidr,
    subnetId: props.network.subnetId,
    subnetCidr: props.network.subnetCidr,
    primaryIp: props.nodes?.primaryIp,
    secondaryIp: props.nodes?.secondaryIp,
    havipAddresses: (props.havips ?? [{}]).map((havip) => havip.address),
    publicSsh: props.publicSsh ?? true,
    sshAllowedCidr: props.sshAllowedCidr,
    sshAllowedCidrDeferred: isExpression(props.sshAllowedCidr),
    otherCidrs: (props.serviceIngress ?? []).map((rule, index) => ({ field: `serviceIngress[${index}].cidrBlock`, cidr: rule.cidrBlock })),
  };
}

const NAME = unlessExpression(TENCENT_NAME_RULE);
const REQUIRED_TEXT = unlessExpression(NON_EMPTY_TEXT_RULE);

/**
 * Every broken rule of the props; empty when the cluster can be built. `id` is the construct id,
 * the cluster's name unless props.clusterName is given. Takes `unknown`: JavaScript callers and
 * config files reach it with anything.
 */
export function validateHaVipClusterProps(id: string, input: unknown): SettingsProblem[] {
  if (!isPlainObject(input)) return [problem("props", input, "must be an object { network, keepalived, sshPublicKey, ... }")];
  // null is not "absent": a JavaScript caller who passes it gets the rule, as a spec with null would.
  const name = input.clusterName === undefined ? id : input.clusterName;
  const kinds = kindProblems(input);
  const problems = [...CLUSTER_NAME_RULE.check(name, "clusterName"), ...unknownKeysIn(input, PROPS_KEYS, ""), ...kinds];
  if (kinds.length > 0) return problems;
  const props = input as unknown as HaVipClusterProps;

  const network = props.network;
  if (network.subnetCidr === undefined) {
    problems.push(problem("network.subnetCidr", undefined, "is required: the CIDR of the new or existing subnet, e.g. 172.16.16.0/24"));
  }
  const literalAddresses = [
    checkLiteral("network.vpcCidr", network.vpcCidr, problems),
    checkLiteral("network.subnetCidr", network.subnetCidr, problems),
    checkLiteral("nodes.primaryIp", props.nodes?.primaryIp, problems),
    checkLiteral("nodes.secondaryIp", props.nodes?.secondaryIp, problems),
    ...(props.havips ?? []).map((havip, index) => checkLiteral(`havips[${index}].address`, havip.address, problems)),
    ...(props.serviceIngress ?? []).map((rule, index) => checkLiteral(`serviceIngress[${index}].cidrBlock`, rule.cidrBlock, problems)),
  ].every(Boolean);
  if (literalAddresses && typeof network.subnetCidr === "string") problems.push(...validateNetworkPlan(networkPlanInput(props)));

  problems.push(
    ...(network.availabilityZone === undefined
      ? [problem("network.availabilityZone", undefined, "must not be empty")]
      : REQUIRED_TEXT.check(network.availabilityZone, "network.availabilityZone")),
    ...checkOptional(NAME, network.vpcName, "network.vpcName"),
    ...checkOptional(NAME, network.subnetName, "network.subnetName"),
    ...checkOptional(REQUIRED_TEXT, network.vpcId, "network.vpcId"),
    ...checkOptional(REQUIRED_TEXT, network.subnetId, "network.subnetId"),
    ...(props.havips ?? []).flatMap((havip, index) => checkOptional(NAME, havip.name, `havips[${index}].name`)),
  );

  const nodes = props.nodes ?? {};
  problems.push(
    ...checkOptional(REQUIRED_TEXT, nodes.instanceType, "nodes.instanceType"),
    ...checkOptional(unlessExpression(SYSTEM_DISK_TYPE_RULE), nodes.systemDiskType, "nodes.systemDiskType"),
    ...checkOptional(REQUIRED_TEXT, nodes.imageId, "nodes.imageId"),
    ...checkOptional(REQUIRED_TEXT, nodes.imageNameRegex, "nodes.imageNameRegex"),
    ...checkOptional(USER_DATA_RULE, nodes.userData, "nodes.userData"),
    ...checkOptional(SYSTEM_DISK_SIZE_RULE, nodes.systemDiskSizeGb, "nodes.systemDiskSizeGb"),
    ...checkOptional(BANDWIDTH_RULE, props.publicBandwidthMbps, "publicBandwidthMbps"),
  );
  if (props.eip) {
    problems.push(
      ...checkOptional(NAME, props.eip.name, "eip.name"),
      ...checkOptional(BANDWIDTH_RULE, props.eip.bandwidthMbps, "eip.bandwidthMbps"),
      ...checkOptional(unlessExpression(EIP_INTERNET_CHARGE_TYPE_RULE), props.eip.internetChargeType, "eip.internetChargeType"),
    );
  }

  const key: unknown = props.sshPublicKey;
  const keyPairId: unknown = props.sshKeyPairId;
  if (key !== undefined && keyPairId !== undefined) {
    problems.push(problem("sshKeyPairId", keyPairId, "goes without sshPublicKey: give the key, or the key pair that holds it"));
  } else if (keyPairId !== undefined) {
    if (typeof keyPairId !== "string") problems.push(wrongKind("sshKeyPairId", keyPairId, "must be a key pair id like skey-1a2b3c4d"));
    else if (!isExpression(keyPairId) && !/^skey-[a-z0-9]{8}$/.test(keyPairId)) {
      problems.push(problem("sshKeyPairId", keyPairId, "must be a key pair id like skey-1a2b3c4d, or another cluster's keyPairId"));
    }
  } else if (key === undefined || (typeof key === "string" && !isExpression(key) && key.trim() === "")) {
    problems.push(problem("sshPublicKey", key, "must not be empty (or give sshKeyPairId, an existing key pair)"));
  } else if (typeof key !== "string") {
    problems.push(wrongKind("sshPublicKey", key, "must be an OpenSSH public key line"));
  } else if (!isExpression(key)) {
    problems.push(...validateSshPublicKey(key, "sshPublicKey"));
  }
  checkServiceIngress((props.serviceIngress ?? []) as unknown as Record<string, unknown>[], problems);
  problems.push(...validateKeepalivedSource(props.keepalivedSource, "keepalivedSource"));
  if (props.ssh !== undefined) problems.push(...validateSshSettings(props.ssh, "ssh"));
  // A password given as an expression (a sensitive variable) is checked by the provisioner when it reads the spec.
  const keepalived = isExpression(props.keepalived.authPass) ? { ...props.keepalived, authPass: undefined } : props.keepalived;
  problems.push(...validateKeepalivedSettings(keepalived, "keepalived"));
  return problems;
}
