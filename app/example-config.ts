import type {
  HaVipAddressProps,
  HaVipClusterProps,
  HaVipEipProps,
  HaVipNetworkProps,
  HaVipNodesProps,
  ServiceIngressRule,
} from "../lib/construct/ha-vip-cluster-props";
import type { KeepalivedSettings, SshSettings } from "../lib/core/cluster-settings";
import { SettingsError } from "../lib/core/settings-error";
import {
  EIP_INTERNET_CHARGE_TYPE_RULE,
  KEEPALIVED_RULES,
  SERVICE_RULES,
  SYSTEM_DISK_TYPE_RULE,
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

/**
 * `havip-cluster.config.json`: the cluster props, every field optional (defaults reproduce the
 * guide's topology), plus where the SSH public key and the state live.
 */
export type ExampleAppConfig = Partial<Omit<HaVipClusterProps, "network" | "keepalived">> & {
  readonly network?: Partial<HaVipClusterProps["network"]>;
  readonly keepalived?: Partial<HaVipClusterProps["keepalived"]>;
  /** Path of an OpenSSH public key file (`~` is expanded); alternative to `sshPublicKey`. */
  readonly sshPublicKeyFile?: string;
  readonly backend?: { readonly cos?: CosStateBackendConfig };
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
    healthCheck: { rule: "must be a health check", check: validateWrittenHealthCheck },
  }),
  sshPublicKey: "string",
  sshKeyPairId: "string",
  sshPublicKeyFile: "string",
  publicSsh: "boolean",
  publicBandwidthMbps: "number",
  sshAllowedCidr: "string",
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
