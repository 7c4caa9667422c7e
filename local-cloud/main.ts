import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { InMemoryHost } from "./host/in-memory-host";
import { type ApiCredentials, DEFAULT_HAVIP_SWITCH_DELAY_MS, DEFAULT_PUBLIC_ADDRESS_POOL, startLocalCloud } from "./start-local-cloud";

/**
 * `npx tsx local-cloud/main.ts --help`: a local Tencent Cloud API endpoint on its own, with the
 * in-memory host (machines that only pretend to boot). The lab starts it in-process with its
 * real host instead (`startLocalCloud`).
 */

function listenAddress(value: string): { host: string; port: number } {
  const match = /^(\[[0-9a-fA-F:]+\]|[^:]+):(\d{1,5})$/.exec(value);
  if (!match || Number(match[2]) > 65535) throw new InvalidArgumentError("expected HOST:PORT, e.g. 127.0.0.1:8443");
  return { host: match[1].replace(/^\[|\]$/g, ""), port: Number(match[2]) };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A credentials file: JSON `{"secretId": "...", "secretKey": "..."}` or a list of them. */
function readCredentials(path: string | undefined): ApiCredentials[] {
  if (path === undefined) {
    const secretId = process.env.TENCENTCLOUD_SECRET_ID;
    const secretKey = process.env.TENCENTCLOUD_SECRET_KEY;
    if (!secretId || !secretKey) throw new Error("give --credentials-file, or set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY");
    return [{ secretId, secretKey }];
  }
  const parsed = JSON.parse(readFileSync(path, "utf8")) as unknown;
  const list = Array.isArray(parsed) ? parsed : [parsed];
  return list.map((entry, index) => {
    const { secretId, secretKey } = (entry ?? {}) as Record<string, unknown>;
    if (typeof secretId !== "string" || typeof secretKey !== "string")
      throw new Error(`${path}: entry ${index} needs string secretId and secretKey`);
    return { secretId, secretKey };
  });
}

const program = new Command()
  .name("local-cloud")
  .description("A local Tencent Cloud API endpoint (vpc, cvm, cbs, tag) with the in-memory host: state in a file, TC3 signatures checked.")
  .requiredOption("--state <file>", "state file (created when missing)")
  .option("--listen <host:port>", "TCP address to listen on", listenAddress)
  .option("--socket <path>", "Unix socket to listen on instead of TCP")
  .option("--tls-cert <file>", "PEM certificate chain: HTTPS (plain HTTP without)")
  .option("--tls-key <file>", "PEM private key of --tls-cert")
  .option(
    "--credentials-file <file>",
    'JSON {"secretId","secretKey"} (or a list); default: $TENCENTCLOUD_SECRET_ID/$TENCENTCLOUD_SECRET_KEY',
  )
  .option("--region <region>", "region served", process.env.TENCENTCLOUD_REGION ?? "ap-guangzhou")
  .option("--zone <zone>", "a zone served (repeatable; default <region>-3)", collect, [])
  .option("--public-pool <cidr>", "where public IPs and EIPs come from", DEFAULT_PUBLIC_ADDRESS_POOL)
  .option("--request-log <file>", "append one JSON line per request")
  .option("--debian <version>", "a Debian point release the in-memory host offers, e.g. 12.8 (repeatable; default 12.8)", collect, [])
  .option("--boot-delay-ms <ms>", "how long an in-memory machine takes to boot, stop or reinstall", (value) => Number(value), 500)
  .option(
    "--havip-switch-delay-ms <ms>",
    "how long an HAVIP takes to follow a gratuitous ARP",
    (value) => Number(value),
    DEFAULT_HAVIP_SWITCH_DELAY_MS,
  )
  .action(
    async (options: {
      state: string;
      listen?: { host: string; port: number };
      socket?: string;
      tlsCert?: string;
      tlsKey?: string;
      credentialsFile?: string;
      region: string;
      zone: string[];
      publicPool: string;
      requestLog?: string;
      debian: string[];
      bootDelayMs: number;
      havipSwitchDelayMs: number;
    }) => {
      if ((options.listen === undefined) === (options.socket === undefined)) throw new Error("give exactly one of --listen and --socket");
      if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) throw new Error("--tls-cert and --tls-key go together");
      const versions = options.debian.length > 0 ? options.debian : ["12.8"];
      const host = new InMemoryHost({
        // Published an hour apart, the last one given newest.
        images: versions.map((version, index) => ({
          key: `debian-${version}`,
          platform: "Debian" as const,
          osVersion: version,
          architecture: "x86_64" as const,
          createdTime: new Date(Date.now() - (versions.length - 1 - index) * 3_600_000).toISOString().replace(/\.\d+Z$/, "Z"),
          sizeGiB: 20,
        })),
        operationDelayMs: options.bootDelayMs,
      });
      const cloud = await startLocalCloud({
        stateFile: options.state,
        host,
        listen: options.socket !== undefined ? { socketPath: options.socket } : (options.listen as { host: string; port: number }),
        ...(options.tlsCert && options.tlsKey ? { tls: { cert: readFileSync(options.tlsCert), key: readFileSync(options.tlsKey) } } : {}),
        credentials: readCredentials(options.credentialsFile),
        region: options.region,
        zones: options.zone.length > 0 ? options.zone : [`${options.region}-3`],
        publicAddressPool: options.publicPool,
        ...(options.requestLog ? { requestLogFile: options.requestLog } : {}),
        havipSwitchDelayMs: options.havipSwitchDelayMs,
      });
      process.stdout.write(`local cloud: ${cloud.url}, region ${options.region}, state ${options.state}\n`);
      const stop = () => void cloud.close({ waitForOperations: false }).then(() => process.exit(0));
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    },
  );

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`local-cloud: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
