import type { ClusterSpec } from "../cluster-settings";
import { shellLiteral } from "../shell-word";

/** The user's setup command, handed to /bin/sh as one argument: it runs as written, nothing around it is parsed. */
export function serviceSetupCommand(command: string): string {
  return `/bin/sh -c ${shellLiteral(command)} havip-service-setup </dev/null 2>&1`;
}

/** What prepareNodeForService would do, for the dry run. */
export function describeServicePreparation(spec: ClusterSpec): string[] {
  const lines = [
    spec.nonlocalBind === false
      ? "sysctl: remove the ip_nonlocal_bind file if present, set 0"
      : "sysctl: net.ipv4.ip_nonlocal_bind = 1 (persisted, applied)",
  ];
  const packages = spec.serviceSetup?.packages ?? [];
  if (packages.length > 0) lines.push(`service: install ${packages.join(", ")}`);
  if (spec.serviceSetup?.command !== undefined) lines.push(`service: run ${serviceSetupCommand(spec.serviceSetup.command)}`);
  return lines;
}
