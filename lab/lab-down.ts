import * as fs from "node:fs";
import * as path from "node:path";
import { pollUntil } from "../lib/core/poll-until";
import { DEFAULT_LAB_PREFIX, LAB_SERVER_NAMES, type LabLayout, defaultLabStateDir, labLayout, labNamespaces } from "./lab-layout";
import { deleteLabNetwork } from "./network/lab-network";
import { networkNamespacePids, signalProcess } from "./host/lab-processes";
import { unmountAllUnder } from "./host/mounts";
import { serverInitPid } from "./servers/lab-server";
import { destroyServer } from "./servers/server-lifecycle";

export interface LabDownOptions {
  readonly prefix?: string;
  /** @default `/run/${prefix}` */
  readonly stateDir?: string;
  readonly onStep?: (step: string) => void;
}

/** Everything under the state dir that `lab up` creates; `lab down` removes only these, never a whole user-given dir. */
function stateDirEntries(layout: LabLayout): string[] {
  return [
    ...LAB_SERVER_NAMES.map((name) => layout.servers[name].dir),
    path.dirname(layout.operatorPrivateKeyPath),
    layout.specPath,
    layout.handlePath,
  ];
}

async function killNamespaceProcesses(layout: LabLayout): Promise<void> {
  // Each server at once (its cgroup subtree), its disk unmounted and removed, its cgroups removed.
  for (const name of LAB_SERVER_NAMES) await destroyServer(layout.servers[name]);
  // Killing a server's PID 1 makes the kernel kill everything else in its pid namespace.
  for (const name of LAB_SERVER_NAMES) {
    const pid = await serverInitPid(layout.servers[name]);
    if (pid !== undefined) signalProcess(pid, "SIGKILL");
  }
  // Then whatever else runs in any lab network namespace (the package server, probes, clients).
  const killed = await pollUntil(
    async () => {
      const pids: number[] = [];
      for (const namespace of labNamespaces(layout)) pids.push(...(await networkNamespacePids(namespace)));
      const others = pids.filter((pid) => pid !== process.pid);
      for (const pid of others) signalProcess(pid, "SIGKILL");
      return others;
    },
    (others) => others.length === 0,
    { timeoutMs: 3000, intervalMs: 20 },
  );
  if (!killed.done) throw new Error(`processes still running in the lab's namespaces after SIGKILL: ${killed.value.join(", ")}`);
}

/**
 * Stops the lab: kills every process in its namespaces, deletes the namespaces, unmounts anything
 * left under the state dir and removes what `lab up` wrote there. Idempotent, and works after a
 * failed `lab up` or with no lab at all.
 */
export async function labDown(options: LabDownOptions = {}): Promise<void> {
  const prefix = options.prefix ?? DEFAULT_LAB_PREFIX;
  const layout = labLayout(prefix, options.stateDir ?? defaultLabStateDir(prefix));
  const step = options.onStep ?? (() => undefined);
  step("stopping the servers and every process in the lab's namespaces");
  await killNamespaceProcesses(layout);
  step("deleting the network namespaces");
  await deleteLabNetwork(layout);
  // The servers' overlays are mounted in the host's namespace (nspawn's own mounts vanish with it).
  step("unmounting the servers' root file systems");
  await unmountAllUnder(layout.stateDir);
  step(`removing ${layout.stateDir}`);
  for (const entry of stateDirEntries(layout)) fs.rmSync(entry, { recursive: true, force: true });
  try {
    fs.rmdirSync(layout.stateDir);
  } catch {
    // absent, or holds files the lab did not create: leave them
  }
}
