import { parseKeepalivedVersion } from "../keepalived";
import { quoteShellWord } from "../shell-word";
import type { InitSystem, NodeFacts, PackageManager } from "./node-facts";
import { withPackageLock } from "./package-lock";

/** What building Keepalived from source needs, installed by each package manager (under the node's package lock). */
export const SOURCE_BUILD_DEPENDENCIES: Readonly<Record<PackageManager, string>> = {
  "apt-get": withPackageLock(
    "export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq build-essential pkg-config curl libssl-dev libnl-3-dev libnl-genl-3-dev </dev/null",
  ),
  dnf: withPackageLock("dnf install -y -q gcc make curl openssl-devel libnl3-devel </dev/null"),
  yum: withPackageLock("yum install -y -q gcc make curl openssl-devel libnl3-devel </dev/null"),
};

/** What `ensureKeepalived` did, for the report. */
export interface KeepalivedInstallOutcome {
  readonly version: string;
  readonly action: "present" | "installed-package" | "built-from-source";
}

export function installedKeepalivedVersion(facts: NodeFacts): string | undefined {
  return facts.keepalivedVersionLine ? parseKeepalivedVersion(facts.keepalivedVersionLine) : undefined;
}

/** Where a package puts a unit (systemd reads /usr/lib before /lib, so this also wins over an older package's copy). */
export const PACKAGED_UNIT_DIR = "/usr/lib/systemd/system";

/**
 * Upstream's keepalived.service as `make install` writes it without libsystemd (Type=forking,
 * PIDFile), for sources whose configure did not install one.
 */
export const FALLBACK_KEEPALIVED_UNIT = `[Unit]
Description=LVS and VRRP High Availability Monitor
After=network-online.target
Wants=network-online.target

[Service]
Type=forking
PIDFile=/run/keepalived.pid
KillMode=process
ExecStart=/usr/sbin/keepalived
ExecReload=/bin/kill -HUP $MAINPID

[Install]
WantedBy=multi-user.target
`;

/** After `make install` on a systemd node: a unit where systemd finds it, and systemd told about it. */
function installUnitScript(): string[] {
  const dirs = ["/etc/systemd/system", PACKAGED_UNIT_DIR, "/lib/systemd/system"];
  return [
    `if ! { ${dirs.map((dir) => `[ -f ${dir}/keepalived.service ]`).join(" || ")}; }; then`,
    `  mkdir -p ${PACKAGED_UNIT_DIR}`,
    `  cat > ${PACKAGED_UNIT_DIR}/keepalived.service <<'HAVIP_UNIT'`,
    `${FALLBACK_KEEPALIVED_UNIT}HAVIP_UNIT`,
    "fi",
    "systemctl daemon-reload",
  ];
}

/**
 * Shell script that downloads, checks and builds a Keepalived source tarball (the guide's
 * fallback). On a systemd node it installs the unit like a package would: configure is told the
 * init system and unit directory (without them it looks for systemd's pkg-config file), a unit is
 * written if the source did not install one, and systemd reloads its units.
 */
export function sourceBuildScript(source: { readonly url: string; readonly sha256: string }, init: InitSystem): string {
  const systemd = init === "systemd";
  return [
    "set -eu",
    "workdir=$(mktemp -d)",
    "trap 'rm -rf \"$workdir\"' EXIT",
    'cd "$workdir"',
    `curl -fsSL --retry 2 -o keepalived.tar.gz ${quoteShellWord(source.url)}`,
    `echo ${quoteShellWord(`${source.sha256}  keepalived.tar.gz`)} | sha256sum --strict -c -`,
    "tar xzf keepalived.tar.gz --strip-components=1",
    `./configure --prefix=/usr --sysconfdir=/etc${systemd ? ` --with-init=systemd --with-systemdsystemunitdir=${PACKAGED_UNIT_DIR}` : ""} >/dev/null`,
    'make -j"$(nproc)" >/dev/null',
    "make install >/dev/null",
    ...(systemd ? installUnitScript() : []),
  ].join("\n");
}
