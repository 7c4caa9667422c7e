import type { PackageManager } from "./node-facts";
import { withPackageLock } from "./package-lock";

/**
 * Holding the keepalived package keeps unattended upgrades from restarting Keepalived on both
 * nodes at once (acassen/keepalived#1294): an upgrade becomes a deliberate `provision
 * --upgrade-keepalived`, one node at a time. dnf and yum hold a package only with their
 * versionlock plugin; without it the script says so and the report passes it on.
 */
export type PackageHoldOutcome = "held" | "no-versionlock-plugin" | "not-a-package";

const HOLD: Record<PackageManager, string> = {
  "apt-get": "apt-mark hold keepalived >/dev/null && echo hold=held",
  dnf: "if dnf versionlock --help >/dev/null 2>&1; then dnf -q versionlock add keepalived >/dev/null && echo hold=held; else echo hold=no-versionlock-plugin; fi",
  yum: "if yum versionlock --help >/dev/null 2>&1; then yum -q versionlock add keepalived >/dev/null && echo hold=held; else echo hold=no-versionlock-plugin; fi",
};

const RELEASE: Record<PackageManager, string> = {
  "apt-get": "apt-mark unhold keepalived >/dev/null",
  dnf: "if dnf versionlock --help >/dev/null 2>&1; then dnf -q versionlock delete keepalived >/dev/null 2>&1 || true; fi",
  yum: "if yum versionlock --help >/dev/null 2>&1; then yum -q versionlock delete keepalived >/dev/null 2>&1 || true; fi",
};

const UPGRADE: Record<PackageManager, string> = {
  "apt-get": "export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --only-upgrade keepalived </dev/null",
  dnf: "dnf upgrade -y -q keepalived </dev/null",
  yum: "yum update -y -q keepalived </dev/null",
};

/** For the dry run: how the package would be held. */
export function describePackageHold(packageManager: PackageManager): string {
  return packageManager === "apt-get"
    ? "apt-mark hold keepalived"
    : `${packageManager} versionlock add keepalived (if the versionlock plugin is installed)`;
}

export function holdKeepalivedCommand(packageManager: PackageManager): string {
  return withPackageLock(HOLD[packageManager]);
}

/** Releases the hold, upgrades the package and holds it again (the hold is restored even when the upgrade fails). */
export function upgradeKeepalivedCommand(packageManager: PackageManager): string {
  return withPackageLock(
    [
      "set -u",
      RELEASE[packageManager],
      "rc=0",
      `( ${UPGRADE[packageManager]} ) || rc=$?`,
      `${HOLD[packageManager]} >/dev/null`,
      'exit "$rc"',
    ].join("\n"),
  );
}

export function parseHoldOutcome(output: string): PackageHoldOutcome {
  return /^hold=held$/m.test(output) ? "held" : "no-versionlock-plugin";
}
