import type { ClusterSpec } from "../core/cluster-settings";
import { isSupportedKeepalivedVersion } from "../core/keepalived";
import { MIN_KEEPALIVED_VERSION } from "../core/limits";
import {
  installedKeepalivedVersion,
  type KeepalivedInstallOutcome,
  SOURCE_BUILD_DEPENDENCIES,
  sourceBuildScript,
} from "../core/node/install-keepalived";
import type { NodeFacts } from "../core/node/node-facts";
import { holdKeepalivedCommand, type PackageHoldOutcome, parseHoldOutcome } from "../core/node/package-hold";
import { installPackagesCommand } from "../core/node/packages";
import type { PreparationStep } from "../core/plan/plan-node-preparation";
import type { ObservedNode } from "./observe-node";
import { readNodeFacts } from "./observe-node";
import { INSTALL_COMMAND_TIMEOUT_MS, type RemoteShell } from "./ssh/remote-shell";

/** Keepalived version assumed for rendering a dry run on a node that has none installed yet. */
const DRY_RUN_ASSUMED_VERSION = "2.2.7";

/** A node after its preparation: the Keepalived its files are rendered for. */
export interface PreparedNode extends ObservedNode {
  /** What preparation planned (the dry run shows it; the real run did it). */
  readonly preparation: readonly PreparationStep[];
  readonly keepalivedVersion: string;
  /** Undefined only in a dry run. */
  readonly install?: KeepalivedInstallOutcome;
  /** Whether the keepalived package is held against unattended upgrades; undefined in a dry run. */
  readonly packageHold?: PackageHoldOutcome;
}

/** Makes sure a Keepalived >= 1.2.24 is installed: package first, source tarball as the fallback. */
async function ensureKeepalived(
  shell: RemoteShell,
  facts: NodeFacts,
  spec: ClusterSpec,
  progress: (message: string) => void,
): Promise<KeepalivedInstallOutcome> {
  const present = installedKeepalivedVersion(facts);
  if (present && isSupportedKeepalivedVersion(present)) return { version: present, action: "present" };
  if (!facts.packageManager) {
    throw new Error(`${shell.nodeName}: Keepalived ${present ?? "is not installed"} and no apt-get, dnf or yum was found to install it`);
  }
  let version = present;
  if (!present) {
    progress(`installing keepalived with ${facts.packageManager}`);
    try {
      await shell.check(
        `installing keepalived with ${facts.packageManager}`,
        installPackagesCommand(facts.packageManager, ["keepalived"]),
        {
          timeoutMs: INSTALL_COMMAND_TIMEOUT_MS,
        },
      );
    } catch (error) {
      // A distribution that does not offer the package at all: the source tarball is the fallback too.
      if (!spec.keepalivedSource) throw error;
      progress(`${facts.packageManager} cannot install keepalived (${(error as Error).message.split("\n")[0]}); building from source`);
    }
    version = installedKeepalivedVersion(await readNodeFacts(shell));
    if (version && isSupportedKeepalivedVersion(version)) return { version, action: "installed-package" };
  }
  if (!spec.keepalivedSource) {
    throw new Error(
      `${shell.nodeName}: the distribution's Keepalived is ${version ?? "unknown"}, older than ${MIN_KEEPALIVED_VERSION}; ` +
        `name a source tarball (keepalivedSource: { url, sha256 }) to build a newer one`,
    );
  }
  progress(`building keepalived from ${spec.keepalivedSource.url}`);
  await shell.check("installing build dependencies", SOURCE_BUILD_DEPENDENCIES[facts.packageManager], {
    timeoutMs: INSTALL_COMMAND_TIMEOUT_MS,
  });
  await shell.check("building keepalived from source", sourceBuildScript(spec.keepalivedSource, facts.initSystem), {
    timeoutMs: INSTALL_COMMAND_TIMEOUT_MS,
  });
  const built = installedKeepalivedVersion(await readNodeFacts(shell));
  if (!built || !isSupportedKeepalivedVersion(built)) {
    throw new Error(`${shell.nodeName}: after building from source, keepalived reports ${built ?? "no version"}`);
  }
  return { version: built, action: "built-from-source" };
}

/**
 * Performs a node's preparation steps (planNodePreparation): Keepalived installed when missing,
 * its package held unless it is, the packages the files need. A dry run changes nothing and
 * renders for the installed Keepalived, or an assumed one.
 */
export async function prepareNode(
  spec: ClusterSpec,
  observed: ObservedNode,
  preparation: readonly PreparationStep[],
  options: { readonly dryRun: boolean; readonly progress: (message: string) => void },
): Promise<PreparedNode> {
  const { shell, observation } = observed;
  const facts = observation.facts;
  if (options.dryRun) {
    return { ...observed, preparation, keepalivedVersion: installedKeepalivedVersion(facts) ?? DRY_RUN_ASSUMED_VERSION };
  }
  const install = preparation.some((step) => step.kind === "install-keepalived")
    ? await ensureKeepalived(shell, facts, spec, options.progress)
    : { version: installedKeepalivedVersion(facts) as string, action: "present" as const };
  let packageHold: PackageHoldOutcome = observation.keepalivedHeld ? "held" : "not-a-package";
  const hold = preparation.find((step) => step.kind === "hold-keepalived");
  if (hold && install.action !== "built-from-source") {
    packageHold = parseHoldOutcome(await shell.check("holding the keepalived package", holdKeepalivedCommand(hold.packageManager)));
  }
  for (const step of preparation) {
    if (step.kind !== "install-packages") continue;
    options.progress(`installing ${step.packages.join(", ")}`);
    if (!step.packageManager)
      throw new Error(`${shell.nodeName}: ${step.packages.join(", ")} missing and no apt-get, dnf or yum to install them`);
    await shell.check(`installing ${step.packages.join(", ")}`, installPackagesCommand(step.packageManager, step.packages), {
      timeoutMs: INSTALL_COMMAND_TIMEOUT_MS,
    });
  }
  return { ...observed, preparation, keepalivedVersion: install.version, install, packageHold };
}
