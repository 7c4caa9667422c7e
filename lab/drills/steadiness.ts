import type { HaVipBinding } from "../../lib/cloud/havip-bindings";
import { compareKeepalivedWithCloud } from "../../lib/cloud/keepalived-cloud-comparison";
import { type CloudVerdict, clusterHealth } from "../../lib/core/health";
import { DEFAULT_STATE_FILE_PATH } from "../../lib/core/limits";
import { pollUntil } from "../../lib/core/poll-until";
import { labObservations, serverGroupStatus, type ServerGroupStatus } from "../lab-status";
import { serverFileModifiedAt, serverNames } from "../servers/server-inspection";
import type { DrillTarget } from "./drill-target";
import type { DrillBounds } from "./drill-timing";

/**
 * The cloud's side of the verdict: where Keepalived holds the VIP against where the cloud binds
 * the HAVIP (lib/cloud's comparison, the one `status` uses), with the node names standing in for
 * instance ids on both sides.
 */
export function cloudVerdict<N extends string>(
  status: ServerGroupStatus<N>,
  binding: HaVipBinding,
  instanceOf: (node: N) => string,
): CloudVerdict {
  const views = status.servers.map((server) => ({
    nodeName: server.name,
    instanceId: instanceOf(server.name),
    isMaster: server.vrrpState === "MASTER",
    holdsVip: status.vipHolders.includes(server.name),
  }));
  return { disagreements: compareKeepalivedWithCloud(views, [binding], { vips: [status.vip] }).map((found) => found.message) };
}

/**
 * What keeps the cluster from being ready for a drill, or undefined when it is: one VIP holder,
 * Keepalived running on both nodes in MASTER or BACKUP (a node still in FAULT, e.g. waiting for
 * `rise` good checks, could not take over, and the next drill would measure that instead of its
 * own fault), and, where a cloud binds the HAVIP, the binding on the holder. The verdict is
 * lib/core/health's `clusterHealth`, the one `status` gives.
 */
export function labUnsteadiness<N extends string>(status: ServerGroupStatus<N>, cloud?: CloudVerdict): string | undefined {
  const verdict = clusterHealth([status.vip], labObservations(status), cloud, "server");
  return verdict.healthy ? undefined : verdict.problems.join("; ");
}

/** The target's unsteadiness now (see labUnsteadiness). */
export async function targetUnsteadiness(target: DrillTarget): Promise<string | undefined> {
  const status = await serverGroupStatus(target.group);
  const cloud = target.cloud;
  return labUnsteadiness(status, cloud === undefined ? undefined : cloudVerdict(status, await cloud.binding(), cloud.instanceOf));
}

/** Waits until the target is steady (see labUnsteadiness); resolves with what is still wrong after timeoutMs, or undefined. */
export async function waitForSteadyLab(target: DrillTarget, timeoutMs: number): Promise<string | undefined> {
  const outcome = await pollUntil(
    () => targetUnsteadiness(target),
    (unsteadiness) => unsteadiness === undefined,
    { timeoutMs, intervalMs: 200 },
  );
  return outcome.value;
}

/**
 * Seconds since either node's Keepalived last changed state (the notify script rewrites the
 * state file on every transition): undefined when a state file is missing, 0 while a node is
 * between two boots (a restarting node is not quiet).
 */
async function secondsSinceLastTransition(target: DrillTarget): Promise<number | undefined> {
  let newest = 0;
  for (const name of serverNames(target.group)) {
    const mtime = await serverFileModifiedAt(target.group, name, DEFAULT_STATE_FILE_PATH);
    if (mtime === "offline") return 0;
    if (mtime === undefined) return undefined;
    newest = Math.max(newest, mtime);
  }
  return (Date.now() - newest) / 1000;
}

/**
 * Waits until neither node has changed state for a master-down interval (and, on a cloud, a
 * switch delay longer: a gratuitous ARP sent at the last transition may still move the binding).
 * A node that just became BACKUP (after a restart or the previous drill's restore) may still be
 * running a master-down timer it started before it heard the master; a fault injected then is
 * "detected" as soon as that old timer expires, long before VRRP could detect it (seen once: a
 * crash failover of 0.63 s, below the 2.6 s a crash can take at the earliest).
 */
export async function waitForQuietLab(target: DrillTarget, bounds: DrillBounds): Promise<void> {
  const quietSeconds = bounds.masterDownS + target.timing.switchDelaySeconds + 0.5;
  let quiet: number | undefined;
  await pollUntil(
    async () => (quiet = await secondsSinceLastTransition(target)),
    (seconds) => seconds === undefined || seconds >= quietSeconds,
    // Sleep exactly until the lab would have been quiet long enough, had nothing changed since.
    { timeoutMs: bounds.settleTimeoutMs, intervalMs: () => Math.ceil((quietSeconds - (quiet ?? 0)) * 1000) },
  );
}
