/**
 * The lab's local cloud as a process: the Tencent API endpoint (local-cloud/) with the lab's host
 * behind it. `startCloudDaemon` runs it in the services namespace's network (so it listens where
 * the operator's hosts file sends the API's names) and in the host's mount namespace (so the
 * servers it boots, their disks and cgroups, are the host's like every lab server's).
 *
 * Run as `node <tsx> lab/cloud/cloud-daemon.ts <config.json>`; it writes its ready file once it
 * listens, and ends on SIGTERM leaving every machine and network as it is (they are the cloud's).
 */
import * as fs from "node:fs";
import { startLocalCloud } from "../../local-cloud";
import { LabCloudHost } from "./lab-cloud-host";
import { labImages } from "./lab-images";
import { cloudNetworkLayout } from "../cloud-network";

/** Everything the endpoint process needs, written by `lab up` (0600: it names the credentials file). */
export interface CloudDaemonConfig {
  readonly prefix: string;
  readonly hostDir: string;
  readonly cacheDir: string;
  readonly publishedImagesPath: string;
  readonly cloudStatePath: string;
  readonly requestLogPath: string;
  readonly readyPath: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly tlsCertPath: string;
  readonly tlsKeyPath: string;
  readonly caCertPath: string;
  readonly credentialsPath: string;
  readonly region: string;
  readonly zones: readonly string[];
  readonly publicAddressPool: string;
  readonly mirrorAddress: string;
  readonly havipSwitchDelayMs?: number;
}

export async function runCloudDaemon(configPath: string): Promise<void> {
  const config = JSON.parse(fs.readFileSync(configPath, "utf8")) as CloudDaemonConfig;
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const host = new LabCloudHost({
    network: cloudNetworkLayout(config.prefix),
    stateDir: config.hostDir,
    images: () => labImages(config.cacheDir, config.publishedImagesPath),
    mirrorAddress: config.mirrorAddress,
    caCertPem: fs.readFileSync(config.caCertPath, "utf8"),
    onError: (error) => log(`host: ${error.message}`),
  });
  await host.resume();
  const credentials = JSON.parse(fs.readFileSync(config.credentialsPath, "utf8")) as { secretId: string; secretKey: string };
  const cloud = await startLocalCloud({
    stateFile: config.cloudStatePath,
    host,
    listen: config.listen,
    tls: { cert: fs.readFileSync(config.tlsCertPath), key: fs.readFileSync(config.tlsKeyPath) },
    credentials: [credentials],
    region: config.region,
    zones: config.zones,
    publicAddressPool: config.publicAddressPool,
    requestLogFile: config.requestLogPath,
    ...(config.havipSwitchDelayMs === undefined ? {} : { havipSwitchDelayMs: config.havipSwitchDelayMs }),
    onError: (error) => log(`cloud: ${error.message}`),
  });
  fs.writeFileSync(config.readyPath, `${process.pid} ${cloud.url}\n`);
  log(`listening on ${cloud.url}`);
  const stop = (signal: string) => {
    log(`${signal}: stopping`);
    host.close();
    void cloud.close({ waitForOperations: false }).finally(() => process.exit(0));
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

if (require.main === module) {
  runCloudDaemon(process.argv[2] ?? "").catch((error: Error) => {
    process.stderr.write(`cloud daemon: ${error.stack ?? error.message}\n`);
    process.exit(1);
  });
}
