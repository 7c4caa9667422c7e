import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { CloudContext } from "./api/cloud-context";
import type { CloudHost } from "./host/cloud-host";
import { type Ipv4Block, parseIpv4Block } from "./network/ipv4-block";
import { createApiHandler } from "./server/api-handler";
import { fileRequestLog, type RequestLog } from "./server/request-log";
import { SERVICES } from "./services";
import { HaVipBinder } from "./services/vpc/havip-binding";
import { InstanceOperations } from "./services/cvm/instance-operations";
import type { CloudState } from "./state/cloud-state";
import { StateStore } from "./state/state-store";

export interface ApiCredentials {
  readonly secretId: string;
  readonly secretKey: string;
}

export interface LocalCloudOptions {
  /** The state file: created when missing, loaded when present. */
  readonly stateFile: string;
  /** Does the real work: boots machines, builds networks. */
  readonly host: CloudHost;
  /** TCP address (port 0: any free port) or a Unix socket path. */
  readonly listen: { readonly host: string; readonly port: number } | { readonly socketPath: string };
  /** PEM certificate chain and key: HTTPS with them, plain HTTP without. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** The callers it accepts (the TC3 signature is checked with their SecretKey). */
  readonly credentials: readonly ApiCredentials[];
  /** The region it serves, e.g. `ap-guangzhou`. */
  readonly region: string;
  /** Its zones, e.g. `ap-guangzhou-3`. */
  readonly zones: readonly string[];
  /** Where CVM public IPs and EIPs come from. @default "198.18.0.0/24" (a benchmarking range: never on the internet) */
  readonly publicAddressPool?: string;
  /** JSON lines, one per request. @default - no log */
  readonly requestLogFile?: string;
  /**
   * How long an HAVIP takes to follow a gratuitous ARP: from the announcement until the cloud binds
   * the HAVIP to the announcing instance and routes its traffic there. @default DEFAULT_HAVIP_SWITCH_DELAY_MS
   */
  readonly havipSwitchDelayMs?: number;
  /** Where problems of the background work go (a route the host failed to set). @default - stderr */
  readonly onError?: (error: Error) => void;
}

export interface LocalCloud {
  /** `http(s)://host:port` of the listener, or `unix:<path>`. */
  readonly url: string;
  /** The state as it is now (read only). */
  state(): Readonly<CloudState>;
  /** Resolves when no instance operation is running. */
  idle(): Promise<void>;
  /** Stops listening; by default also waits for running instance operations to end. */
  close(options?: { readonly waitForOperations?: boolean }): Promise<void>;
}

export const DEFAULT_PUBLIC_ADDRESS_POOL = "198.18.0.0/24";

/**
 * Tencent's HAVIP documentation says a switch between primary and secondary "may take 10 seconds";
 * its HAVIP + Keepalived guide measured about 4 s of client outage per switch. The default is the
 * guide's figure: the time from the gratuitous ARP until traffic reaches the new holder.
 */
export const DEFAULT_HAVIP_SWITCH_DELAY_MS = 4000;

function checkOptions(options: LocalCloudOptions): string[] {
  const problems: string[] = [];
  if (!/^[a-z]+-[a-z]+(-[a-z0-9]+)*$/.test(options.region))
    problems.push(`region ${JSON.stringify(options.region)} must look like ap-guangzhou`);
  if (options.zones.length === 0) problems.push("zones must name at least one zone");
  for (const zone of options.zones)
    if (!zone.startsWith(`${options.region}-`))
      problems.push(`zone ${JSON.stringify(zone)} must belong to the region ${options.region} (${options.region}-N)`);
  if (options.credentials.length === 0) problems.push("credentials must hold at least one SecretId/SecretKey pair");
  for (const { secretId, secretKey } of options.credentials)
    if (secretId === "" || secretKey === "") problems.push("every credential needs a non-empty SecretId and SecretKey");
  const pool = options.publicAddressPool ?? DEFAULT_PUBLIC_ADDRESS_POOL;
  const block = parseIpv4Block(pool);
  if (!block || block.prefixLength > 30)
    problems.push(`publicAddressPool ${JSON.stringify(pool)} must be an IPv4 CIDR block of /30 or larger with the host bits zero`);
  const delay = options.havipSwitchDelayMs;
  if (delay !== undefined && !(Number.isFinite(delay) && delay >= 0 && delay <= 600_000))
    problems.push(`havipSwitchDelayMs ${String(delay)} must be a number of milliseconds from 0 to 600000`);
  return problems;
}

/**
 * Starts the local Tencent Cloud: loads the state, carries unfinished instance operations on,
 * and listens. The lab builds it with its own `CloudHost`; `main.ts` with the in-memory one.
 */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const problems = checkOptions(options);
  if (problems.length > 0) throw new Error(`local cloud options: ${problems.join("; ")}`);
  const store = StateStore.open(options.stateFile);
  const cloud: CloudContext = {
    config: {
      region: options.region,
      zones: [...options.zones],
      publicAddressPool: parseIpv4Block(options.publicAddressPool ?? DEFAULT_PUBLIC_ADDRESS_POOL) as Ipv4Block,
    },
    store,
    host: options.host,
    instanceOperations: new InstanceOperations(),
    now: () => new Date(),
  };
  const log: RequestLog = options.requestLogFile ? fileRequestLog(options.requestLogFile) : () => {};
  const handler = createApiHandler({
    cloud,
    services: SERVICES,
    secretKeys: new Map(options.credentials.map(({ secretId, secretKey }) => [secretId, secretKey])),
    log,
  });
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : createHttpServer(handler);
  const listen = options.listen;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if ("socketPath" in listen) server.listen(listen.socketPath, resolve);
    else server.listen(listen.port, listen.host, resolve);
  });
  const onError = options.onError ?? ((error: Error) => process.stderr.write(`local cloud: ${error.message}\n`));
  const binder = new HaVipBinder(cloud, options.havipSwitchDelayMs ?? DEFAULT_HAVIP_SWITCH_DELAY_MS, onError);
  options.host.onAnnouncement((announcement) => binder.announce(announcement));
  store.subscribe(() => binder.syncRoutes());
  binder.syncRoutes();
  cloud.instanceOperations.resumeAll(cloud);
  const scheme = options.tls ? "https" : "http";
  let url: string;
  if ("socketPath" in listen) url = `unix:${listen.socketPath}`;
  else {
    const address = server.address() as AddressInfo;
    url = `${scheme}://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  }
  return {
    url,
    state: () => store.state,
    idle: () => cloud.instanceOperations.idle(),
    async close({ waitForOperations = true } = {}) {
      binder.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (waitForOperations) await cloud.instanceOperations.idle();
      await binder.settled();
    },
  };
}
