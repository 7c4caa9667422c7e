import * as fs from "node:fs";
import * as path from "node:path";
import { vipHolders as holdersOf } from "../../lib/core/health";
import { pollUntil } from "../../lib/core/poll-until";
import { type CommandOptions, type CommandResult, runCommand, runCommandOrThrow } from "../host/host-command";
import { type ProcessFacts, networkNamespacePids, pidNamespaceOf, readProcessFacts, signalProcess } from "../host/lab-processes";
import { nsenterArgv, serverInitPid } from "./lab-server";
import type { ServerLayout } from "./server-layout";

/**
 * The servers of one cluster by node name, and the VIP they share: the bare lab's `a` and `b`
 * (a `LabLayout` is one), or a local cloud cluster's `primary` and `secondary` machines. Every
 * function here takes one, so the drills inspect and fault both alike.
 */
export interface ServerGroup<N extends string = string> {
  readonly vip: string;
  /** The interface that carries the servers' addresses and the VIP. */
  readonly interfaceName: string;
  readonly servers: Readonly<Record<N, ServerLayout>>;
}

/** The group's node names, in the order its servers are listed. */
export function serverNames<N extends string>(group: ServerGroup<N>): N[] {
  return Object.keys(group.servers) as N[];
}

async function requireInitPid<N extends string>(lab: ServerGroup<N>, server: N): Promise<number> {
  const pid = await serverInitPid(lab.servers[server]);
  if (pid === undefined) throw new Error(`lab server ${server} is not running (no PID 1 in namespace ${lab.servers[server].namespace})`);
  return pid;
}

/**
 * Runs argv inside a server, from the host, without SSH: `nsenter` into every namespace of the
 * server's systemd and its root, so it sees the server's own file system, units and processes.
 */
export async function execInServer<N extends string>(
  lab: ServerGroup<N>,
  server: N,
  argv: readonly string[],
  options: CommandOptions = {},
): Promise<CommandResult> {
  const pid = await requireInitPid(lab, server);
  return runCommand([...nsenterArgv(pid), ...argv], {
    ...options,
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/root", ...options.env },
  });
}

/** Reads a file as the server sees it (through its PID 1's root), or undefined when it does not exist. */
export async function readServerFile<N extends string>(lab: ServerGroup<N>, server: N, file: string): Promise<string | undefined> {
  return readBootFile(await requireInitPid(lab, server), file);
}

/** Reads a file through the root of one boot's PID 1 (host PID), or undefined when it does not exist or that boot has ended. */
export function readBootFile(initPid: number, file: string): string | undefined {
  try {
    return fs.readFileSync(path.join(`/proc/${initPid}/root`, file), "utf8");
  } catch {
    return undefined;
  }
}

/**
 * When a file in the server was last modified (ms since the epoch): undefined when it does not
 * exist, "offline" when the server is between two boots (before, during or after the read).
 */
export async function serverFileModifiedAt<N extends string>(
  lab: ServerGroup<N>,
  server: N,
  file: string,
): Promise<number | undefined | "offline"> {
  const pid = await serverInitPid(lab.servers[server]);
  if (pid === undefined) return "offline";
  let mtimeMs: number | undefined;
  try {
    mtimeMs = fs.statSync(path.join(`/proc/${pid}/root`, file)).mtimeMs;
  } catch {
    mtimeMs = undefined;
  }
  return (await serverInitPid(lab.servers[server])) === pid ? mtimeMs : "offline";
}

/** The IPv4 addresses on a server's eth0, read from its network namespace (no SSH, works while it boots). */
async function serverAddresses<N extends string>(lab: ServerGroup<N>, name: N): Promise<string[]> {
  const result = await runCommand(["ip", "-n", lab.servers[name].namespace, "-o", "-4", "addr", "show", "dev", lab.interfaceName]);
  if (result.code !== 0) return [];
  return [...result.stdout.matchAll(/ inet (\d+\.\d+\.\d+\.\d+)\//g)].map((match) => match[1]);
}

/** Servers whose eth0 currently carries the VIP (two during a split brain, none during a failover): the one vipHolders rule. */
export async function vipHolders<N extends string>(lab: ServerGroup<N>): Promise<N[]> {
  const observations = [];
  for (const name of serverNames(lab)) {
    const addresses = await serverAddresses(lab, name);
    observations.push({ node: name, reachable: true, keepalived: { running: true, runState: "running" as const, addresses } });
  }
  return holdersOf([lab.vip], observations) as N[];
}

/** Brings the server's eth0 down or up: for Keepalived, the server's network is gone (a dead server, as far as the peer can tell). */
export async function setLink<N extends string>(lab: ServerGroup<N>, server: N, state: "up" | "down"): Promise<void> {
  await runCommandOrThrow(["ip", "-n", lab.servers[server].namespace, "link", "set", lab.interfaceName, state]);
}

export interface KeepalivedProcesses {
  /** The parent (checker/supervisor) process; signalling it is how the init system stops Keepalived. */
  readonly parent: ProcessFacts;
  /** The VRRP (and checker) children the parent respawns when they die. */
  readonly children: readonly ProcessFacts[];
}

/** Keepalived processes of one server, with host PIDs. */
export async function keepalivedProcesses<N extends string>(
  lab: ServerGroup<N>,
  server: N,
  initPid?: number,
): Promise<KeepalivedProcesses | undefined> {
  const all = await serverProcessesNamed(lab, server, "keepalived", initPid);
  const pids = new Set(all.map((facts) => facts.pid));
  const parent = all.find((facts) => !pids.has(facts.ppid));
  if (!parent) return undefined;
  return { parent, children: all.filter((facts) => facts.pid !== parent.pid) };
}

/**
 * Live processes with this name in one server, with host PIDs. Only processes in the server's own
 * pid namespace count: the host's or the other server's never match.
 */
export async function serverProcessesNamed<N extends string>(
  lab: ServerGroup<N>,
  server: N,
  name: string,
  initPid?: number,
): Promise<ProcessFacts[]> {
  initPid ??= await serverInitPid(lab.servers[server]);
  if (initPid === undefined) return [];
  const serverPidNamespace = pidNamespaceOf(initPid);
  return (await networkNamespacePids(lab.servers[server].namespace))
    .filter((pid) => pidNamespaceOf(pid) === serverPidNamespace)
    .map(readProcessFacts)
    .filter((facts): facts is ProcessFacts => facts !== undefined && facts.name === name && facts.state !== "Z");
}

/** Host PID of the server's Keepalived parent process, or undefined when Keepalived is not running there. */
export async function keepalivedPid<N extends string>(lab: ServerGroup<N>, server: N, initPid?: number): Promise<number | undefined> {
  return (await keepalivedProcesses(lab, server, initPid))?.parent.pid;
}

/**
 * Signals the server's Keepalived: the parent only (SIGTERM there is a graceful stop), its
 * children only (the parent respawns them), or all. Returns the host PIDs signalled.
 */
export async function signalKeepalived<N extends string>(
  lab: ServerGroup<N>,
  server: N,
  signal: NodeJS.Signals,
  which: "parent" | "children" | "all",
): Promise<number[]> {
  const processes = await keepalivedProcesses(lab, server);
  if (!processes) throw new Error(`keepalived is not running on lab server ${server}`);
  const targets = [
    ...(which !== "children" ? [processes.parent.pid] : []),
    ...(which !== "parent" ? processes.children.map((child) => child.pid) : []),
  ];
  return targets.filter((pid) => signalProcess(pid, signal));
}

/** How long a server may take from `systemctl reboot` to the end of its boot. */
const REBOOT_START_TIMEOUT_MS = 30_000;

/**
 * `systemctl reboot` inside the server, as an operator would run it. systemd may already be
 * going down when systemctl waits for its answer, so a failing systemctl counts only if the
 * boot it was sent to is still there afterwards.
 */
export async function rebootServer<N extends string>(lab: ServerGroup<N>, server: N): Promise<void> {
  const pid = await requireInitPid(lab, server);
  const result = await runCommand([...nsenterArgv(pid), "systemctl", "reboot"], { timeoutMs: 10_000 });
  if (result.code === 0) return;
  const ended = await pollUntil(
    () => serverInitPid(lab.servers[server]),
    (current) => current !== pid,
    { timeoutMs: REBOOT_START_TIMEOUT_MS, intervalMs: 100 },
  );
  if (!ended.done) {
    throw new Error(
      `systemctl reboot on lab server ${server} failed (exit ${result.code}) and it did not go down: ${result.stderr.trim()}`,
    );
  }
}

/** Crashes the server: SIGKILL to its PID 1 (systemd), so the kernel kills everything in it at once; its supervisor boots it again. */
export async function crashServer<N extends string>(lab: ServerGroup<N>, server: N): Promise<void> {
  const pid = await requireInitPid(lab, server);
  if (!signalProcess(pid, "SIGKILL")) throw new Error(`cannot kill PID 1 (host PID ${pid}) of lab server ${server}`);
}
