import * as fs from "node:fs";
import { buildLabClusterSpec } from "./lab-cluster-spec";
import { labDown } from "./lab-down";
import { type Lab, saveLabHandle } from "./lab-handle";
import { generateEd25519KeyPair, renderKnownHosts } from "./lab-keys";
import { DEFAULT_LAB_PREFIX, LAB_SERVER_NAMES, defaultLabStateDir, labLayout, labNamespaces } from "./lab-layout";
import { createLabNetwork, listNetworkNamespaces } from "./lab-network";
import { waitForSsh } from "./lab-operator";
import { labPreflight } from "./lab-preflight";
import { prepareServerFilesystem, serverConsoleTail, startServer } from "./lab-server";

export interface LabUpOptions {
  /** @default "havip-lab" */
  readonly prefix?: string;
  /** Keys, overlays' upper dirs, the spec and the handle. @default `/run/${prefix}` */
  readonly stateDir?: string;
  /** Called before each step with a line a human can read. */
  readonly onStep?: (step: string) => void;
  /** How long each server's sshd may take to accept a login. @default 10000 */
  readonly sshReadyTimeoutMs?: number;
}

/**
 * Builds the lab: namespaces, bridge and veths, two servers running sshd with their own /etc,
 * /var, /run, /tmp, /root and hostname, the operator's key pair, pinned host keys, and the lab's
 * ClusterSpec file. Returns (and persists) the handle once both servers accept SSH logins.
 * On any failure it tears down what it built and rethrows.
 */
export async function labUp(options: LabUpOptions = {}): Promise<Lab> {
  const started = Date.now();
  const prefix = options.prefix ?? DEFAULT_LAB_PREFIX;
  const stateDir = options.stateDir ?? defaultLabStateDir(prefix);
  const layout = labLayout(prefix, stateDir);
  const step = options.onStep ?? (() => undefined);

  const missing = labPreflight();
  if (missing.length > 0) throw new Error(`cannot start the lab:\n  - ${missing.join("\n  - ")}`);
  const existing = (await listNetworkNamespaces()).filter((namespace) => labNamespaces(layout).includes(namespace));
  if (existing.length > 0 || fs.existsSync(layout.handlePath)) {
    throw new Error(
      `lab ${prefix} is already up or was left behind (${existing.join(", ") || layout.handlePath}); run \`havip-cluster lab down\` first`,
    );
  }

  // Files a crashed `lab up` may have left (no namespaces, no handle): start from a clean state dir.
  await labDown({ prefix, stateDir });
  try {
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    step("generating the operator key pair and the servers' host keys");
    const operatorKey = await generateEd25519KeyPair(layout.operatorPrivateKeyPath, `${prefix}-operator`);
    const hostKeys = [];
    for (const name of LAB_SERVER_NAMES) {
      const server = layout.servers[name];
      prepareServerFilesystem(server, operatorKey);
      const hostKey = await generateEd25519KeyPair(server.hostKeyPathOnHost, `${server.hostname}`);
      fs.rmSync(`${server.hostKeyPathOnHost}.pub`);
      hostKeys.push({ host: server.ip, publicKeyLine: hostKey });
    }
    fs.writeFileSync(layout.knownHostsPath, renderKnownHosts(hostKeys), { mode: 0o644 });

    step(`creating namespaces ${labNamespaces(layout).join(", ")} and the bridge`);
    await createLabNetwork(layout);

    step("starting sshd on servers a and b");
    for (const name of LAB_SERVER_NAMES) startServer(layout.servers[name]);

    fs.writeFileSync(layout.specPath, `${JSON.stringify(buildLabClusterSpec(layout), null, 2)}\n`, { mode: 0o644 });

    step("waiting until both servers accept SSH logins from the operator namespace");
    const timeoutMs = options.sshReadyTimeoutMs ?? 10_000;
    await Promise.all(
      LAB_SERVER_NAMES.map((name) =>
        waitForSsh(layout, layout.servers[name], timeoutMs).catch((error: Error) => {
          throw new Error(`${error.message}\nserver ${name} console:\n${serverConsoleTail(layout.servers[name])}`);
        }),
      ),
    );
    const lab: Lab = { ...layout, handleVersion: 1, createdAt: new Date(started).toISOString(), upDurationMs: Date.now() - started };
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
  options: { readonly prefix?: string; readonly stateDir?: string; readonly log?: (line: string) => void } = {},
): () => void {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const down = { prefix: options.prefix, stateDir: options.stateDir };
  let tearingDown = false;
  // npm and tsx forward Ctrl-C more than once: later signals must not kill the process mid-teardown.
  const handler = (signal: NodeJS.Signals) => {
    if (tearingDown) return;
    tearingDown = true;
    log(`${signal}: tearing the lab ${options.prefix ?? DEFAULT_LAB_PREFIX} down`);
    // The interrupted code's own cleanup may be tearing down at the same time: retry once if the two collide.
    labDown(down)
      .catch(() => labDown(down))
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
