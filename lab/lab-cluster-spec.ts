import type { ClusterSpec, ResolvedHealthCheck } from "../lib/core/cluster-settings";
import { clusterSpecFromSettings } from "../lib/core/cluster-spec-from-settings";
import { DEFAULT_HEALTH_CHECK_FALL, DEFAULT_HEALTH_CHECK_RISE, DEFAULT_MAINTENANCE_FLAG_PATH } from "../lib/core/limits";
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
export type LabClusterSpecOverrides = Partial<
  Omit<ClusterSpec, "specVersion" | "nodes" | "ssh" | "vips" | "subnetPrefixLength" | "labOperatorNamespace">
>;

/** The ClusterSpec the provisioner uses on the lab: servers a and b, reached over SSH as root from the operator namespace. */
export function buildLabClusterSpec(lab: LabLayout, overrides: LabClusterSpecOverrides = {}): ClusterSpec {
  const node = (name: "a" | "b") => ({ name, privateIp: lab.servers[name].ip, sshHost: lab.servers[name].ip });
  const { clusterName = "lab", cloud, keepalivedSource, ...keepalived } = overrides;
  return clusterSpecFromSettings({
    clusterName,
    keepalived: {
      virtualRouterId: LAB_VIRTUAL_ROUTER_ID,
      advertIntSeconds: LAB_ADVERT_INT_SECONDS,
      interfaceName: lab.interfaceName,
      healthCheck: LAB_HEALTH_CHECK,
      ...keepalived,
    },
    vips: [lab.vip],
    subnetPrefixLength: lab.subnetPrefixLength,
    nodes: [node("a"), node("b")],
    ssh: { user: "root", privateKeyPath: lab.operatorPrivateKeyPath, knownHostsPath: lab.knownHostsPath },
    cloud,
    keepalivedSource,
    labOperatorNamespace: lab.operatorNamespace,
  });
}

/** Services `lab up --service` can put behind the VIP. */
export const LAB_SERVICES = ["nginx"] as const;
export type LabService = (typeof LAB_SERVICES)[number];

export function isLabService(value: string): value is LabService {
  return (LAB_SERVICES as readonly string[]).includes(value);
}

/** Path of the page each server's nginx serves; the drills' HTTP probe GETs it through the VIP. */
export const LAB_SERVICE_PAGE_PATH = "/";

/**
 * The node's page says which node it is (its first word is the hostname, which the HTTP probe
 * records as the responder). Idempotent, as a setup command must be: a provisioning runs it again when it changed.
 */
const NGINX_SETUP_COMMAND = [
  `printf '%s\\n%s\\n' "$(hostname)" "served by nginx through the VIP" > /var/www/html/index.html`,
  "systemctl enable --now nginx",
].join(" && ");

/**
 * The worked example: nginx from the lab's package source on both servers, installed and started
 * before Keepalived, and an `http` health check of the node's own nginx at the lab's timing, so
 * the VIP follows a working nginx.
 */
export function labServiceOverrides(service: LabService): LabClusterSpecOverrides {
  switch (service) {
    case "nginx":
      return {
        serviceSetup: { packages: ["nginx"], command: NGINX_SETUP_COMMAND },
        healthCheck: {
          kind: "http",
          url: "http://127.0.0.1/",
          intervalSeconds: LAB_HEALTH_CHECK.intervalSeconds,
          timeoutSeconds: LAB_HEALTH_CHECK.timeoutSeconds,
          fall: LAB_HEALTH_CHECK.fall,
          rise: LAB_HEALTH_CHECK.rise,
        },
      };
  }
}
