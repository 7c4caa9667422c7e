import type { ClusterSpec } from "../cluster-settings";
import { isSupportedKeepalivedVersion } from "../keepalived";
import { installedKeepalivedVersion } from "../node/install-keepalived";
import type { NodeObservation } from "../node/observe-node";
import { describePackageHold } from "../node/package-hold";
import { missingPackages } from "../node/packages";
import type { PackageManager } from "../node/node-facts";

/** What a node needs before its files can be rendered (they depend on its Keepalived version). */
export type PreparationStep =
  /** Keepalived is missing or older than the oldest supported: the package first, the source tarball as the fallback. */
  | { readonly kind: "install-keepalived"; readonly packageManager?: PackageManager }
  /** The keepalived package is held against unattended upgrades (skipped for a Keepalived built from source). */
  | { readonly kind: "hold-keepalived"; readonly packageManager: PackageManager }
  /** Packages the rendered files need (curl for an http check, logrotate). */
  | { readonly kind: "install-packages"; readonly packages: readonly string[]; readonly packageManager?: PackageManager };

/**
 * A node's preparation, from one observation: only what is missing. Pure: the dry run shows it,
 * the real run performs it before planning the files.
 */
export function planNodePreparation(spec: ClusterSpec, observation: NodeObservation): PreparationStep[] {
  const { facts } = observation;
  const packageManager = facts.packageManager;
  const present = installedKeepalivedVersion(facts);
  const steps: PreparationStep[] = [];
  if (!present || !isSupportedKeepalivedVersion(present)) steps.push({ kind: "install-keepalived", packageManager });
  if (packageManager && !observation.keepalivedHeld) steps.push({ kind: "hold-keepalived", packageManager });
  const packages = missingPackages(spec, facts);
  if (packages.length > 0) steps.push({ kind: "install-packages", packages, packageManager });
  return steps;
}

/** The dry run's words for a preparation step (after "would "). */
export function describePreparationStep(step: PreparationStep): string {
  switch (step.kind) {
    case "install-keepalived":
      return `install keepalived with ${step.packageManager ?? "(no package manager found)"}`;
    case "hold-keepalived":
      return describePackageHold(step.packageManager);
    case "install-packages":
      return `install ${step.packages.join(", ")}`;
  }
}
