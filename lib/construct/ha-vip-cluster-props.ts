import type { KeepalivedSettings, SshSettings } from "../core/cluster-settings";

/**
 * Where the pair lives. Three shapes:
 * - new VPC and subnet: `vpcCidr`, `subnetCidr`, `availabilityZone`;
 * - new subnet in an existing VPC: `vpcId`, `subnetCidr`, `availabilityZone` (and `vpcCidr` to check it);
 * - existing subnet: `vpcId`, `subnetId`, `subnetCidr` (its CIDR, needed for validation), `availabilityZone`;
 *   another cluster's `network` attribute is exactly this shape: `network: web.network`.
 */
export interface HaVipNetworkProps {
  /**
   * Id of an existing VPC. To put a second cluster into the VPC of a first one, pass `first.vpcId`.
   * @default - a new VPC is created from `vpcCidr`
   */
  readonly vpcId?: string;
  /**
   * CIDR of the VPC: a private block, /12 to /28. Required when a new VPC is created.
   * @default - none; with an existing VPC the subnet is then not checked against it
   */
  readonly vpcCidr?: string;
  /**
   * Id of an existing subnet in `vpcId`.
   * @default - a new subnet is created from `subnetCidr`
   */
  readonly subnetId?: string;
  /** CIDR of the subnet (new or existing), at most /28, inside the VPC. Node and HAVIP addresses are checked against it. */
  readonly subnetCidr: string;
  /** Availability zone of the subnet and both CVMs, e.g. `ap-guangzhou-3`. */
  readonly availabilityZone: string;
  /** @default "<clusterName>-vpc" */
  readonly vpcName?: string;
  /** @default "<clusterName>-subnet" */
  readonly subnetName?: string;
}

/** The two CVMs. */
export interface HaVipNodesProps {
  /** @default - the subnet's 5th address after the network address (172.16.16.5 in 172.16.16.0/24) */
  readonly primaryIp?: string;
  /** @default - the subnet's 6th address after the network address (172.16.16.6 in 172.16.16.0/24) */
  readonly secondaryIp?: string;
  /** CVM instance type. @default "S5.MEDIUM2" */
  readonly instanceType?: string;
  /**
   * One of the provider's `system_disk_type` values: CLOUD_PREMIUM, CLOUD_SSD, CLOUD_BSSD, CLOUD_HSSD,
   * CLOUD_TSSD, CLOUD_BASIC, LOCAL_BASIC, LOCAL_SSD.
   * @default "CLOUD_PREMIUM"
   */
  readonly systemDiskType?: string;
  /** 20-1024 GB. @default 50 */
  readonly systemDiskSizeGb?: number;
  /**
   * Image id for both nodes (any distribution with Keepalived >= 1.2.24, or set `keepalivedSource`).
   * Changing it reinstalls the nodes, one at a time through the deploy gates (docs/construct.md, Day-2 changes).
   * @default - the public image found by `imageNameRegex`, pinned once a node exists
   */
  readonly imageId?: string;
  /**
   * Regex for the public image looked up with the `tencentcloud_images` data source (ignored when `imageId` is set).
   * The newest match is used for new nodes only: running nodes keep their image (`ignore_changes`).
   * @default "^TencentOS Server 3\\."
   */
  readonly imageNameRegex?: string;
  /**
   * cloud-init user data for both nodes, as plain text (`#cloud-config ...` or a `#!` script),
   * passed as the CVM's `user_data_raw`: at most 16 KB once base64-encoded. It runs on the first
   * boot only, before provisioning; the service's packages are better in `keepalived.serviceSetup`,
   * which the provisioner applies one node at a time, again whenever it changes. Changing it later does not
   * re-run it on the existing nodes (cloud-init acts on the first boot).
   * @default - none
   */
  readonly userData?: string;
}

/** One HAVIP of the cluster. */
export interface HaVipAddressProps {
  /**
   * Fixed address inside the subnet: not reserved (network, gateway .1, broadcast), not a node's IP, not another HAVIP's.
   * @default - Tencent assigns a free address
   */
  readonly address?: string;
  /** @default "<clusterName>-havip-<n>" (n from 1) */
  readonly name?: string;
}

/** An EIP bound to the first HAVIP. */
export interface HaVipEipProps {
  /** @default "<clusterName>-eip" */
  readonly name?: string;
  /** Mbit/s. @default 1 */
  readonly bandwidthMbps?: number;
  /**
   * TRAFFIC_POSTPAID_BY_HOUR, BANDWIDTH_POSTPAID_BY_HOUR or BANDWIDTH_PREPAID_BY_MONTH
   * (BANDWIDTH_PACKAGE needs a bandwidth package id, which this construct does not set).
   * @default - the provider's default (traffic-based, postpaid)
   */
  readonly internetChargeType?: string;
}

export type IngressProtocol = "TCP" | "UDP" | "ICMP" | "ALL";

/** A rule letting clients reach the service behind the VIP. */
export interface ServiceIngressRule {
  readonly protocol: IngressProtocol;
  /** `80`, `80,443`, `8000-8080`, or `ALL`. @default "ALL" */
  readonly port?: string;
  /** Who may connect. */
  readonly cidrBlock: string;
  /** @default - none */
  readonly description?: string;
}

/** Properties of {@link HaVipCluster}. */
export interface HaVipClusterProps {
  /**
   * Prefix of every resource name and the cluster's name in the spec: a letter, then letters,
   * digits, `-` or `_`, at most 40 characters.
   * @default - the construct id
   */
  readonly clusterName?: string;
  readonly network: HaVipNetworkProps;
  /** @default - guide-like nodes: .5 and .6 of the subnet, S5.MEDIUM2, 50 GB premium disk, TencentOS Server 3 */
  readonly nodes?: HaVipNodesProps;
  /**
   * 1 to 5 HAVIPs served by the pair (Tencent binds at most 5 to one ENI).
   * @default - one auto-assigned HAVIP
   */
  readonly havips?: readonly HaVipAddressProps[];
  /** Keepalived settings, checked with the Keepalived rules (virtual_router_id 1-255, advert_int, password length...). */
  readonly keepalived: KeepalivedSettings;
  /**
   * OpenSSH public key (`ssh-ed25519 AAAA...`) installed on both nodes through a `tencentcloud_key_pair`
   * the cluster creates. May be a Terraform expression (e.g. a variable). Give this or `sshKeyPairId`.
   * @default - none: `sshKeyPairId` names the key pair
   */
  readonly sshPublicKey?: string;
  /**
   * An existing key pair to authorize on both nodes instead of importing `sshPublicKey`, e.g. another
   * cluster's `keyPairId`: Tencent refuses to import one public key twice (`InvalidPublicKey.Duplicate`),
   * so clusters that share a key share its key pair. May be a Terraform expression.
   * @default - none: the cluster imports `sshPublicKey` into a key pair of its own
   */
  readonly sshKeyPairId?: string;
  /**
   * Give each node a public IP so the operator can SSH to it.
   * @default true
   */
  readonly publicSsh?: boolean;
  /** Public bandwidth of each node's SSH address, Mbit/s. @default 1 */
  readonly publicBandwidthMbps?: number;
  /**
   * CIDR allowed to reach port 22. Required while `publicSsh` is on; there is no open default, and
   * `0.0.0.0/0` draws a warning. May be a Terraform expression, then Terraform checks it.
   * @default - required with publicSsh; otherwise the VPC CIDR (or the subnet CIDR when the VPC CIDR is unknown)
   */
  readonly sshAllowedCidr?: string;
  /** How the provisioner reaches the nodes (goes into the spec). @default {} */
  readonly ssh?: SshSettings;
  /** Extra ingress rules for the service behind the VIP. @default [] */
  readonly serviceIngress?: readonly ServiceIngressRule[];
  /**
   * Drift lock: `check_associate` on each HAVIP plus one `tencentcloud_ha_vip_instance_attachment` per
   * node, so only these two CVMs can take the HAVIP.
   * @default true
   */
  readonly driftLock?: boolean;
  /**
   * EIP bound to the first HAVIP; `false` for none.
   * @default - an EIP with 1 Mbit/s
   */
  readonly eip?: HaVipEipProps | false;
  /**
   * Put the nodes into a placement group that spreads them over physical hosts.
   * @default true
   */
  readonly spreadAcrossHosts?: boolean;
  /** Keepalived source tarball for images whose Keepalived is older than 1.2.24. @default - the distribution's package */
  readonly keepalivedSource?: { readonly url: string; readonly sha256: string };
  /** Tags on every taggable resource. @default {} */
  readonly tags?: { readonly [key: string]: string };
  /**
   * Provision Keepalived over SSH when `cdktf deploy` applies: a `terraform_data` resource whose
   * local-exec runs `havip-cluster provision` with this cluster's spec. It runs again whenever the
   * spec, the package version or an instance changes, and does nothing on destroy. Also adds a
   * deploy gate per node (`provision --node`), so resizes, reinstalls and replacements roll one node
   * at a time. `false` leaves provisioning to `npx havip-cluster provision --outputs-file ...`, and
   * disruptive changes then hit both nodes in one apply.
   * @default true
   */
  readonly provisionOnDeploy?: boolean;
  /**
   * Adopt what an interrupted deploy created but never recorded (a CVM, an HAVIP, the EIP's binding):
   * a lookup by the cluster's constant names and an `import` block for each, so the next deploy
   * records the resource instead of creating it again. `false` leaves them out; needed only for a
   * deploy that replaces the VPC, subnet or security group while the nodes exist (the new ids are
   * unknown at plan time, and the adoption's `for_each` stops the plan).
   * @default true
   */
  readonly adoptUnrecorded?: boolean;
}
