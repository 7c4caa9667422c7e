import { shellLiteral } from "../../lib/core/shell-word";
import type { LabServerLayout } from "../lab-layout";

/** How the supervisor reaches the server's network: its namespace and the one address it owns. */
export interface ServerNetwork {
  readonly interfaceName: string;
  readonly subnetPrefixLength: number;
}

/** systemd-nspawn exits with this when the machine inside ran `systemctl reboot`. */
export const NSPAWN_REBOOT_EXIT_CODE = 133;

/**
 * systemd-nspawn argv that boots the server's root with systemd as PID 1, in the server's network
 * namespace. Measured on this project's hosts: `--register=no --keep-unit` because there is no
 * system bus; `--private-network` next to the namespace path so net sysctls are writable;
 * CAP_NET_ADMIN so Keepalived can add the VIP.
 */
export function nspawnArgv(server: LabServerLayout): string[] {
  return [
    "systemd-nspawn",
    "--boot",
    "--quiet",
    "--register=no",
    "--keep-unit",
    "--directory",
    server.rootDir,
    `--machine=${server.hostname}`,
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
 * The supervisor: a shell loop on the host that is to the server what the hypervisor is to a CVM.
 * It moves itself into the server's own cgroup in both hierarchies first (the host's layout is
 * hybrid; servers sharing a cgroup hang on concurrent shutdowns), then boots the server and boots
 * it again after a reboot (nspawn exit 133) or a crash (any other exit but a poweroff, 0). After
 * every exit it resets eth0 to the server's own address: a machine that went down comes back
 * without the VIP its Keepalived had added (the network namespace outlives the machine).
 */
export function renderSupervisorScript(server: LabServerLayout, network: ServerNetwork): string {
  const q = shellLiteral;
  const ns = q(server.namespace);
  const dev = q(network.interfaceName);
  return [
    "set -u",
    `echo $$ > ${q(server.supervisorPidPath)}`,
    "for hierarchy in unified systemd; do",
    `  dir=/sys/fs/cgroup/$hierarchy/${server.cgroupPath}`,
    '  mkdir -p "$dir" && echo $$ > "$dir/cgroup.procs" || exit 1',
    "done",
    "boot=0",
    "while :; do",
    "  boot=$((boot + 1))",
    '  echo "supervisor: boot $boot at $(date -u +%T.%N)"',
    `  ${nspawnArgv(server).map(q).join(" ")} </dev/null`,
    "  code=$?",
    '  echo "supervisor: the server stopped with exit $code at $(date -u +%T.%N)"',
    `  ip -n ${ns} -4 addr flush dev ${dev}`,
    `  ip -n ${ns} addr add ${q(`${server.ip}/${network.subnetPrefixLength}`)} dev ${dev}`,
    `  ip -n ${ns} link set ${dev} up`,
    "  case $code in",
    `    ${NSPAWN_REBOOT_EXIT_CODE}) ;;`,
    '    0) echo "supervisor: powered off"; exit 0 ;;',
    "    *) sleep 1 ;;",
    "  esac",
    "done",
    "",
  ].join("\n");
}

/** Files placed in the server's upper dir before its overlay is mounted (keyed by absolute path inside the server). */
export function serverUpperFiles(
  server: LabServerLayout,
  operatorPublicKeyLine: string,
): Record<string, { content: string; mode: number }> {
  return {
    "/etc/hostname": { content: `${server.hostname}\n`, mode: 0o644 },
    "/root/.ssh/authorized_keys": { content: `${operatorPublicKeyLine}\n`, mode: 0o600 },
  };
}
