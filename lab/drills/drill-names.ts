import type { DrillTarget } from "./drill-target";

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
/** Drills of a target whose network can impair the link between the nodes (the local cloud's VPC router). */
export const LINK_DRILL_NAMES = ["lossy-link"] as const;
export type DrillName = (typeof DRILL_NAMES)[number] | (typeof SERVICE_DRILL_NAMES)[number] | (typeof LINK_DRILL_NAMES)[number];
export const ALL_DRILL_NAMES: readonly DrillName[] = [...DRILL_NAMES, ...SERVICE_DRILL_NAMES, ...LINK_DRILL_NAMES];

/**
 * The drills that fit a target: with a service, its two service drills replace health-check-fails
 * (the maintenance flag is not the health check then); where the link can be impaired, the
 * lossy-link drill too.
 */
export function drillNamesFor(target: Pick<DrillTarget, "service" | "impairLink">): DrillName[] {
  const base: DrillName[] =
    target.service === undefined
      ? [...DRILL_NAMES]
      : [...DRILL_NAMES.filter((name) => name !== "health-check-fails"), ...SERVICE_DRILL_NAMES];
  return target.impairLink === undefined ? base : [...base, ...LINK_DRILL_NAMES];
}
