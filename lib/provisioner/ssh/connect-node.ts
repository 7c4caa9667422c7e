import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Socket } from "node:net";
import { NodeSSH, type Config } from "node-ssh";
import type { NodeSpec, SshSettings } from "../../core/cluster-settings";
import { pollUntil } from "../../core/poll-until";
import { throwIfProblems } from "../../core/settings-error";
import { resolveSshSettingsPaths } from "../../spec/operator-path";
import { sshKeyFileProblems } from "../../spec/ssh-key-file";
import { decideHostKey, knownHostsName, parseKnownHosts, withoutOtherDisks } from "./known-hosts";
import { RemoteShell } from "./remote-shell";

const CONNECT_TIMEOUT_MS = 15_000;

/** Errors that mean "sshd is not there yet" (a CVM still booting), as opposed to a refusal. */
const RETRYABLE_CONNECT_FAILURE = /ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ECONNRESET|Timed out while waiting for handshake/;

export class ConnectError extends Error {
  constructor(
    message: string,
    /** Worth trying again: the host did not answer, rather than refusing us. */
    public readonly retryable: boolean,
  ) {
    super(message);
    this.name = "ConnectError";
  }
}

export function isRetryableConnectFailure(message: string): boolean {
  return RETRYABLE_CONNECT_FAILURE.test(message);
}

export class HostKeyRejectedError extends Error {
  constructor(nodeName: string, reason: string) {
    super(`${nodeName}: ${reason}`);
    this.name = "HostKeyRejectedError";
  }
}

interface Endpoint {
  readonly label: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The disk the machine runs (`<instance id>/<image id>`), when the spec says. */
  readonly disk?: string;
}

function readKnownHosts(path: string | undefined) {
  return path && existsSync(path) ? parseKnownHosts(readFileSync(path, "utf8")) : [];
}

function hostVerifierFor(
  endpoint: Endpoint,
  ssh: SshSettings,
  names: SshOptionNames,
  rejection: { reason?: string },
  trace?: (line: string) => void,
) {
  return (offeredKey: Buffer): boolean => {
    const verdict = decideHostKey({
      host: endpoint.host,
      port: endpoint.port,
      offeredKey,
      knownHosts: readKnownHosts(ssh.knownHostsPath),
      pinnedFingerprint: ssh.hostKeyFingerprints?.[endpoint.host],
      trustOnFirstUse: ssh.trustOnFirstUse === true && ssh.knownHostsPath !== undefined,
      trustOnFirstUseOption: names.trustOnFirstUse,
      ...(endpoint.disk ? { disk: endpoint.disk } : {}),
    });
    if (verdict.verdict === "reject") {
      rejection.reason = verdict.reason;
      return false;
    }
    if (verdict.verdict === "record" && ssh.knownHostsPath) {
      mkdirSync(dirname(ssh.knownHostsPath), { recursive: true });
      if (verdict.replacesDisk !== undefined && endpoint.disk) {
        const name = knownHostsName(endpoint.host, endpoint.port);
        writeFileSync(ssh.knownHostsPath, withoutOtherDisks(readFileSync(ssh.knownHostsPath, "utf8"), name, endpoint.disk), {
          mode: 0o600,
        });
        trace?.(
          `${endpoint.label}: a new disk (${endpoint.disk}, was ${verdict.replacesDisk}): recording its host key ${verdict.fingerprint}`,
        );
      }
      appendFileSync(ssh.knownHostsPath, `${verdict.knownHostsLine}\n`, { mode: 0o600 });
    }
    return true;
  };
}

async function openConnection(
  endpoint: Endpoint,
  ssh: SshSettings,
  names: SshOptionNames,
  sock?: Socket,
  trace?: (line: string) => void,
  readyTimeoutMs: number = CONNECT_TIMEOUT_MS,
): Promise<NodeSSH> {
  const rejection: { reason?: string } = {};
  const config: Config = {
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.user,
    readyTimeout: readyTimeoutMs,
    hostVerifier: hostVerifierFor(endpoint, ssh, names, rejection, trace),
    ...(ssh.privateKeyPath ? { privateKeyPath: ssh.privateKeyPath } : { agent: process.env.SSH_AUTH_SOCK }),
    ...(sock ? { sock } : {}),
  };
  if (!ssh.privateKeyPath && !process.env.SSH_AUTH_SOCK) {
    const option = names.privateKey ? ` (or ${names.privateKey})` : "";
    throw new Error(`${endpoint.label}: no SSH key: set ssh.privateKeyPath${option} or start an SSH agent (SSH_AUTH_SOCK)`);
  }
  const connection = new NodeSSH();
  try {
    await connection.connect(config);
  } catch (error) {
    if (rejection.reason) throw new HostKeyRejectedError(endpoint.label, rejection.reason);
    const message = error instanceof Error ? error.message : String(error);
    throw new ConnectError(
      `${endpoint.label}: cannot connect to ${endpoint.user}@${endpoint.host}:${endpoint.port}: ${message}`,
      isRetryableConnectFailure(message),
    );
  }
  // Nagle's algorithm adds ~40 ms to every small exec round trip.
  (connection.connection as unknown as { _sock?: Socket })._sock?.setNoDelay?.(true);
  return connection;
}

/** A front end's own options for SSH settings, named beside the settings in messages (the CLI's flags). */
export interface SshOptionNames {
  readonly privateKey?: string;
  readonly trustOnFirstUse?: string;
  /** The option that sets how long a node that does not answer is tried (ConnectOptions.retryForMs). */
  readonly connectTimeout?: string;
}

export interface ConnectOptions {
  readonly trace?: (line: string) => void;
  /** @default - messages name the settings alone */
  readonly optionNames?: SshOptionNames;
  /**
   * Keep trying for this long while the node does not answer (a CVM that is still booting when
   * cdktf's local-exec starts). Refusals (host key, authentication) are never retried.
   * @default 0
   */
  readonly retryForMs?: number;
  /** Told before each new attempt. */
  readonly onRetry?: (message: string) => void;
}

const RETRY_PAUSE_MS = 5_000;
/** An attempt gets at least this long, even with less of the wait left: a handshake needs a moment. */
const MIN_ATTEMPT_MS = 2_000;

/** `2 min 35 s`, `35 s`: how long, as a progress line says it. */
export function describeSeconds(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
}

/** The gist of a failed attempt: `ECONNREFUSED`, `no SSH handshake within 15 s`. */
function attemptReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = /\b(ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ECONNRESET)\b/.exec(message)?.[1];
  if (code) return code;
  return /handshake/i.test(message) ? "no SSH handshake in time" : message;
}

/**
 * Opens an SSH session to a node, retrying while it does not answer yet (see ConnectOptions): never
 * longer than `retryForMs` in all (each attempt's handshake is cut to the time left), telling each
 * retry how long it will go on, and failing with the last attempt's error and the time it waited.
 */
export async function connectToNode(node: NodeSpec, written: SshSettings, options: ConnectOptions = {}): Promise<RemoteShell> {
  throwIfProblems(node.name, sshKeyFileProblems(written, "ssh"));
  const ssh = resolveSshSettingsPaths(written);
  const retryable = (error: unknown) => error instanceof ConnectError && error.retryable;
  const budgetMs = options.retryForMs ?? 0;
  const startedAt = Date.now();
  const remaining = () => budgetMs - (Date.now() - startedAt);
  const address = node.sshPort === undefined || node.sshPort === 22 ? node.sshHost : `${node.sshHost}:${node.sshPort}`;
  const outcome = await pollUntil(
    async (attempt) => {
      const readyTimeoutMs = budgetMs > 0 ? Math.min(CONNECT_TIMEOUT_MS, Math.max(MIN_ATTEMPT_MS, remaining())) : CONNECT_TIMEOUT_MS;
      return connectOnce(node, ssh, options, readyTimeoutMs).then(
        (shell) => ({ shell }),
        (error: unknown) => {
          const left = remaining();
          // Said when the attempt fails, so the line is there for the whole pause.
          if (retryable(error) && left > 0) {
            options.onRetry?.(
              `${address} does not answer yet (${attemptReason(error)}, attempt ${attempt}); trying again in ${describeSeconds(Math.min(RETRY_PAUSE_MS, left))}, giving up in ${describeSeconds(left)}`,
            );
          }
          return { error };
        },
      );
    },
    (result) => "shell" in result || !retryable(result.error),
    { timeoutMs: budgetMs, intervalMs: RETRY_PAUSE_MS },
  );
  if ("shell" in outcome.value) return outcome.value.shell;
  const error = outcome.value.error;
  if (!retryable(error) || budgetMs <= 0) throw error;
  const option = options.optionNames?.connectTimeout;
  throw new ConnectError(
    `${(error as Error).message} (still no answer after ${Math.round(outcome.elapsedMs / 1000)} s, ${outcome.attempts} attempts${option ? `; ${option} sets how long to wait` : ""})`,
    true,
  );
}

/** Opens an SSH session to a node (through the jump host when one is set), verifying host keys. */
async function connectOnce(node: NodeSpec, ssh: SshSettings, options: ConnectOptions, readyTimeoutMs: number): Promise<RemoteShell> {
  const { trace, optionNames = {} } = options;
  const user = ssh.user ?? "root";
  const target: Endpoint = {
    label: node.name,
    host: node.sshHost,
    port: node.sshPort ?? 22,
    user,
    ...(node.instanceId && node.imageId ? { disk: `${node.instanceId}/${node.imageId}` } : {}),
  };
  if (!ssh.jumpHost) {
    return new RemoteShell(node.name, await openConnection(target, ssh, optionNames, undefined, trace, readyTimeoutMs), undefined, trace);
  }
  const jump: Endpoint = {
    label: `${node.name} (jump host)`,
    host: ssh.jumpHost.host,
    port: ssh.jumpHost.port ?? 22,
    user: ssh.jumpHost.user ?? user,
  };
  const jumpConnection = await openConnection(jump, ssh, optionNames, undefined, undefined, readyTimeoutMs);
  try {
    const channel = await jumpConnection.forwardOut("127.0.0.1", 0, target.host, target.port);
    const connection = await openConnection(target, ssh, optionNames, channel as unknown as Socket, trace, readyTimeoutMs);
    return new RemoteShell(node.name, connection, () => jumpConnection.dispose(), trace);
  } catch (error) {
    jumpConnection.dispose();
    throw error;
  }
}
