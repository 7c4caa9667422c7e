import { parseIpv4Address } from "../../lib/core/network/ipv4-cidr";
import { shellLiteral } from "../../lib/core/shell-word";
import { MIRROR_HOSTNAME } from "../roots/release-roots";
import { USER_DATA_PATH } from "../roots/user-data-runner";
import { labCaTrustFiles } from "./lab-tls";
import type { ServerLayout } from "./server-layout";

/** systemd-nspawn exits with this when the machine inside ran `systemctl reboot`. */
export const NSPAWN_REBOOT_EXIT_CODE = 133;

/**
 * systemd-nspawn argv that boots the server's root with systemd as PID 1, in the server's network
 * namespace. Measured on this project's hosts: `--register=no --keep-unit` because there is no
 * system bus; `--private-network` next to the namespace path so net sysctls are writable;
 * CAP_NET_ADMIN so Keepalived can add the VIP. The same argv boots on a hybrid and on a cgroup v2
 * only host: on v2, nspawn itself moves into `<cgroup>/supervisor` and the machine into
 * `<cgroup>/payload` (v2 allows no process beside a child that has controllers).
 */
export function nspawnArgv(server: ServerLayout): string[] {
  return [
    "systemd-nspawn",
    "--boot",
    "--quiet",
    "--register=no",
    "--keep-unit",
    "--directory",
    server.rootDir,
    `--machine=${server.machineName}`,
    `--network-namespace-path=/run/netns/${server.namespace}`,
    "--private-network",
    "--capability=CAP_NET_ADMIN",
    "--resolv-conf=off",
    "--timezone=off",
    "--link-journal=no",
    "--console=read-only",
  ];
}

/**
 * The commands (argv, run on the host) that give the server's eth0 its address, bring it up and
 * set its default route: after a flush, as the machine's boot found it. The network namespace
 * outlives the machine, and a machine that went down must come back without any address its
 * Keepalived had added (the VIP); a flush also drops the default route, hence the route again.
 */
export function serverNetworkCommands(server: ServerLayout): string[][] {
  const ip = ["ip", "-n", server.namespace];
  const dev = server.interfaceName;
  return [
    [...ip, "-4", "addr", "flush", "dev", dev],
    [...ip, "addr", "add", `${server.ip}/${server.prefixLength}`, "dev", dev],
    [...ip, "link", "set", dev, "up"],
    ...(server.gateway === undefined ? [] : [[...ip, "route", "replace", "default", "via", server.gateway, "dev", dev]]),
  ];
}

/**
 * The supervisor: a shell loop on the host that is to the server what the hypervisor is to a CVM.
 * It moves itself into the server's own cgroup in each hierarchy the host has (`cgroupDirs`:
 * servers sharing a cgroup hang on concurrent shutdowns), sets the server's network, then boots
 * the server and boots it again after a reboot (nspawn exit 133) or a crash (any other exit but a
 * poweroff, 0). After every exit it sets the network again (`serverNetworkCommands`). On a
 * poweroff it exits: the server is stopped, its disk kept, until it is booted again.
 */
export function renderSupervisorScript(server: ServerLayout, cgroupDirs: readonly string[]): string {
  const q = shellLiteral;
  return [
    "set -u",
    `echo $$ > ${q(server.supervisorPidPath)}`,
    `for dir in ${cgroupDirs.map(q).join(" ")}; do`,
    '  mkdir -p "$dir" && echo $$ > "$dir/cgroup.procs" || exit 1',
    "done",
    "reset_network() {",
    ...serverNetworkCommands(server).map((argv) => `  ${argv.map(q).join(" ")}`),
    "}",
    "reset_network",
    "boot=0",
    "while :; do",
    "  boot=$((boot + 1))",
    '  echo "supervisor: boot $boot at $(date -u +%T.%N)"',
    `  ${nspawnArgv(server).map(q).join(" ")} </dev/null`,
    "  code=$?",
    '  echo "supervisor: the server stopped with exit $code at $(date -u +%T.%N)"',
    "  reset_network",
    "  case $code in",
    `    ${NSPAWN_REBOOT_EXIT_CODE}) ;;`,
    '    0) echo "supervisor: powered off"; exit 0 ;;',
    "    *) sleep 1 ;;",
    "  esac",
    "done",
    "",
  ].join("\n");
}

/** What a fresh disk gets besides its image: who may log in, where packages come from, what runs at first boot. */
export interface ServerDiskSettings {
  /** OpenSSH public key lines authorized for root. */
  readonly authorizedKeys: readonly string[];
  /** Where `MIRROR_HOSTNAME` (the images' apt source and download site) points in this server's /etc/hosts. */
  readonly mirrorAddress: string;
  /** The lab CA's certificate (PEM) the server trusts. @default - no lab CA */
  readonly caCertPem?: string;
  /** The user data, run once at first boot when it is a script starting with `#!`. @default - none */
  readonly userData?: string;
}

const PUBLIC_KEY_LINE =
  /^(ssh-ed25519|ssh-rsa|ssh-dss|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,2}( [^\n\r]*)?$/;

/** Problems with keys to authorize, naming each bad one by its index; empty when every one is an OpenSSH public key line. */
export function authorizedKeysProblems(keys: readonly string[]): string[] {
  return keys.flatMap((key, index) =>
    PUBLIC_KEY_LINE.test(key.trim())
      ? []
      : [
          `authorizedKeys[${index}] ${JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}...` : key)} is not an OpenSSH public key line (TYPE BASE64 [COMMENT])`,
        ],
  );
}

/** Problems with a disk's settings (before anything is written); empty when they are fine. */
export function serverDiskProblems(disk: ServerDiskSettings): string[] {
  const problems = authorizedKeysProblems(disk.authorizedKeys);
  if (!parseIpv4Address(disk.mirrorAddress)) problems.push(`mirrorAddress ${JSON.stringify(disk.mirrorAddress)} is not an IPv4 address`);
  return problems;
}

/** root's authorized_keys: one key per line. */
export function renderAuthorizedKeys(keys: readonly string[]): string {
  return keys.map((key) => `${key.trim()}\n`).join("");
}

/** The server's /etc/hosts: itself (Debian's 127.0.1.1 convention) and the host name of its world's package mirror. */
export function renderServerHosts(server: Pick<ServerLayout, "hostname">, mirrorAddress: string): string {
  return [
    "127.0.0.1\tlocalhost",
    `127.0.1.1\t${server.hostname}`,
    `${mirrorAddress}\t${MIRROR_HOSTNAME}`,
    "::1\t\tlocalhost ip6-localhost ip6-loopback",
    "",
  ].join("\n");
}

export type UpperFiles = Record<string, { readonly content: string; readonly mode: number }>;

/**
 * Files placed on a fresh disk (the server's upper dir) before its first boot, keyed by absolute
 * path inside the server. The host key is generated beside them; `machineId` is 32 hex digits
 * the caller drew at random (one per disk, like a machine's installation).
 */
export function serverUpperFiles(server: Pick<ServerLayout, "hostname">, disk: ServerDiskSettings, machineId: string): UpperFiles {
  return {
    "/etc/hostname": { content: `${server.hostname}\n`, mode: 0o644 },
    "/etc/hosts": { content: renderServerHosts(server, disk.mirrorAddress), mode: 0o644 },
    "/etc/machine-id": { content: `${machineId}\n`, mode: 0o444 },
    "/root/.ssh/authorized_keys": { content: renderAuthorizedKeys(disk.authorizedKeys), mode: 0o600 },
    ...(disk.caCertPem === undefined ? {} : labCaTrustFiles(disk.caCertPem)),
    ...(disk.userData === undefined || disk.userData === "" ? {} : { [USER_DATA_PATH]: { content: disk.userData, mode: 0o600 } }),
  };
}
