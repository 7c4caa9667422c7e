import type { ClusterSpec } from "../core/cluster-settings";
import { shellLiteral } from "../core/shell-word";
import { applyNonlocalBind } from "./nonlocal-bind";
import type { NodeSession } from "./node-session";
import { installPackagesCommand } from "./node-prerequisites";
import { INSTALL_COMMAND_TIMEOUT_MS } from "./ssh/remote-shell";

/** The user's setup command, handed to /bin/sh as one argument: it runs as written, nothing around it is parsed. */
export function serviceSetupCommand(command: string): string {
  return `/bin/sh -c ${shellLiteral(command)} havip-service-setup </dev/null 2>&1`;
}

/**
 * Readies one node for the service behind the VIP before its Keepalived starts or reloads:
 * ip_nonlocal_bind first (a service listening on the VIP can then start on this node too), then
 * the service's packages and setup command. The caller runs it one node at a time in rollout
 * order (the VIP holder last), so a setup that restarts the service never does so on both nodes
 * at once, and a health check never sees the service missing on both.
 */
export async function prepareNodeForService(spec: ClusterSpec, session: NodeSession, progress: (message: string) => void): Promise<void> {
  const shell = session.shell;
  progress(spec.nonlocalBind === false ? "removing the ip_nonlocal_bind setting" : "setting ip_nonlocal_bind = 1");
  await applyNonlocalBind(shell, spec);
  const setup = spec.serviceSetup;
  if (!setup) return;
  const packages = setup.packages ?? [];
  if (packages.length > 0) {
    if (!session.facts.packageManager) throw new Error(`${shell.nodeName}: cannot install ${packages.join(", ")}: no apt-get, dnf or yum`);
    progress(`installing ${packages.join(", ")}`);
    await shell.check(`installing ${packages.join(", ")}`, installPackagesCommand(session.facts.packageManager, packages), {
      timeoutMs: INSTALL_COMMAND_TIMEOUT_MS,
    });
  }
  if (setup.command !== undefined) {
    progress("running the service setup command");
    await shell.check("running serviceSetup.command", serviceSetupCommand(setup.command), { timeoutMs: INSTALL_COMMAND_TIMEOUT_MS });
  }
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
