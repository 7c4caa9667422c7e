import { Socket } from "node:net";
import type { ProbeSample } from "./outage-summary";

export interface TcpProbeOptions {
  readonly host: string;
  /** A refused connection counts as an answer too: the host is there. */
  readonly port: number;
  /** @default 100 */
  readonly intervalMs?: number;
  /** @default 200 */
  readonly timeoutMs?: number;
  /** Hard cap on the number of probes. @default 600 */
  readonly maxProbes?: number;
  /** Called with each sample as soon as its probe is answered or times out. */
  readonly onSample?: (sample: ProbeSample) => void;
  /** Called once the last of maxProbes probes has finished. */
  readonly onDone?: () => void;
}

export interface RunningProbe {
  /** Stops probing and resolves with every sample so far. */
  stop(): Promise<ProbeSample[]>;
}

/** Most probes one run may send (an hour at the default 100 ms): a probe never runs unbounded. */
export const MAX_PROBES_LIMIT = 36_000;

function probeOnce(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const finish = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", (error: NodeJS.ErrnoException) => finish(error.code === "ECONNREFUSED"));
    socket.connect(port, host);
  });
}

/**
 * Probes host:port with a TCP connect every intervalMs from this process, bounded in count;
 * the caller decides which address is safe to probe (the VIP of its own cluster or lab).
 */
export function startTcpProbe(options: TcpProbeOptions): RunningProbe {
  const intervalMs = options.intervalMs ?? 100;
  const timeoutMs = options.timeoutMs ?? 200;
  const maxProbes = Math.min(options.maxProbes ?? 600, MAX_PROBES_LIMIT);
  const started = Date.now();
  const samples: ProbeSample[] = [];
  const pending = new Set<Promise<void>>();
  let seq = 0;
  const timer = setInterval(() => {
    if (seq >= maxProbes) {
      clearInterval(timer);
      return;
    }
    const sample = { seq: seq++, sentAtMs: Date.now() - started };
    const probe = probeOnce(options.host, options.port, timeoutMs).then((answered) => {
      const done = { ...sample, answered };
      samples.push(done);
      pending.delete(probe);
      options.onSample?.(done);
      if (samples.length === maxProbes) options.onDone?.();
    });
    pending.add(probe);
  }, intervalMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all(pending);
      return [...samples].sort((a, b) => a.seq - b.seq);
    },
  };
}
