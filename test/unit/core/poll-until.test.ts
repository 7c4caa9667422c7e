import { describe, expect, it } from "vitest";
import { pollUntil } from "../../../lib/core/poll-until";

/** A clock that only moves when the poller sleeps (plus an optional cost per attempt). */
function fakeClock(attemptCostMs = 0) {
  let time = 1_000;
  const sleeps: number[] = [];
  return {
    now: () => time,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      time += ms;
    },
    spend: () => {
      time += attemptCostMs;
    },
    sleeps,
  };
}

describe("pollUntil", () => {
  it("returns at the first accepted value with the attempts and the elapsed time", async () => {
    const clock = fakeClock();
    const outcome = await pollUntil(
      async (n) => n,
      (n) => n === 3,
      { timeoutMs: 10_000, intervalMs: 100, now: clock.now, sleep: clock.sleep },
    );
    expect(outcome).toEqual({ done: true, value: 3, elapsedMs: 200, attempts: 3 });
    expect(clock.sleeps).toEqual([100, 100]);
  });

  it("does not sleep when the first attempt is accepted", async () => {
    const clock = fakeClock();
    const outcome = await pollUntil(
      async () => "up",
      () => true,
      { timeoutMs: 0, intervalMs: 100, now: clock.now, sleep: clock.sleep },
    );
    expect(outcome).toEqual({ done: true, value: "up", elapsedMs: 0, attempts: 1 });
    expect(clock.sleeps).toEqual([]);
  });

  it("gives up at the timeout with the last value, after one last attempt at the deadline (never sleeping past it)", async () => {
    const clock = fakeClock();
    const outcome = await pollUntil(
      async (n) => `try ${n}`,
      () => false,
      { timeoutMs: 250, intervalMs: 100, now: clock.now, sleep: clock.sleep },
    );
    expect(outcome).toEqual({ done: false, value: "try 4", elapsedMs: 250, attempts: 4 });
    expect(clock.sleeps).toEqual([100, 100, 50]);
  });

  it("counts the attempts' own duration against the timeout", async () => {
    const clock = fakeClock(300);
    const outcome = await pollUntil(
      async (n) => {
        clock.spend();
        return n;
      },
      () => false,
      { timeoutMs: 1_000, intervalMs: 200, now: clock.now, sleep: clock.sleep },
    );
    expect(outcome.attempts).toBe(3);
    expect(outcome.elapsedMs).toBe(1_300);
    expect(clock.sleeps).toEqual([200, 200]);
  });

  it("backs off with an interval that depends on the attempt", async () => {
    const clock = fakeClock();
    await pollUntil(
      async (n) => n,
      (n) => n === 5,
      { timeoutMs: 10_000, intervalMs: (n) => Math.min(50 * 2 ** (n - 1), 300), now: clock.now, sleep: clock.sleep },
    );
    expect(clock.sleeps).toEqual([50, 100, 200, 300]);
  });

  it("stops after maxAttempts even when the clock stands still", async () => {
    const sleeps: number[] = [];
    const outcome = await pollUntil(
      async (n) => n,
      () => false,
      {
        timeoutMs: 1_000,
        intervalMs: 100,
        maxAttempts: 4,
        now: () => 0,
        sleep: async (ms) => void sleeps.push(ms),
      },
    );
    expect(outcome).toEqual({ done: false, value: 4, elapsedMs: 0, attempts: 4 });
    expect(sleeps).toHaveLength(3);
  });

  it("passes an attempt's error through instead of retrying it", async () => {
    const clock = fakeClock();
    await expect(
      pollUntil(
        async () => Promise.reject(new Error("HAVIP havip-1 does not exist")),
        () => true,
        { timeoutMs: 1_000, intervalMs: 100, now: clock.now, sleep: clock.sleep },
      ),
    ).rejects.toThrow("HAVIP havip-1 does not exist");
  });

  it("waits on the real clock by default", async () => {
    const started = Date.now();
    const outcome = await pollUntil(
      async (n) => n,
      (n) => n === 2,
      { timeoutMs: 5_000, intervalMs: 30 },
    );
    expect(outcome.done).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});
