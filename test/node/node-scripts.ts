import type { ClusterSpec } from "../../lib/core/cluster-settings";
import { renderNodeFiles } from "../../lib/core/keepalived";
import { SOURCE_BUILD_DEPENDENCIES, sourceBuildScript } from "../../lib/core/node/install-keepalived";
import { keepalivedStatusScript, reloadCommand, startCommand, stopCommand } from "../../lib/core/node/keepalived-service";
import { lockHolderScript } from "../../lib/core/node/node-lock";
import { NODE_FACTS_SCRIPT } from "../../lib/core/node/node-facts";
import { nonlocalBindScript } from "../../lib/core/node/nonlocal-bind";
import { nodeObservationScript, provisioningObservation, statusObservationScript } from "../../lib/core/node/observe-node";
import { holdKeepalivedCommand, upgradeKeepalivedCommand } from "../../lib/core/node/package-hold";
import { ensureScriptUserCommand, installPackagesCommand, runtimePathsScript } from "../../lib/core/node/packages";
import {
  fileStatesScript,
  rollBackFilesScript,
  stagingDirectoryScript,
  swapFilesScript,
  uploadFileScript,
  writeRecordScript,
} from "../../lib/core/node/remote-files";
import { serviceSetupCommand } from "../../lib/core/node/service-setup";
import { planNodeChanges } from "../../lib/core/plan/plan-node-changes";
import { PRIMARY, clusterSpec, validSpec } from "../keepalived/fixtures";

/** A spec with everything the scripts read: a service with packages and a setup command, a non-root script user. */
export const SCRIPT_SPEC: ClusterSpec = clusterSpec({
  scriptUser: "keepalived_script",
  notifyLogPath: "/var/log/havip/notify.log",
  serviceSetup: { packages: ["nginx", "curl"], command: "systemctl enable --now nginx" },
});

const files = renderNodeFiles(validSpec(SCRIPT_SPEC), { ...PRIMARY, keepalivedVersion: "2.2.7" });
const [conf, notify] = files;
/** One update (the config), one creation (the notify script), one mode change (the check). */
const changes = planNodeChanges("primary", files.slice(0, 3), [
  { path: conf.path, exists: true, sha256: "0".repeat(64), mode: 0o600, owner: "root", group: "root" },
  { path: notify.path, exists: false },
  { path: files[2].path, exists: true, sha256: undefined, mode: 0o644, owner: "root", group: "root" },
]).pending;

/**
 * Every shell text the provisioner sends to a node, by name: what the goldens in test/golden/node/
 * hold and what bash -n and shellcheck check. Each is a pure function of the spec (or its input).
 */
export const NODE_SCRIPTS: readonly (readonly [name: string, script: string])[] = [
  ["node-facts", NODE_FACTS_SCRIPT.trim()],
  ["observation", nodeObservationScript(provisioningObservation(SCRIPT_SPEC))],
  ["status-observation", statusObservationScript("eth0", "/var/log/keepalived.log", 5)],
  ["lock-holder", lockHolderScript("ops@jumpbox pid 4242 since 2026-12-06T10:00:00.000Z", "echo observed=yes")],
  ["keepalived-status-systemd", keepalivedStatusScript("systemd", "eth0")],
  ["keepalived-status-other", keepalivedStatusScript("other", "eth0")],
  ["keepalived-status-detect", keepalivedStatusScript("detect", "eth0")],
  ["start-systemd", startCommand("systemd", "/etc/keepalived/keepalived.conf")],
  ["start-other", startCommand("other", "/etc/keepalived/keepalived.conf")],
  ["reload-systemd", reloadCommand("systemd")],
  ["reload-other", reloadCommand("other")],
  ["stop-systemd", stopCommand("systemd")],
  ["stop-other", stopCommand("other")],
  ...(["apt-get", "dnf", "yum"] as const).flatMap((pm) => [
    [`install-packages-${pm}`, installPackagesCommand(pm, ["keepalived", "curl"])] as const,
    [`build-dependencies-${pm}`, SOURCE_BUILD_DEPENDENCIES[pm]] as const,
    [`hold-${pm}`, holdKeepalivedCommand(pm)] as const,
    [`upgrade-${pm}`, upgradeKeepalivedCommand(pm)] as const,
  ]),
  ["source-build-systemd", sourceBuildScript({ url: "https://example.com/keepalived-2.2.8.tar.gz", sha256: "ab".repeat(32) }, "systemd")],
  ["source-build-other", sourceBuildScript({ url: "https://example.com/keepalived-2.2.8.tar.gz", sha256: "ab".repeat(32) }, "other")],
  ["nonlocal-bind-on", nonlocalBindScript(SCRIPT_SPEC).script],
  ["nonlocal-bind-off", nonlocalBindScript({ ...SCRIPT_SPEC, nonlocalBind: false }).script],
  ["ensure-script-user", ensureScriptUserCommand("keepalived_script")],
  ["runtime-paths", runtimePathsScript(SCRIPT_SPEC)],
  ["service-setup", serviceSetupCommand("systemctl enable --now nginx && echo 'it''s up'")],
  ["file-states", fileStatesScript(files.map((file) => file.path))],
  ["upload-file", uploadFileScript(conf, `${conf.path}.havip-new`)],
  ["staging-directory", stagingDirectoryScript("/etc/keepalived/.havip-staging")],
  ["swap-files", swapFilesScript(changes) ?? ""],
  ["roll-back-files", rollBackFilesScript(changes) ?? ""],
  ["write-record", writeRecordScript("/var/keepalived/.havip-applied")],
];
