import { hostname, userInfo } from "node:os";
import { pollUntil } from "../core/poll-until";
import { shellLiteral } from "../core/shell-word";
import type { RemoteShell } from "./ssh/remote-shell";

/** On the node's tmpfs: a reboot ends every run that could hold it. */
export const NODE_LOCK_PATH = "/run/lock/havip-cluster-provision.lock";
/** Who holds the lock, written by the holder after it got the lock. */
export const NODE_LOCK_OWNER_PATH = `${NODE_LOCK_PATH}.owner`;
/** How long a run waits for another run on the same node before it gives up. */
export const DEFAULT_NODE_LOCK_TIMEOUT_MS = 15 * 60_000;

const LOCKED_LINE = "havip-lock: held";
/** Exit code of the lock script when another process holds the lock (EX_TEMPFAIL). */
const LOCK_BUSY_EXIT = 75;
const LOCK_POLL_MS = 1_000;

/** Another provisioning run held the node's lock for longer than this run was willing to wait. */
export class NodeLockTimeoutError extends Error {
  constructor(nodeName: string, waitedSeconds: number, owner: string) {
    super(
      `${nodeName}: another provisioning run holds ${NODE_LOCK_PATH} (${owner}); gave up after ${waitedSeconds} s. ` +
        "Wait for it to finish, or raise --lock-timeout",
    );
    this.name = "NodeLockTimeoutError";
  }
}

export interface NodeLock {
  /** Ends the remote holder; the lock is free again once the node sees it. */
  release(): void;
}

export interface NodeLockOptions {
  /** Written to the owner file, shown to whoever waits: user, host, process, start time. */
  readonly owner?: string;
  /** @default DEFAULT_NODE_LOCK_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** Told once when the lock is busy, and again whenever its holder changes. */
  readonly onWait?: (message: string) => void;
}

/** `user@host pid N since ISO-time`: enough for an operator to find the other run. */
export function describeLockOwner(now: Date = new Date()): string {
  return `${userInfo().username}@${hostname()} pid ${process.pid} since ${now.toISOString()}`;
}

/**
 * The script that holds the lock: `flock -n` on an fd the shell keeps open, then `cat` on
 * stdin keeps it open until the provisioner closes its end or the SSH session dies (sshd ends
 * the command then), so a crashed run never leaves a stale lock behind.
 */
export function lockHolderScript(owner: string): string {
  const lock = shellLiteral(NODE_LOCK_PATH);
  const ownerFile = shellLiteral(NODE_LOCK_OWNER_PATH);
  return [
    "command -v flock >/dev/null 2>&1 || { echo 'flock(1) is not installed (util-linux)' >&2; exit 69; }",
    "mkdir -p /run/lock || exit 73",
    `exec 9>>${lock} || exit 73`,
    `if ! flock -n 9; then cat ${ownerFile} 2>/dev/null || echo 'unknown owner'; exit ${LOCK_BUSY_EXIT}; fi`,
    `printf '%s\\n' ${shellLiteral(owner)} > ${ownerFile}`,
    `echo ${shellLiteral(LOCKED_LINE)}`,
    "exec cat >/dev/null",
  ].join("\n");
}

/**
 * Takes the node's provisioning lock for the whole run, so two runs (two operators, or a deploy
 * while someone runs `provision`) never plan from the same state or share the staging directory.
 * Waits while another run holds it, telling `onWait` who; throws NodeLockTimeoutError past the timeout.
 */
export async function acquireNodeLock(shell: RemoteShell, options: NodeLockOptions = {}): Promise<NodeLock> {
  // One line: the owner file is read back as one line by whoever waits.
  const owner = (options.owner ?? describeLockOwner()).replace(/\s+/g, " ");
  const timeoutMs = options.timeoutMs ?? DEFAULT_NODE_LOCK_TIMEOUT_MS;
  let lastHolder: string | undefined;
  const outcome = await pollUntil(
    async () => {
      const attempt = await shell.hold(lockHolderScript(owner), LOCKED_LINE);
      if (!attempt.held && attempt.result.code === LOCK_BUSY_EXIT) {
        const holder = attempt.result.stdout.trim() || "unknown owner";
        if (holder !== lastHolder) options.onWait?.(`${shell.nodeName}: waiting for another provisioning run to finish (${holder})`);
        lastHolder = holder;
      }
      return attempt;
    },
    (attempt) => attempt.held || attempt.result.code !== LOCK_BUSY_EXIT,
    { timeoutMs, intervalMs: LOCK_POLL_MS },
  );
  const attempt = outcome.value;
  if (attempt.held) return { release: attempt.release };
  const { result } = attempt;
  if (result.code === LOCK_BUSY_EXIT) {
    throw new NodeLockTimeoutError(shell.nodeName, Math.round(outcome.elapsedMs / 1000), result.stdout.trim() || "unknown owner");
  }
  const said = result.stderr.trim() || result.stdout.trim() || `exit ${result.code ?? "signal"}`;
  throw new Error(`${shell.nodeName}: cannot take the provisioning lock ${NODE_LOCK_PATH}: ${said}`);
}

/**
 * Takes the locks of several nodes in node order (primary first), so two runs that both need
 * both nodes can never each hold one and wait for the other. Connections may open in parallel:
 * `take(i)` waits until node i-1's lock is held, or its connection failed (`abandon(i - 1)`).
 */
export function nodeLocksInOrder(count: number, options: NodeLockOptions = {}) {
  const turns = Array.from({ length: count }, () => {
    let open: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { opened, open };
  });
  const held: NodeLock[] = [];
  return {
    async take(index: number, shell: RemoteShell): Promise<void> {
      try {
        if (index > 0) await turns[index - 1].opened;
        held.push(await acquireNodeLock(shell, options));
      } finally {
        turns[index].open();
      }
    },
    /** Node `index` will never take its lock (its connection failed): let the next one go on. */
    abandon(index: number): void {
      turns[index].open();
    },
    releaseAll(): void {
      for (const lock of held.splice(0)) lock.release();
    },
  };
}
