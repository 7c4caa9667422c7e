import { Token } from "cdktf";
import { validateKeepalivedSettings, validateKeepalivedSource, validateSshSettings, validateWholeNumber } from "../../core/keepalived";
import {
  CLUSTER_NAME_MAX_LENGTH,
  CLUSTER_NAME_PATTERN,
  PUBLIC_BANDWIDTH_MAX_MBPS,
  PUBLIC_BANDWIDTH_MIN_MBPS,
  SYSTEM_DISK_SIZE_MAX_GB,
  SYSTEM_DISK_SIZE_MIN_GB,
  TENCENT_NAME_MAX_LENGTH,
  USER_DATA_MAX_BASE64_BYTES,
} from "../../core/limits";
import { type NetworkPlanInput, validateNetworkPlan } from "../../core/network";
import type { SettingsProblem } from "../../core/settings-error";
import type { HaVipClusterProps, IngressProtocol } from "../ha-vip-cluster-props";

const INGRESS_PROTOCOLS: readonly IngressProtocol[] = ["TCP", "UDP", "ICMP", "ALL"];
const PORT_PATTERN = /^(ALL|\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*)$/;
const SSH_PUBLIC_KEY_PATTERN = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/=]+( .*)?$/;

const isExpression = (value: string | undefined): boolean => value !== undefined && Token.isUnresolved(value);

function checkName(field: string, value: string | undefined, problems: SettingsProblem[]): void {
  if (value === undefined || isExpression(value)) return;
  if (value.trim() === "") problems.push({ field, value: JSON.stringify(value), rule: "must not be empty" });
  else if (value.length > TENCENT_NAME_MAX_LENGTH) {
    problems.push({ field, value, rule: `is ${value.length} characters; Tencent names are at most ${TENCENT_NAME_MAX_LENGTH}` });
  }
}

function checkRequiredText(field: string, value: string | undefined, problems: SettingsProblem[]): void {
  if (value === undefined || (!isExpression(value) && value.trim() === "")) {
    problems.push({ field, value: value === undefined ? "(missing)" : JSON.stringify(value), rule: "must not be empty" });
  }
}

function checkWholeNumber(field: string, value: number | undefined, min: number, max: number, problems: SettingsProblem[]): void {
  if (value !== undefined) problems.push(...validateWholeNumber(value, field, min, max));
}

/** Address fields must be literal: validation needs their values at synth time. */
function checkLiteral(field: string, value: string | undefined, problems: SettingsProblem[]): boolean {
  if (!isExpression(value)) return true;
  problems.push({ field, value: "(a Terraform expression)", rule: "must be a literal value; address rules are checked at synth time" });
  return false;
}

function checkClusterName(name: string, problems: SettingsProblem[]): void {
  if (name === "") problems.push({ field: "clusterName", value: '""', rule: "must not be empty" });
  else if (name.length > CLUSTER_NAME_MAX_LENGTH) {
    problems.push({ field: "clusterName", value: name, rule: `is ${name.length} characters; at most ${CLUSTER_NAME_MAX_LENGTH} (it prefixes every resource name)` });
  } else if (!CLUSTER_NAME_PATTERN.test(name)) {
    problems.push({ field: "clusterName", value: name, rule: "must start with a letter and hold only letters, digits, '-' and '_'" });
  }
}

function checkServiceIngress(props: HaVipClusterProps, problems: SettingsProblem[]): void {
  (props.serviceIngress ?? []).forEach((rule, index) => {
    const field = `serviceIngress[${index}]`;
    if (!INGRESS_PROTOCOLS.includes(rule.protocol)) {
      problems.push({ field: `${field}.protocol`, value: String(rule.protocol), rule: `must be one of ${INGRESS_PROTOCOLS.join(", ")}` });
    }
    const port = rule.port ?? "ALL";
    if (!PORT_PATTERN.test(port) || port.split(/[-,]/).some((part) => part !== "ALL" && (Number(part) < 1 || Number(part) > 65535))) {
      problems.push({ field: `${field}.port`, value: port, rule: "must be ALL, a port 1-65535, a range 8000-8080 or a list 80,443" });
    } else if ((rule.protocol === "ICMP" || rule.protocol === "ALL") && port !== "ALL") {
      problems.push({ field: `${field}.port`, value: port, rule: `must be ALL for protocol ${rule.protocol}` });
    }
  });
}

function checkSshPublicKey(key: string | undefined, problems: SettingsProblem[]): void {
  checkRequiredText("sshPublicKey", key, problems);
  if (key === undefined || isExpression(key) || key.trim() === "") return;
  if (!SSH_PUBLIC_KEY_PATTERN.test(key.trim())) {
    const shown = key.length > 24 ? `${key.slice(0, 24)}...` : key;
    problems.push({ field: "sshPublicKey", value: shown, rule: "is not an OpenSSH public key line (ssh-ed25519 AAAA... or ssh-rsa AAAA...)" });
  }
}

/** cloud-init text: Tencent takes at most 16 KB once base64-encoded (`user_data_raw`). */
function checkUserData(userData: string | undefined, problems: SettingsProblem[]): void {
  if (userData === undefined || isExpression(userData)) return;
  const encoded = Buffer.byteLength(Buffer.from(userData, "utf8").toString("base64"));
  if (userData.trim() === "") problems.push({ field: "nodes.userData", value: JSON.stringify(userData), rule: "must not be empty (leave it out for none)" });
  else if (encoded > USER_DATA_MAX_BASE64_BYTES) {
    problems.push({
      field: "nodes.userData",
      value: `(${Buffer.byteLength(userData)} bytes)`,
      rule: `is ${encoded} bytes base64-encoded; Tencent CVM user data is at most ${USER_DATA_MAX_BASE64_BYTES}`,
    });
  }
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

/** Every broken rule of the props; empty when the cluster can be built. */
export function validateHaVipClusterProps(clusterName: string, props: HaVipClusterProps): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  checkClusterName(clusterName, problems);

  const network = props.network;
  const literalAddresses = [
    checkLiteral("network.vpcCidr", network.vpcCidr, problems),
    checkLiteral("network.subnetCidr", network.subnetCidr, problems),
    checkLiteral("nodes.primaryIp", props.nodes?.primaryIp, problems),
    checkLiteral("nodes.secondaryIp", props.nodes?.secondaryIp, problems),
    ...(props.havips ?? []).map((havip, index) => checkLiteral(`havips[${index}].address`, havip.address, problems)),
    ...(props.serviceIngress ?? []).map((rule, index) => checkLiteral(`serviceIngress[${index}].cidrBlock`, rule.cidrBlock, problems)),
  ].every(Boolean);
  if (literalAddresses) problems.push(...validateNetworkPlan(networkPlanInput(props)));

  checkRequiredText("network.availabilityZone", network.availabilityZone, problems);
  checkName("network.vpcName", network.vpcName, problems);
  checkName("network.subnetName", network.subnetName, problems);
  if (network.vpcId !== undefined) checkRequiredText("network.vpcId", network.vpcId, problems);
  if (network.subnetId !== undefined) checkRequiredText("network.subnetId", network.subnetId, problems);
  (props.havips ?? []).forEach((havip, index) => checkName(`havips[${index}].name`, havip.name, problems));

  const nodes = props.nodes ?? {};
  if (nodes.instanceType !== undefined) checkRequiredText("nodes.instanceType", nodes.instanceType, problems);
  if (nodes.systemDiskType !== undefined) checkRequiredText("nodes.systemDiskType", nodes.systemDiskType, problems);
  if (nodes.imageId !== undefined) checkRequiredText("nodes.imageId", nodes.imageId, problems);
  if (nodes.imageNameRegex !== undefined) checkRequiredText("nodes.imageNameRegex", nodes.imageNameRegex, problems);
  checkUserData(nodes.userData, problems);
  checkWholeNumber("nodes.systemDiskSizeGb", nodes.systemDiskSizeGb, SYSTEM_DISK_SIZE_MIN_GB, SYSTEM_DISK_SIZE_MAX_GB, problems);
  checkWholeNumber("publicBandwidthMbps", props.publicBandwidthMbps, PUBLIC_BANDWIDTH_MIN_MBPS, PUBLIC_BANDWIDTH_MAX_MBPS, problems);
  if (props.eip) {
    checkName("eip.name", props.eip.name, problems);
    checkWholeNumber("eip.bandwidthMbps", props.eip.bandwidthMbps, PUBLIC_BANDWIDTH_MIN_MBPS, PUBLIC_BANDWIDTH_MAX_MBPS, problems);
  }

  checkSshPublicKey(props.sshPublicKey, problems);
  checkServiceIngress(props, problems);
  problems.push(...validateKeepalivedSource(props.keepalivedSource, "keepalivedSource"));
  if (props.ssh !== undefined) problems.push(...validateSshSettings(props.ssh, "ssh"));
  if (props.keepalived === undefined) {
    problems.push({ field: "keepalived", value: "(missing)", rule: "is required (at least virtualRouterId)" });
  } else {
    // A password given as an expression (a sensitive variable) is checked by the provisioner when it reads the spec.
    const keepalived = isExpression(props.keepalived.authPass) ? { ...props.keepalived, authPass: undefined } : props.keepalived;
    problems.push(...validateKeepalivedSettings(keepalived, "keepalived"));
  }
  return problems;
}
