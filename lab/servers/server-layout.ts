import * as path from "node:path";
import { containsAddress, parseIpv4Address, parseIpv4Cidr, sameAddress } from "../../lib/core/network/ipv4-cidr";

/** Parent cgroup of every lab server (bare lab and local cloud alike), in each hierarchy the host has. */
export const LAB_CGROUP_PARENT = "tencentcloud-havip-cluster";

/** The interface that carries a server's address in its network namespace. */
export const SERVER_INTERFACE_NAME = "eth0";

/** What the caller decides about a server; everything else derives from it. */
export interface ServerLayoutInput {
  /** `a`, `b`, or an instance id (`ins-1a2b3c4d`). */
  readonly name: string;
  /** Unique on this host: nspawn's machine name and the server's cgroup leaf (`<prefix>-<name>`). */
  readonly machineName: string;
  /** The network namespace the server boots in (its eth0 is there). */
  readonly namespace: string;
  readonly ip: string;
  /** Prefix length of the server's subnet, as on its eth0. */
  readonly prefixLength: number;
  /** The default route's next hop. @default - no default route (the bare lab's servers reach only their subnet) */
  readonly gateway?: string;
  readonly hostname: string;
  /** The server's own directory: its disk (overlay upper dir), supervisor, console. */
  readonly dir: string;
}

/** Where one server lives: its namespace, address, and the directories its overlay and supervisor use. */
export interface ServerLayout extends ServerLayoutInput {
  readonly interfaceName: string;
  /** The server's own changes on top of the release root (overlay upper dir): its disk. */
  readonly upperDir: string;
  readonly workDir: string;
  /** The merged overlay: the server's root file system, as the host sees it. */
  readonly rootDir: string;
  /** The server's sshd host key, as seen from inside the server. */
  readonly hostKeyPathInServer: string;
  /** The same key file in the upper dir, as seen from the host. */
  readonly hostKeyPathOnHost: string;
  /** The shell loop that boots the server with systemd-nspawn and boots it again after a reboot or a crash. */
  readonly supervisorScriptPath: string;
  readonly supervisorPidPath: string;
  /** Console of every boot (nspawn's output, systemd's boot messages) and the supervisor's lines. */
  readonly consoleLogPath: string;
  /** Which image the disk came from, and the host key it was given (written last when the server is created). */
  readonly recordPath: string;
  /** Cgroup (the same path in each hierarchy the host has) the supervisor and the server run in. */
  readonly cgroupPath: string;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const HOSTNAME_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const HOSTNAME = new RegExp(`^${HOSTNAME_LABEL}(?:\\.${HOSTNAME_LABEL})*$`);
/** Linux's HOST_NAME_MAX. */
const MAX_HOSTNAME = 64;

/** Problems with a server's layout input, each naming the field, the value as written and the rule; empty when it is fine. */
export function serverLayoutProblems(input: ServerLayoutInput): string[] {
  const field = (name: string) => `server ${JSON.stringify(input.name)} ${name}`;
  const problems: string[] = [];
  if (!NAME.test(input.name))
    problems.push(`${field("name")} must be 1-63 characters of a-z, 0-9 and "-", starting with a letter or digit`);
  if (!HOSTNAME.test(input.machineName) || input.machineName.length > MAX_HOSTNAME) {
    problems.push(`${field("machineName")} ${JSON.stringify(input.machineName)} must be a host name of at most ${MAX_HOSTNAME} characters`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/.test(input.namespace)) {
    problems.push(`${field("namespace")} ${JSON.stringify(input.namespace)} is not a network namespace name`);
  }
  if (!HOSTNAME.test(input.hostname) || input.hostname.length > MAX_HOSTNAME) {
    problems.push(
      `${field("hostname")} ${JSON.stringify(input.hostname)} must be labels of letters, digits and "-" joined by dots, at most ${MAX_HOSTNAME} characters`,
    );
  }
  const ip = parseIpv4Address(input.ip);
  if (!ip) problems.push(`${field("ip")} ${JSON.stringify(input.ip)} is not an IPv4 address`);
  if (!Number.isInteger(input.prefixLength) || input.prefixLength < 1 || input.prefixLength > 32) {
    problems.push(`${field("prefixLength")} ${String(input.prefixLength)} must be a whole number from 1 to 32`);
  }
  if (input.gateway !== undefined) {
    const gateway = parseIpv4Address(input.gateway);
    const subnet = ip && problems.length === 0 ? parseIpv4Cidr(`${input.ip}/${input.prefixLength}`) : undefined;
    if (!gateway) problems.push(`${field("gateway")} ${JSON.stringify(input.gateway)} is not an IPv4 address`);
    else if (subnet && !containsAddress(subnet, gateway)) {
      problems.push(`${field("gateway")} ${input.gateway} is outside the server's subnet ${input.ip}/${input.prefixLength}`);
    } else if (ip && sameAddress(ip, gateway)) problems.push(`${field("gateway")} ${input.gateway} is the server's own address`);
  }
  if (!path.isAbsolute(input.dir) || path.normalize(input.dir) === "/")
    problems.push(`${field("dir")} ${input.dir} must be an absolute path other than /`);
  return problems;
}

/** A server's layout from what the caller decides; throws with every problem when the input is not valid. */
export function serverLayout(input: ServerLayoutInput): ServerLayout {
  const problems = serverLayoutProblems(input);
  if (problems.length > 0) throw new Error(problems.join("; "));
  const upperDir = path.join(input.dir, "upper");
  const hostKeyPathInServer = "/etc/ssh/ssh_host_ed25519_key";
  return {
    ...input,
    interfaceName: SERVER_INTERFACE_NAME,
    upperDir,
    workDir: path.join(input.dir, "work"),
    rootDir: path.join(input.dir, "root"),
    hostKeyPathInServer,
    hostKeyPathOnHost: path.join(upperDir, hostKeyPathInServer),
    supervisorScriptPath: path.join(input.dir, "supervise.sh"),
    supervisorPidPath: path.join(input.dir, "supervisor.pid"),
    consoleLogPath: path.join(input.dir, "console.log"),
    recordPath: path.join(input.dir, "server.json"),
    cgroupPath: `${LAB_CGROUP_PARENT}/${input.machineName}`,
  };
}
