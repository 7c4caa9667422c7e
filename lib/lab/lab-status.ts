import { DEFAULT_STATE_FILE_PATH } from "../core/limits";
import { LAB_SERVER_NAMES, type LabLayout, type LabServerName } from "./lab-layout";
import { listNetworkNamespaces } from "./lab-network";
import { serverInitPid, serverSystemState } from "./lab-server";
import { keepalivedPid, readServerFile, serverProcessesNamed, vipHolders } from "./server-inspection";

export interface LabServerStatus {
  readonly name: LabServerName;
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

export interface LabStatus {
  readonly prefix: string;
  readonly vip: string;
  readonly servers: readonly LabServerStatus[];
  readonly vipHolders: readonly LabServerName[];
}

export async function labStatus(lab: LabLayout): Promise<LabStatus> {
  const namespaces = await listNetworkNamespaces();
  const holders = await vipHolders(lab);
  const servers: LabServerStatus[] = [];
  for (const name of LAB_SERVER_NAMES) {
    const server = lab.servers[name];
    const namespaceExists = namespaces.includes(server.namespace);
    const base = { name, ip: server.ip, namespace: server.namespace, namespaceExists, holdsVip: holders.includes(name) };
    const offline: LabServerStatus = {
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
    try {
      servers.push({
        ...base,
        systemState: await serverSystemState(server),
        sshdRunning: (await serverProcessesNamed(lab, name, "sshd")).length > 0,
        keepalivedPid: await keepalivedPid(lab, name),
        vrrpState: (await readServerFile(lab, name, DEFAULT_STATE_FILE_PATH))?.trim(),
      });
    } catch (error) {
      // A server that reboots or crashes between the reads above has no PID 1 for a moment: it is offline, not an error.
      if ((await serverInitPid(server)) !== undefined) throw error;
      servers.push(offline);
    }
  }
  return { prefix: lab.prefix, vip: lab.vip, servers, vipHolders: holders };
}
