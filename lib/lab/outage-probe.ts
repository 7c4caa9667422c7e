import { spawn } from "node:child_process";
import type { LabLayout } from "./lab-layout";
import { assertOperatorNamespaceIsolated } from "./lab-network";

/** One probe: when it was sent (ms since the probe started) and whether the VIP answered in time. */
export interface ProbeSample {
  readonly seq: number;
  readonly sentAtMs: number;
  readonly answered: boolean;
}

export interface OutageSummary {
  /** Longest time between two answered probes (one interval when nothing was lost). */
  readonly longestGapMs: number;
  readonly sent: number;
  readonly lost: number;
}

/**
 * Longest gap between consecutive answered probes. Losses before the first answer count from
 * the first probe, losses after the last answer until one interval after the last probe; a run
 * with no answer at all is one gap covering the whole run.
 */
export function summarizeOutage(samples: readonly ProbeSample[], intervalMs: number): OutageSummary {
  const sent = samples.length;
  const answered = samples.filter((sample) => sample.answered).map((sample) => sample.sentAtMs);
  const lost = sent - answered.length;
  if (sent === 0) return { longestGapMs: 0, sent, lost };
  const first = samples[0].sentAtMs;
  const end = samples[sent - 1].sentAtMs + intervalMs;
  if (answered.length === 0) return { longestGapMs: end - first, sent, lost };
  let longest = Math.max(answered[0] - first, end - answered[answered.length - 1]);
  for (let i = 1; i < answered.length; i++) longest = Math.max(longest, answered[i] - answered[i - 1]);
  return { longestGapMs: Math.round(Math.max(longest, intervalMs)), sent, lost };
}

/** Parses the probe script's output lines `SEQ SENT_AT_MS 0|1`. */
export function parseProbeOutput(text: string): ProbeSample[] {
  return text
    .split("\n")
    .map((line) => /^(\d+) (\d+(?:\.\d+)?) ([01])$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ seq: Number(match[1]), sentAtMs: Number(match[2]), answered: match[3] === "1" }));
}

/**
 * Runs in the operator namespace. There is no ping on a minimal Debian and ICMP needs raw
 * sockets, so a probe is a TCP connect to a closed port of the VIP: whoever holds the VIP
 * answers at once with a RST (ECONNREFUSED, or a connect if something listens); silence
 * means nobody holds it, or the operator's ARP entry still points at the old holder.
 */
const PROBE_SCRIPT = `
const net = require("node:net");
const [host, port, count, intervalMs, timeoutMs] = process.argv.slice(1).map((v, i) => (i === 0 ? v : Number(v)));
const start = process.hrtime.bigint();
const now = () => Number(process.hrtime.bigint() - start) / 1e6;
let pending = 0;
function probe(seq) {
  const sentAt = now();
  pending++;
  let done = false;
  const socket = net.connect({ host, port });
  const finish = (answered) => {
    if (done) return;
    done = true;
    socket.destroy();
    process.stdout.write(seq + " " + sentAt.toFixed(1) + " " + (answered ? 1 : 0) + "\\n");
    if (--pending === 0 && seq === count - 1) process.exit(0);
  };
  socket.setTimeout(timeoutMs, () => finish(false));
  socket.on("connect", () => finish(true));
  socket.on("error", (error) => finish(error.code === "ECONNREFUSED"));
}
for (let seq = 0; seq < count; seq++) setTimeout(() => probe(seq), seq * intervalMs);
setTimeout(() => process.exit(0), count * intervalMs + timeoutMs + 1000);
`;

export interface OutageProbeOptions {
  /** @default 100 */
  readonly intervalMs?: number;
  /** A probe not answered within this long counts as lost. @default 200 */
  readonly timeoutMs?: number;
  /** Hard limit on the number of probes (the probe also stops on `stop()`). @default 600 (one minute at 100 ms) */
  readonly maxProbes?: number;
  /** Port probed on the VIP. @default 9 (discard; normally closed, so the holder answers with a RST) */
  readonly port?: number;
}

export interface RunningOutageProbe {
  /** Stops probing and resolves with what was measured so far. */
  stop(): Promise<OutageSummary>;
  /** Resolves when the probe ends by itself (after maxProbes). */
  readonly finished: Promise<OutageSummary>;
}

const MAX_PROBES_LIMIT = 36_000;

/** Starts probing the lab's VIP from the operator namespace every `intervalMs`; bounded in count and time. */
export async function startOutageProbe(lab: LabLayout, options: OutageProbeOptions = {}): Promise<RunningOutageProbe> {
  const intervalMs = options.intervalMs ?? 100;
  const timeoutMs = options.timeoutMs ?? 200;
  const maxProbes = Math.min(options.maxProbes ?? 600, MAX_PROBES_LIMIT);
  if (!(intervalMs >= 10 && timeoutMs >= 10 && maxProbes >= 1)) {
    throw new Error(`outage probe needs intervalMs >= 10, timeoutMs >= 10 and maxProbes >= 1 (got ${intervalMs}, ${timeoutMs}, ${maxProbes})`);
  }
  await assertOperatorNamespaceIsolated(lab);
  const child = spawn(
    "ip",
    ["netns", "exec", lab.operatorNamespace, process.execPath, "-e", PROBE_SCRIPT, lab.vip, String(options.port ?? 9), String(maxProbes), String(intervalMs), String(timeoutMs)],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const hardLimit = setTimeout(() => child.kill("SIGKILL"), maxProbes * intervalMs + timeoutMs + 5000);
  const finished = new Promise<OutageSummary>((resolve) => {
    child.on("close", () => {
      clearTimeout(hardLimit);
      resolve(summarizeOutage(parseProbeOutput(output), intervalMs));
    });
    child.on("error", () => {
      clearTimeout(hardLimit);
      resolve(summarizeOutage(parseProbeOutput(output), intervalMs));
    });
  });
  return {
    finished,
    stop: () => {
      child.kill("SIGKILL");
      return finished;
    },
  };
}
