import * as fs from "node:fs";
import * as path from "node:path";
import { instanceNamespace } from "../cloud-network";
import { type ServerLayout, serverLayout } from "../servers/server-layout";
import type { CloudLabLayout } from "./cloud-lab-layout";
import type { HostModel } from "./host-model";

/** The cloud lab's machines as the lab's host built them, read from the host's model file (beside the machines). */

/** The cluster's nodes as the deployed spec names them (primary, secondary) with their instance ids; empty when nothing is deployed. */
export function deployedNodes(lab: CloudLabLayout): { name: string; instanceId: string }[] {
  try {
    const outputs = JSON.parse(fs.readFileSync(lab.outputsPath, "utf8")) as Record<string, Record<string, unknown>>;
    const values = Object.values(outputs)[0] ?? {};
    const spec = JSON.parse(String(values["cluster-spec"] ?? "{}")) as { nodes?: { name: string; instanceId: string }[] };
    return spec.nodes ?? [];
  } catch {
    return [];
  }
}

/** The lab host's model: VPCs, subnets, instances with their addresses and host names; undefined before the first launch. */
export function hostModel(lab: CloudLabLayout): HostModel | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(lab.hostDir, "host-model.json"), "utf8")) as HostModel;
  } catch {
    return undefined;
  }
}

/** The server a machine of the lab runs as (the layout the lab's host gave it). */
export function machineServer(lab: CloudLabLayout, instance: HostModel["instances"][string]): ServerLayout {
  return serverLayout({
    name: instance.instanceId,
    machineName: `${lab.prefix}-${instance.instanceId}`,
    namespace: instanceNamespace(lab.network, instance.instanceId),
    ip: instance.privateIp,
    prefixLength: instance.prefixLength,
    gateway: instance.gateway,
    hostname: instance.hostName,
    dir: path.join(lab.hostDir, "machines", instance.instanceId),
  });
}
