/** Now as the state keeps it: ISO 8601, UTC, whole seconds (`2026-01-02T03:04:05Z`). */
export function isoNow(now: Date = new Date()): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}

/** The form the VPC APIs use for `CreatedTime` (`2026-01-02 03:04:05`). */
export function vpcTime(iso: string): string {
  return iso.replace("T", " ").replace(/Z$/, "");
}
