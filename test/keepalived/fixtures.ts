import type { ClusterSpec, ResolvedHealthCheck } from "../../lib/core/cluster-settings";
import { resolveHealthCheck } from "../../lib/core/resolve-keepalived-settings";
import { requireValidClusterSpec, type ValidClusterSpec, withAuthPass } from "../../lib/core/validation";

/** Not a real secret: the fixed password the goldens and checks render with. */
export const TEST_AUTH_PASS = "Gold3nPw";

export function clusterSpec(overrides: Partial<ClusterSpec> = {}): ClusterSpec {
  return {
    specVersion: 1,
    clusterName: "demo",
    virtualRouterId: 51,
    advertIntSeconds: 2,
    priority: 100,
    interfaceName: "eth0",
    vips: ["172.16.16.100"],
    subnetPrefixLength: 24,
    nodes: [
      { name: "primary", privateIp: "172.16.16.5", sshHost: "203.0.113.10" },
      { name: "secondary", privateIp: "172.16.16.6", sshHost: "203.0.113.11" },
    ],
    healthCheck: resolveHealthCheck({ kind: "maintenance-flag" }),
    notifyLogPath: "/var/log/keepalived.log",
    scriptUser: "root",
    ssh: {},
    ...overrides,
  };
}

/** The spec as rendering takes it: validated, with its VRRP password settled. */
export function validSpec(spec: ClusterSpec, authPass: string = TEST_AUTH_PASS): ValidClusterSpec {
  return withAuthPass(requireValidClusterSpec(spec), authPass);
}

export const PRIMARY = { ownIp: "172.16.16.5", peerIp: "172.16.16.6" } as const;

export interface RenderCase {
  /** File name of the golden, and the test's name. */
  readonly name: string;
  readonly spec: ClusterSpec;
  readonly keepalivedVersion: string;
}

function check(healthCheck: Parameters<typeof resolveHealthCheck>[0]): ResolvedHealthCheck {
  return resolveHealthCheck(healthCheck);
}

/** Representative settings: one and several VIPs, every health-check kind, 1.2.x, 1.3.x, 2.0.x and 2.2.x targets. */
export const RENDER_CASES: readonly RenderCase[] = [
  { name: "one-vip-maintenance-flag-keepalived-2.2.7", spec: clusterSpec(), keepalivedVersion: "2.2.7" },
  {
    name: "three-vips-process-keepalived-2.0.10",
    spec: clusterSpec({
      clusterName: "web-ha",
      vips: ["10.0.1.100", "10.0.1.101", "10.0.1.102"],
      subnetPrefixLength: 24,
      nodes: [
        { name: "primary", privateIp: "10.0.1.5", sshHost: "10.0.1.5" },
        { name: "secondary", privateIp: "10.0.1.6", sshHost: "10.0.1.6" },
      ],
      interfaceName: "eth1",
      healthCheck: check({ kind: "process", processName: "nginx", intervalSeconds: 3, timeoutSeconds: 2, fall: 3, rise: 2 }),
    }),
    keepalivedVersion: "2.0.10",
  },
  {
    name: "tcp-port-keepalived-1.3.5",
    spec: clusterSpec({ advertIntSeconds: 1, healthCheck: check({ kind: "tcp-port", port: 6379 }) }),
    keepalivedVersion: "1.3.5",
  },
  {
    name: "http-keepalived-2.2.7",
    spec: clusterSpec({ virtualRouterId: 200, healthCheck: check({ kind: "http", url: "http://127.0.0.1:8080/healthz" }) }),
    keepalivedVersion: "2.2.7",
  },
  {
    name: "command-two-vips-keepalived-1.2.24",
    spec: clusterSpec({
      vips: ["172.16.16.100", "172.16.16.101"],
      healthCheck: check({ kind: "command", command: "systemctl is-active --quiet haproxy", intervalSeconds: 10, timeoutSeconds: 5 }),
    }),
    keepalivedVersion: "1.2.24",
  },
  {
    name: "hooks-subsecond-vrrp3-keepalived-2.2.7",
    spec: clusterSpec({
      advertIntSeconds: 0.2,
      priority: 254,
      healthCheck: check({ kind: "http", url: "http://127.0.0.1/", intervalSeconds: 2, timeoutSeconds: 1, fall: 2 }),
      hooks: {
        master: 'systemctl reload nginx && logger -t havip "promoted on $1"',
        backup: "systemctl reload nginx",
        stop: "printf '%s\\n' \"it's $HAVIP_STATE\"",
        timeoutSeconds: 10,
      },
    }),
    keepalivedVersion: "2.2.7",
  },
];
