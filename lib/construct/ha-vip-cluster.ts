import { Annotations, type DataResource, dependable, TerraformOutput, TerraformResource, TerraformStack, Token } from "cdktf";
import { Construct } from "constructs";
import { DataTencentcloudImages } from "../../.gen/providers/tencentcloud/data-tencentcloud-images";
import { Eip } from "../../.gen/providers/tencentcloud/eip";
import { HaVip } from "../../.gen/providers/tencentcloud/ha-vip";
import { HaVipEipAttachment } from "../../.gen/providers/tencentcloud/ha-vip-eip-attachment";
import { HaVipInstanceAttachment } from "../../.gen/providers/tencentcloud/ha-vip-instance-attachment";
import { Instance } from "../../.gen/providers/tencentcloud/instance";
import { KeyPair } from "../../.gen/providers/tencentcloud/key-pair";
import { PlacementGroup } from "../../.gen/providers/tencentcloud/placement-group";
import { SecurityGroup } from "../../.gen/providers/tencentcloud/security-group";
import { SecurityGroupRuleSet } from "../../.gen/providers/tencentcloud/security-group-rule-set";
import { Subnet } from "../../.gen/providers/tencentcloud/subnet";
import { Vpc } from "../../.gen/providers/tencentcloud/vpc";
import type { ClusterSpec, NodeSpec } from "../core/cluster-settings";
import { clusterSpecFromSettings } from "../core/cluster-spec-from-settings";
import {
  DEFAULT_IMAGE_NAME_REGEX,
  DEFAULT_INSTANCE_TYPE,
  DEFAULT_PUBLIC_BANDWIDTH_MBPS,
  DEFAULT_SYSTEM_DISK_SIZE_GB,
  DEFAULT_SYSTEM_DISK_TYPE,
} from "../core/limits";
import { type ClusterFootprint, findNeighbourConflicts, isOpenToEveryone, type NetworkPlan, resolveNetworkPlan } from "../core/network";
import { throwIfProblems } from "../core/settings-error";
import type { HaVipClusterProps } from "./ha-vip-cluster-props";
import type { HaVipNetwork } from "./ha-vip-network";
import { keyPairName, outputPrefix, type ClusterNames, findNameConflicts } from "./private/cluster-names";
import { clusterNamesInTree, clustersInTree, registerCluster, registerClusterNames } from "./private/cluster-registry";
import { ARGUMENTS_UNREAD_ON_IMPORT, adoptEipAttachment, adoptHavip, adoptInstance, type HavipLookup } from "./private/adoption";
import { autoAddressGuard } from "./private/havip-address-guard";
import { addNodeGates } from "./private/node-gates";
import { egressRules, ingressRules } from "./private/security-rules";
import { addDeployPreflight, addPostApplyProvisioning } from "./post-apply-provisioning";
import { deploySshChecks } from "./private/deploy-ssh-checks";
import { jsonLocal, terraformTags, terraformText } from "./private/terraform-text";
import { networkPlanInput, validateHaVipClusterProps } from "./private/validate-props";

const NODE_NAMES = ["primary", "secondary"] as const;

/**
 * A Tencent Cloud HAVIP served by a Keepalived primary/secondary pair of CVMs: network, security
 * group, placement group, the two nodes, 1-5 HAVIPs with a drift lock, an optional EIP, and the
 * outputs the provisioner reads (`<id>-spec`).
 *
 * Every prop is validated in the constructor; an invalid one throws a SettingsError before any
 * resource exists.
 */
export class HaVipCluster extends Construct {
  /** `props.clusterName`, or the construct id: names the resources and the cluster in the spec. */
  public readonly clusterName: string;
  /** VPC id (the new VPC's id expression, or the given id): pass it to a second cluster in this VPC. */
  public readonly vpcId: string;
  /** Subnet id (the new subnet's id expression, or the given id). */
  public readonly subnetId: string;
  /** The VPC and subnet, for a second cluster to join: `network: web.network`. */
  public readonly network: HaVipNetwork;
  /** Id of the security group both nodes are in (VRRP between them, SSH, `serviceIngress`). */
  public readonly securityGroupId: string;
  /** The two CVMs, primary first; post-apply steps can depend on them. */
  public readonly instances: readonly [Instance, Instance];
  /** The key pair authorized on both nodes (the cluster's own, or `sshKeyPairId`): another cluster with the same key passes it as its `sshKeyPairId`. */
  public readonly keyPairId: string;
  /** The CVMs' ids (Terraform expressions), primary first. */
  public readonly instanceIds: readonly [string, string];
  /** Fixed private IPs of the nodes, known at synth time. */
  public readonly nodePrivateIps: readonly [string, string];
  /** Public IPs of the nodes (expressions), when `publicSsh` is on. */
  public readonly nodePublicIps?: readonly [string, string];
  /** The `HaVip` resources, in the order of `props.havips`. */
  public readonly havips: readonly HaVip[];
  /** HAVIP addresses as Terraform expressions (known after apply for auto-assigned ones). */
  public readonly havipAddresses: readonly string[];
  /** Public address of the EIP on the first HAVIP, when there is one. */
  public readonly eipAddress?: string;
  /** The ClusterSpec, with Terraform expressions for addresses and ids known only after apply. */
  public readonly clusterSpec: ClusterSpec;
  /** `clusterSpec` as a JSON string expression (the value of the `<id>-spec` output). */
  public readonly specJson: string;
  /** The `terraform_data` whose local-exec provisions Keepalived on deploy (absent with `provisionOnDeploy: false`). */
  public readonly provisioning?: DataResource;
  /**
   * Per-node deploy gates, primary first (absent with `provisionOnDeploy: false`): each re-provisions
   * its node after a reset, resize or replacement and waits until it is healthy; the secondary
   * instance waits for the primary's gate, so disruptive changes roll one node at a time.
   */
  public readonly nodeGates?: readonly [DataResource, DataResource];

  private readonly props: HaVipClusterProps;
  /** Each node's drift-lock attachments, primary first. */
  private readonly driftLocks: [HaVipInstanceAttachment[], HaVipInstanceAttachment[]] = [[], []];
  private readonly plan: NetworkPlan;
  /** The first HAVIP's lookup by name (its EIP binding is adopted through it), when it has one. */
  private firstHavipLookup?: HavipLookup;

  constructor(scope: Construct, id: string, props: HaVipClusterProps) {
    super(scope, id);
    const context = `HaVipCluster '${this.node.path}'`;
    throwIfProblems(context, validateHaVipClusterProps(id, props));
    const provisionOnDeploy = props.provisionOnDeploy ?? true;
    // What the provisioning on deploy needs from this machine, before any resource is declared.
    const sshChecks = provisionOnDeploy ? deploySshChecks(props.ssh) : { errors: [], warnings: [] };
    throwIfProblems(context, sshChecks.errors);
    sshChecks.warnings.forEach((warning) => Annotations.of(this).addWarning(`${context}: ${warning}`));
    this.props = props;
    this.clusterName = props.clusterName ?? id;
    this.plan = resolveNetworkPlan(networkPlanInput(props));
    // A VPC or subnet this cluster creates is new, so no earlier cluster can be in it: a placeholder key will do.
    const prospective = this.footprint(
      props.network.vpcId ?? `(new VPC of ${this.node.path})`,
      props.network.subnetId ?? `(new subnet of ${this.node.path})`,
    );
    throwIfProblems(context, findNeighbourConflicts(prospective, clustersInTree(this)));
    const names = this.claimedNames();
    throwIfProblems(context, findNameConflicts(names, clusterNamesInTree(this)));
    registerClusterNames(this, names);

    const { vpcId, subnetId } = this.createNetwork();
    this.vpcId = vpcId;
    this.subnetId = subnetId;
    this.network = {
      vpcId,
      ...(this.plan.vpcCidr !== undefined ? { vpcCidr: this.plan.vpcCidr } : {}),
      subnetId,
      subnetCidr: this.plan.subnetCidr,
      availabilityZone: props.network.availabilityZone,
    };
    registerCluster(this, this.footprint(vpcId, subnetId));

    this.securityGroupId = this.createSecurityGroup();
    this.nodePrivateIps = [this.plan.primaryIp, this.plan.secondaryIp];
    this.keyPairId = this.createKeyPair();
    this.instances = this.createNodes();
    this.instanceIds = [this.instances[0].id, this.instances[1].id];
    if (this.publicSsh) this.nodePublicIps = [this.instances[0].publicIp, this.instances[1].publicIp];
    this.havips = this.createHavips();
    this.havipAddresses = this.havips.map((havip) => havip.vip);
    this.eipAddress = this.createEip();

    if (props.keepalived.authPass !== undefined && !Token.isUnresolved(props.keepalived.authPass)) {
      Annotations.of(this).addWarning(
        `${context}: keepalived.authPass is a literal, so it is written in clear into cdk.tf.json; pass a sensitive TerraformVariable instead (docs/construct.md)`,
      );
    }
    this.clusterSpec = this.buildClusterSpec();
    this.specJson = jsonLocal(this, "spec", this.clusterSpec);
    this.createOutputs(names.outputPrefix);
    if (provisionOnDeploy) {
      this.nodeGates = addNodeGates(this, {
        instances: this.instances,
        clusterSpec: this.clusterSpec,
        specJson: this.specJson,
        toSpecJson: (spec) => jsonLocal(this, "primary-gate-spec", spec),
        specHoldsSecret: props.keepalived.authPass !== undefined,
        driftLocks: this.driftLocks,
        publicSsh: this.publicSsh,
      });
      // After every resource of the cluster: the drift lock must allow both nodes before either announces the VIP.
      const clusterResources = this.node.findAll().filter((child): child is TerraformResource => child instanceof TerraformResource);
      this.provisioning = addPostApplyProvisioning(
        this,
        this.specJson,
        this.instanceIds,
        clusterResources,
        props.keepalived.authPass !== undefined,
      );
      // Checked before the first resource of the cluster: every one of them waits for the preflight.
      const resources = this.node.findAll().filter((child): child is TerraformResource => child instanceof TerraformResource);
      const preflight = addDeployPreflight(this, { clusterName: this.clusterName, ssh: props.ssh ?? {} });
      for (const resource of resources) resource.dependsOn = [...(resource.dependsOn ?? []), dependable(preflight)];
    }
  }

  private claimedNames(): ClusterNames {
    const stack = TerraformStack.of(this);
    const pathBelowStack = this.node.scopes.slice(this.node.scopes.indexOf(stack) + 1).map((scope) => scope.node.id);
    return {
      path: this.node.path,
      stackPath: stack.node.path,
      clusterName: this.clusterName,
      keyPairName: keyPairName(this.clusterName),
      outputPrefix: outputPrefix(pathBelowStack),
    };
  }

  /** A node's instance name: constant, so a CVM a killed deploy left unrecorded can be found by it. */
  private instanceName(index: number): string {
    return `${this.clusterName}-${NODE_NAMES[index]}`;
  }

  private get adoptsUnrecorded(): boolean {
    return this.props.adoptUnrecorded ?? true;
  }

  private get publicSsh(): boolean {
    return this.props.publicSsh ?? true;
  }

  private get tags(): { [key: string]: string } | undefined {
    return terraformTags(this.props.tags);
  }

  private createNetwork(): { vpcId: string; subnetId: string } {
    const network = this.props.network;
    const vpcId =
      terraformText(network.vpcId) ??
      new Vpc(this, "vpc", {
        name: terraformText(network.vpcName) ?? `${this.clusterName}-vpc`,
        cidrBlock: this.plan.vpcCidr ?? "",
        tags: this.tags,
      }).id;
    const subnetId =
      terraformText(network.subnetId) ??
      new Subnet(this, "subnet", {
        name: terraformText(network.subnetName) ?? `${this.clusterName}-subnet`,
        vpcId,
        cidrBlock: this.plan.subnetCidr,
        availabilityZone: terraformText(network.availabilityZone),
        tags: this.tags,
      }).id;
    return { vpcId, subnetId };
  }

  private footprint(vpcKey: string, subnetKey: string): ClusterFootprint {
    return {
      clusterName: this.node.path,
      vpcKey,
      subnetKey,
      subnetCidr: this.plan.subnetCidr,
      virtualRouterId: this.props.keepalived.virtualRouterId,
      addresses: [
        { field: "nodes.primaryIp", address: this.plan.primaryIp },
        { field: "nodes.secondaryIp", address: this.plan.secondaryIp },
        ...this.plan.havipAddresses.flatMap((address, index) => (address ? [{ field: `havips[${index}].address`, address }] : [])),
      ],
    };
  }

  private sshAllowedCidr(): string {
    const cidr = this.props.sshAllowedCidr ?? this.plan.vpcCidr ?? this.plan.subnetCidr;
    if (!Token.isUnresolved(cidr) && isOpenToEveryone(cidr)) {
      Annotations.of(this).addWarning(
        `HaVipCluster '${this.node.path}': sshAllowedCidr ${cidr} opens SSH to the whole internet; give the operator's address, e.g. 203.0.113.7/32`,
      );
    }
    return cidr;
  }

  private createSecurityGroup(): string {
    const group = new SecurityGroup(this, "security-group", {
      name: `${this.clusterName}-sg`,
      description: `HAVIP cluster ${this.clusterName}: SSH, VRRP between the nodes, service`,
      tags: this.tags,
    });
    new SecurityGroupRuleSet(this, "security-rules", {
      securityGroupId: group.id,
      ingress: ingressRules({
        sshAllowedCidr: this.sshAllowedCidr(),
        nodeIps: [this.plan.primaryIp, this.plan.secondaryIp],
        serviceIngress: this.props.serviceIngress ?? [],
      }),
      egress: egressRules(),
    });
    return group.id;
  }

  /** The image of new nodes; `lookedUp` ones are pinned on running nodes, so a newer match never reinstalls one. */
  private image(): { readonly imageId: string; readonly lookedUp: boolean } {
    const nodes = this.props.nodes ?? {};
    if (nodes.imageId) return { imageId: terraformText(nodes.imageId), lookedUp: false };
    // The provider sorts matches newest first (sortImages, by CreatedTime): images.0 moves on when Tencent publishes one.
    const images = new DataTencentcloudImages(this, "image", {
      imageType: ["PUBLIC_IMAGE"],
      imageNameRegex: terraformText(nodes.imageNameRegex ?? DEFAULT_IMAGE_NAME_REGEX),
    });
    return { imageId: images.images.get(0).imageId, lookedUp: true };
  }

  private createKeyPair(): string {
    if (this.props.sshKeyPairId !== undefined) return terraformText(this.props.sshKeyPairId);
    return new KeyPair(this, "key-pair", {
      keyName: keyPairName(this.clusterName),
      publicKey: terraformText(this.props.sshPublicKey),
      tags: this.tags,
    }).id;
  }

  private createNodes(): [Instance, Instance] {
    const nodes = this.props.nodes ?? {};
    const placementGroup =
      (this.props.spreadAcrossHosts ?? true)
        ? new PlacementGroup(this, "placement-group", {
            name: `${this.clusterName}-spread`,
            // Spread over physical hosts, at most one node per host (affinity 1).
            type: "HOST",
            affinity: 1,
            tags: this.tags,
          })
        : undefined;
    const { imageId, lookedUp } = this.image();
    const [primary, secondary] = [this.plan.primaryIp, this.plan.secondaryIp].map(
      (privateIp, index) =>
        new Instance(this, NODE_NAMES[index], {
          instanceName: this.instanceName(index),
          availabilityZone: terraformText(this.props.network.availabilityZone),
          imageId,
          instanceType: terraformText(nodes.instanceType ?? DEFAULT_INSTANCE_TYPE),
          systemDiskType: terraformText(nodes.systemDiskType ?? DEFAULT_SYSTEM_DISK_TYPE),
          systemDiskSize: nodes.systemDiskSizeGb ?? DEFAULT_SYSTEM_DISK_SIZE_GB,
          vpcId: this.vpcId,
          subnetId: this.subnetId,
          privateIp,
          orderlySecurityGroups: [this.securityGroupId],
          keyIds: [this.keyPairId],
          placementGroupId: placementGroup?.id,
          allocatePublicIp: this.publicSsh,
          ...(this.publicSsh
            ? {
                internetChargeType: "TRAFFIC_POSTPAID_BY_HOUR",
                internetMaxBandwidthOut: this.props.publicBandwidthMbps ?? DEFAULT_PUBLIC_BANDWIDTH_MBPS,
              }
            : {}),
          ...(nodes.userData !== undefined ? { userDataRaw: terraformText(nodes.userData) } : {}),
          tags: this.tags,
          lifecycle: {
            ignoreChanges: [
              // image_id is updated in place by ResetInstance (a reinstall): a looked-up image only applies to new nodes.
              ...(lookedUp ? ["image_id"] : []),
              // Never read back by the provider: without this, a CVM adopted after a killed deploy plans changes.
              ...ARGUMENTS_UNREAD_ON_IMPORT,
            ],
          },
        }),
    );
    if (this.adoptsUnrecorded)
      [primary, secondary].forEach((instance, index) =>
        adoptInstance(this, NODE_NAMES[index], instance, {
          name: this.instanceName(index),
          privateIp: this.nodePrivateIps[index],
          securityGroupId: this.securityGroupId,
        }),
      );
    return [primary, secondary];
  }

  private createHavips(): HaVip[] {
    const driftLock = this.props.driftLock ?? true;
    return (this.props.havips ?? [{}]).map((settings, index) => {
      const number = index + 1;
      const name = terraformText(settings.name) ?? `${this.clusterName}-havip-${number}`;
      const havip = new HaVip(this, `havip-${number}`, {
        name,
        vpcId: this.vpcId,
        subnetId: this.subnetId,
        vip: settings.address,
        // With check_associate on, only the attached CVMs below may take the HAVIP over.
        checkAssociate: driftLock,
        ...(settings.address === undefined ? autoAddressGuard(this.instances[0], this.plan.secondaryIp) : {}),
      });
      if (this.adoptsUnrecorded) {
        const lookup = adoptHavip(this, `havip-${number}`, havip, { name, subnetId: this.subnetId, address: settings.address });
        if (index === 0) this.firstHavipLookup = lookup;
      }
      if (driftLock) {
        this.instances.forEach((instance, nodeIndex) => {
          const lock = new HaVipInstanceAttachment(this, `havip-${number}-${NODE_NAMES[nodeIndex]}-lock`, {
            haVipId: havip.id,
            instanceId: instance.id,
            instanceType: "CVM",
            lifecycle: {
              // The provider's Read stores HaVipAssociationSet[0].InstanceId, which may be the other
              // node's: without this, the two locks of one HAVIP force each other's replacement on
              // every plan. Its id (havip#CVM#instance) still names this node, and Delete uses the id.
              ignoreChanges: ["instance_id"],
              // ...and a replaced node must still be attached again.
              replaceTriggeredBy: [`${instance.terraformResourceType}.${instance.friendlyUniqueId}.id`],
            },
          });
          this.driftLocks[nodeIndex].push(lock);
        });
      }
      return havip;
    });
  }

  private createEip(): string | undefined {
    if (this.props.eip === false) return undefined;
    const settings = this.props.eip ?? {};
    const eip = new Eip(this, "eip", {
      name: terraformText(settings.name) ?? `${this.clusterName}-eip`,
      internetMaxBandwidthOut: settings.bandwidthMbps ?? DEFAULT_PUBLIC_BANDWIDTH_MBPS,
      internetChargeType: terraformText(settings.internetChargeType),
      tags: this.tags,
    });
    const attachment = new HaVipEipAttachment(this, "eip-attachment", { havipId: this.havips[0].id, addressIp: eip.publicIp });
    if (this.firstHavipLookup) adoptEipAttachment(this, "eip-attachment", attachment, this.firstHavipLookup);
    return eip.publicIp;
  }

  /**
   * The ClusterSpec of this cluster: resolved Keepalived settings, HAVIP addresses and node
   * addresses as Terraform expressions. Published as `clusterSpec`/`specJson`; the built-in
   * post-apply provisioning and any step of the user's own read it from there.
   */
  private buildClusterSpec(): ClusterSpec {
    const node = (index: 0 | 1): NodeSpec => ({
      name: NODE_NAMES[index],
      privateIp: this.nodePrivateIps[index],
      sshHost: this.nodePublicIps?.[index] ?? this.nodePrivateIps[index],
      instanceId: this.instanceIds[index],
      imageId: this.instances[index].imageId,
    });
    return clusterSpecFromSettings({
      clusterName: this.clusterName,
      keepalived: this.props.keepalived,
      vips: this.havipAddresses,
      subnetPrefixLength: this.plan.subnetPrefixLength,
      nodes: [node(0), node(1)],
      ssh: this.props.ssh,
      cloud: {
        vpcId: this.vpcId,
        havipIds: this.havips.map((havip) => havip.id),
        ...(this.eipAddress ? { eip: this.eipAddress } : {}),
      },
      keepalivedSource: this.props.keepalivedSource,
    });
  }

  private output(prefix: string, name: string, value: unknown, description: string, sensitive = false): void {
    const output = new TerraformOutput(this, `output-${name}`, { value, description, sensitive });
    output.overrideLogicalId(`${prefix}-${name}`);
  }

  private createOutputs(prefix: string): void {
    this.output(prefix, "havip-addresses", this.havipAddresses, "HAVIP addresses served by the pair");
    if (this.eipAddress) this.output(prefix, "eip", this.eipAddress, "EIP bound to the first HAVIP");
    this.output(prefix, "instance-ids", this.instanceIds, "CVM ids, primary first");
    this.output(prefix, "private-ips", this.nodePrivateIps, "Private IPs of the nodes, primary first");
    if (this.nodePublicIps) this.output(prefix, "public-ips", this.nodePublicIps, "Public IPs of the nodes (SSH), primary first");
    this.output(prefix, "spec", this.specJson, "ClusterSpec JSON for the provisioner", this.clusterSpec.authPass !== undefined);
  }
}
