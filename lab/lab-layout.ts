import * as path from "node:path";
import { LAB_CGROUP_PARENT, SERVER_INTERFACE_NAME, type ServerLayout, serverLayout } from "./servers/server-layout";

export { LAB_CGROUP_PARENT };

/** Name prefix of the lab a user starts with `npm run lab -- up` (or `bare up`); tests use their own. */
export const DEFAULT_LAB_PREFIX = "havip-lab";

export const LAB_SUBNET = "172.16.16.0/24";
export const LAB_SUBNET_PREFIX_LENGTH = 24;
export const LAB_VIP = "172.16.16.12";
export const LAB_OPERATOR_IP = "172.16.16.100";
/** Interface that carries the lab's addresses in every server and in the operator namespace. */
export const LAB_INTERFACE_NAME = SERVER_INTERFACE_NAME;
const LAB_BRIDGE_NAME = "br0";

export type LabServerName = "a" | "b";
export const LAB_SERVER_NAMES: readonly LabServerName[] = ["a", "b"];

const SERVER_IPS: Readonly<Record<LabServerName, string>> = { a: "172.16.16.5", b: "172.16.16.6" };

/** A server of the bare lab: a general server on the lab's bridge, named a or b. */
export interface LabServerLayout extends ServerLayout {
  readonly name: LabServerName;
  /** Bridge port (in the switch namespace) that the server's eth0 is plugged into. */
  readonly switchPort: string;
}

/** Names and paths of one lab; pure function of the prefix and the state directory. */
export interface LabLayout {
  readonly prefix: string;
  readonly stateDir: string;
  readonly switchNamespace: string;
  readonly bridgeName: string;
  readonly operatorNamespace: string;
  readonly operatorSwitchPort: string;
  readonly operatorIp: string;
  readonly vip: string;
  readonly subnet: string;
  readonly subnetPrefixLength: number;
  readonly interfaceName: string;
  readonly servers: Readonly<Record<LabServerName, LabServerLayout>>;
  readonly operatorPrivateKeyPath: string;
  readonly operatorPublicKeyPath: string;
  readonly knownHostsPath: string;
  readonly specPath: string;
  /** Request log of the lab's package source (the HTTP server in the operator namespace). */
  readonly packageServerLogPath: string;
  /** Request log of the lab's HTTPS download site for source tarballs. */
  readonly tarballServerLogPath: string;
  /** The persisted `Lab` handle that `status` and `down` in another process read. */
  readonly handlePath: string;
}

const PREFIX_PATTERN = /^[a-z][a-z0-9-]{0,23}$/;

/** Problems with a lab prefix, empty when it is fine (namespace names and hostnames derive from it). */
export function labPrefixProblems(prefix: string): string[] {
  if (PREFIX_PATTERN.test(prefix)) return [];
  return [`lab prefix ${JSON.stringify(prefix)} must be 1-24 characters of a-z, 0-9 and "-", starting with a letter`];
}

/** Default state directory: under /run, so a reboot leaves nothing behind and the repo stays clean. */
export function defaultLabStateDir(prefix: string): string {
  return `/run/${prefix}`;
}

export function labLayout(prefix: string = DEFAULT_LAB_PREFIX, stateDir: string = defaultLabStateDir(prefix)): LabLayout {
  const problems = labPrefixProblems(prefix);
  if (problems.length > 0) throw new Error(problems[0]);
  const stateDirProblem = labStateDirProblem(stateDir);
  if (stateDirProblem) throw new Error(stateDirProblem);
  const server = (name: LabServerName): LabServerLayout => ({
    ...serverLayout({
      name,
      machineName: `${prefix}-${name}`,
      namespace: `${prefix}-${name}`,
      ip: SERVER_IPS[name],
      prefixLength: LAB_SUBNET_PREFIX_LENGTH,
      hostname: `${prefix}-${name}`,
      dir: path.join(stateDir, name),
    }),
    name,
    switchPort: `port-${name}`,
  });
  const operatorDir = path.join(stateDir, "operator");
  return {
    prefix,
    stateDir,
    switchNamespace: `${prefix}-sw`,
    bridgeName: LAB_BRIDGE_NAME,
    operatorNamespace: `${prefix}-op`,
    operatorSwitchPort: "port-op",
    operatorIp: LAB_OPERATOR_IP,
    vip: LAB_VIP,
    subnet: LAB_SUBNET,
    subnetPrefixLength: LAB_SUBNET_PREFIX_LENGTH,
    interfaceName: LAB_INTERFACE_NAME,
    servers: { a: server("a"), b: server("b") },
    operatorPrivateKeyPath: path.join(operatorDir, "id_ed25519"),
    operatorPublicKeyPath: path.join(operatorDir, "id_ed25519.pub"),
    knownHostsPath: path.join(operatorDir, "known_hosts"),
    specPath: path.join(stateDir, "cluster-spec.json"),
    handlePath: path.join(stateDir, "lab.json"),
    packageServerLogPath: path.join(operatorDir, "package-server.log"),
    tarballServerLogPath: path.join(operatorDir, "tarball-server.log"),
  };
}

/** Every namespace of the lab, switch first (deleting it first unplugs every veth at once). */
export function labNamespaces(layout: LabLayout): string[] {
  return [layout.switchNamespace, layout.servers.a.namespace, layout.servers.b.namespace, layout.operatorNamespace];
}

/**
 * A state dir under /etc or /var would sit inside the lower layer of the servers' overlays
 * (overlayfs refuses overlapping layers); a relative one would depend on the caller's cwd.
 */
export function labStateDirProblem(stateDir: string): string | undefined {
  if (!path.isAbsolute(stateDir)) return `lab state dir ${stateDir} must be an absolute path`;
  const normalized = path.normalize(stateDir);
  for (const overlaid of ["/etc", "/var"]) {
    if (normalized === overlaid || normalized.startsWith(`${overlaid}/`)) {
      return `lab state dir ${stateDir} must not be under ${overlaid} (the servers overlay it)`;
    }
  }
  if (normalized === "/") return `lab state dir ${stateDir} must not be /`;
  return undefined;
}
