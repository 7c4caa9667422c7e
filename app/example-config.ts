import type {
  HaVipAddressProps,
  HaVipClusterProps,
  HaVipEipProps,
  HaVipNetworkProps,
  HaVipNodesProps,
  ServiceIngressRule,
} from "../lib/construct/ha-vip-cluster-props";
import type { KeepalivedSettings, SshSettings } from "../lib/core/cluster-settings";
import { isOpenToEveryone } from "../lib/core/network";
import { SettingsError, type SettingsProblem } from "../lib/core/settings-error";
import {
  AUTH_PASS_RULE,
  EIP_INTERNET_CHARGE_TYPE_RULE,
  type FieldRule,
  KEEPALIVED_RULES,
  SERVICE_RULES,
  SYSTEM_DISK_TYPE_RULE,
  isPlainObject,
  kindOf,
  unknownKeyProblems,
  validateKeepalivedSource,
  validateWrittenHealthCheck,
} from "../lib/core/validation";
import { checkShape, fieldsOf, type Shape } from "./config-shape";

/** Team state in a COS bucket (cdktf's CosBackend); credentials come from the environment. */
export interface CosStateBackendConfig {
  readonly bucket: string;
  /** @default - the provider's region (TENCENTCLOUD_REGION) */
  readonly region?: string;
  /** @default "havip-cluster" */
  readonly prefix?: string;
  /** @default "terraform.tfstate" */
  readonly key?: string;
}

/** The VRRP password from a sensitive Terraform variable of this name (`TF_VAR_<name>` sets it), not written in the file. */
export interface AuthPassVariable {
  readonly variable: string;
}

/** What the config file's `sshAllowedCidr` and the `ssh_allowed_cidr` variable must be: the same rule on both paths. */
export const SSH_ALLOWED_CIDR_RULE =
  "must be an IPv4 CIDR block such as 203.0.113.7/32, and not one that opens SSH to the whole internet (0.0.0.0/0)";

/**
 * `havip-cluster.config.json`: the cluster props, every field optional (defaults reproduce the
 * guide's topology), plus where the SSH public key and the state live.
 */
export type ExampleAppConfig = Partial<Omit<HaVipClusterProps, "network" | "keepalived">> & {
  readonly network?: Partial<HaVipClusterProps["network"]>;
  readonly keepalived?: Partial<Omit<HaVipClusterProps["keepalived"], "authPass">> & {
    /** A literal (written in clear into cdk.tf.json), or `{ "variable": "vrrp_auth_pass" }`. */
    readonly authPass?: string | AuthPassVariable;
  };
  /** Path of an OpenSSH public key file (`~` is expanded); alternative to `sshPublicKey`. */
  readonly sshPublicKeyFile?: string;
  readonly backend?: { readonly cos?: CosStateBackendConfig };
};

/** A Terraform variable name, as `TF_VAR_<name>` can set it. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The password as a literal (the construct's rule; never shown, only its length) or `{ "variable": NAME }`. */
const AUTH_PASS_CONFIG_RULE: FieldRule = {
  rule: `must be the password (${AUTH_PASS_RULE.rule.replace(/^must be /, "")}) or { "variable": "vrrp_auth_pass" }`,
  check(value, field): SettingsProblem[] {
    if (typeof value === "string") return AUTH_PASS_RULE.check(value, field);
    if (!isPlainObject(value)) {
      return [{ field, value: `(${kindOf(value)})`, rule: 'must be the password or { "variable": "vrrp_auth_pass" }' }];
    }
    const problems = unknownKeyProblems(value, ["variable"], field);
    const name = value.variable;
    if (typeof name !== "string" || !VARIABLE_NAME.test(name)) {
      problems.push({
        field: `${field}.variable`,
        value: typeof name === "string" ? name : `(${kindOf(name)})`,
        rule: "must be a Terraform variable name (letters, digits, _; not starting with a digit), e.g. vrrp_auth_pass",
      });
    }
    return problems;
  },
};

/** The operator CIDR, refused as a literal exactly as the `ssh_allowed_cidr` variable is at plan time. */
const SSH_ALLOWED_CIDR_CONFIG_RULE: FieldRule = {
  rule: SSH_ALLOWED_CIDR_RULE,
  check: (value, field) =>
    typeof value !== "string"
      ? [{ field, value: `(${kindOf(value)})`, rule: SSH_ALLOWED_CIDR_RULE }]
      : isOpenToEveryone(value)
        ? [{ field, value, rule: `${SSH_ALLOWED_CIDR_RULE}; give the operator's address, e.g. 203.0.113.7/32` }]
        : [],
};

const ingressRule = fieldsOf<ServiceIngressRule>({ protocol: "string", port: "string", cidrBlock: "string", description: "string" });

/** The config file's keys: the props' own (every one of them, by type), plus where the key and the state live. */
export const EXAMPLE_CONFIG_SHAPE: Shape = fieldsOf<ExampleAppConfig & { readonly $schema?: string }>({
  $schema: "string",
  clusterName: "string",
  network: fieldsOf<HaVipNetworkProps>({
    vpcId: "string",
    vpcCidr: "string",
    subnetId: "string",
    subnetCidr: "string",
    availabilityZone: "string",
    vpcName: "string",
    subnetName: "string",
  }),
  nodes: fieldsOf<HaVipNodesProps>({
    primaryIp: "string",
    secondaryIp: "string",
    instanceType: "string",
    systemDiskType: SYSTEM_DISK_TYPE_RULE,
    systemDiskSizeGb: "number",
    imageId: "string",
    imageNameRegex: "string",
    userData: "string",
  }),
  havips: { listOf: fieldsOf<HaVipAddressProps>({ address: "string", name: "string" }) },
  // The construct's own rules: a config file gets the message a props object would.
  keepalived: fieldsOf<KeepalivedSettings>({
    ...KEEPALIVED_RULES,
    ...SERVICE_RULES,
    authPass: AUTH_PASS_CONFIG_RULE,
    healthCheck: { rule: "must be a health check", check: validateWrittenHealthCheck },
  }),
  sshPublicKey: "string",
  sshKeyPairId: "string",
  sshPublicKeyFile: "string",
  publicSsh: "boolean",
  publicBandwidthMbps: "number",
  sshAllowedCidr: SSH_ALLOWED_CIDR_CONFIG_RULE,
  ssh: fieldsOf<SshSettings>({
    user: "string",
    privateKeyPath: "string",
    knownHostsPath: "string",
    trustOnFirstUse: "boolean",
    hostKeyFingerprints: { mapOf: "string" },
    jumpHost: fieldsOf<NonNullable<SshSettings["jumpHost"]>>({ host: "string", port: "number", user: "string" }),
  }),
  serviceIngress: { listOf: ingressRule },
  driftLock: "boolean",
  eip: {
    anyOf: [
      "boolean",
      fieldsOf<HaVipEipProps>({ name: "string", bandwidthMbps: "number", internetChargeType: EIP_INTERNET_CHARGE_TYPE_RULE }),
    ],
  },
  spreadAcrossHosts: "boolean",
  provisionOnDeploy: "boolean",
  adoptUnrecorded: "boolean",
  keepalivedSource: { rule: "must be { url, sha256 }", check: validateKeepalivedSource },
  tags: { mapOf: "string" },
  backend: fieldsOf<NonNullable<ExampleAppConfig["backend"]>>({
    cos: fieldsOf<CosStateBackendConfig>({ bucket: "string", region: "string", prefix: "string", key: "string" }),
  }),
});

/** Checks the keys and value kinds of a parsed config file; the values themselves are checked by the construct. */
export function parseExampleConfig(raw: unknown, source: string): ExampleAppConfig {
  const problems = checkShape(raw, EXAMPLE_CONFIG_SHAPE);
  if (problems.length > 0) throw new SettingsError(source, problems);
  const { eip, ...rest } = raw as Omit<ExampleAppConfig, "eip"> & { eip?: unknown };
  // `"eip": true` in the file means the default EIP; the props spell that as "no eip key".
  return eip === true || eip === undefined ? rest : { ...rest, eip: eip as HaVipEipProps | false };
}
