import type { LabService } from "../lab-cluster-spec";
import type { LabLayout } from "../lab-layout";

export const DRILL_NAMES = [
  "machine-crash",
  "graceful-stop",
  "link-down",
  "health-check-fails",
  "old-master-returns",
  "partition-heals",
  "reboot",
] as const;
/** Drills of a lab with a service behind the VIP (`lab up --service nginx`): the service fails, not Keepalived. */
export const SERVICE_DRILL_NAMES = ["nginx-dies-on-master", "nginx-dies-on-backup"] as const;
export type DrillName = (typeof DRILL_NAMES)[number] | (typeof SERVICE_DRILL_NAMES)[number];

/** A lab as the drills need it: its layout, and the service `lab up --service` put behind the VIP. */
export type DrillLab = LabLayout & { readonly service?: LabService };

/**
 * The drills that fit a lab: with a service, its two service drills replace health-check-fails
 * (the maintenance flag is not the health check then).
 */
export function drillNamesFor(lab: DrillLab): DrillName[] {
  if (lab.service === undefined) return [...DRILL_NAMES];
  return [...DRILL_NAMES.filter((name) => name !== "health-check-fails"), ...SERVICE_DRILL_NAMES];
}
