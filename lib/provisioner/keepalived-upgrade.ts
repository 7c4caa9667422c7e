import type { ClusterSpec } from "../core/cluster-settings";
import { DEFAULT_KEEPALIVED_FILE_PATHS } from "../core/keepalived";
import { planRollout } from "../core/plan/plan-rollout";
import { installedKeepalivedVersion } from "./install-keepalived";
import { readKeepalivedStatus, startKeepalived } from "./keepalived-service";
import { readNodeFacts } from "./node-facts";
import { upgradeKeepalivedPackage } from "./package-hold";
import type { NodeSession } from "./node-session";
import { waitForSingleVipHolder } from "./vip-wait";
import { nodesHoldingVips } from "./vip-holders";

export interface KeepalivedUpgradeStep {
  readonly nodeName: string;
  readonly before: string;
  readonly after: string;
}

/**
 * The deliberate Keepalived upgrade (`provision --upgrade-keepalived`): one node at a time in the
 * rollout order (the node without the VIP first, the holder last), each upgraded, started again
 * if the package left it stopped, and the pair back to exactly one VIP holder before the next.
 * @returns the sessions with their new Keepalived versions, in the original order
 */
export async function upgradeKeepalivedOneNodeAtATime(
  spec: ClusterSpec,
  sessions: readonly NodeSession[],
  vipTimeoutMs: number,
  progress: (message: string) => void,
): Promise<{ readonly sessions: NodeSession[]; readonly steps: KeepalivedUpgradeStep[] }> {
  const statuses = await Promise.all(sessions.map((s) => readKeepalivedStatus(s.shell, s.facts.initSystem, spec.interfaceName)));
  const order = planRollout(
    sessions.map((session, index) => ({
      nodeName: session.node.name,
      keepalivedRunning: statuses[index].running,
      holdsVip: nodesHoldingVips(spec.vips, [{ nodeName: session.node.name, status: statuses[index] }]).length > 0,
      keepalivedInputsChanged: false,
      appliedMatches: true,
    })),
  ).map((step) => step.nodeName);
  const upgraded = [...sessions];
  const steps: KeepalivedUpgradeStep[] = [];
  for (const nodeName of order) {
    const index = upgraded.findIndex((s) => s.node.name === nodeName);
    const session = upgraded[index];
    const packageManager = session.facts.packageManager;
    if (!packageManager || session.install?.action === "built-from-source") {
      throw new Error(`${nodeName}: Keepalived is not a distribution package here; rebuild it from keepalivedSource instead`);
    }
    progress(`${nodeName}: upgrading keepalived ${session.keepalivedVersion}`);
    await upgradeKeepalivedPackage(session.shell, packageManager);
    const facts = await readNodeFacts(session.shell);
    const after = installedKeepalivedVersion(facts) ?? session.keepalivedVersion;
    if (statuses[index].running && !(await readKeepalivedStatus(session.shell, facts.initSystem, spec.interfaceName)).running) {
      progress(`${nodeName}: starting keepalived again`);
      await startKeepalived(session.shell, facts.initSystem, DEFAULT_KEEPALIVED_FILE_PATHS.configPath);
    }
    upgraded[index] = { ...session, facts, keepalivedVersion: after };
    steps.push({ nodeName, before: session.keepalivedVersion, after });
    if (statuses.some((status) => status.running)) {
      progress(`${nodeName}: waiting for exactly one VIP holder before the next node`);
      const result = await waitForSingleVipHolder(spec, upgraded, vipTimeoutMs);
      if (!result.holder)
        throw new Error(
          `after upgrading ${nodeName}, ${result.holders.length > 1 ? "both nodes hold" : "no node holds"} the VIP; stopping before the next node`,
        );
    }
  }
  return { sessions: upgraded, steps };
}
