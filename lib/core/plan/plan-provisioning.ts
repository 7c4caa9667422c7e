import type { NodeSpec } from "../cluster-settings";
import { type ManagedFile, renderNodeFiles } from "../keepalived";
import { vipHolders } from "../health/vip-holders";
import type { NodeObservation } from "../node/observe-node";
import { type ValidClusterSpec, withAuthPass } from "../validation/valid-cluster-spec";
import { type AuthPassChoice, chooseAuthPassFrom } from "./choose-auth-pass";
import { changesKeepalivedInputs, keepalivedInputsFingerprint, planNodeChanges, type NodeChangePlan } from "./plan-node-changes";
import { planNodeSteps, type NodeStepPlan } from "./plan-node-steps";
import { planRollout, type RolloutStep } from "./plan-rollout";
import { planServiceSteps, type ServiceStep } from "./plan-service-steps";

/** A node as the planner takes it: observed, with the Keepalived version its files are written for. */
export interface NodeToPlan {
  readonly node: NodeSpec;
  readonly peer: NodeSpec;
  /** Installed (after preparation), or the one a dry run assumes on a node without Keepalived. */
  readonly keepalivedVersion: string;
  /** With a settled Keepalived status: a Keepalived on its way in or out would be planned wrong. */
  readonly observation: NodeObservation;
}

export interface PlannedNode extends NodeToPlan {
  readonly files: readonly ManagedFile[];
  readonly changes: NodeChangePlan;
  /** The service steps, before the node's Keepalived starts or reloads. */
  readonly service: readonly ServiceStep[];
  /** The Keepalived steps: the one list the dry run prints and the apply performs. */
  readonly steps: NodeStepPlan;
}

export interface ProvisioningPlan {
  /** The spec with the VRRP password settled in it. */
  readonly spec: ValidClusterSpec;
  readonly authPassSource: AuthPassChoice["source"];
  readonly nodes: readonly PlannedNode[];
  /** Nodes in the order they change: without the VIP first, the VIP holder last. */
  readonly rollout: readonly RolloutStep[];
}

export interface ProvisioningPlanOptions {
  /** auth_pass of each node's running keepalived.conf, in the spec's node order (a peer read separately in a one-node run). */
  readonly currentAuthPasses: readonly (string | undefined)[];
  /** A new password, when neither the spec nor the nodes have one. */
  readonly generateAuthPass: () => string;
  /** Activate on nodes whose Keepalived has no config test, without checking. @default false */
  readonly allowUncheckedConfig?: boolean;
  /** How messages name that option. @default "allowUncheckedConfig" */
  readonly allowUncheckedConfigOption?: string;
}

/**
 * Decides a provisioning run from the nodes' observations: the VRRP password settled into the spec
 * once, each node's files rendered once and compared with what it has, the rollout ordered (the
 * VIP holder last), and each node's service and Keepalived steps. Pure: nothing is read or changed.
 */
export function planProvisioning(
  validSpec: ValidClusterSpec,
  nodes: readonly NodeToPlan[],
  options: ProvisioningPlanOptions,
): ProvisioningPlan {
  const choice = chooseAuthPassFrom(validSpec.authPass, options.currentAuthPasses, options.generateAuthPass);
  const spec = withAuthPass(validSpec, choice.authPass);
  const compared = nodes.map((target) => {
    const files = renderNodeFiles(spec, {
      ownIp: target.node.privateIp,
      peerIp: target.peer.privateIp,
      keepalivedVersion: target.keepalivedVersion,
    });
    return { ...target, files, changes: planNodeChanges(target.node.name, files, target.observation.files) };
  });
  const rollout = planRollout(
    compared.map((target) => ({
      nodeName: target.node.name,
      keepalivedRunning: target.observation.keepalived.running,
      holdsVip: vipHolders(spec.vips, [{ node: target.node.name, reachable: true, keepalived: target.observation.keepalived }]).length > 0,
      keepalivedInputsChanged: changesKeepalivedInputs(target.changes),
      appliedMatches: target.observation.appliedFingerprint === keepalivedInputsFingerprint(target.files),
    })),
  );
  const planned = compared.map((target): PlannedNode => {
    const step = rollout.find((candidate) => candidate.nodeName === target.node.name) as RolloutStep;
    return {
      ...target,
      service: planServiceSteps(spec, target.observation),
      steps: planNodeSteps({
        nodeName: target.node.name,
        keepalivedVersion: target.keepalivedVersion,
        initSystem: target.observation.facts.initSystem,
        scriptUser: spec.scriptUser,
        pending: target.changes.pending,
        rollout: step,
        allowUncheckedConfig: options.allowUncheckedConfig,
        allowUncheckedConfigOption: options.allowUncheckedConfigOption,
      }),
    };
  });
  return { spec, authPassSource: choice.source, nodes: planned, rollout };
}
