import { type DataResource, dependable, type ITerraformDependable, TerraformResource } from "cdktf";
import type { Construct } from "constructs";
import { HaVipEipAttachment } from "../../../.gen/providers/tencentcloud/ha-vip-eip-attachment";
import type { Instance } from "../../../.gen/providers/tencentcloud/instance";
import { SecurityGroupRuleSet } from "../../../.gen/providers/tencentcloud/security-group-rule-set";
import type { ClusterSpec } from "../../core/cluster-settings";
import { nodeGateArgs } from "../../spec/provision-invocation";
import { addPostApplyProvisioning } from "../post-apply-provisioning";

/**
 * What the provider changes on a running CVM in a way that stops or reinstalls it:
 * `image_id` (ResetInstance: the OS is reinstalled), `instance_type` (a resize stops the CVM),
 * the system disk (may force a stop); a new `id` is a replaced node.
 */
export function disruptiveAttributes(instance: Instance): Record<string, unknown> {
  return {
    instance_id: instance.id,
    image_id: instance.imageId,
    instance_type: instance.instanceType,
    system_disk_type: instance.systemDiskType,
    system_disk_size: instance.systemDiskSize,
  };
}

export interface NodeGateInput {
  readonly nodeName: string;
  readonly instance: Instance;
  /** Spec JSON expression the run reads; must not refer to anything that waits for this gate. */
  readonly specJson: string;
  readonly specHoldsSecret: boolean;
  /** What must exist before the node can be provisioned (its drift lock, the security rules...). */
  readonly dependsOn: ITerraformDependable[];
  /** The peer's SSH address is not in `specJson` (it only exists after this gate): reach it through this node. */
  readonly peerViaNode: boolean;
  /** The gate of the node rolled before this one: when that one re-runs, this one does too. */
  readonly after?: DataResource;
}

/**
 * One node's deploy gate: a `terraform_data` replaced whenever the node was reset, resized or
 * replaced, whose local-exec runs `havip-cluster provision --node <name>`, re-provisioning that
 * node and waiting until its Keepalived is MASTER or BACKUP. The next node's instance depends on
 * it, so Terraform touches the next node only once this one is healthy again.
 */
export function addNodeGate(scope: Construct, input: NodeGateInput): DataResource {
  return addPostApplyProvisioning(scope, input.specJson, [], input.dependsOn, input.specHoldsSecret, {
    id: `${input.nodeName}-gate`,
    args: nodeGateArgs(input.nodeName, { peerViaNode: input.peerViaNode }),
    triggersReplace: {
      ...disruptiveAttributes(input.instance),
      ...(input.after ? { previous_gate: input.after.id } : {}),
    },
  });
}

export interface NodeGatesInput {
  readonly instances: readonly [Instance, Instance];
  readonly clusterSpec: ClusterSpec;
  /** The whole pair's spec JSON (the secondary's gate reads it). */
  readonly specJson: string;
  /** How a spec becomes JSON for local-exec: the same way as `specJson`. */
  readonly toSpecJson: (spec: ClusterSpec) => string;
  readonly specHoldsSecret: boolean;
  /** Each node's drift-lock attachments, primary first. */
  readonly driftLocks: readonly [readonly TerraformResource[], readonly TerraformResource[]];
  readonly publicSsh: boolean;
}

/**
 * Both deploy gates, and the secondary instance made to wait for the primary's. The primary's gate
 * must not read anything of the secondary (that would be a cycle): its spec names the secondary by
 * private IP only, and with public SSH it reaches the secondary through the primary (the security
 * group admits each node from the other), to read the VRRP password the pair shares.
 */
export function addNodeGates(scope: Construct, input: NodeGatesInput): [DataResource, DataResource] {
  const [primary, secondary] = input.instances;
  const [primaryNode, secondaryNode] = input.clusterSpec.nodes;
  const primarySpec: ClusterSpec = {
    ...input.clusterSpec,
    nodes: [primaryNode, { name: secondaryNode.name, privateIp: secondaryNode.privateIp, sshHost: secondaryNode.privateIp }],
  };
  const sharedResources = scope.node
    .findAll()
    .filter((child): child is TerraformResource => child instanceof SecurityGroupRuleSet || child instanceof HaVipEipAttachment);
  const primaryGate = addNodeGate(scope, {
    nodeName: primaryNode.name,
    instance: primary,
    specJson: input.toSpecJson(primarySpec),
    specHoldsSecret: input.specHoldsSecret,
    dependsOn: [primary, ...input.driftLocks[0], ...sharedResources],
    peerViaNode: input.publicSsh,
  });
  secondary.dependsOn = [...(secondary.dependsOn ?? []), dependable(primaryGate)];
  const secondaryGate = addNodeGate(scope, {
    nodeName: secondaryNode.name,
    instance: secondary,
    specJson: input.specJson,
    specHoldsSecret: input.specHoldsSecret,
    dependsOn: [secondary, ...input.driftLocks[1], primaryGate],
    peerViaNode: false,
    after: primaryGate,
  });
  return [primaryGate, secondaryGate];
}
