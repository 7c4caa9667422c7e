import {
  DEFAULT_HAVIP_BINDING_POLL_INTERVAL_MS,
  DEFAULT_HAVIP_BINDING_WAIT_TIMEOUT_MS,
  MAX_HAVIP_BINDING_WAIT_TIMEOUT_MS,
  MIN_HAVIP_BINDING_POLL_INTERVAL_MS,
} from "../core/limits";
import { pollUntil } from "../core/poll-until";
import { SettingsProblem, throwIfProblems } from "../core/settings-error";
import { describeHaVipBindings, HaVipBinding } from "./havip-bindings";
import type { HaVipApi } from "./vpc-client";

export interface WaitForHaVipBindingOptions {
  /** Give up after this long. @default 60000 (at most 600000) */
  readonly timeoutMs?: number;
  /** Time between two DescribeHaVips calls (the API allows 20 a second). @default 1000 (at least 50) */
  readonly intervalMs?: number;
  /** Clock in milliseconds. @default Date.now */
  readonly now?: () => number;
  /** @default - a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

export type HaVipBindingWaitResult =
  | {
      readonly outcome: "bound";
      /** From the first call until the call that saw the expected binding. */
      readonly elapsedMs: number;
      readonly attempts: number;
      readonly binding: HaVipBinding;
    }
  | {
      readonly outcome: "timeout";
      readonly elapsedMs: number;
      readonly attempts: number;
      /** What the last call saw. */
      readonly lastBinding: HaVipBinding;
      readonly message: string;
    };

/**
 * Polls DescribeHaVips until the cloud binds `havipId` to `expectedId` (a CVM id, or an ENI id
 * for HAVIPs bound to an ENI), or until the timeout. A final call is made at the deadline, and
 * the number of calls is capped at timeout / interval + 2 even if the clock stands still.
 * API errors and a HAVIP that does not exist are thrown, not retried.
 */
export async function waitForHaVipBinding(
  client: HaVipApi,
  havipId: string,
  expectedId: string,
  options: WaitForHaVipBindingOptions = {},
): Promise<HaVipBindingWaitResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_HAVIP_BINDING_WAIT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_HAVIP_BINDING_POLL_INTERVAL_MS;
  throwIfProblems("waitForHaVipBinding", checkTimings(timeoutMs, intervalMs));
  const outcome = await pollUntil(
    async () => {
      const [binding] = await describeHaVipBindings(client, { havipIds: [havipId] });
      if (binding === undefined) throw new Error(`HAVIP ${havipId} does not exist in this region`);
      return binding;
    },
    (binding) => binding.boundInstanceId === expectedId || binding.boundNetworkInterfaceId === expectedId,
    { timeoutMs, intervalMs, maxAttempts: Math.floor(timeoutMs / intervalMs) + 2, now: options.now, sleep: options.sleep },
  );
  const { value: binding, elapsedMs, attempts } = outcome;
  if (outcome.done) return { outcome: "bound", elapsedMs, attempts, binding };
  const boundTo = binding.boundInstanceId ?? binding.boundNetworkInterfaceId ?? "nothing";
  return {
    outcome: "timeout",
    elapsedMs,
    attempts,
    lastBinding: binding,
    message: `HAVIP ${binding.address} (${havipId}) was still bound to ${boundTo}, not ${expectedId}, after ${elapsedMs} ms`,
  };
}

function checkTimings(timeoutMs: number, intervalMs: number): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_HAVIP_BINDING_WAIT_TIMEOUT_MS) {
    problems.push({
      field: "timeoutMs",
      value: String(timeoutMs),
      rule: `must be more than 0 and at most ${MAX_HAVIP_BINDING_WAIT_TIMEOUT_MS}`,
    });
  }
  if (!Number.isFinite(intervalMs) || intervalMs < MIN_HAVIP_BINDING_POLL_INTERVAL_MS) {
    problems.push({
      field: "intervalMs",
      value: String(intervalMs),
      rule: `must be at least ${MIN_HAVIP_BINDING_POLL_INTERVAL_MS} (DescribeHaVips allows 20 calls a second)`,
    });
  }
  return problems;
}
