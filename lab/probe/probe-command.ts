import { InvalidArgumentError, type Command } from "commander";
import { formatProbeSample, formatProbeStart } from "./probe-line";
import { MAX_PROBES_LIMIT, startTcpProbe } from "../../lib/probe/tcp-reachability-probe";

function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${value} is not a whole number from ${min} to ${max}`);
    return n;
  };
}

function httpPath(value: string): string {
  if (!/^\/[\x21-\x7e]*$/.test(value))
    throw new InvalidArgumentError(`${JSON.stringify(value)} must start with / and contain only printable characters without spaces`);
  return value;
}

/**
 * `lab probe`: the bounded TCP reachability probe as a process, one `SEQ SENT_AT_MS 0|1` line per
 * probe (`SEQ SENT_AT_MS 0|1 RESPONDER` with --http-path). The lab runs it inside its operator
 * namespace to measure client-visible outages.
 */
export function registerProbeCommand(program: Command): void {
  program
    .command("probe")
    .description(
      "probe HOST:PORT with a TCP connect every --interval ms, --count times (a refused connection is an answer); prints a `started EPOCH_MS` line, then `seq sent_at_ms 0|1` lines",
    )
    .requiredOption("--host <address>", "address to probe (only one you own: the VIP of your cluster or lab)")
    .option("--port <port>", "TCP port", wholeNumber(1, 65535), 9)
    .option("--count <n>", "number of probes", wholeNumber(1, MAX_PROBES_LIMIT), 600)
    .option("--interval <ms>", "milliseconds between probes", wholeNumber(10, 60_000), 100)
    .option("--timeout <ms>", "milliseconds before a probe counts as lost", wholeNumber(10, 60_000), 200)
    .option(
      "--http-path <path>",
      "HTTP GET of this path instead of a connect (only 2xx is an answer; the body's first word is printed as the responder)",
      httpPath,
    )
    .action(async (options: { host: string; port: number; count: number; interval: number; timeout: number; httpPath?: string }) => {
      await new Promise<void>((resolve) => {
        process.stdout.write(`${formatProbeStart(Date.now())}\n`);
        startTcpProbe({
          host: options.host,
          port: options.port,
          maxProbes: options.count,
          intervalMs: options.interval,
          timeoutMs: options.timeout,
          httpPath: options.httpPath,
          onSample: (sample) => process.stdout.write(`${formatProbeSample(sample)}\n`),
          onDone: resolve,
        });
      });
    });
}
