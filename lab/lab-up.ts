import * as fs from "node:fs";
import * as path from "node:path";
import { type LabService, buildLabClusterSpec, labServiceOverrides } from "./lab-cluster-spec";
import { labDown } from "./lab-down";
import { type Lab, LAB_HANDLE_VERSION, saveLabHandle } from "./lab-handle";
import { generateEd25519KeyPair, renderKnownHosts } from "./servers/lab-keys";
import { bootServer, createServer, waitForServerSystem } from "./servers/server-lifecycle";
import { DEFAULT_LAB_PREFIX, LAB_SERVER_NAMES, type LabServerName, defaultLabStateDir, labLayout, labNamespaces } from "./lab-layout";
import { createLabNetwork, listNetworkNamespaces } from "./network/lab-network";
import { waitForSsh } from "./network/lab-operator";
import { startPackageServer, startTarballServer } from "./roots/lab-package-server";
import { generateLabTls } from "./servers/lab-tls";
import { labPreflight } from "./lab-preflight";
import { serverConsoleTail } from "./servers/lab-server";
import { ensureReleaseRoots } from "./roots/release-root-build";
import { DEFAULT_LAB_RELEASE, LAB_RELEASES, type LabRelease, isLabRelease, labCacheDir } from "./roots/release-roots";

/** One release for both servers, or one per server (a mixed pair, as during an upgrade). */
export type LabReleaseChoice = LabRelease | Partial<Readonly<Record<LabServerName, LabRelease>>>;

export interface LabUpOptions {
  /** @default "havip-lab" */
  readonly prefix?: string;
  /** Keys, overlays' upper dirs, the spec and the handle. @default `/run/${prefix}` */
  readonly stateDir?: string;
  /** Called before each step with a line a human can read. */
  readonly onStep?: (step: string) => void;
  /** How long each server may take from boot to accepting an SSH login. @default 60000 */
  readonly sshReadyTimeoutMs?: number;
  /** Debian release of the servers. @default "bookworm" for both */
  readonly release?: LabReleaseChoice;
  /** Where release roots are built and reused. @default $HAVIP_LAB_CACHE_DIR or /var/cache/tencentcloud-havip-cluster */
  readonly cacheDir?: string;
  /** A service behind the VIP (its setup and health check in the lab's spec). @default - none: the maintenance-flag check */
  readonly service?: LabService;
}

/** Each server's release from a choice; pure. */
export function resolveLabReleases(choice: LabReleaseChoice = DEFAULT_LAB_RELEASE): Record<LabServerName, LabRelease> {
  if (typeof choice === "string") return { a: choice, b: choice };
  return { a: choice.a ?? DEFAULT_LAB_RELEASE, b: choice.b ?? DEFAULT_LAB_RELEASE };
}

/**
 * Parses `--release`: `trixie` (both servers) or `a=bullseye,b=trixie` (per server; a server not
 * named gets the default). Throws with the value as written and the rule.
 */
export function parseLabReleaseOption(text: string): LabReleaseChoice {
  const rule = `use a release (${LAB_RELEASES.join(", ")}) or server=release pairs like a=bullseye,b=trixie`;
  const trimmed = text.trim();
  if (isLabRelease(trimmed)) return trimmed;
  const choice: Partial<Record<LabServerName, LabRelease>> = {};
  for (const pair of trimmed.split(",")) {
    const match = /^\s*([ab])\s*=\s*([a-z]+)\s*$/.exec(pair);
    if (!match || !isLabRelease(match[2]) || choice[match[1] as LabServerName]) {
      throw new Error(`--release ${JSON.stringify(text)}: ${JSON.stringify(pair.trim())} is not valid; ${rule}`);
    }
    choice[match[1] as LabServerName] = match[2];
  }
  return choice;
}

/**
 * Builds the lab: release roots (built once per release and cached), namespaces, bridge and veths,
 * the package source in the operator namespace, two servers booted with systemd as PID 1 on an
 * overlay of their release root, the operator's key pair, pinned host keys, and the lab's
 * ClusterSpec file. Returns (and persists) the handle once both servers accept SSH logins and
 * systemd in both reports `running`. On any failure it tears down what it built and rethrows.
 */
export async function labUp(options: LabUpOptions = {}): Promise<Lab> {
  const prefix = options.prefix ?? DEFAULT_LAB_PREFIX;
  const stateDir = options.stateDir ?? defaultLabStateDir(prefix);
  const layout = labLayout(prefix, stateDir);
  const step = options.onStep ?? (() => undefined);
  const releases = resolveLabReleases(options.release);
  const cacheDir = options.cacheDir ?? labCacheDir();

  const missing = labPreflight();
  if (missing.length > 0) throw new Error(`cannot start the lab:\n  - ${missing.join("\n  - ")}`);
  const existing = (await listNetworkNamespaces()).filter((namespace) => labNamespaces(layout).includes(namespace));
  if (existing.length > 0 || fs.existsSync(layout.handlePath)) {
    throw new Error(
      `lab ${prefix} is already up or was left behind (${existing.join(", ") || layout.handlePath}); run \`npm run lab -- bare down\` first`,
    );
  }

  const roots = await ensureReleaseRoots(Object.values(releases), { onStep: step, cacheDir });
  const started = Date.now();
  // Files a crashed `lab up` may have left (no namespaces, no handle): start from a clean state dir.
  await labDown({ prefix, stateDir });
  try {
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    step("generating the operator key pair, the servers' host keys and the lab CA");
    const operatorKey = await generateEd25519KeyPair(layout.operatorPrivateKeyPath, `${prefix}-operator`);
    const tls = await generateLabTls(layout);
    const disk = { authorizedKeys: [operatorKey], mirrorAddress: layout.operatorIp, caCertPem: fs.readFileSync(tls.caCertPath, "utf8") };
    const hostKeys = [];
    for (const name of LAB_SERVER_NAMES) {
      const server = layout.servers[name];
      const record = await createServer(server, { key: releases[name], rootDir: roots[releases[name]].rootDir }, disk);
      hostKeys.push({ host: server.ip, publicKeyLine: record.hostPublicKey });
    }
    fs.writeFileSync(layout.knownHostsPath, renderKnownHosts(hostKeys), { mode: 0o644 });

    step(`creating namespaces ${labNamespaces(layout).join(", ")} and the bridge`);
    await createLabNetwork(layout);

    step(
      `serving the lab's package source (HTTP) and source tarballs (HTTPS, lab CA) from ${layout.operatorNamespace} (${layout.operatorIp})`,
    );
    const site = { namespace: layout.operatorNamespace, address: layout.operatorIp };
    startPackageServer(site, path.dirname(roots[releases.a].packagesDir), layout.packageServerLogPath);
    startTarballServer(
      site,
      path.dirname(roots[releases.a].sourcesDir),
      { certPath: tls.serverCertPath, keyPath: tls.serverKeyPath },
      layout.tarballServerLogPath,
    );

    step(`booting server a (${releases.a}) and server b (${releases.b}) with systemd-nspawn`);
    for (const name of LAB_SERVER_NAMES) await bootServer(layout.servers[name]);

    fs.writeFileSync(
      layout.specPath,
      `${JSON.stringify(buildLabClusterSpec(layout, options.service === undefined ? {} : labServiceOverrides(options.service)), null, 2)}\n`,
      { mode: 0o644 },
    );

    step("waiting until both servers accept SSH logins and systemd reports running");
    const timeoutMs = options.sshReadyTimeoutMs ?? 60_000;
    await Promise.all(
      LAB_SERVER_NAMES.map(async (name) => {
        const server = layout.servers[name];
        try {
          await waitForSsh(layout, server, timeoutMs);
          await waitForServerSystem(server, { timeoutMs });
        } catch (error) {
          throw new Error(`${(error as Error).message}\nserver ${name} console:\n${serverConsoleTail(server)}`);
        }
      }),
    );
    const lab: Lab = {
      ...layout,
      handleVersion: LAB_HANDLE_VERSION,
      releases,
      cacheDir,
      ...(options.service === undefined ? {} : { service: options.service }),
      createdAt: new Date(started).toISOString(),
      upDurationMs: Date.now() - started,
    };
    saveLabHandle(lab);
    return lab;
  } catch (error) {
    step("lab up failed: tearing down what was built");
    await labDown({ prefix, stateDir }).catch(() => undefined);
    throw error;
  }
}

/**
 * Makes Ctrl-C (SIGINT) or SIGTERM during `lab up` tear the half-built lab down before the process
 * exits (with 130 / 143). Returns a function that removes the handlers.
 */
export function installLabInterruptCleanup(
  options: {
    readonly prefix?: string;
    readonly stateDir?: string;
    readonly log?: (line: string) => void;
    /** What tears the lab down. @default the bare lab's labDown */
    readonly teardown?: (down: { readonly prefix?: string; readonly stateDir?: string }) => Promise<void>;
  } = {},
): () => void {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const down = { prefix: options.prefix, stateDir: options.stateDir };
  const teardown = options.teardown ?? labDown;
  let tearingDown = false;
  // npm and tsx forward Ctrl-C more than once: later signals must not kill the process mid-teardown.
  const handler = (signal: NodeJS.Signals) => {
    if (tearingDown) return;
    tearingDown = true;
    log(`${signal}: tearing the lab ${options.prefix ?? DEFAULT_LAB_PREFIX} down`);
    // The interrupted code's own cleanup may be tearing down at the same time: retry once if the two collide.
    teardown(down)
      .catch(() => teardown(down))
      .catch((error: Error) => log(`lab down failed: ${error.message}`))
      .finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    // Once a teardown has started, the handlers stay until it exits the process.
    if (tearingDown) return;
    process.removeListener("SIGINT", handler);
    process.removeListener("SIGTERM", handler);
  };
}
