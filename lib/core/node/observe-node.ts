import type { ClusterSpec } from "../cluster-settings";
import { resolveKeepalivedFilePaths } from "../keepalived/keepalived-file-paths";
import { NONLOCAL_BIND_SYSCTL_KEY } from "../keepalived/render-nonlocal-bind-sysctl";
import { APPLIED_FINGERPRINT_PATH, NONLOCAL_BIND_SYSCTL_PATH, SERVICE_SETUP_FINGERPRINT_PATH } from "../limits";
import type { RemoteFileState } from "../plan/plan-node-changes";
import { quoteShellWord } from "../shell-word";
import { type KeepalivedStatus, keepalivedStatusScript, parseKeepalivedStatus } from "./keepalived-service";
import { NODE_FACTS_SCRIPT, type NodeFacts, parseNodeFacts } from "./node-facts";
import { fileStatesScript, parseFileStates } from "./remote-files";

/** What one observation of a node reads besides its facts and Keepalived's status. */
export interface ObservationRequest {
  /** The interface that carries the VIPs. */
  readonly interfaceName: string;
  /** Files whose SHA-256, mode and owner are read (the managed files, the sysctl file). */
  readonly files: readonly string[];
  /** Distribution packages whose installation is read (the service's). */
  readonly packages: readonly string[];
  /** The running keepalived.conf, for the VRRP password the pair shares. */
  readonly configPath: string;
  /** Records the provisioner writes on the node, read back as they are (one line each). */
  readonly records: { readonly applied: string; readonly serviceSetup: string };
}

/** One read of a node: everything the provisioner decides on, from one script (one round trip). */
export interface NodeObservation {
  readonly facts: NodeFacts;
  readonly keepalived: KeepalivedStatus;
  readonly files: readonly RemoteFileState[];
  /** auth_pass of the running keepalived.conf. @default - no such file, or no auth_pass in it */
  readonly configAuthPass?: string;
  /** The fingerprint of the files Keepalived last started or reloaded with. @default - none recorded */
  readonly appliedFingerprint?: string;
  /** The fingerprint of the service setup that last ran. @default - none recorded */
  readonly serviceSetupFingerprint?: string;
  /** The kernel's net.ipv4.ip_nonlocal_bind ("0" or "1"). @default - not readable */
  readonly nonlocalBind?: string;
  /** Those of the requested packages that are installed. */
  readonly installedPackages: readonly string[];
  /** The keepalived package is held (apt: selection `hold`; dnf/yum: in the versionlock list). */
  readonly keepalivedHeld: boolean;
}

const VERSIONLOCK_LISTS = ["/etc/dnf/plugins/versionlock.list", "/etc/yum/pluginconf.d/versionlock.list"];

function installedPackagesScript(packages: readonly string[]): string {
  if (packages.length === 0) return "";
  const list = packages.map(quoteShellWord).join(" ");
  return [
    "if command -v dpkg-query >/dev/null 2>&1; then",
    `  for p in ${list}; do if [ "$(dpkg-query -W -f='\${db:Status-Status}' "$p" 2>/dev/null)" = installed ]; then echo "package=$p"; fi; done`,
    "elif command -v rpm >/dev/null 2>&1; then",
    `  for p in ${list}; do if rpm -q --quiet "$p" 2>/dev/null; then echo "package=$p"; fi; done`,
    "fi",
  ].join("\n");
}

const HOLD_SCRIPT = [
  "if command -v dpkg-query >/dev/null 2>&1; then",
  `  if [ "$(dpkg-query -W -f='\${db:Status-Want}' keepalived 2>/dev/null)" = hold ]; then echo "keepalived_held=yes"; fi`,
  "else",
  `  for f in ${VERSIONLOCK_LISTS.join(" ")}; do if grep -qs '^[^#]*keepalived-' "$f"; then echo "keepalived_held=yes"; break; fi; done`,
  "fi",
].join("\n");

function recordScript(key: string, path: string): string {
  const file = quoteShellWord(path);
  return `if [ -r ${file} ]; then printf '${key}=%s\\n' "$(head -n 1 ${file})"; fi`;
}

/**
 * The script behind one observation: the node's facts, Keepalived's status, the files' states, the
 * running password, the records, the kernel's nonlocal-bind value, the service's packages and the
 * package hold, as `key=value` lines (file states as `file=` lines). Read-only.
 */
export function nodeObservationScript(request: ObservationRequest): string {
  const config = quoteShellWord(request.configPath);
  return [
    NODE_FACTS_SCRIPT.trim(),
    keepalivedStatusScript("detect", request.interfaceName),
    fileStatesScript(request.files)
      .replace("printf '%s\\t%s\\t%s\\n'", "printf 'file=%s\\t%s\\t%s\\n'")
      .replace("printf '%s\\tmissing\\n'", "printf 'file=%s\\tmissing\\n'"),
    `if [ -r ${config} ]; then sed -n 's/^[[:space:]]*auth_pass[[:space:]][[:space:]]*\\([^[:space:]][^[:space:]]*\\).*/config_auth_pass=\\1/p' ${config} | head -n 1; fi`,
    recordScript("applied", request.records.applied),
    recordScript("service_setup", request.records.serviceSetup),
    `echo "nonlocal_bind=$(cat /proc/sys/${NONLOCAL_BIND_SYSCTL_KEY.replace(/\./g, "/")} 2>/dev/null)"`,
    installedPackagesScript(request.packages),
    HOLD_SCRIPT,
  ]
    .filter((part) => part !== "")
    .join("\n");
}

export function parseNodeObservation(output: string): NodeObservation {
  const lines = output.split("\n");
  const values = (key: string) => lines.filter((line) => line.startsWith(`${key}=`)).map((line) => line.slice(key.length + 1).trim());
  const first = (key: string) => values(key)[0] || undefined;
  return {
    facts: parseNodeFacts(output),
    keepalived: parseKeepalivedStatus(output),
    files: parseFileStates(values("file").join("\n")),
    configAuthPass: first("config_auth_pass"),
    appliedFingerprint: first("applied"),
    serviceSetupFingerprint: first("service_setup"),
    nonlocalBind: first("nonlocal_bind"),
    installedPackages: values("package"),
    keepalivedHeld: first("keepalived_held") === "yes",
  };
}

/** What a provisioning run reads of each node: the spec's managed files, the sysctl file, the service's packages. */
export function provisioningObservation(spec: ClusterSpec): ObservationRequest {
  const paths = resolveKeepalivedFilePaths(spec.notifyLogPath);
  return {
    interfaceName: spec.interfaceName,
    files: [paths.configPath, paths.notifyScriptPath, paths.healthCheckScriptPath, paths.logrotatePath, NONLOCAL_BIND_SYSCTL_PATH],
    packages: spec.serviceSetup?.packages ?? [],
    configPath: paths.configPath,
    records: { applied: APPLIED_FINGERPRINT_PATH, serviceSetup: SERVICE_SETUP_FINGERPRINT_PATH },
  };
}

/** What `status` reads of a node: its facts, Keepalived's status and the last lines of the notify log. */
export interface StatusObservation {
  readonly facts: NodeFacts;
  readonly keepalived: KeepalivedStatus;
  readonly notifyLog: readonly string[];
}

/** The script behind a StatusObservation: one round trip. */
export function statusObservationScript(interfaceName: string, notifyLogPath: string, logLines: number): string {
  return [
    NODE_FACTS_SCRIPT.trim(),
    keepalivedStatusScript("detect", interfaceName),
    `tail -n ${Math.max(0, Math.floor(logLines))} ${quoteShellWord(notifyLogPath)} 2>/dev/null | sed 's/^/notify_log=/'`,
  ].join("\n");
}

export function parseStatusObservation(output: string): StatusObservation {
  const notifyLog = output
    .split("\n")
    .filter((line) => line.startsWith("notify_log="))
    .map((line) => line.slice("notify_log=".length))
    .filter((line) => line.trim() !== "");
  return { facts: parseNodeFacts(output), keepalived: parseKeepalivedStatus(output), notifyLog };
}
