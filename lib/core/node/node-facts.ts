export type PackageManager = "apt-get" | "dnf" | "yum";
export type InitSystem = "systemd" | "other";

/** What the provisioner learns about a node before changing it. */
export interface NodeFacts {
  readonly osId: string;
  readonly osPrettyName: string;
  readonly packageManager?: PackageManager;
  readonly initSystem: InitSystem;
  /** Raw first line of `keepalived --version`, when Keepalived is installed. */
  readonly keepalivedVersionLine?: string;
  readonly interfaces: readonly string[];
  /** Commands found on PATH among those the rendered scripts or rules rely on. */
  readonly commands: readonly string[];
  /**
   * Which boot this is: the kernel's boot id and the start time of PID 1 (a container's reboot
   * keeps the host kernel's boot id, a VM's PID 1 always starts at the same tick). Changes on every reboot.
   */
  readonly bootId?: string;
}

/** Commands the rendered files may need, probed on every node. */
export const PROBED_COMMANDS = ["curl", "logrotate"] as const;

/** Prints `key=value` lines; kept free of pipefail-sensitive pipes. */
export const NODE_FACTS_SCRIPT = `
if [ -r /etc/os-release ]; then . /etc/os-release; fi
echo "os_id=\${ID:-unknown}"
echo "os_pretty=\${PRETTY_NAME:-unknown}"
for pm in apt-get dnf yum; do
  if command -v "$pm" >/dev/null 2>&1; then echo "package_manager=$pm"; break; fi
done
if [ -d /run/systemd/system ]; then echo "init=systemd"; else echo "init=other"; fi
if command -v keepalived >/dev/null 2>&1; then
  keepalived --version 2>&1 | sed -n '1s/^/keepalived_version=/p'
fi
for dev in /sys/class/net/*; do echo "interface=\${dev##*/}"; done
for cmd in ${PROBED_COMMANDS.join(" ")}; do
  if command -v "$cmd" >/dev/null 2>&1; then echo "command=$cmd"; fi
done
echo "boot_id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)/$(sed 's/.*) //' /proc/1/stat 2>/dev/null | cut -d' ' -f20)"
`;

const PACKAGE_MANAGERS: readonly PackageManager[] = ["apt-get", "dnf", "yum"];

export function parseNodeFacts(output: string): NodeFacts {
  const values = new Map<string, string[]>();
  for (const line of output.split("\n")) {
    const separator = line.indexOf("=");
    if (separator <= 0) continue;
    const key = line.slice(0, separator);
    values.set(key, [...(values.get(key) ?? []), line.slice(separator + 1).trim()]);
  }
  const first = (key: string) => values.get(key)?.[0];
  const packageManager = first("package_manager");
  return {
    osId: first("os_id") ?? "unknown",
    osPrettyName: first("os_pretty") ?? "unknown",
    packageManager: PACKAGE_MANAGERS.find((pm) => pm === packageManager),
    initSystem: first("init") === "systemd" ? "systemd" : "other",
    keepalivedVersionLine: first("keepalived_version"),
    interfaces: values.get("interface") ?? [],
    commands: values.get("command") ?? [],
    bootId: first("boot_id"),
  };
}
