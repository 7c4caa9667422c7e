import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { pollUntil } from "../../lib/core/poll-until";
import type { CommandResult } from "../host/host-command";
import {
  API_ADDRESS,
  MIRROR_ADDRESS,
  OPERATOR_ADDRESS,
  cloudNetworkNamespaces,
  createInternet,
  deleteCloudNetwork,
} from "../cloud-network";
import { DEFAULT_HAVIP_SWITCH_DELAY_MS } from "../../local-cloud";
import { signalProcess } from "../host/lab-processes";
import { unmountAllUnder } from "../host/mounts";
import { labPreflight } from "../lab-preflight";
import { startPackageServer, startTarballServer } from "../roots/lab-package-server";
import { ensureReleaseRoots } from "../roots/release-root-build";
import { DEFAULT_LAB_RELEASE, LAB_PACKAGE_PORT, type LabRelease, MIRROR_HOSTNAME, labCacheDir } from "../roots/release-roots";
import { generateEd25519KeyPair } from "../servers/lab-keys";
import { createLabCa, issueServerCertificate } from "../servers/lab-tls";
import { destroyServer } from "../servers/server-lifecycle";
import { serverLayout } from "../servers/server-layout";
import type { CloudDaemonConfig } from "./cloud-daemon";
import {
  API_HOST_NAMES,
  API_PORT,
  type CloudLabLayout,
  LAB_AUTH_PASS_VARIABLE,
  LAB_PUBLIC_ADDRESS_POOL,
  LAB_REGION,
  LAB_ZONE,
  cloudLabLayout,
  renderOperatorHosts,
} from "./cloud-lab-layout";
import type { HostModel } from "./host-model";
import { type LabService, labServiceOverrides } from "../lab-cluster-spec";
import { CHECKOUT_DIR, EXAMPLE_STACK, cdktfArgv, renderCdktfJson, runAsOperator, stackDir, stackStatePath } from "./operator-tools";
import { findProviderArchive, providerCliConfig, providerMirrorInstalled } from "./provider-mirror";

export const DEFAULT_CLOUD_LAB_PREFIX = "havip-lab";

/** The Debian release's major version, for the image name regex the lab's config gives the construct. */
const DEBIAN_MAJOR: Readonly<Record<LabRelease, string>> = { bullseye: "11", bookworm: "12", trixie: "13" };

export interface CloudLabOptions {
  /** @default "havip-lab" */
  readonly prefix?: string;
  /** @default `/run/${prefix}` */
  readonly stateDir?: string;
  readonly onStep?: (line: string) => void;
  /** Where release roots are built and reused. @default $HAVIP_LAB_CACHE_DIR or /var/cache/tencentcloud-havip-cluster */
  readonly cacheDir?: string;
}

export interface CloudLabUpOptions extends CloudLabOptions {
  /** The Debian release the example's nodes run (the image its name regex selects). @default "bookworm" */
  readonly release?: LabRelease;
  /** Also build (and publish as images) these releases. @default - only `release` */
  readonly extraReleases?: readonly LabRelease[];
  /** Deploy the example app once the cloud is up. @default true */
  readonly deploy?: boolean;
  /** How long an HAVIP takes to follow a gratuitous ARP in this cloud. @default the local cloud's default */
  readonly havipSwitchDelayMs?: number;
  /** A service behind the VIP (its setup, health check and ingress rule in the config). @default - none: the default health check */
  readonly service?: LabService;
  /** Settings merged over the lab's example config (the config file's keys). @default - none */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** A cloud lab that is up, as `lab up` left it; persisted for other processes. */
export interface CloudLab extends CloudLabLayout {
  readonly handleVersion: 1;
  readonly release: LabRelease;
  readonly service?: LabService;
  readonly cacheDir: string;
  readonly createdAt: string;
}

/** What this machine lacks for the cloud lab, one line each (the bare lab's needs, Terraform and the provider). */
export function cloudLabPreflight(): string[] {
  const missing = labPreflight();
  const terraform =
    fs.existsSync("/usr/bin/terraform") ||
    (process.env.PATH ?? "").split(":").some((dir) => dir && fs.existsSync(path.join(dir, "terraform")));
  if (!terraform) missing.push("no terraform executable (Terraform >= 1.7 deploys the example app)");
  if (!providerMirrorInstalled() && !findProviderArchive()) {
    missing.push("the Tencent provider 1.83.25 is neither in the mirror nor found as shared/terraform-providers beside the checkout");
  }
  if (!fs.existsSync(path.join(CHECKOUT_DIR, "node_modules/.bin/cdktf"))) missing.push("no node_modules/.bin/cdktf: run npm ci first");
  if (!fs.existsSync("/dev/net/tun")) missing.push("no /dev/net/tun (the kernel's TUN device: the lab's link impairments need it)");
  return missing;
}

function step(options: CloudLabOptions): (line: string) => void {
  return options.onStep ?? (() => undefined);
}

/** The lab's example config: the guide's topology (the app's defaults) in the lab's zone, reached from the operator's address. */
export function labExampleConfig(layout: CloudLabLayout, release: LabRelease): Record<string, unknown> {
  return {
    network: { availabilityZone: LAB_ZONE },
    nodes: { imageNameRegex: `^Debian ${DEBIAN_MAJOR[release]}\\.` },
    sshAllowedCidr: `${OPERATOR_ADDRESS}/32`,
    sshPublicKeyFile: layout.operatorPublicKeyPath,
    ssh: { privateKeyPath: layout.operatorPrivateKeyPath, knownHostsPath: layout.knownHostsPath, trustOnFirstUse: true },
    keepalived: { authPass: { variable: LAB_AUTH_PASS_VARIABLE } },
  };
}

/** A VRRP password as keepalived takes one (8 characters, the PASS limit), letters and digits only. */
export function labAuthPass(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  return Array.from(randomBytes(8), (byte) => alphabet[byte % alphabet.length]).join("");
}

/**
 * The config file's settings for a service behind the VIP: the bare lab's worked example (its
 * setup command and health check), and clients of the internet admitted to port 80.
 */
export function labServiceConfig(service: LabService): Record<string, unknown> {
  const { serviceSetup, healthCheck } = labServiceOverrides(service);
  return {
    keepalived: { serviceSetup, healthCheck },
    serviceIngress: [{ protocol: "TCP", port: "80", cidrBlock: "0.0.0.0/0", description: "web clients" }],
  };
}

function mergeConfig(base: Record<string, unknown>, over: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] =
      value && typeof value === "object" && !Array.isArray(value) && current && typeof current === "object" && !Array.isArray(current)
        ? mergeConfig(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return merged;
}

/** Starts the endpoint process in the services namespace's network and waits until it listens. */
async function startCloudDaemon(layout: CloudLabLayout, config: CloudDaemonConfig): Promise<void> {
  fs.writeFileSync(layout.daemonConfigPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  fs.rmSync(layout.daemonReadyPath, { force: true });
  const log = fs.openSync(layout.daemonLogPath, "a", 0o600);
  try {
    const child = spawn(
      "nsenter",
      [
        `--net=/run/netns/${layout.network.servicesNamespace}`,
        "--",
        process.execPath,
        "--require",
        require.resolve("tsx/cjs"),
        path.join(__dirname, "cloud-daemon.ts"),
        layout.daemonConfigPath,
      ],
      { detached: true, stdio: ["ignore", log, log] },
    );
    child.on("error", () => undefined);
    child.unref();
    if (child.pid !== undefined) fs.writeFileSync(layout.daemonPidPath, `${child.pid}\n`);
  } finally {
    fs.closeSync(log);
  }
  const ready = await pollUntil(
    async () => fs.existsSync(layout.daemonReadyPath) || !daemonRunning(layout),
    (done) => done,
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  if (!ready.done || !fs.existsSync(layout.daemonReadyPath)) {
    throw new Error(`the local cloud did not start:\n${tail(layout.daemonLogPath, 20)}`);
  }
}

function daemonPid(layout: CloudLabLayout): number | undefined {
  try {
    const pid = Number(fs.readFileSync(layout.daemonPidPath, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function daemonRunning(layout: CloudLabLayout): boolean {
  const pid = daemonPid(layout);
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the endpoint process (SIGTERM, then SIGKILL); the machines it runs stay as they are. */
export async function stopCloudDaemon(layout: CloudLabLayout): Promise<void> {
  const pid = daemonPid(layout);
  if (pid === undefined) return;
  signalProcess(pid, "SIGTERM");
  const stopped = await pollUntil(
    async () => !daemonRunning(layout),
    (gone) => gone,
    { timeoutMs: 10_000, intervalMs: 100 },
  );
  if (!stopped.done) signalProcess(pid, "SIGKILL");
  fs.rmSync(layout.daemonPidPath, { force: true });
}

/** Starts the endpoint process again on its state (after it was stopped or killed); the cloud carries unfinished work on. */
export async function restartCloudDaemon(layout: CloudLabLayout): Promise<void> {
  await stopCloudDaemon(layout);
  const config = JSON.parse(fs.readFileSync(layout.daemonConfigPath, "utf8")) as CloudDaemonConfig;
  await startCloudDaemon(layout, config);
}

/** How long the running cloud takes to move an HAVIP after a gratuitous ARP (its endpoint's setting). */
export function havipSwitchDelayMs(layout: CloudLabLayout): number {
  const config = JSON.parse(fs.readFileSync(layout.daemonConfigPath, "utf8")) as CloudDaemonConfig;
  return config.havipSwitchDelayMs ?? DEFAULT_HAVIP_SWITCH_DELAY_MS;
}

/**
 * Restarts the endpoint with another switch delay (the machines keep running; gratuitous ARPs sent
 * during the restart are not seen, so change it while the cluster is steady).
 */
export async function setHavipSwitchDelay(layout: CloudLabLayout, delayMs: number): Promise<void> {
  if (!(Number.isFinite(delayMs) && delayMs >= 0)) throw new Error(`switch delay ${delayMs} is not a number of milliseconds`);
  const config = JSON.parse(fs.readFileSync(layout.daemonConfigPath, "utf8")) as CloudDaemonConfig;
  await stopCloudDaemon(layout);
  await startCloudDaemon(layout, { ...config, havipSwitchDelayMs: delayMs });
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Lines of Terraform's and cdktf's output worth showing as progress. */
const PROGRESS_LINE =
  /(Creating\.\.\.|Creation complete|Modifying\.\.\.|Modifications complete|Destroying\.\.\.|Destruction complete|Provisioning with|Apply complete|Destroy complete|No changes|Error)/;

/** Runs a cdktf command of the lab's project in the operator namespace, showing its progress lines; throws with the end of its log when it fails. */
async function runCdktf(layout: CloudLabLayout, args: readonly string[], logName: string, say: (line: string) => void): Promise<void> {
  const logPath = path.join(layout.projectDir, logName);
  fs.rmSync(logPath, { force: true });
  say(`cdktf ${args[0]} of the example app (main.ts) with the real Tencent provider against the local cloud; log ${logPath}`);
  const result = await runAsOperator(layout, cdktfArgv([...args, "--auto-approve", "--skip-provider-lock", EXAMPLE_STACK]), {
    logPath,
    onLine: (line) => {
      const text = stripVTControlCharacters(line).trim();
      if (PROGRESS_LINE.test(text)) say(`  ${text.slice(0, 200)}`);
    },
  });
  if (result.code !== 0) throw new Error(`cdktf ${args[0]} failed (exit ${result.code}); the end of ${logPath}:\n${tail(logPath, 30)}`);
}

/** `cdktf deploy` of the example app, in the operator namespace, then its outputs in the project dir. */
export async function deployExample(layout: CloudLabLayout, options: CloudLabOptions = {}): Promise<void> {
  await runCdktf(layout, ["deploy"], "deploy.log", step(options));
  await writeOutputs(layout);
}

/**
 * `terraform apply` of the synthesized stack as the operator, without cdktf: what a deploy runs
 * after synth, for an edited `cdk.tf.json` or with `-replace=ADDRESS` in `extraArgs`.
 */
export async function applyStack(layout: CloudLabLayout, extraArgs: readonly string[] = []): Promise<CommandResult> {
  return runAsOperator(layout, [
    "terraform",
    `-chdir=${stackDir(layout)}`,
    "apply",
    "-auto-approve",
    "-input=false",
    "-no-color",
    ...extraArgs,
  ]);
}

/**
 * The stack's outputs as `cdktf output --outputs-file` writes them (`{ stack: { name: value } }`),
 * sensitive ones included (Terraform's own `output -json` shows them; cdktf leaves them out).
 */
export async function writeOutputs(layout: CloudLabLayout): Promise<Record<string, unknown>> {
  const result = await runAsOperator(layout, ["terraform", `-chdir=${stackDir(layout)}`, "output", "-json"]);
  if (result.code !== 0) throw new Error(`terraform output failed: ${result.stderr.trim()}`);
  const outputs = JSON.parse(result.stdout) as Record<string, { value: unknown }>;
  const values = Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.value]));
  fs.writeFileSync(layout.outputsPath, `${JSON.stringify({ [EXAMPLE_STACK]: values }, null, 2)}\n`, { mode: 0o600 });
  return values;
}

/** `cdktf destroy` of the example app; throws with the end of its output when it fails. */
export async function destroyExample(layout: CloudLabLayout, options: CloudLabOptions = {}): Promise<void> {
  await runCdktf(layout, ["destroy"], "destroy.log", step(options));
}

/** Writes the lab's config file (the example's config merged with `over`) and the project's cdktf.json. */
export function writeProject(layout: CloudLabLayout, release: LabRelease, over: Readonly<Record<string, unknown>> = {}): void {
  fs.mkdirSync(layout.projectDir, { recursive: true, mode: 0o700 });
  const config = mergeConfig(labExampleConfig(layout, release), over);
  fs.writeFileSync(layout.configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(layout.projectDir, "cdktf.json"), renderCdktfJson(layout.configPath));
}

export function saveCloudLab(lab: CloudLab): void {
  fs.writeFileSync(lab.handlePath, `${JSON.stringify(lab, null, 2)}\n`, { mode: 0o600 });
}

/** The cloud lab with this prefix, or undefined when none is up. */
export function loadCloudLab(prefix: string = DEFAULT_CLOUD_LAB_PREFIX, stateDir?: string): CloudLab | undefined {
  const layout = cloudLabLayout(prefix, stateDir);
  let text: string;
  try {
    text = fs.readFileSync(layout.handlePath, "utf8");
  } catch {
    return undefined;
  }
  const saved = JSON.parse(text) as Partial<CloudLab>;
  if (saved.handleVersion !== 1 || saved.prefix !== prefix)
    throw new Error(`${layout.handlePath} is not a cloud lab handle for ${prefix}; run \`npm run lab -- down\``);
  return { ...saved, ...layout } as CloudLab;
}

/**
 * Brings the local Tencent Cloud up and deploys the example app on it with `cdktf deploy`, as a
 * user deploys to Tencent Cloud: the lab's network (an internet segment with the operator and the
 * cloud's services, nothing of it on the host's network), the lab CA, the package mirror, the API
 * endpoint with the lab's machinery behind it, the operator's hosts file, then the deploy from
 * the operator's namespace. On failure it tears down what it built and rethrows.
 */
export async function cloudLabUp(options: CloudLabUpOptions = {}): Promise<CloudLab> {
  const prefix = options.prefix ?? DEFAULT_CLOUD_LAB_PREFIX;
  const layout = cloudLabLayout(prefix, options.stateDir);
  const say = step(options);
  const release = options.release ?? DEFAULT_LAB_RELEASE;
  const cacheDir = options.cacheDir ?? labCacheDir();
  const missing = cloudLabPreflight();
  if (missing.length > 0) throw new Error(`cannot start the lab:\n  - ${missing.join("\n  - ")}`);
  if (fs.existsSync(layout.handlePath) || (await cloudNetworkNamespaces(layout.network)).length > 0) {
    throw new Error(`lab ${prefix} is already up or was left behind; run \`npm run lab -- down\` first`);
  }
  await ensureReleaseRoots([release, ...(options.extraReleases ?? [])], { onStep: say, cacheDir });
  say("installing the Tencent provider 1.83.25 into the local mirror (once)");
  providerCliConfig();
  await cloudLabDown({ prefix, stateDir: layout.stateDir });
  const started = new Date();
  try {
    for (const dir of [layout.stateDir, path.dirname(layout.cloudStatePath), layout.hostDir, path.dirname(layout.packageServerLogPath)]) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
    say("making the operator's key pair, the API key pair and the lab CA");
    await generateEd25519KeyPair(layout.operatorPrivateKeyPath, `${prefix}-operator`);
    fs.writeFileSync(layout.authPassPath, `${labAuthPass()}\n`, { mode: 0o600 });
    fs.writeFileSync(
      layout.credentialsPath,
      `${JSON.stringify({ secretId: `AKID${randomBytes(16).toString("hex")}`, secretKey: randomBytes(24).toString("base64url") })}\n`,
      { mode: 0o600 },
    );
    const ca = await createLabCa(layout.tlsDir, "lab-ca", `${prefix} lab CA`);
    fs.copyFileSync(ca.certPath, layout.caCertPath);
    const api = await issueServerCertificate(ca, layout.tlsDir, "api", { dnsNames: API_HOST_NAMES, ipAddresses: [API_ADDRESS] });
    const mirror = await issueServerCertificate(ca, layout.tlsDir, "mirror", {
      dnsNames: [MIRROR_HOSTNAME],
      ipAddresses: [MIRROR_ADDRESS],
    });

    say(
      `creating the internet segment: ${layout.network.operatorNamespace} (operator ${OPERATOR_ADDRESS}), ${layout.network.servicesNamespace} (API ${API_ADDRESS}, mirror ${MIRROR_ADDRESS})`,
    );
    await createInternet(layout.network);
    fs.mkdirSync(path.dirname(layout.operatorHostsPath), { recursive: true });
    fs.writeFileSync(layout.operatorHostsPath, renderOperatorHosts(API_ADDRESS));
    const site = { namespace: layout.network.servicesNamespace, address: MIRROR_ADDRESS };
    const roots = await ensureReleaseRoots([release], { cacheDir });
    startPackageServer(site, path.dirname(roots[release].packagesDir), layout.packageServerLogPath);
    startTarballServer(site, path.dirname(roots[release].sourcesDir), mirror, layout.tarballServerLogPath);

    say(
      `starting the local cloud's API (https://{${API_HOST_NAMES.map((name) => name.split(".")[0]).join(",")}}.tencentcloudapi.com in the lab, ${LAB_REGION}, zone ${LAB_ZONE})`,
    );
    await startCloudDaemon(layout, {
      prefix,
      hostDir: layout.hostDir,
      cacheDir,
      publishedImagesPath: layout.publishedImagesPath,
      cloudStatePath: layout.cloudStatePath,
      requestLogPath: layout.requestLogPath,
      readyPath: layout.daemonReadyPath,
      listen: { host: API_ADDRESS, port: API_PORT },
      tlsCertPath: api.certPath,
      tlsKeyPath: api.keyPath,
      caCertPath: layout.caCertPath,
      credentialsPath: layout.credentialsPath,
      region: LAB_REGION,
      zones: [LAB_ZONE],
      publicAddressPool: LAB_PUBLIC_ADDRESS_POOL,
      mirrorAddress: MIRROR_ADDRESS,
      ...(options.havipSwitchDelayMs === undefined ? {} : { havipSwitchDelayMs: options.havipSwitchDelayMs }),
    });
    writeProject(layout, release, mergeConfig(options.service ? labServiceConfig(options.service) : {}, options.config ?? {}));
    const lab: CloudLab = {
      ...layout,
      handleVersion: 1,
      release,
      ...(options.service ? { service: options.service } : {}),
      cacheDir,
      createdAt: started.toISOString(),
    };
    saveCloudLab(lab);
    if (options.deploy ?? true) await deployExample(layout, options);
    return lab;
  } catch (error) {
    say("lab up failed: tearing down what was built");
    await cloudLabDown({ prefix, stateDir: layout.stateDir, destroy: false }).catch(() => undefined);
    throw error;
  }
}

export interface CloudLabDownOptions extends CloudLabOptions {
  /** Run `cdktf destroy` first, as a user ends a deployment. @default true */
  readonly destroy?: boolean;
}

/**
 * Destroys the example app with `cdktf destroy` (when it was deployed and the cloud runs), then
 * removes everything the lab made: the endpoint, every machine (also one a failed destroy left),
 * the network namespaces, the hosts file, mounts and cgroups, the state directory. Idempotent.
 * Throws after cleaning up when `cdktf destroy` failed, so a broken destroy is never silent.
 */
export async function cloudLabDown(options: CloudLabDownOptions = {}): Promise<void> {
  const prefix = options.prefix ?? DEFAULT_CLOUD_LAB_PREFIX;
  const layout = cloudLabLayout(prefix, options.stateDir);
  const say = step(options);
  let destroyError: Error | undefined;
  const deployed = fs.existsSync(path.join(stackDir(layout), "terraform.tfstate")) || fs.existsSync(stackStatePath(layout));
  if ((options.destroy ?? true) && deployed && daemonRunning(layout)) {
    await destroyExample(layout, options).catch((error: Error) => (destroyError = error));
  }
  say("stopping the local cloud and every machine it runs");
  await stopCloudDaemon(layout);
  const machinesDir = path.join(layout.hostDir, "machines");
  const model = readHostModel(layout);
  for (const name of fs.existsSync(machinesDir) ? fs.readdirSync(machinesDir) : []) {
    const instance = model?.instances[name];
    const server = serverLayout({
      name,
      machineName: `${prefix}-${name}`,
      namespace: `${prefix}-${name}`,
      ip: instance?.privateIp ?? "192.0.2.1",
      prefixLength: instance?.prefixLength ?? 24,
      hostname: instance?.hostName ?? "machine",
      dir: path.join(machinesDir, name),
    });
    await destroyServer(server);
  }
  say("deleting the lab's network namespaces");
  await deleteCloudNetwork(layout.network);
  fs.rmSync(path.dirname(layout.operatorHostsPath), { recursive: true, force: true });
  const left = await unmountAllUnder(layout.stateDir);
  if (left.length > 0) throw new Error(`cannot unmount ${left.join(", ")}`);
  fs.rmSync(layout.stateDir, { recursive: true, force: true });
  if (destroyError) throw destroyError;
}

function readHostModel(layout: CloudLabLayout): HostModel | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(layout.hostDir, "host-model.json"), "utf8")) as HostModel;
  } catch {
    return undefined;
  }
}

/** The package mirror's URL as the machines see it (for messages and docs). */
export const MIRROR_URL = `http://${MIRROR_HOSTNAME}:${LAB_PACKAGE_PORT}`;
