import type { ClusterSpec, KeepalivedSettings, NodeSpec, SshSettings } from "./cluster-settings";
import { resolveKeepalivedSettings } from "./resolve-keepalived-settings";

/** What a cluster's spec is made of: the user's Keepalived settings and what the cloud (or a lab) decided. */
export interface ClusterSpecParts {
  readonly clusterName: string;
  readonly keepalived: KeepalivedSettings;
  /** HAVIP addresses (Terraform expressions in the construct, for auto-assigned ones). */
  readonly vips: readonly string[];
  readonly subnetPrefixLength: number;
  readonly nodes: readonly [NodeSpec, NodeSpec];
  /** @default {} */
  readonly ssh?: SshSettings;
  readonly cloud?: ClusterSpec["cloud"];
  readonly keepalivedSource?: ClusterSpec["keepalivedSource"];
  readonly labOperatorNamespace?: string;
}

/**
 * The one way settings become a ClusterSpec: Keepalived defaults resolved, the default
 * `nonlocalBind` left out, optional parts only when given, and the keys always in this order
 * (the construct's spec output and its hash depend on it). Does not validate.
 */
export function clusterSpecFromSettings(parts: ClusterSpecParts): ClusterSpec {
  const { healthCheck, notifyLogPath, scriptUser, authPass, hooks, nonlocalBind, serviceSetup, ...vrrp } = resolveKeepalivedSettings(
    parts.keepalived,
  );
  return {
    specVersion: 1,
    clusterName: parts.clusterName,
    ...vrrp,
    vips: [...parts.vips],
    subnetPrefixLength: parts.subnetPrefixLength,
    nodes: parts.nodes,
    healthCheck,
    notifyLogPath,
    scriptUser,
    ...(authPass !== undefined ? { authPass } : {}),
    ...(hooks ? { hooks } : {}),
    ...(nonlocalBind ? {} : { nonlocalBind: false }),
    ...(serviceSetup ? { serviceSetup } : {}),
    ssh: parts.ssh ?? {},
    ...(parts.cloud ? { cloud: parts.cloud } : {}),
    ...(parts.keepalivedSource ? { keepalivedSource: parts.keepalivedSource } : {}),
    ...(parts.labOperatorNamespace !== undefined ? { labOperatorNamespace: parts.labOperatorNamespace } : {}),
  };
}
