import type { ClusterSpec, ResolvedHealthCheck } from "../core/cluster-settings";
import {
  DEFAULT_HEALTH_CHECK_FALL,
  DEFAULT_HEALTH_CHECK_RISE,
  DEFAULT_MAINTENANCE_FLAG_PATH,
  DEFAULT_NOTIFY_LOG_PATH,
  DEFAULT_PRIORITY,
  DEFAULT_SCRIPT_USER,
} from "../core/limits";
import type { LabLayout } from "./lab-layout";

/** VRRP router id of the lab cluster (nothing else speaks VRRP on the lab's bridge). */
export const LAB_VIRTUAL_ROUTER_ID = 51;
/** advert_int 1 s: the fastest failover Keepalived offers, fine on a bridge with no jitter. */
export const LAB_ADVERT_INT_SECONDS = 1;

/**
 * The lab's health check: the maintenance flag, checked every 2 s with a 1 s timeout (interval
 * must exceed timeout), so a drill that raises the flag sees a failover after ~2 failed checks.
 */
export const LAB_HEALTH_CHECK: ResolvedHealthCheck = {
  kind: "maintenance-flag",
  flagPath: DEFAULT_MAINTENANCE_FLAG_PATH,
  intervalSeconds: 2,
  timeoutSeconds: 1,
  fall: DEFAULT_HEALTH_CHECK_FALL,
  rise: DEFAULT_HEALTH_CHECK_RISE,
};

/** Fields a caller may change in the lab spec (e.g. a drill with another health check). */
export type LabClusterSpecOverrides = Partial<Omit<ClusterSpec, "specVersion" | "nodes" | "ssh" | "vips" | "subnetPrefixLength" | "labOperatorNamespace">>;

/** The ClusterSpec the provisioner uses on the lab: servers a and b, reached over SSH as root from the operator namespace. */
export function buildLabClusterSpec(lab: LabLayout, overrides: LabClusterSpecOverrides = {}): ClusterSpec {
  const node = (name: "a" | "b") => ({ name, privateIp: lab.servers[name].ip, sshHost: lab.servers[name].ip });
  return {
    specVersion: 1,
    clusterName: "lab",
    virtualRouterId: LAB_VIRTUAL_ROUTER_ID,
    advertIntSeconds: LAB_ADVERT_INT_SECONDS,
    priority: DEFAULT_PRIORITY,
    interfaceName: lab.interfaceName,
    healthCheck: LAB_HEALTH_CHECK,
    notifyLogPath: DEFAULT_NOTIFY_LOG_PATH,
    scriptUser: DEFAULT_SCRIPT_USER,
    ...overrides,
    vips: [lab.vip],
    subnetPrefixLength: lab.subnetPrefixLength,
    nodes: [node("a"), node("b")],
    ssh: { user: "root", privateKeyPath: lab.operatorPrivateKeyPath, knownHostsPath: lab.knownHostsPath },
    labOperatorNamespace: lab.operatorNamespace,
  };
}
