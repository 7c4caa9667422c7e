import * as path from "node:path";
import { shellLiteral } from "../../lib/core/shell-word";

/** Debian releases a lab server can run, with the Keepalived each ships (2.1.5, 2.2.7, 2.3.3). */
export const LAB_RELEASES = ["bullseye", "bookworm", "trixie"] as const;
export type LabRelease = (typeof LAB_RELEASES)[number];
/** bookworm: the host's own release, and a Keepalived (2.2.7) every provisioner version handles. */
export const DEFAULT_LAB_RELEASE: LabRelease = "bookworm";

/** Where release roots and the lab's package source are cached between runs. */
export const DEFAULT_LAB_CACHE_DIR = "/var/cache/tencentcloud-havip-cluster";
export const LAB_CACHE_DIR_ENV = "HAVIP_LAB_CACHE_DIR";

/**
 * Bump whenever the build script or the preparation changes: a cached root with another recipe
 * version is rebuilt, so a fix in the recipe reaches every machine.
 */
export const ROOT_RECIPE_VERSION = 1;

/** What debootstrap puts in every root: enough for systemd as PID 1, sshd and the provisioner's probes. */
export const ROOT_INCLUDED_PACKAGES = ["systemd", "systemd-sysv", "dbus", "openssh-server", "iproute2", "procps", "python3"] as const;

/**
 * The .debs the lab's package source offers (with their dependencies): what the provisioner may
 * install (keepalived, curl, logrotate), nginx for the service example, and what a Keepalived
 * source build needs (the `keepalivedSource` fallback).
 */
export const LAB_SOURCE_PACKAGES = [
  "keepalived",
  "curl",
  "logrotate",
  "nginx",
  "ca-certificates",
  "build-essential",
  "pkg-config",
  "libssl-dev",
  "libnl-3-dev",
  "libnl-genl-3-dev",
] as const;

/** Port of the lab's package source (HTTP, in the operator namespace). */
export const LAB_PACKAGE_PORT = 8080;
/** Port of the lab's download site for source tarballs (HTTPS with the lab CA, in the operator namespace). */
export const LAB_TARBALL_PORT = 8443;

export interface ReleaseRootPaths {
  readonly release: LabRelease;
  /** The prepared root file system, the read-only lower dir of every server's overlay. */
  readonly rootDir: string;
  /** Flat apt repository (debs + Packages.gz) the lab serves for this release. */
  readonly packagesDir: string;
  /** Debian's source package of Keepalived (orig tarball), for the source-build fallback. */
  readonly sourcesDir: string;
  /** JSON that says which recipe built the root; written last, so its presence means "complete". */
  readonly stampPath: string;
  readonly lockPath: string;
  readonly buildLogPath: string;
}

export function labCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env[LAB_CACHE_DIR_ENV] || DEFAULT_LAB_CACHE_DIR;
}

export function releaseRootPaths(release: LabRelease, cacheDir: string = labCacheDir()): ReleaseRootPaths {
  return {
    release,
    rootDir: path.join(cacheDir, "roots", release),
    packagesDir: path.join(cacheDir, "packages", release),
    sourcesDir: path.join(cacheDir, "sources", release),
    stampPath: path.join(cacheDir, "roots", `${release}.stamp.json`),
    lockPath: path.join(cacheDir, `${release}.lock`),
    buildLogPath: path.join(cacheDir, `${release}.build.log`),
  };
}

export interface RootStamp {
  readonly recipeVersion: number;
  readonly release: LabRelease;
  readonly builtAt: string;
  readonly mirror: string;
}

/** Why a cached root cannot be reused (undefined: it can), from its stamp file's text. */
export function rootStampProblem(stampText: string | undefined, release: LabRelease): string | undefined {
  if (stampText === undefined) return `no ${release} root has been built yet`;
  let stamp: Partial<RootStamp>;
  try {
    stamp = JSON.parse(stampText) as Partial<RootStamp>;
  } catch {
    return `the ${release} root's stamp is not JSON (an interrupted build?)`;
  }
  if (stamp.release !== release) return `the ${release} root's stamp names release ${String(stamp.release)}`;
  if (stamp.recipeVersion !== ROOT_RECIPE_VERSION) {
    return `the ${release} root was built by recipe ${String(stamp.recipeVersion)}, this lab uses recipe ${ROOT_RECIPE_VERSION}`;
  }
  return undefined;
}

export function isLabRelease(value: string): value is LabRelease {
  return (LAB_RELEASES as readonly string[]).includes(value);
}

/**
 * The Debian mirror apt already uses on this machine: the first `deb`/`URIs:` entry that serves
 * the main archive (not the security archive), from the texts of sources.list and sources.list.d.
 */
export function debianMirrorFrom(sourcesTexts: readonly string[]): string | undefined {
  const uris: string[] = [];
  for (const text of sourcesTexts) {
    for (const raw of text.split("\n")) {
      const line = raw.trim();
      const oneLine = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
      if (oneLine) uris.push(oneLine[1]);
      const deb822 = /^URIs:\s*(.+)$/i.exec(line);
      if (deb822) uris.push(...deb822[1].trim().split(/\s+/));
    }
  }
  return uris.find((uri) => /^https?:\/\/[A-Za-z0-9.:-]+\/debian\/?$/.test(uri))?.replace(/\/$/, "");
}

/** The lab-only apt source of a server: the operator namespace's package server, nothing else. */
export function labSourcesList(operatorIp: string, release: LabRelease): string {
  return `deb [trusted=yes] http://${operatorIp}:${LAB_PACKAGE_PORT}/${release} ./\n`;
}

/** sshd settings of every lab server: key-only root login, like a CVM; one host key (written per server). */
export const LAB_SSHD_CONFIG = [
  "HostKey /etc/ssh/ssh_host_ed25519_key",
  "PermitRootLogin prohibit-password",
  "PasswordAuthentication no",
  "KbdInteractiveAuthentication no",
  "UseDNS no",
  "",
].join("\n");

/** Units a lab server must not start: they would reach for the network, or fail without hardware. */
export const MASKED_UNITS = [
  "apt-daily.timer",
  "apt-daily-upgrade.timer",
  "apt-daily.service",
  "apt-daily-upgrade.service",
  "e2scrub_all.timer",
  "e2scrub_reap.service",
  "fstrim.timer",
  "systemd-timesyncd.service",
  "getty@.service",
  "console-getty.service",
  "serial-getty@.service",
  "systemd-networkd-wait-online.service",
] as const;

/**
 * The script that builds one release root and its package source, run as root on the host.
 * It prints `step: ...` lines for progress; everything else goes to the build log. The root is
 * built in a `.building` dir and moved into place, and the stamp is written last: a build that
 * is interrupted leaves no stamp, and the next one starts over.
 */
export function renderRootBuildScript(paths: ReleaseRootPaths, mirror: string, operatorIp: string): string {
  const q = shellLiteral;
  const building = `${paths.rootDir}.building`;
  const packagesBuilding = `${paths.packagesDir}.building`;
  const sourcesBuilding = `${paths.sourcesDir}.building`;
  const stampFormat = '{"recipeVersion":%s,"release":"%s","mirror":"%s","builtAt":"%s"}\n';
  return [
    "set -euo pipefail",
    // Another process may have built it while this one waited for the lock.
    `if grep -qs '"recipeVersion":${ROOT_RECIPE_VERSION},' ${q(paths.stampPath)}; then echo "step: ${paths.release} root built meanwhile"; exit 0; fi`,
    `root=${q(building)}`,
    'cleanup() { umount "$root/proc" 2>/dev/null || true; }',
    "trap cleanup EXIT",
    `rm -rf "$root" ${q(packagesBuilding)} ${q(sourcesBuilding)} ${q(paths.rootDir)} ${q(paths.packagesDir)} ${q(paths.sourcesDir)} ${q(paths.stampPath)}`,
    `mkdir -p ${q(path.dirname(paths.rootDir))} ${q(path.dirname(paths.packagesDir))} ${q(path.dirname(paths.sourcesDir))}`,
    `echo "step: debootstrap ${paths.release} (about a minute)"`,
    `debootstrap --variant=minbase --include=${ROOT_INCLUDED_PACKAGES.join(",")} ${q(paths.release)} "$root" ${q(mirror)}`,
    `echo "step: downloading the lab's ${paths.release} packages"`,
    'cp /etc/resolv.conf "$root/etc/resolv.conf"',
    'mount -t proc proc "$root/proc"',
    `printf 'deb %s %s main\\ndeb-src %s %s main\\n' ${q(mirror)} ${q(paths.release)} ${q(mirror)} ${q(paths.release)} > "$root/etc/apt/sources.list"`,
    'rm -f "$root"/etc/apt/sources.list.d/*',
    'chroot "$root" apt-get update -qq',
    'chroot "$root" apt-get clean',
    `DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --download-only --no-install-recommends ${LAB_SOURCE_PACKAGES.join(" ")}`,
    `mkdir -p ${q(packagesBuilding)} ${q(sourcesBuilding)}`,
    `mv "$root"/var/cache/apt/archives/*.deb ${q(packagesBuilding)}/`,
    'rm -rf "$root/tmp/src" && mkdir -p "$root/tmp/src"',
    // Only the upstream tarball is needed (not Debian's patches); a mirror without it leaves the source dir empty.
    "chroot \"$root\" sh -c 'cd /tmp/src && apt-get source --download-only -qq -o APT::Sandbox::User=root keepalived' || true",
    `for tarball in "$root"/tmp/src/*.orig.tar.*; do if [ -e "$tarball" ]; then mv "$tarball" ${q(sourcesBuilding)}/; fi; done`,
    'rm -rf "$root/tmp/src"',
    `echo "step: preparing the ${paths.release} root (lab-only apt source, no host keys, empty machine-id)"`,
    'chroot "$root" apt-get clean',
    'rm -rf "$root"/var/lib/apt/lists/* "$root/etc/resolv.conf"',
    'umount "$root/proc"',
    `printf %s ${q(labSourcesList(operatorIp, paths.release))} > "$root/etc/apt/sources.list"`,
    ': > "$root/etc/machine-id"',
    'rm -f "$root/var/lib/dbus/machine-id" "$root"/etc/ssh/ssh_host_*',
    'mkdir -p "$root/etc/ssh/sshd_config.d"',
    `printf %s ${q(LAB_SSHD_CONFIG)} > "$root/etc/ssh/sshd_config.d/havip-lab.conf"`,
    ...MASKED_UNITS.map((unit) => `ln -sf /dev/null "$root/etc/systemd/system/${unit}"`),
    `echo "step: indexing the ${paths.release} packages"`,
    `(cd ${q(packagesBuilding)} && dpkg-scanpackages --multiversion . /dev/null 2>/dev/null | gzip -9n > Packages.gz)`,
    `mv "$root" ${q(paths.rootDir)}`,
    `mv ${q(packagesBuilding)} ${q(paths.packagesDir)}`,
    `mv ${q(sourcesBuilding)} ${q(paths.sourcesDir)}`,
    `printf ${q(stampFormat)} ${ROOT_RECIPE_VERSION} ${q(paths.release)} ${q(mirror)} "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > ${q(paths.stampPath)}`,
    `echo "step: ${paths.release} root ready"`,
  ].join("\n");
}
