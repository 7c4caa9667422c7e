/**
 * The life of one server, as a cloud runs a CVM: create its disk, boot, stop (gracefully or at
 * once), start, reboot, reinstall, replace its keys, destroy. Each operation is idempotent (the
 * local cloud repeats an unfinished one after a restart), waits for its effect with pollUntil and
 * a bound, and fails with a message naming the server and what it saw.
 *
 * A server is `absent` (no disk), `stopped` (a disk, nothing running) or `running` (its supervisor
 * runs: booting, up, rebooting or crash-looping). Its network namespace belongs to whoever made it
 * (the bare lab's bridge, or the cloud's VPC router): boot needs it, destroy leaves it.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { pollUntil } from "../../lib/core/poll-until";
import {
  type CgroupLayout,
  cgroup2Dir,
  cgroupDirs,
  cgroupLayoutFrom,
  cgroupSubtreePids,
  readCgroupFacts,
  removeCgroupSubtree,
} from "../host/cgroup-layout";
import { runCommand, runCommandOrThrow } from "../host/host-command";
import { signalProcess } from "../host/lab-processes";
import { mountPointsUnder, unmountAllUnder } from "../host/mounts";
import { generateEd25519KeyPair } from "./lab-keys";
import {
  type ServerDiskSettings,
  authorizedKeysProblems,
  renderAuthorizedKeys,
  serverDiskProblems,
  serverNetworkCommands,
  serverUpperFiles,
} from "./lab-server-init";
import { mountServerRoot, serverConsoleTail, serverInitPid, serverSystemState, spawnSupervisor } from "./lab-server";
import { LAB_CGROUP_PARENT, type ServerLayout } from "./server-layout";

/** A bootable image: a prepared release root, the read-only lower dir of a server's disk. */
export interface ServerImage {
  /** The caller's name for it (the cloud's image key, the bare lab's release). */
  readonly key: string;
  readonly rootDir: string;
}

/** What the lab keeps about a server's disk (`<dir>/server.json`); written last, so its presence means "created". */
export interface ServerRecord {
  readonly recordVersion: 1;
  readonly name: string;
  readonly image: ServerImage;
  /** The disk's sshd host key (`ssh-ed25519 AAAA... comment`): new with every fresh disk. */
  readonly hostPublicKey: string;
  /** When this disk was made (create or reinstall). */
  readonly installedAt: string;
}

export type ServerPowerState = "absent" | "stopped" | "running";

/** systemd(1): SIGRTMIN+4 enters poweroff.target, SIGRTMIN+5 reboot.target (glibc's SIGRTMIN is 34 on Linux). */
const POWEROFF_SIGNAL = 38;
const REBOOT_SIGNAL = 39;
/** How often a shutdown request is repeated to the same PID 1: systemd ignores signals until its handlers are in place early in a boot. */
const SIGNAL_REPEAT_MS = 2000;

const DEFAULT_BOOT_TIMEOUT_MS = 60_000;
const DEFAULT_STOP_TIMEOUT_MS = 60_000;

export interface WaitOptions {
  /** @default 60000 */
  readonly timeoutMs?: number;
}

function hostCgroups(): CgroupLayout | undefined {
  const layout = cgroupLayoutFrom(readCgroupFacts());
  return "problem" in layout ? undefined : layout;
}

function requireHostCgroups(): CgroupLayout {
  const layout = cgroupLayoutFrom(readCgroupFacts());
  if ("problem" in layout) throw new Error(layout.problem);
  return layout;
}

/** The server's record, or undefined when it has no (complete) disk. */
export function readServerRecord(server: ServerLayout): ServerRecord | undefined {
  let text: string;
  try {
    text = fs.readFileSync(server.recordPath, "utf8");
  } catch {
    return undefined;
  }
  const record = JSON.parse(text) as Partial<ServerRecord>;
  if (record.recordVersion !== 1 || record.name !== server.name || !record.image || !record.hostPublicKey) {
    throw new Error(`${server.recordPath} is not the record of server ${server.name}`);
  }
  return record as ServerRecord;
}

function requireRecord(server: ServerLayout): ServerRecord {
  const record = readServerRecord(server);
  if (!record) throw new Error(`server ${server.name} does not exist (no ${server.recordPath}): create it first`);
  return record;
}

/** PIDs of the server's supervisor, nspawn and everything the machine runs (its cgroup subtree in every hierarchy). */
function serverPids(server: ServerLayout, cgroups: CgroupLayout): number[] {
  return [...new Set(cgroupDirs(cgroups, server.cgroupPath).flatMap(cgroupSubtreePids))];
}

/** absent (no disk), stopped (a disk, no process) or running (anything in its cgroup: booting, up, rebooting). */
export function serverPowerState(server: ServerLayout): ServerPowerState {
  const cgroups = hostCgroups();
  if (cgroups && serverPids(server, cgroups).length > 0) return "running";
  return fs.existsSync(server.recordPath) ? "stopped" : "absent";
}

/**
 * Creates a directory of the disk (the upper dir) the way the image has it (mode), replacing a
 * whiteout: a directory made in the upper dir hides the image's attributes (a 0700 /usr would
 * lock every unprivileged service out), and one the server deleted is a whiteout there.
 */
function ensureDiskDir(server: ServerLayout, lowerDir: string, dirInServer: string): void {
  let current = server.upperDir;
  let lower = lowerDir;
  for (const part of dirInServer.split("/").filter(Boolean)) {
    current = path.join(current, part);
    lower = path.join(lower, part);
    const existing = fs.lstatSync(current, { throwIfNoEntry: false });
    if (existing?.isDirectory()) continue;
    if (existing) fs.rmSync(current, { force: true });
    const image = fs.statSync(lower, { throwIfNoEntry: false });
    const mode = image?.isDirectory() ? image.mode & 0o7777 : part === ".ssh" ? 0o700 : 0o755;
    fs.mkdirSync(current);
    fs.chmodSync(current, mode);
  }
}

/** Writes files onto a stopped server's disk (the upper dir, never while mounted: the overlay would not see them reliably). */
function writeDiskFiles(
  server: ServerLayout,
  lowerDir: string,
  files: Readonly<Record<string, { readonly content: string; readonly mode: number }>>,
): void {
  fs.mkdirSync(server.upperDir, { recursive: true, mode: 0o755 });
  for (const [file, { content, mode }] of Object.entries(files)) {
    ensureDiskDir(server, lowerDir, path.dirname(file));
    const onHost = path.join(server.upperDir, file);
    fs.rmSync(onHost, { force: true });
    fs.writeFileSync(onHost, content, { mode });
    fs.chmodSync(onHost, mode);
  }
}

/** A fresh disk: an empty upper dir with the server's files, a new host key and machine id, and the record last. */
async function writeFreshDisk(server: ServerLayout, image: ServerImage, disk: ServerDiskSettings): Promise<ServerRecord> {
  if (!fs.existsSync(path.join(image.rootDir, "sbin/init")))
    throw new Error(`image ${image.key} (${image.rootDir}) is not a bootable root: no /sbin/init`);
  fs.rmSync(server.recordPath, { force: true });
  for (const dir of [server.upperDir, server.workDir]) fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(server.dir, { recursive: true, mode: 0o700 });
  writeDiskFiles(server, image.rootDir, serverUpperFiles(server, disk, randomBytes(16).toString("hex")));
  ensureDiskDir(server, image.rootDir, path.dirname(server.hostKeyPathInServer));
  const hostPublicKey = await generateEd25519KeyPair(server.hostKeyPathOnHost, server.hostname);
  const record: ServerRecord = { recordVersion: 1, name: server.name, image, hostPublicKey, installedAt: new Date().toISOString() };
  fs.writeFileSync(server.recordPath, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  return record;
}

function assertDiskSettings(server: ServerLayout, disk: ServerDiskSettings): void {
  const problems = serverDiskProblems(disk);
  if (problems.length > 0) throw new Error(`server ${server.name}: ${problems.join("; ")}`);
}

/**
 * Creates the server's disk from an image: hostname, /etc/hosts (with the mirror's address),
 * root's authorized_keys, the lab CA, a fresh ed25519 host key and machine id, the user data.
 * Does not boot it. A server that exists already is left as it is (its record is returned); a
 * half-made one (no record) is made again.
 */
export async function createServer(server: ServerLayout, image: ServerImage, disk: ServerDiskSettings): Promise<ServerRecord> {
  assertDiskSettings(server, disk);
  const existing = readServerRecord(server);
  if (existing) return existing;
  const left = await unmountAllUnder(server.dir);
  if (left.length > 0) throw new Error(`cannot unmount ${left.join(", ")} of the half-made server ${server.name}`);
  fs.rmSync(server.dir, { recursive: true, force: true });
  return writeFreshDisk(server, image, disk);
}

/**
 * Boots a stopped server (mounts its disk over its image, starts its supervisor) and returns once
 * the supervisor runs in the server's cgroup; does not wait for the machine (see waitForServerSshd).
 * A running server is left as it is.
 */
export async function bootServer(server: ServerLayout): Promise<void> {
  const record = requireRecord(server);
  const cgroups = requireHostCgroups();
  if (serverPids(server, cgroups).length > 0) return;
  if (!fs.existsSync(`/run/netns/${server.namespace}`)) {
    throw new Error(`cannot boot server ${server.name}: its network namespace ${server.namespace} does not exist`);
  }
  if (!fs.existsSync(path.join(record.image.rootDir, "sbin/init"))) {
    throw new Error(`cannot boot server ${server.name}: its image ${record.image.key} (${record.image.rootDir}) is gone`);
  }
  if (!mountPointsUnder(server.rootDir).includes(server.rootDir)) await mountServerRoot(server, record.image.rootDir);
  spawnSupervisor(server, cgroupDirs(cgroups, server.cgroupPath));
  const started = await pollUntil(
    async () => serverPids(server, cgroups).length > 0,
    (running) => running,
    { timeoutMs: 5000, intervalMs: 20 },
  );
  if (!started.done) throw new Error(`the supervisor of server ${server.name} did not start:\n${serverConsoleTail(server)}`);
}

/** The host key sshd on the server's address offers (`ssh-keyscan` from inside the server's own network namespace), or undefined. */
async function scanHostKey(server: ServerLayout, timeoutMs: number): Promise<string | undefined> {
  const seconds = String(Math.max(1, Math.min(5, Math.ceil(timeoutMs / 1000))));
  const result = await runCommand(["ip", "netns", "exec", server.namespace, "ssh-keyscan", "-T", seconds, "-t", "ed25519", server.ip], {
    timeoutMs: timeoutMs + 1000,
  });
  const line = result.stdout.split("\n").find((candidate) => candidate.startsWith(`${server.ip} ssh-ed25519 `));
  return line?.split(" ").slice(1, 3).join(" ");
}

/**
 * Waits until sshd on the server's address answers with the server's own host key (a real key
 * exchange from the server's network namespace: nothing leaves it). Throws after the timeout
 * with the console's last lines, or at once when another key answers.
 */
export async function waitForServerSshd(server: ServerLayout, options: WaitOptions = {}): Promise<void> {
  const record = requireRecord(server);
  const timeoutMs = options.timeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS;
  const expected = record.hostPublicKey.split(" ").slice(0, 2).join(" ");
  const deadline = Date.now() + timeoutMs;
  const answered = await pollUntil(
    () => scanHostKey(server, Math.min(2000, Math.max(500, deadline - Date.now()))),
    (key) => key !== undefined,
    { timeoutMs, intervalMs: (attempt) => Math.min(50 * 2 ** (attempt - 1), 400) },
  );
  if (!answered.done) {
    throw new Error(
      `sshd on server ${server.name} (${server.ip}) did not answer within ${timeoutMs} ms (${serverPowerState(server)}):\n${serverConsoleTail(server)}`,
    );
  }
  if (answered.value !== expected) {
    throw new Error(`sshd on ${server.ip} answered with host key ${answered.value}, not server ${server.name}'s ${expected}`);
  }
}

/**
 * Waits until systemd in the server reports one of `accept` (`systemctl is-system-running`).
 * With a user-data script, `running` comes once it has finished (a failed one: `degraded`).
 */
export async function waitForServerSystem(
  server: ServerLayout,
  options: WaitOptions & { readonly accept?: readonly string[] } = {},
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS;
  const accept = options.accept ?? ["running"];
  const system = await pollUntil(
    () => serverSystemState(server),
    (state) => accept.includes(state),
    { timeoutMs, intervalMs: 200 },
  );
  if (!system.done) {
    throw new Error(
      `systemd on server ${server.name} is ${system.value}, not ${accept.join(" or ")}, after ${timeoutMs / 1000} s:\n${serverConsoleTail(server)}`,
    );
  }
  return system.value;
}

/** Boots a stopped server and waits until its sshd answers; on a running server, only waits. */
export async function startServer(server: ServerLayout, options: WaitOptions = {}): Promise<void> {
  await bootServer(server);
  await waitForServerSshd(server, options);
}

/**
 * Kills the server's supervisor, nspawn and everything the machine runs at once (`cgroup.kill` on
 * its cgroup2 subtree, so the supervisor cannot boot it again in between), until nothing is left.
 */
async function killServerProcesses(server: ServerLayout, cgroups: CgroupLayout): Promise<void> {
  const killed = await pollUntil(
    async () => {
      const pids = serverPids(server, cgroups);
      if (pids.length === 0) return pids;
      try {
        fs.writeFileSync(path.join(cgroup2Dir(cgroups, server.cgroupPath), "cgroup.kill"), "1");
      } catch {
        // a kernel without cgroup.kill (before 5.14), or no cgroup2 subtree yet: signal one by one
      }
      for (const pid of pids) signalProcess(pid, "SIGKILL");
      return pids;
    },
    (pids) => pids.length === 0,
    { timeoutMs: 5000, intervalMs: 50 },
  );
  if (!killed.done) throw new Error(`processes of server ${server.name} still running after SIGKILL: ${killed.value.join(", ")}`);
}

/** Sets the server's eth0 as a boot finds it (address, link up, default route), when its namespace exists. */
async function resetServerNetwork(server: ServerLayout): Promise<void> {
  if (!fs.existsSync(`/run/netns/${server.namespace}`)) return;
  for (const argv of serverNetworkCommands(server)) await runCommandOrThrow(argv);
}

/** Whether the server runs, and its current boot's PID 1 (none between two boots). */
interface BootState {
  readonly power: ServerPowerState;
  readonly initPid: number | undefined;
}

async function bootState(server: ServerLayout): Promise<BootState> {
  return { power: serverPowerState(server), initPid: await serverInitPid(server) };
}

/**
 * Sends a shutdown signal (or SIGKILL) to the server's PID 1 until the boot it was sent to has
 * ended (resent every 2 s to the same PID 1: a systemd early in its boot ignores it). Returns the
 * outcome of waiting for `isDone`.
 */
async function signalUntil(
  server: ServerLayout,
  signal: number | NodeJS.Signals,
  isDone: (state: BootState) => boolean,
  timeoutMs: number,
) {
  const sentAt = new Map<number, number>();
  return pollUntil(
    async () => {
      const state = await bootState(server);
      if (!isDone(state) && state.initPid !== undefined && Date.now() - (sentAt.get(state.initPid) ?? 0) >= SIGNAL_REPEAT_MS) {
        try {
          process.kill(state.initPid, signal);
          sentAt.set(state.initPid, Date.now());
        } catch {
          // that boot just ended
        }
      }
      return state;
    },
    isDone,
    { timeoutMs, intervalMs: 100 },
  );
}

/**
 * Stops the server. Gracefully (`force: false`): systemd's poweroff (SIGRTMIN+4 to its PID 1, as
 * a power button press), then the supervisor exits on nspawn's exit 0; throws when it has not
 * powered off within the timeout (then stop it with `force`). Forced: kills everything at once,
 * as pulling the plug. Either way the server's network is set as a boot finds it (no VIP left),
 * its disk is unmounted and kept. A stopped server is left as it is.
 */
export async function stopServer(server: ServerLayout, options: WaitOptions & { readonly force: boolean }): Promise<void> {
  requireRecord(server);
  const cgroups = requireHostCgroups();
  if (options.force) {
    await killServerProcesses(server, cgroups);
  } else if (serverPowerState(server) === "running") {
    const timeoutMs = options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    const stopped = await signalUntil(server, POWEROFF_SIGNAL, (state) => state.power !== "running", timeoutMs);
    if (!stopped.done) {
      throw new Error(
        `server ${server.name} did not power off within ${timeoutMs / 1000} s (stop it with force):\n${serverConsoleTail(server)}`,
      );
    }
  }
  await resetServerNetwork(server);
  const left = await unmountAllUnder(server.dir);
  if (left.length > 0) throw new Error(`server ${server.name} stopped, but ${left.join(", ")} stays mounted`);
}

/**
 * Reboots a running server and waits until it answers again: gracefully, systemd's reboot
 * (SIGRTMIN+5 to PID 1, like `systemctl reboot`); forced, SIGKILL of PID 1 (a reset: the
 * supervisor boots it again after a second). Waits for the next boot's PID 1 first, so an sshd
 * still answering from the old boot never counts: a killed PID 1 leaves the namespace's process
 * list before the kernel has killed the rest of its boot.
 */
export async function rebootServer(server: ServerLayout, options: WaitOptions & { readonly force: boolean }): Promise<void> {
  requireRecord(server);
  if (serverPowerState(server) !== "running") throw new Error(`server ${server.name} is stopped: start it instead of rebooting it`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_BOOT_TIMEOUT_MS;
  const booted = await pollUntil(
    () => serverInitPid(server),
    (pid) => pid !== undefined,
    { timeoutMs, intervalMs: 100 },
  );
  if (booted.value === undefined)
    throw new Error(`server ${server.name} has no PID 1 to reboot after ${timeoutMs / 1000} s:\n${serverConsoleTail(server)}`);
  const oldBoot = booted.value;
  const nextBootOrStopped = (state: BootState) => state.power !== "running" || (state.initPid !== undefined && state.initPid !== oldBoot);
  const next = await signalUntil(server, options.force ? "SIGKILL" : REBOOT_SIGNAL, nextBootOrStopped, timeoutMs);
  if (!next.done) {
    const where = next.value.initPid === oldBoot ? "did not go down for its reboot" : "went down but did not boot again";
    throw new Error(`server ${server.name} ${where} within ${timeoutMs / 1000} s:\n${serverConsoleTail(server)}`);
  }
  if (next.value.power !== "running")
    throw new Error(`server ${server.name} powered off instead of rebooting:\n${serverConsoleTail(server)}`);
  await waitForServerSshd(server, { timeoutMs });
}

function requireStopped(server: ServerLayout, operation: string): void {
  const power = serverPowerState(server);
  if (power === "absent") throw new Error(`cannot ${operation} server ${server.name}: it does not exist`);
  if (power === "running") throw new Error(`cannot ${operation} server ${server.name}: it is running; stop it first`);
}

/**
 * Gives a stopped server a fresh disk from `image`: new host key and machine id, the same name,
 * address and hostname, the given keys and user data (which runs at the next boot, the disk's
 * first). Does not boot it. Returns the new record (with the new host key).
 */
export async function reinstallServer(server: ServerLayout, image: ServerImage, disk: ServerDiskSettings): Promise<ServerRecord> {
  assertDiskSettings(server, disk);
  requireStopped(server, "reinstall");
  const left = await unmountAllUnder(server.dir);
  if (left.length > 0) throw new Error(`cannot reinstall server ${server.name}: ${left.join(", ")} stays mounted`);
  return writeFreshDisk(server, image, disk);
}

/** Replaces the keys authorized for root on a stopped server's disk. Does not boot it. */
export async function setServerAuthorizedKeys(server: ServerLayout, keys: readonly string[]): Promise<void> {
  const problems = authorizedKeysProblems(keys);
  if (problems.length > 0) throw new Error(`server ${server.name}: ${problems.join("; ")}`);
  const record = requireRecord(server);
  requireStopped(server, "replace the keys of");
  const left = await unmountAllUnder(server.dir);
  if (left.length > 0) throw new Error(`cannot replace the keys of server ${server.name}: ${left.join(", ")} stays mounted`);
  writeDiskFiles(server, record.image.rootDir, { "/root/.ssh/authorized_keys": { content: renderAuthorizedKeys(keys), mode: 0o600 } });
}

/**
 * Removes the server: kills everything it runs, unmounts and deletes its disk and state, removes
 * its cgroups (and the lab's parent cgroup once empty). Idempotent; leaves its network namespace
 * to whoever made it.
 */
export async function destroyServer(server: ServerLayout): Promise<void> {
  const cgroups = hostCgroups();
  if (cgroups) await killServerProcesses(server, cgroups);
  const left = await unmountAllUnder(server.dir);
  if (left.length > 0) throw new Error(`cannot destroy server ${server.name}: ${left.join(", ")} stays mounted`);
  fs.rmSync(server.dir, { recursive: true, force: true });
  if (!cgroups) return;
  // A cgroup whose last process just died can be busy for a moment.
  const removed = await pollUntil(
    async () => cgroupDirs(cgroups, server.cgroupPath).flatMap(removeCgroupSubtree),
    (busy) => busy.length === 0,
    { timeoutMs: 3000, intervalMs: 50 },
  );
  if (!removed.done) throw new Error(`cannot remove the cgroups of server ${server.name}: ${removed.value.join(", ")}`);
  for (const root of cgroups.hierarchyRoots) {
    try {
      fs.rmdirSync(path.join(root, LAB_CGROUP_PARENT));
    } catch {
      // other servers still run under it
    }
  }
}
