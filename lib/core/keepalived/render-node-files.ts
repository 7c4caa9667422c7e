import ipaddr from "ipaddr.js";
import { MIN_KEEPALIVED_VERSION } from "../limits";
import { SettingsError, type SettingsProblem } from "../settings-error";
import { isValidClusterSpec, type ValidClusterSpec } from "../validation/valid-cluster-spec";
import { type KeepalivedFilePaths, type ResolvedKeepalivedFilePaths, resolveKeepalivedFilePaths } from "./keepalived-file-paths";
import { vrrpInstanceName } from "./keepalived-names";
import { compareKeepalivedVersions, isKeepalivedVersion, isSupportedKeepalivedVersion } from "./keepalived-version";
import type { ManagedFile } from "./managed-file";
import type { RenderTarget } from "./render-target";
import { renderHealthCheckScript } from "./render-health-check-script";
import { renderKeepalivedConf } from "./render-keepalived-conf";
import { renderLogrotateRule } from "./render-logrotate-rule";
import { renderNotifyScript } from "./render-notify-script";
import { SAFE_ABSOLUTE_PATH_RULE, isSafeAbsolutePath } from "./setting-rules";
import { showValue } from "../validation/show-value";
import { VRRP_V3_UNICAST_SINCE, usesVrrpV3 } from "./vrrp-version";

/** Keepalived refuses scripts a non-root user could modify (enable_script_security): root-owned, 0755. */
const SCRIPT_MODE = 0o755;
const CONFIG_MODE = 0o600;
const LOGROTATE_MODE = 0o644;

/**
 * Every file one node needs: keepalived.conf (secret), the notify script, the health-check script
 * and the logrotate rule. Takes a validated spec with its password settled (`withAuthPass`; none
 * with VRRPv3) and checks only what is this node's: its addresses, its Keepalived version and the
 * paths, throwing a SettingsError naming each broken rule.
 */
export function renderNodeFiles(spec: ValidClusterSpec, node: RenderTarget, paths: Partial<KeepalivedFilePaths> = {}): ManagedFile[] {
  const resolvedPaths = resolveKeepalivedFilePaths(spec.notifyLogPath, paths);
  const nodeName = checkInputs(spec, node, resolvedPaths);
  const owner = "root";
  const group = "root";
  return [
    {
      path: resolvedPaths.configPath,
      mode: CONFIG_MODE,
      owner,
      group,
      secret: true,
      content: renderKeepalivedConf(spec, { ...node, name: nodeName }, resolvedPaths),
    },
    {
      path: resolvedPaths.notifyScriptPath,
      mode: SCRIPT_MODE,
      owner,
      group,
      content: renderNotifyScript({
        instanceName: vrrpInstanceName(spec.clusterName),
        stateFilePath: resolvedPaths.stateFilePath,
        failureCountPath: resolvedPaths.failureCountPath,
        notifyLogPath: resolvedPaths.notifyLogPath,
        ...(spec.hooks ? { hooks: spec.hooks } : {}),
      }),
    },
    {
      path: resolvedPaths.healthCheckScriptPath,
      mode: SCRIPT_MODE,
      owner,
      group,
      content: renderHealthCheckScript({ healthCheck: spec.healthCheck, failureCountPath: resolvedPaths.failureCountPath }),
    },
    {
      path: resolvedPaths.logrotatePath,
      mode: LOGROTATE_MODE,
      owner,
      group,
      content: renderLogrotateRule(resolvedPaths.notifyLogPath),
    },
  ];
}

/** @returns the node's name in the spec */
function checkInputs(spec: ValidClusterSpec, node: RenderTarget, paths: ResolvedKeepalivedFilePaths): string {
  // A plain object from a JavaScript caller: the type says validated, the object must be too.
  if (!isValidClusterSpec(spec)) throw new TypeError("renderNodeFiles takes a validated spec: requireValidClusterSpec(spec) first");
  if (spec.authPass === undefined && !usesVrrpV3(spec.advertIntSeconds)) {
    throw new TypeError("renderNodeFiles needs the spec's VRRP password settled: withAuthPass(spec, password) first");
  }
  const problems: SettingsProblem[] = [];
  if (!isKeepalivedVersion(node.keepalivedVersion)) {
    problems.push({ field: "node.keepalivedVersion", value: showValue(node.keepalivedVersion), rule: "must look like 2.2.7" });
  } else if (!isSupportedKeepalivedVersion(node.keepalivedVersion)) {
    problems.push({
      field: "node.keepalivedVersion",
      value: node.keepalivedVersion,
      rule: `is older than ${MIN_KEEPALIVED_VERSION}, the oldest Keepalived this project supports (set keepalivedSource to build a newer one)`,
    });
  }
  problems.push(...vrrpVersionProblems(spec, node.keepalivedVersion));
  for (const [key, value] of Object.entries(paths)) {
    if (!isSafeAbsolutePath(value)) problems.push({ field: `paths.${key}`, value: showValue(value), rule: SAFE_ABSOLUTE_PATH_RULE });
  }
  const self = spec.nodes.find((candidate) =>
    node.name !== undefined ? candidate.name === node.name : sameIpv4(candidate.privateIp, node.ownIp),
  );
  const peer = spec.nodes.find((candidate) => candidate !== self);
  if (!self || !peer) {
    problems.push({
      field: node.name !== undefined ? "node.name" : "node.ownIp",
      value: showValue(node.name ?? node.ownIp),
      rule: `is not one of the spec's nodes (${spec.nodes.map((n) => `${n.name} ${n.privateIp}`).join(", ")})`,
    });
  } else {
    if (!sameIpv4(self.privateIp, node.ownIp)) {
      problems.push({ field: "node.ownIp", value: showValue(node.ownIp), rule: `differs from ${self.name}'s privateIp ${self.privateIp}` });
    }
    if (!sameIpv4(peer.privateIp, node.peerIp)) {
      problems.push({
        field: "node.peerIp",
        value: showValue(node.peerIp),
        rule: `differs from the peer ${peer.name}'s privateIp ${peer.privateIp}`,
      });
    }
  }
  if (problems.length > 0 || !self) throw new SettingsError(`Cannot render Keepalived files for ${showValue(spec.clusterName)}`, problems);
  return self.name;
}

function sameIpv4(a: string, b: string): boolean {
  return (
    ipaddr.IPv4.isValidFourPartDecimal(a) &&
    ipaddr.IPv4.isValidFourPartDecimal(b) &&
    ipaddr.IPv4.parse(a).toString() === ipaddr.IPv4.parse(b).toString()
  );
}

/** A fractional advert_int needs VRRPv3 over unicast, which this node's Keepalived must do right. */
function vrrpVersionProblems(spec: ValidClusterSpec, keepalivedVersion: string): SettingsProblem[] {
  if (!usesVrrpV3(spec.advertIntSeconds) || !isKeepalivedVersion(keepalivedVersion)) return [];
  if (compareKeepalivedVersions(keepalivedVersion, VRRP_V3_UNICAST_SINCE) >= 0) return [];
  return [
    {
      field: "advertIntSeconds",
      value: String(spec.advertIntSeconds),
      rule: `needs VRRPv3 over unicast, which works from Keepalived ${VRRP_V3_UNICAST_SINCE}; this node has ${keepalivedVersion} (use a whole number of seconds, or a newer Keepalived)`,
    },
  ];
}
