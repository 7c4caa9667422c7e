import { clusterHealth } from "../../lib/core/health";
import { DEFAULT_STATE_FILE_PATH } from "../../lib/core/limits";
import { pollUntil } from "../../lib/core/poll-until";
import type { LabLayout } from "../lab-layout";
import { labObservations, labStatus, type LabStatus } from "../lab-status";
import { serverFileModifiedAt } from "../servers/server-inspection";
import { MASTER_DOWN_S, SETTLE_TIMEOUT_MS } from "./drill-timing";

/**
 * What keeps the lab from being ready for a drill, or undefined when it is: one VIP holder, and
 * Keepalived running on both servers in MASTER or BACKUP (a server still in FAULT, e.g. waiting for
 * `rise` good checks, could not take over, and the next drill would measure that instead of its own fault).
 */
export function labUnsteadiness(status: LabStatus): string | undefined {
  const verdict = clusterHealth([status.vip], labObservations(status), undefined, "server");
  return verdict.healthy ? undefined : verdict.problems.join("; ");
}

/** Waits until the lab is steady (see labUnsteadiness); resolves with what is still wrong after timeoutMs, or undefined. */
export async function waitForSteadyLab(lab: LabLayout, timeoutMs: number): Promise<string | undefined> {
  const outcome = await pollUntil(
    async () => labUnsteadiness(await labStatus(lab)),
    (unsteadiness) => unsteadiness === undefined,
    {
      timeoutMs,
      intervalMs: 200,
    },
  );
  return outcome.value;
}

/**
 * Seconds since either server's Keepalived last changed state (the notify script rewrites the
 * state file on every transition): undefined when a state file is missing, 0 while a server is
 * between two boots (a restarting server is not quiet).
 */
async function secondsSinceLastTransition(lab: LabLayout): Promise<number | undefined> {
  let newest = 0;
  for (const name of ["a", "b"] as const) {
    const mtime = await serverFileModifiedAt(lab, name, DEFAULT_STATE_FILE_PATH);
    if (mtime === "offline") return 0;
    if (mtime === undefined) return undefined;
    newest = Math.max(newest, mtime);
  }
  return (Date.now() - newest) / 1000;
}

/**
 * Waits until neither server has changed state for a master-down interval. A server that just
 * became BACKUP (after a restart or the previous drill's restore) may still be running a
 * master-down timer it started before it heard the master; a fault injected then is "detected"
 * as soon as that old timer expires, long before VRRP could detect it (seen once: a crash
 * failover of 0.63 s, below the 2.6 s a crash can take at the earliest).
 */
export async function waitForQuietLab(lab: LabLayout): Promise<void> {
  const quietSeconds = MASTER_DOWN_S + 0.5;
  let quiet: number | undefined;
  await pollUntil(
    async () => (quiet = await secondsSinceLastTransition(lab)),
    (seconds) => seconds === undefined || seconds >= quietSeconds,
    // Sleep exactly until the lab would have been quiet long enough, had nothing changed since.
    { timeoutMs: SETTLE_TIMEOUT_MS, intervalMs: () => Math.ceil((quietSeconds - (quiet ?? 0)) * 1000) },
  );
}
