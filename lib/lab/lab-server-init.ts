import { shellLiteral } from "../core/shell-word";
import type { LabServerLayout } from "./lab-layout";

/** sshd options that make a lab server behave like a CVM with key-only root login. */
export function labSshdArgv(server: LabServerLayout): string[] {
  return [
    "/usr/sbin/sshd", "-D", "-e",
    "-h", server.hostKeyPathInServer,
    "-o", `ListenAddress=${server.ip}`,
    "-o", "PermitRootLogin=prohibit-password",
    "-o", "PasswordAuthentication=no",
    "-o", "KbdInteractiveAuthentication=no",
    "-o", "PidFile=/run/sshd.pid",
    "-o", "UseDNS=no",
    "-o", "AuthorizedKeysFile=.ssh/authorized_keys",
  ];
}

/**
 * The script the server's PID 1 runs in its fresh mount/uts/pid namespaces (inside its network
 * namespace): it gives the server its own /etc and /var (overlays on the host's, writes land in
 * the server's upper dirs), its own /run, /tmp and /root and a hostname, then becomes sshd.
 * Passed with `sh -c`, so covering the state dir with the /run tmpfs cannot cut the script short.
 */
export function renderServerInitScript(server: LabServerLayout): string {
  const q = shellLiteral;
  return [
    "set -eu",
    `mount -t overlay overlay -o lowerdir=/etc,upperdir=${q(server.etcUpperDir)},workdir=${q(server.etcWorkDir)} /etc`,
    `mount -t overlay overlay -o lowerdir=/var,upperdir=${q(server.varUpperDir)},workdir=${q(server.varWorkDir)} /var`,
    `mount --bind ${q(server.rootHomeDir)} /root`,
    "mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run",
    "mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp",
    "mkdir -p -m 0755 /run/sshd /run/lock",
    `echo ${q(server.hostname)} > /proc/sys/kernel/hostname`,
    `exec ${labSshdArgv(server).map(q).join(" ")}`,
  ].join("\n");
}

/** Files placed in the server's /etc upper dir before it starts (keyed by path relative to /etc). */
export function serverEtcFiles(server: LabServerLayout): Record<string, string> {
  return {
    hostname: `${server.hostname}\n`,
    // The lab has no network to fetch packages from: with no sources `apt-get update` is instant
    // and offline, and `apt-get install keepalived` succeeds because the host has it installed.
    "apt/apt.conf.d/99havip-lab-offline": [
      'Dir::Etc::SourceList "/etc/apt/havip-lab-no-sources.list";',
      'Dir::Etc::SourceParts "/etc/apt/havip-lab-no-sources.list.d";',
      "",
    ].join("\n"),
    "apt/havip-lab-no-sources.list": "",
  };
}

/** Directories created (empty) in the server's /etc upper dir. */
export const SERVER_ETC_EMPTY_DIRS = ["apt/havip-lab-no-sources.list.d", "ssh"] as const;
