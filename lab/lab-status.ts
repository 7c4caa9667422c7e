import type { KeepalivedObservation } from "../lib/core/health";
import { DEFAULT_STATE_FILE_PATH } from "../lib/core/limits";
import type { LabLayout, LabServerName } from "./lab-layout";
import { listNetworkNamespaces } from "./network/lab-network";
import { serverInitPid, serverSystemState } from "./servers/lab-server";
import { type ServerGroup, keepalivedPid, readBootFile, serverNames, serverProcessesNamed, vipHolders } from "./servers/server-inspection";

export interface LabServerStatus<N extends string = LabServerName> {
  readonly name: N;
  readonly ip: string;
  readonly namespace: string;
  readonly namespaceExists: boolean;
  /** `systemctl is-system-running` inside the server (`running` when every unit is fine), or `offline`. */
  readonly systemState: string;
  readonly sshdRunning: boolean;
  /** Host PID of Keepalived's parent process. */
  readonly keepalivedPid?: number;
  /** Content of /var/keepalived/state in the server (written by the notify script), trimmed. */
  readonly vrrpState?: string;
  readonly holdsVip: boolean;
}

/** What every server of a group runs and which of them carry the VIP, read from the host (no SSH). */
export interface ServerGroupStatus<N extends string = string> {
  readonly vip: string;
  readonly servers: readonly LabServerStatus<N>[];
  readonly vipHolders: readonly N[];
}

export interface LabStatus extends ServerGroupStatus<LabServerName> {
  readonly prefix: string;
}

export async function labStatus(lab: LabLayout): Promise<LabStatus> {
  return { prefix: lab.prefix, ...(await serverGroupStatus(lab)) };
}

export async function serverGroupStatus<N extends string>(group: ServerGroup<N>): Promise<ServerGroupStatus<N>> {
  const namespaces = await listNetworkNamespaces();
  const holders = await vipHolders(group);
  const servers: LabServerStatus<N>[] = [];
  for (const name of serverNames(group)) {
    const server = group.servers[name];
    const namespaceExists = namespaces.includes(server.namespace);
    const base = { name, ip: server.ip, namespace: server.namespace, namespaceExists, holdsVip: holders.includes(name) };
    const offline: LabServerStatus<N> = {
      ...base,
      systemState: "offline",
      sshdRunning: false,
      keepalivedPid: undefined,
      vrrpState: undefined,
    };
    const initPid = namespaceExists ? await serverInitPid(server) : undefined;
    if (initPid === undefined) {
      servers.push(offline);
      continue;
    }
    // Every read goes to this boot's PID 1, and the sample counts only if that boot is still there
    // afterwards: a server that reboots or crashes meanwhile is between two boots, i.e. offline,
    // whatever a read of the ending or the starting boot said (or threw).
    let sample: LabServerStatus<N> | undefined;
    let failure: unknown;
    try {
      sample = {
        ...base,
        systemState: await serverSystemState(server, initPid),
        sshdRunning: (await serverProcessesNamed(group, name, "sshd", initPid)).length > 0,
        keepalivedPid: await keepalivedPid(group, name, initPid),
        vrrpState: readBootFile(initPid, DEFAULT_STATE_FILE_PATH)?.trim(),
      };
    } catch (error) {
      failure = error;
    }
    if ((await serverInitPid(server)) !== initPid) {
      servers.push(offline);
      continue;
    }
    if (sample === undefined) throw failure;
    servers.push(sample);
  }
  return { vip: group.vip, servers, vipHolders: holders };
}

/**
 * The lab's status as the one observation shape the health questions take (lib/core/health): the
 * lab reads every server from the host, booted or not, so each answers; a server between boots
 * has no Keepalived.
 */
export function labObservations<N extends string>(status: ServerGroupStatus<N>): KeepalivedObservation[] {
  return status.servers.map((server) => {
    const running = server.keepalivedPid !== undefined;
    return {
      node: server.name,
      reachable: true,
      keepalived: {
        running,
        runState: running ? "running" : "stopped",
        addresses: status.vipHolders.includes(server.name) ? [status.vip] : [],
        notifiedState: server.vrrpState,
      },
    };
  });
}
