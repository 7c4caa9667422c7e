import { runCommandOrThrow } from "../host/host-command";
import { LAB_SERVER_NAMES, type LabLayout } from "../lab-layout";

/**
 * Splits the two servers from each other while both still reach the operator: their bridge ports
 * become "isolated", and the Linux bridge forwards nothing between two isolated ports (the
 * operator's port is not isolated, so it still talks to both). No firewall rules involved.
 */
export async function partitionServers(lab: LabLayout): Promise<void> {
  await setServerPortsIsolated(lab, true);
}

export async function healPartition(lab: LabLayout): Promise<void> {
  await setServerPortsIsolated(lab, false);
}

async function setServerPortsIsolated(lab: LabLayout, isolated: boolean): Promise<void> {
  for (const name of LAB_SERVER_NAMES) {
    await runCommandOrThrow([
      "bridge",
      "-n",
      lab.switchNamespace,
      "link",
      "set",
      "dev",
      lab.servers[name].switchPort,
      "isolated",
      isolated ? "on" : "off",
    ]);
  }
}
