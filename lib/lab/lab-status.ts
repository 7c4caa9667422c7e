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
    const initPid = namespaceExists ? await serverInitPid(server) : undefined;
    const running = initPid !== undefined;
    servers.push({
      name,
      ip: server.ip,
      namespace: server.namespace,
      namespaceExists,
      systemState: running ? await serverSystemState(server) : "offline",
      sshdRunning: running && (await serverProcessesNamed(lab, name, "sshd")).length > 0,
      keepalivedPid: running ? await keepalivedPid(lab, name) : undefined,
      vrrpState: running ? (await readServerFile(lab, name, DEFAULT_STATE_FILE_PATH))?.trim() : undefined,
      holdsVip: holders.includes(name),
    });
  }
  return { prefix: lab.prefix, vip: lab.vip, servers, vipHolders: holders };
}
