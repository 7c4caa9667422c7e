import type { DataResource, ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import type { Instance } from "../../../.gen/providers/tencentcloud/instance";
import { addPostApplyProvisioning } from "./post-apply-provisioning";

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
  /** The peer's SSH address is not in `specJson` (it only exists after this gate). */
  readonly withoutPeer: boolean;
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
    args: ["--node", input.nodeName, ...(input.withoutPeer ? ["--without-peer"] : [])],
    triggersReplace: {
      ...disruptiveAttributes(input.instance),
      ...(input.after ? { previous_gate: input.after.id } : {}),
    },
  });
}
