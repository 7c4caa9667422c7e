import { hostname, userInfo } from "node:os";
import { pollUntil } from "../core/poll-until";
import { lockHolderScript, NODE_LOCK_BUSY_EXIT, NODE_LOCK_HELD_LINE, NODE_LOCK_PATH } from "../core/node/node-lock";
import type { RemoteShell } from "./ssh/remote-shell";

/** How long a run waits for another run on the same node before it gives up. */
export const DEFAULT_NODE_LOCK_TIMEOUT_MS = 15 * 60_000;

const LOCK_POLL_MS = 1_000;

/** Another provisioning run held the node's lock for longer than this run was willing to wait. */
export class NodeLockTimeoutError extends Error {
  constructor(nodeName: string, waitedSeconds: number, owner: string, timeoutOption = "lockTimeoutSeconds") {
    super(
      `${nodeName}: another provisioning run holds ${NODE_LOCK_PATH} (${owner}); gave up after ${waitedSeconds} s. ` +
        `Wait for it to finish, or raise ${timeoutOption}`,
    );
    this.name = "NodeLockTimeoutError";
  }
}

export interface NodeLock {
  /** What `readWhileHeld` printed, once the lock was held. */
  readonly output: string;
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
  /** How the message of a timeout names the option that sets it. @default "lockTimeoutSeconds" (the library's option) */
  readonly timeoutOption?: string;
  /** A read-only script to run once the lock is held (the node's observation): its output is the lock's `output`. */
  readonly readWhileHeld?: string;
}

/** `user@host pid N since ISO-time`: enough for an operator to find the other run. */
export function describeLockOwner(now: Date = new Date()): string {
  return `${userInfo().username}@${hostname()} pid ${process.pid} since ${now.toISOString()}`;
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
      const attempt = await shell.hold(lockHolderScript(owner, options.readWhileHeld), NODE_LOCK_HELD_LINE);
      if (!attempt.held && attempt.result.code === NODE_LOCK_BUSY_EXIT) {
        const holder = attempt.result.stdout.trim() || "unknown owner";
        if (holder !== lastHolder) options.onWait?.(`${shell.nodeName}: waiting for another provisioning run to finish (${holder})`);
        lastHolder = holder;
      }
      return attempt;
    },
    (attempt) => attempt.held || attempt.result.code !== NODE_LOCK_BUSY_EXIT,
    { timeoutMs, intervalMs: LOCK_POLL_MS },
  );
  const attempt = outcome.value;
  if (attempt.held) return { output: attempt.output, release: attempt.release };
  const { result } = attempt;
  if (result.code === NODE_LOCK_BUSY_EXIT) {
    throw new NodeLockTimeoutError(
      shell.nodeName,
      Math.round(outcome.elapsedMs / 1000),
      result.stdout.trim() || "unknown owner",
      options.timeoutOption,
    );
  }
  const said = result.stderr.trim() || result.stdout.trim() || `exit ${result.code ?? "signal"}`;
  throw new Error(`${shell.nodeName}: cannot take the provisioning lock ${NODE_LOCK_PATH}: ${said}`);
}

/**
 * Takes the locks of several nodes in node order (primary first), so two runs that both need
 * both nodes can never each hold one and wait for the other. Connections may open in parallel:
 * `take(i)` waits until node i-1's lock is held, or its connection failed (`abandon(i - 1)`).
 */
export function nodeLocksInOrder(count: number, options: Omit<NodeLockOptions, "readWhileHeld"> = {}) {
  const turns = Array.from({ length: count }, () => {
    let open: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { opened, open };
  });
  const held: NodeLock[] = [];
  return {
    /** Takes node `index`'s lock (after node index-1's), running `readWhileHeld` under it; resolves with its output. */
    async take(index: number, shell: RemoteShell, readWhileHeld?: string): Promise<string> {
      try {
        if (index > 0) await turns[index - 1].opened;
        const lock = await acquireNodeLock(shell, { ...options, readWhileHeld });
        held.push(lock);
        return lock.output;
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
