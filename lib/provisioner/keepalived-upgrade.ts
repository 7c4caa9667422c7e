import type { ClusterSpec } from "../core/cluster-settings";
import { vipHolders } from "../core/health";
import { installedKeepalivedVersion } from "../core/node/install-keepalived";
import { upgradeKeepalivedCommand } from "../core/node/package-hold";
import { planRollout } from "../core/plan/plan-rollout";
import { readKeepalivedStatus, startKeepalived } from "./keepalived-control";
import { readNodeFacts } from "./observe-node";
import type { PreparedNode } from "./prepare-node";
import { INSTALL_COMMAND_TIMEOUT_MS } from "./ssh/remote-shell";
import { waitForSingleVipHolder } from "./vip-wait";

export interface KeepalivedUpgradeStep {
  readonly nodeName: string;
  readonly before: string;
  readonly after: string;
}

/**
 * The deliberate Keepalived upgrade (`provision --upgrade-keepalived`): one node at a time in the
 * rollout order (the node without the VIP first, the holder last), each upgraded, started again
 * if the package left it stopped, and the pair back to exactly one VIP holder before the next.
 * @returns the nodes with their new Keepalived versions, in the original order
 */
export async function upgradeKeepalivedOneNodeAtATime(
  spec: ClusterSpec,
  nodes: readonly PreparedNode[],
  vipTimeoutMs: number,
  progress: (message: string) => void,
): Promise<{ readonly nodes: PreparedNode[]; readonly steps: KeepalivedUpgradeStep[] }> {
  const statuses = nodes.map((node) => node.observation.keepalived);
  const order = planRollout(
    nodes.map((node, index) => ({
      nodeName: node.node.name,
      keepalivedRunning: statuses[index].running,
      holdsVip: vipHolders(spec.vips, [{ node: node.node.name, reachable: true, keepalived: statuses[index] }]).length > 0,
      keepalivedInputsChanged: false,
      appliedMatches: true,
    })),
  ).map((step) => step.nodeName);
  const upgraded = [...nodes];
  const steps: KeepalivedUpgradeStep[] = [];
  for (const nodeName of order) {
    const index = upgraded.findIndex((candidate) => candidate.node.name === nodeName);
    const node = upgraded[index];
    const packageManager = node.observation.facts.packageManager;
    if (!packageManager || node.install?.action === "built-from-source") {
      throw new Error(`${nodeName}: Keepalived is not a distribution package here; rebuild it from keepalivedSource instead`);
    }
    progress(`${nodeName}: upgrading keepalived ${node.keepalivedVersion}`);
    await node.shell.check("upgrading the keepalived package", upgradeKeepalivedCommand(packageManager), {
      timeoutMs: INSTALL_COMMAND_TIMEOUT_MS,
    });
    const facts = await readNodeFacts(node.shell);
    const after = installedKeepalivedVersion(facts) ?? node.keepalivedVersion;
    if (statuses[index].running && !(await readKeepalivedStatus(node.shell, facts.initSystem, spec.interfaceName)).running) {
      progress(`${nodeName}: starting keepalived again`);
      await startKeepalived(node.shell, facts.initSystem);
    }
    upgraded[index] = { ...node, observation: { ...node.observation, facts }, keepalivedVersion: after };
    steps.push({ nodeName, before: node.keepalivedVersion, after });
    if (statuses.some((status) => status.running)) {
      progress(`${nodeName}: waiting for exactly one VIP holder before the next node`);
      const watched = upgraded.map((each) => ({ name: each.node.name, shell: each.shell, initSystem: each.observation.facts.initSystem }));
      const result = await waitForSingleVipHolder(spec, watched, vipTimeoutMs);
      if (!result.holder)
        throw new Error(
          `after upgrading ${nodeName}, ${result.holders.length > 1 ? "both nodes hold" : "no node holds"} the VIP; stopping before the next node`,
        );
    }
  }
  return { nodes: upgraded, steps };
}
