import { spawn } from "node:child_process";
import { summarizeOutage, type OutageSummary } from "../../lib/probe/outage-summary";
import { parseProbeOutput, parseProbeStart } from "./probe-line";
import { MAX_PROBES_LIMIT } from "../../lib/probe/tcp-reachability-probe";
import type { LabLayout } from "../lab-layout";
import { labCliArgv } from "../lab-cli-argv";
import { assertOperatorNamespaceIsolated } from "../network/lab-network";

import type { ProbeSample } from "../../lib/probe/outage-summary";
export { summarizeOutage, type OutageSummary, type ProbeSample } from "../../lib/probe/outage-summary";
export { parseProbeOutput } from "./probe-line";

/**
 * The probe runs in the operator namespace as `lab probe` (the same TCP probe
 * failover-test uses). There is no ping on a minimal Debian and ICMP needs raw sockets, so a
 * probe is a TCP connect to a closed port of the VIP: whoever holds the VIP answers at once with
 * a RST; silence means nobody holds it, or the operator's ARP entry still points at the old holder.
 */
export interface OutageProbeOptions {
  /** @default 100 */
  readonly intervalMs?: number;
  /** A probe not answered within this long counts as lost. @default 200 */
  readonly timeoutMs?: number;
  /** Hard limit on the number of probes (the probe also stops on `stop()`). @default 600 (one minute at 100 ms) */
  readonly maxProbes?: number;
  /** Port probed on the VIP. @default 9 (discard; normally closed, so the holder answers with a RST) */
  readonly port?: number;
  /**
   * GET this path on the VIP (port 80 unless `port` is given) instead of a TCP connect: the
   * outage a user of the service sees, and which server's page answered.
   * @default - TCP mode
   */
  readonly httpPath?: string;
}

/** What a probe measured: the summary, and every sample on the host's clock. */
export interface ProbeRecord extends OutageSummary {
  readonly intervalMs: number;
  readonly samples: readonly ProbeSample[];
  /** When the samples' clock started (ms since the epoch): sample i was sent at startedAtMs + sentAtMs. @default - unknown */
  readonly startedAtMs?: number;
}

export interface RunningOutageProbe {
  /** Stops probing and resolves with what was measured so far. */
  stop(): Promise<ProbeRecord>;
  /** Resolves when the probe ends by itself (after maxProbes). */
  readonly finished: Promise<ProbeRecord>;
}

const PROBE_START_TIMEOUT_MS = 10_000;

/** Starts probing the lab's VIP from the operator namespace every `intervalMs`; bounded in count and time. */
export async function startOutageProbe(lab: LabLayout, options: OutageProbeOptions = {}): Promise<RunningOutageProbe> {
  await assertOperatorNamespaceIsolated(lab);
  return startProbe(lab.operatorNamespace, lab.vip, options);
}

/**
 * Starts probing `host` from `namespace` (a client namespace the caller made and checked) every
 * `intervalMs`; bounded in count and time.
 */
export async function startProbe(namespace: string, host: string, options: OutageProbeOptions = {}): Promise<RunningOutageProbe> {
  const intervalMs = options.intervalMs ?? 100;
  const timeoutMs = options.timeoutMs ?? 200;
  const maxProbes = Math.min(options.maxProbes ?? 600, MAX_PROBES_LIMIT);
  if (!(intervalMs >= 10 && timeoutMs >= 10 && maxProbes >= 1)) {
    throw new Error(
      `outage probe needs intervalMs >= 10, timeoutMs >= 10 and maxProbes >= 1 (got ${intervalMs}, ${timeoutMs}, ${maxProbes})`,
    );
  }
  const child = spawn(
    "ip",
    [
      "netns",
      "exec",
      namespace,
      ...labCliArgv("probe"),
      "--host",
      host,
      "--port",
      String(options.port ?? (options.httpPath === undefined ? 9 : 80)),
      "--count",
      String(maxProbes),
      "--interval",
      String(intervalMs),
      "--timeout",
      String(timeoutMs),
      ...(options.httpPath === undefined ? [] : ["--http-path", options.httpPath]),
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  let output = "";
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
    if (/^\d/m.test(output)) markReady();
  });
  const hardLimit = setTimeout(() => child.kill("SIGKILL"), PROBE_START_TIMEOUT_MS + maxProbes * intervalMs + timeoutMs + 5000);
  const record = (): ProbeRecord => {
    const samples = parseProbeOutput(output).sort((x, y) => x.seq - y.seq);
    const startedAtMs = parseProbeStart(output);
    return { ...summarizeOutage(samples, intervalMs), intervalMs, samples, ...(startedAtMs === undefined ? {} : { startedAtMs }) };
  };
  const finished = new Promise<ProbeRecord>((resolve) => {
    child.on("close", () => {
      clearTimeout(hardLimit);
      resolve(record());
    });
    child.on("error", () => {
      clearTimeout(hardLimit);
      resolve(record());
    });
  });
  // Starting node in the namespace takes a moment: the probe is running once its first sample is out.
  await Promise.race([ready, finished, new Promise((resolve) => setTimeout(resolve, PROBE_START_TIMEOUT_MS))]);
  return {
    finished,
    stop: () => {
      child.kill("SIGKILL");
      return finished;
    },
  };
}
