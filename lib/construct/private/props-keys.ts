import { keyTable } from "../../core/validation/setting-keys";
import type {
  HaVipAddressProps,
  HaVipClusterProps,
  HaVipEipProps,
  HaVipNetworkProps,
  HaVipNodesProps,
  ServiceIngressRule,
} from "../ha-vip-cluster-props";

export const NETWORK_KEYS = keyTable<HaVipNetworkProps>({
  vpcId: "leaf",
  vpcCidr: "leaf",
  subnetId: "leaf",
  subnetCidr: "leaf",
  availabilityZone: "leaf",
  vpcName: "leaf",
  subnetName: "leaf",
});

export const NODES_KEYS = keyTable<HaVipNodesProps>({
  primaryIp: "leaf",
  secondaryIp: "leaf",
  instanceType: "leaf",
  systemDiskType: "leaf",
  systemDiskSizeGb: "leaf",
  imageId: "leaf",
  imageNameRegex: "leaf",
  userData: "leaf",
});

export const HAVIP_KEYS = keyTable<HaVipAddressProps>({ address: "leaf", name: "leaf" });

export const EIP_KEYS = keyTable<HaVipEipProps>({ name: "leaf", bandwidthMbps: "leaf", internetChargeType: "leaf" });

export const SERVICE_INGRESS_KEYS = keyTable<ServiceIngressRule>({
  protocol: "leaf",
  port: "leaf",
  cidrBlock: "leaf",
  description: "leaf",
});

/**
 * Every key of HaVipClusterProps, to any depth: a misspelt key anywhere (`nodes: { primaryIP }`)
 * is refused instead of being dropped. `keepalived`, `ssh` and `keepalivedSource` check their own
 * keys (the same tables the spec uses); `tags` holds the user's own keys.
 */
export const PROPS_KEYS = keyTable<HaVipClusterProps>({
  clusterName: "leaf",
  network: NETWORK_KEYS,
  nodes: NODES_KEYS,
  havips: { listOf: HAVIP_KEYS },
  keepalived: "leaf",
  sshPublicKey: "leaf",
  sshKeyPairId: "leaf",
  publicSsh: "leaf",
  publicBandwidthMbps: "leaf",
  sshAllowedCidr: "leaf",
  ssh: "leaf",
  serviceIngress: { listOf: SERVICE_INGRESS_KEYS },
  driftLock: "leaf",
  eip: EIP_KEYS,
  spreadAcrossHosts: "leaf",
  keepalivedSource: "leaf",
  tags: "leaf",
  provisionOnDeploy: "leaf",
  adoptUnrecorded: "leaf",
});
