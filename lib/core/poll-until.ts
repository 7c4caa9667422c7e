export interface PollOptions {
  /** Stop once this long has passed since the first attempt; one last attempt is made at the deadline. */
  readonly timeoutMs: number;
  /** The pause after attempt `n` (1-based): a number, or a function of `n` for a back-off. */
  readonly intervalMs: number | ((attempt: number) => number);
  /** Also stop after this many attempts, so a clock that stands still cannot poll forever. @default - no limit */
  readonly maxAttempts?: number;
  /** Clock in milliseconds. @default Date.now */
  readonly now?: () => number;
  /** @default - a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface PollOutcome<T> {
  /** Whether `isDone` accepted the last value (false: the time or the attempts ran out). */
  readonly done: boolean;
  /** The last attempt's value. */
  readonly value: T;
  /** From the first attempt's start until the last attempt's end. */
  readonly elapsedMs: number;
  readonly attempts: number;
}

const timerSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until `isDone` accepts its value or the timeout passes, pausing `intervalMs`
 * between attempts but never past the deadline. The only polling loop of the project: every
 * wait (the VIP settling, a failover, SSH coming up, a cloud binding) is this with its own test.
 */
export async function pollUntil<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  isDone: (value: T) => boolean,
  options: PollOptions,
): Promise<PollOutcome<T>> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? timerSleep;
  const pause = typeof options.intervalMs === "number" ? () => options.intervalMs as number : options.intervalMs;
  const startedAt = now();
  for (let attempts = 1; ; attempts++) {
    const value = await attempt(attempts);
    const elapsedMs = now() - startedAt;
    if (isDone(value)) return { done: true, value, elapsedMs, attempts };
    const remainingMs = options.timeoutMs - elapsedMs;
    if (remainingMs <= 0 || (options.maxAttempts !== undefined && attempts >= options.maxAttempts)) {
      return { done: false, value, elapsedMs, attempts };
    }
    await sleep(Math.min(pause(attempts), remainingMs));
  }
}
