import * as fs from "node:fs";
import * as path from "node:path";
import { pollUntil } from "../lib/core/poll-until";
import { runCommand } from "./host/host-command";
import {
  DEFAULT_LAB_PREFIX,
  LAB_CGROUP_PARENT,
  LAB_SERVER_NAMES,
  type LabLayout,
  type LabServerName,
  defaultLabStateDir,
  labLayout,
  labNamespaces,
} from "./lab-layout";
import { deleteLabNetwork } from "./network/lab-network";
import { networkNamespacePids, signalProcess } from "./host/lab-processes";
import { serverInitPid } from "./servers/lab-server";

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

function mountPointsUnder(dir: string): string[] {
  const prefix = `${dir.replace(/\/+$/, "")}/`;
  return fs
    .readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1]?.replace(/\\040/g, " "))
    .filter((mountPoint): mountPoint is string => mountPoint !== undefined && (mountPoint + "/").startsWith(prefix));
}

const CGROUP_HIERARCHIES = ["unified", "systemd"] as const;

/** Every cgroup dir of a server, deepest first (the server's systemd creates its own below the supervisor's). */
function cgroupDirsDeepestFirst(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const children = fs.readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  return [...children.flatMap((child) => cgroupDirsDeepestFirst(path.join(dir, child.name))), dir];
}

function cgroupPids(dir: string): number[] {
  return cgroupDirsDeepestFirst(dir).flatMap((cgroup) => {
    try {
      return fs.readFileSync(path.join(cgroup, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

/**
 * Kills a server's supervisor, nspawn and everything the server runs in one go (`cgroup.kill` on
 * its cgroup2 subtree: the supervisor cannot boot it again in between), then removes its cgroups.
 */
async function killServerCgroup(layout: LabLayout, name: LabServerName): Promise<void> {
  const unified = path.join("/sys/fs/cgroup/unified", layout.servers[name].cgroupPath);
  // Each attempt kills what it finds; done once nothing is left.
  const killed = await pollUntil(
    async () => {
      const pids = [
        ...new Set(
          CGROUP_HIERARCHIES.flatMap((hierarchy) => cgroupPids(path.join("/sys/fs/cgroup", hierarchy, layout.servers[name].cgroupPath))),
        ),
      ];
      if (pids.length === 0) return pids;
      try {
        fs.writeFileSync(path.join(unified, "cgroup.kill"), "1");
      } catch {
        // no cgroup2 subtree (yet): signal one by one
      }
      for (const pid of pids) signalProcess(pid, "SIGKILL");
      return pids;
    },
    (pids) => pids.length === 0,
    { timeoutMs: 5000, intervalMs: 50 },
  );
  if (!killed.done) throw new Error(`processes of lab server ${name} still running after SIGKILL: ${killed.value.join(", ")}`);
  for (const hierarchy of CGROUP_HIERARCHIES) {
    for (const dir of cgroupDirsDeepestFirst(path.join("/sys/fs/cgroup", hierarchy, layout.servers[name].cgroupPath))) {
      try {
        fs.rmdirSync(dir);
      } catch {
        // busy for a moment after the last process exits: the next `lab down` removes it
      }
    }
  }
}

async function killNamespaceProcesses(layout: LabLayout): Promise<void> {
  for (const name of LAB_SERVER_NAMES) await killServerCgroup(layout, name);
  for (const hierarchy of CGROUP_HIERARCHIES) {
    try {
      fs.rmdirSync(path.join("/sys/fs/cgroup", hierarchy, LAB_CGROUP_PARENT));
    } catch {
      // absent, or another lab's servers still run under it
    }
  }
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
  for (const mountPoint of mountPointsUnder(layout.stateDir).reverse()) {
    const result = await runCommand(["umount", mountPoint]);
    if (result.code !== 0) await runCommand(["umount", "--lazy", mountPoint]);
  }
  step(`removing ${layout.stateDir}`);
  for (const entry of stateDirEntries(layout)) fs.rmSync(entry, { recursive: true, force: true });
  try {
    fs.rmdirSync(layout.stateDir);
  } catch {
    // absent, or holds files the lab did not create: leave them
  }
}
