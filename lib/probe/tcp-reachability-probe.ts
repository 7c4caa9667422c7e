import { request } from "node:http";
import { Socket } from "node:net";
import { RESPONDER_PATTERN, type ProbeSample } from "./outage-summary";

export interface TcpProbeOptions {
  readonly host: string;
  /** A refused connection counts as an answer too: the host is there. */
  readonly port: number;
  /**
   * Probe with an HTTP GET of this path instead of a bare connect: only a 2xx answer counts, and
   * the first word of its body is recorded as the responder (what a user of the service sees).
   * @default - TCP mode
   */
  readonly httpPath?: string;
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

interface ProbeAnswer {
  readonly answered: boolean;
  readonly responder?: string;
}

function connectOnce(host: string, port: number, timeoutMs: number): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const finish = (answered: boolean) => {
      socket.destroy();
      resolve({ answered });
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", (error: NodeJS.ErrnoException) => finish(error.code === "ECONNREFUSED"));
    socket.connect(port, host);
  });
}

/** One GET on a fresh connection (a new client, as a user's browser after a failover), bounded by timeoutMs as a whole. */
function getOnce(host: string, port: number, path: string, timeoutMs: number): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: ProbeAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish({ answered: false }), timeoutMs);
    const req = request({ host, port, path, method: "GET", agent: false, headers: { connection: "close" } }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        if (body.length < 1024) body += chunk;
      });
      response.on("end", () => {
        const status = response.statusCode ?? 0;
        const word = body.trim().split(/\s+/)[0] ?? "";
        finish({ answered: status >= 200 && status < 300, responder: RESPONDER_PATTERN.test(word) ? word : "?" });
      });
      response.on("error", () => finish({ answered: false }));
    });
    req.on("error", () => finish({ answered: false }));
    req.end();
  });
}

/**
 * Probes host:port with a TCP connect (or an HTTP GET, with httpPath) every intervalMs from this process, bounded in count;
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
    const once =
      options.httpPath === undefined
        ? connectOnce(options.host, options.port, timeoutMs)
        : getOnce(options.host, options.port, options.httpPath, timeoutMs);
    const probe = once.then((answer) => {
      const done: ProbeSample = {
        ...sample,
        answered: answer.answered,
        ...(answer.answered && answer.responder !== undefined ? { responder: answer.responder } : {}),
      };
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
