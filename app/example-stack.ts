import { CosBackend, TerraformStack, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { TencentcloudProvider } from "../.gen/providers/tencentcloud/provider";
import { HaVipCluster } from "../lib/construct/ha-vip-cluster";
import type { HaVipClusterProps } from "../lib/construct/ha-vip-cluster-props";
import { AUTH_PASS_PATTERN } from "../lib/core/keepalived";
import { MAX_AUTH_PASS_LENGTH } from "../lib/core/limits";
import { SSH_ALLOWED_CIDR_RULE, type ExampleAppConfig } from "./example-config";

/** Where the provisioner pins the nodes' host keys unless the config names another file (beside the config file). */
export const DEFAULT_KNOWN_HOSTS_FILE = ".havip/known_hosts";

/** The Terraform variables the example app may ask for. */
export interface ExampleVariables {
  readonly sshAllowedCidr: () => string;
  readonly sshPublicKey: () => string;
  readonly availabilityZone: () => string;
  /** A sensitive variable holding the VRRP password. */
  readonly authPass: (name: string) => string;
}

/**
 * The VRRP password rule as a Terraform condition, so a bad `TF_VAR_<name>` stops `terraform plan`
 * before anything is created. The pattern is the provisioner's own (AUTH_PASS_PATTERN); an HCL
 * string needs its backslashes doubled.
 */
export function authPassCondition(variable: string): string {
  const pattern = AUTH_PASS_PATTERN.source.replace(/\\/g, "\\\\");
  return `\${length(var.${variable}) >= 1 && length(var.${variable}) <= ${MAX_AUTH_PASS_LENGTH} && can(regex("${pattern}", var.${variable}))}`;
}

/** The seed guide's topology: VPC 172.16.0.0/16, subnet 172.16.16.0/24, nodes .5 and .6, HAVIP .12. */
export const GUIDE_DEFAULTS = {
  clusterName: "havip-demo",
  vpcCidr: "172.16.0.0/16",
  subnetCidr: "172.16.16.0/24",
  availabilityZone: "ap-guangzhou-3",
  primaryIp: "172.16.16.5",
  secondaryIp: "172.16.16.6",
  havipAddress: "172.16.16.12",
  virtualRouterId: 51,
} as const;

/**
 * The cluster props from the config file over the guide's defaults. Values the config leaves out
 * and that have no safe default (operator CIDR, public key) come from Terraform variables, so the
 * app synthesizes anywhere and `terraform plan` asks for them (or reads TF_VAR_*).
 */
export function exampleClusterProps(config: ExampleAppConfig, variables: ExampleVariables): HaVipClusterProps {
  const { sshPublicKeyFile: _file, backend: _backend, network, keepalived, ssh, ...clusterSettings } = config;
  const { authPass, ...keepaliveSettings } = keepalived ?? {};
  const usesGuideSubnet = network?.subnetCidr === undefined;
  const publicSsh = config.publicSsh ?? true;
  return {
    ...clusterSettings,
    clusterName: config.clusterName ?? GUIDE_DEFAULTS.clusterName,
    network: {
      ...network,
      vpcCidr: network?.vpcCidr ?? (network?.vpcId === undefined ? GUIDE_DEFAULTS.vpcCidr : undefined),
      subnetCidr: network?.subnetCidr ?? GUIDE_DEFAULTS.subnetCidr,
      availabilityZone: network?.availabilityZone ?? variables.availabilityZone(),
    },
    nodes: usesGuideSubnet
      ? { primaryIp: GUIDE_DEFAULTS.primaryIp, secondaryIp: GUIDE_DEFAULTS.secondaryIp, ...config.nodes }
      : config.nodes,
    havips: config.havips ?? (usesGuideSubnet ? [{ address: GUIDE_DEFAULTS.havipAddress }] : undefined),
    keepalived: {
      virtualRouterId: GUIDE_DEFAULTS.virtualRouterId,
      ...keepaliveSettings,
      ...(authPass === undefined ? {} : { authPass: typeof authPass === "string" ? authPass : variables.authPass(authPass.variable) }),
    },
    ssh: { ...ssh, knownHostsPath: ssh?.knownHostsPath ?? DEFAULT_KNOWN_HOSTS_FILE },
    ...(config.sshKeyPairId === undefined ? { sshPublicKey: config.sshPublicKey ?? variables.sshPublicKey() } : {}),
    sshAllowedCidr: config.sshAllowedCidr ?? (publicSsh ? variables.sshAllowedCidr() : undefined),
  };
}

/**
 * One HAVIP cluster with its provider and state backend. Region and credentials come from
 * TENCENTCLOUD_REGION / TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY, never from code.
 */
export class HaVipExampleStack extends TerraformStack {
  public readonly cluster: HaVipCluster;

  constructor(scope: Construct, id: string, config: ExampleAppConfig) {
    super(scope, id);
    new TencentcloudProvider(this, "tencentcloud", {});
    const cos = config.backend?.cos;
    if (cos) {
      new CosBackend(this, { bucket: cos.bucket, region: cos.region, prefix: cos.prefix ?? "havip-cluster", key: cos.key });
    }
    this.cluster = new HaVipCluster(
      this,
      "cluster",
      exampleClusterProps(config, {
        sshAllowedCidr: () =>
          new TerraformVariable(this, "ssh_allowed_cidr", {
            type: "string",
            description: "CIDR allowed to SSH to the nodes, e.g. 203.0.113.7/32 (not 0.0.0.0/0)",
            validation: [
              {
                // An expression must be a template interpolation: in Terraform JSON a bare string is literal text.
                // A /0 opens SSH to everyone, as the config file's own rule says (SSH_ALLOWED_CIDR_RULE).
                condition: '${can(cidrhost(var.ssh_allowed_cidr, 0)) && !endswith(var.ssh_allowed_cidr, "/0")}',
                errorMessage: `ssh_allowed_cidr ${SSH_ALLOWED_CIDR_RULE}.`,
              },
            ],
          }).stringValue,
        sshPublicKey: () =>
          new TerraformVariable(this, "ssh_public_key", {
            type: "string",
            description: "OpenSSH public key installed on both nodes (ssh-ed25519 AAAA...)",
          }).stringValue,
        availabilityZone: () =>
          new TerraformVariable(this, "availability_zone", {
            type: "string",
            default: GUIDE_DEFAULTS.availabilityZone,
            description: "Availability zone of the subnet and both nodes (must belong to TENCENTCLOUD_REGION)",
          }).stringValue,
        authPass: (name) =>
          new TerraformVariable(this, name, {
            type: "string",
            sensitive: true,
            description: "VRRP password of the pair (TF_VAR_" + name + "); kept out of cdk.tf.json",
            validation: [
              {
                condition: authPassCondition(name),
                errorMessage: `${name} must be 1 to ${MAX_AUTH_PASS_LENGTH} characters of printable ASCII without whitespace, quotes, backslash or any of # ! $ { } (keepalived.conf reads them as syntax).`,
              },
            ],
          }).stringValue,
      }),
    );
  }
}
