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
): Promise<NodeSSH> {
  const rejection: { reason?: string } = {};
  const config: Config = {
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.user,
    readyTimeout: CONNECT_TIMEOUT_MS,
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

/** Opens an SSH session to a node, retrying while it does not answer yet (see ConnectOptions). */
export async function connectToNode(node: NodeSpec, written: SshSettings, options: ConnectOptions = {}): Promise<RemoteShell> {
  throwIfProblems(node.name, sshKeyFileProblems(written, "ssh"));
  const ssh = resolveSshSettingsPaths(written);
  const retryable = (error: unknown) => error instanceof ConnectError && error.retryable;
  const outcome = await pollUntil(
    async (attempt) => {
      if (attempt > 1) options.onRetry?.(`${node.sshHost} does not answer yet (attempt ${attempt - 1}); trying again`);
      return connectOnce(node, ssh, options).then(
        (shell) => ({ shell }),
        (error: unknown) => ({ error }),
      );
    },
    (result) => "shell" in result || !retryable(result.error),
    { timeoutMs: options.retryForMs ?? 0, intervalMs: RETRY_PAUSE_MS },
  );
  if ("shell" in outcome.value) return outcome.value.shell;
  throw outcome.value.error;
}

/** Opens an SSH session to a node (through the jump host when one is set), verifying host keys. */
async function connectOnce(node: NodeSpec, ssh: SshSettings, options: ConnectOptions): Promise<RemoteShell> {
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
    return new RemoteShell(node.name, await openConnection(target, ssh, optionNames, undefined, trace), undefined, trace);
  }
  const jump: Endpoint = {
    label: `${node.name} (jump host)`,
    host: ssh.jumpHost.host,
    port: ssh.jumpHost.port ?? 22,
    user: ssh.jumpHost.user ?? user,
  };
  const jumpConnection = await openConnection(jump, ssh, optionNames);
  try {
    const channel = await jumpConnection.forwardOut("127.0.0.1", 0, target.host, target.port);
    const connection = await openConnection(target, ssh, optionNames, channel as unknown as Socket, trace);
    return new RemoteShell(node.name, connection, () => jumpConnection.dispose(), trace);
  } catch (error) {
    jumpConnection.dispose();
    throw error;
  }
}
