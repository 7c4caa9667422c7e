import * as fs from "node:fs";
import * as path from "node:path";
import { ROUTER_UPLINK_INTERFACE, reconcileVpcRouter } from "../cloud-network";
import type { CloudLabLayout } from "./cloud-lab-layout";
import { type HostModel, type LabFaults, NO_FAULTS, routerModelOf } from "./host-model";

const FAULTS_FILE = "lab-faults.json";

/** The faults the lab has injected (none when the file is absent). */
export function readLabFaults(hostDir: string): LabFaults {
  try {
    return { ...NO_FAULTS, ...(JSON.parse(fs.readFileSync(path.join(hostDir, FAULTS_FILE), "utf8")) as Partial<LabFaults>) };
  } catch {
    return NO_FAULTS;
  }
}

/**
 * Sets the lab's faults and applies them to every router now. The cloud's endpoint reads the same
 * file on each reconcile, so a binding that moves during a partition does not heal it.
 */
export async function setLabFaults(layout: CloudLabLayout, faults: LabFaults): Promise<void> {
  fs.mkdirSync(layout.hostDir, { recursive: true, mode: 0o700 });
  const file = path.join(layout.hostDir, FAULTS_FILE);
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(faults, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
  const model = JSON.parse(fs.readFileSync(path.join(layout.hostDir, "host-model.json"), "utf8")) as HostModel;
  for (const vpcId of Object.keys(model.vpcs)) {
    const router = routerModelOf(model, vpcId, ROUTER_UPLINK_INTERFACE, faults);
    if (router) await reconcileVpcRouter(layout.network, router);
  }
}

/** Cuts two instances of the lab's cloud from each other (both keep reaching everything else). */
export function partitionInstances(layout: CloudLabLayout, a: string, b: string): Promise<void> {
  const current = readLabFaults(layout.hostDir);
  return setLabFaults(layout, { ...current, partitions: [...current.partitions, [a, b]] });
}

/** Heals every partition the lab made. */
export function healPartitions(layout: CloudLabLayout): Promise<void> {
  return setLabFaults(layout, { ...readLabFaults(layout.hostDir), partitions: [] });
}
