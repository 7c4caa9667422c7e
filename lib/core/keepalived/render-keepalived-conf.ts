import type { ValidClusterSpec } from "../validation/valid-cluster-spec";
import { GARP_MASTER_DELAY_SECONDS, GARP_MASTER_REFRESH_SECONDS } from "../limits";
import type { ResolvedKeepalivedFilePaths } from "./keepalived-file-paths";
import { MULTI_VIP_GARP_MASTER_REPEAT } from "./keepalived-limits";
import { VRRP_SCRIPT_NAME, keepalivedRouterId, vrrpInstanceName } from "./keepalived-names";
import { keepalivedSupports } from "./keepalived-version";
import type { RenderTarget } from "./render-target";
import { usesVrrpV3 } from "./vrrp-version";

const MANAGED_HEADER = "# Managed by tencentcloud-havip-cluster: local edits are overwritten on the next provisioning.";

/**
 * keepalived.conf for one node, following Tencent Cloud's HAVIP + Keepalived guide, in the
 * dialect of `node.keepalivedVersion`. Holds the spec's auth_pass: treat the result as a secret.
 * Takes a validated spec with its password settled (renderNodeFiles checks the node's part).
 */
export function renderKeepalivedConf(
  spec: ValidClusterSpec,
  node: RenderTarget & { readonly name: string },
  paths: Pick<ResolvedKeepalivedFilePaths, "notifyScriptPath" | "healthCheckScriptPath">,
): string {
  const version = node.keepalivedVersion;
  const check = spec.healthCheck;
  const iface = spec.interfaceName;
  const lines: string[] = [
    MANAGED_HEADER,
    `# Cluster ${oneLine(spec.clusterName)}, node ${node.name} (${node.ownIp}), written for Keepalived ${version}.`,
    "",
    "global_defs {",
    `    router_id ${keepalivedRouterId(spec.clusterName, node.name)}`,
  ];
  if (keepalivedSupports(version, "enable_script_security")) {
    lines.push(
      "    # Refuse to run scripts that a non-root user could modify.",
      "    enable_script_security",
      `    script_user ${spec.scriptUser}`,
    );
  }
  const vrrpV3 = usesVrrpV3(spec.advertIntSeconds);
  if (vrrpV3) {
    lines.push(
      "    # A fractional advert_int: VRRPv3 counts centiseconds (VRRPv2 only whole seconds) and has no authentication.",
      "    vrrp_version 3",
    );
  }
  if (spec.vips.length > 1 && keepalivedSupports(version, "vrrp_garp_master_repeat")) {
    lines.push(`    vrrp_garp_master_repeat ${MULTI_VIP_GARP_MASTER_REPEAT}`);
  }
  lines.push(
    "}",
    "",
    `vrrp_script ${VRRP_SCRIPT_NAME} {`,
    `    script "${paths.healthCheckScriptPath}"`,
    `    interval ${check.intervalSeconds}`,
  );
  if (keepalivedSupports(version, "vrrp_script_timeout")) lines.push(`    timeout ${check.timeoutSeconds}`);
  lines.push(
    `    fall ${check.fall}`,
    `    rise ${check.rise}`,
    "}",
    "",
    `vrrp_instance ${vrrpInstanceName(spec.clusterName)} {`,
    "    # Both nodes start as BACKUP with equal priority and nopreempt: a recovered node never takes the VIP back.",
    "    state BACKUP",
    `    interface ${iface}`,
    `    virtual_router_id ${spec.virtualRouterId}`,
    `    priority ${spec.priority}`,
    `    advert_int ${spec.advertIntSeconds}`,
    "    nopreempt",
    `    garp_master_delay ${GARP_MASTER_DELAY_SECONDS}`,
  );
  if (keepalivedSupports(version, "garp_master_refresh")) lines.push(`    garp_master_refresh ${GARP_MASTER_REFRESH_SECONDS}`);
  lines.push(
    "    # The VPC carries no multicast: VRRP adverts go straight to the peer.",
    `    unicast_src_ip ${node.ownIp}`,
    "    unicast_peer {",
    `        ${node.peerIp}`,
    "    }",
    ...(vrrpV3 ? [] : ["    authentication {", "        auth_type PASS", `        auth_pass ${spec.authPass}`, "    }"]),
    "    virtual_ipaddress {",
    ...spec.vips.map((vip) => `        ${vip}/${spec.subnetPrefixLength} dev ${iface}`),
    "    }",
    "    track_script {",
    `        ${VRRP_SCRIPT_NAME}`,
    "    }",
    `    notify_master "${paths.notifyScriptPath} MASTER"`,
    `    notify_backup "${paths.notifyScriptPath} BACKUP"`,
    `    notify_fault "${paths.notifyScriptPath} FAULT"`,
  );
  if (keepalivedSupports(version, "notify_stop")) lines.push(`    notify_stop "${paths.notifyScriptPath} STOP"`);
  lines.push("}", "");
  return lines.join("\n");
}

function oneLine(clusterName: string): string {
  // Only in a comment, but a newline would end it: keep the name on one line.
  return clusterName.replace(/[\r\n]/g, " ");
}
