import type { CloudContext } from "../../api/cloud-context";
import type { MachineSecurityRules, SecurityRule } from "../../host/cloud-host";
import type { CloudState, InstanceRecord, SecurityGroupPolicyRecord } from "../../state/cloud-state";

/** Instances whose machine exists on the host: rules go to these. */
const HAS_MACHINE = new Set(["RUNNING", "STOPPED", "STARTING", "STOPPING", "REBOOTING"]);

function ruleOf(state: Readonly<CloudState>, policy: SecurityGroupPolicyRecord): SecurityRule | undefined {
  let cidrBlocks: string[];
  if (policy.cidrBlock !== "") cidrBlocks = [policy.cidrBlock];
  else if (policy.securityGroupId !== "") {
    cidrBlocks = Object.values(state.instances)
      .filter((instance) => instance.securityGroupIds.includes(policy.securityGroupId))
      .map((instance) => `${instance.privateIp}/32`);
  } else return undefined; // IPv6 peers: the machines have IPv4 only.
  return { action: policy.action, protocol: policy.protocol, port: policy.port, cidrBlocks };
}

/** The rules in force on an instance: its groups in order, each group's rules in order. */
export function machineSecurityRules(state: Readonly<CloudState>, instance: InstanceRecord): MachineSecurityRules {
  const groups = instance.securityGroupIds.map((id) => state.securityGroups[id]).filter((group) => group !== undefined);
  const rules = (direction: "ingress" | "egress") =>
    groups.flatMap((group) =>
      group[direction].map((policy) => ruleOf(state, policy)).filter((rule): rule is SecurityRule => rule !== undefined),
    );
  return { ingress: rules("ingress"), egress: rules("egress") };
}

/**
 * Hands the host the rules of every instance that has a machine, and of `alsoInstanceId` (a
 * machine just booted); a rule may name another group, whose members change, so all of them are
 * refreshed on any change.
 */
export async function syncSecurityRules(cloud: CloudContext, alsoInstanceId?: string): Promise<void> {
  const state = cloud.store.state;
  for (const instance of Object.values(state.instances)) {
    if (HAS_MACHINE.has(instance.state) || instance.instanceId === alsoInstanceId) {
      await cloud.host.applySecurityRules(instance.instanceId, machineSecurityRules(state, instance));
    }
  }
}
