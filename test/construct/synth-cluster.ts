import { Testing, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { HaVipCluster, type HaVipClusterProps } from "../../lib/construct";

/** A well-formed ed25519 key line whose 32 key bytes spell a label: no private key exists for it. */
export const TEST_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFRlc3RLZXlPbmx5Rm9yU3ludGhUZXN0cy0tLS0tLS0t operator@example";

/** The guide's topology with an operator CIDR from the documentation range. */
export const guideProps: HaVipClusterProps = {
  network: { vpcCidr: "172.16.0.0/16", subnetCidr: "172.16.16.0/24", availabilityZone: "ap-guangzhou-3" },
  nodes: { primaryIp: "172.16.16.5", secondaryIp: "172.16.16.6" },
  havips: [{ address: "172.16.16.12" }],
  keepalived: { virtualRouterId: 51 },
  sshPublicKey: TEST_PUBLIC_KEY,
  sshAllowedCidr: "203.0.113.7/32",
};

export interface SynthResult {
  readonly json: string;
  readonly stack: TerraformStack;
  /** Every block of one resource type, by logical id. */
  resources(type: string): Record<string, Record<string, unknown>>;
  only(type: string): Record<string, unknown>;
  data(type: string): Record<string, Record<string, unknown>>;
  outputs(): Record<string, { value: unknown; sensitive?: boolean; description?: string }>;
  locals(): Record<string, unknown>;
  /** The JSON template of cluster `id`'s spec (the local its `<id>-spec` output reads). */
  specTemplate(id?: string): string;
}

export function synthStack(build: (stack: Construct) => void): SynthResult {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  build(stack);
  const json = Testing.synth(stack);
  const parsed = JSON.parse(json) as {
    resource?: Record<string, Record<string, Record<string, unknown>>>;
    data?: Record<string, Record<string, Record<string, unknown>>>;
    output?: Record<string, { value: unknown; sensitive?: boolean }>;
    locals?: Record<string, unknown>;
  };
  const resources = (type: string) => parsed.resource?.[type] ?? {};
  return {
    json,
    stack,
    resources,
    only(type) {
      const all = Object.values(resources(type));
      if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
      return all[0];
    },
    data: (type) => parsed.data?.[type] ?? {},
    outputs: () => parsed.output ?? {},
    locals: () => parsed.locals ?? {},
    specTemplate(id = "web") {
      const reference = /^\$\{local\.([\w-]+)\}$/.exec(String(parsed.output?.[`${id}-spec`]?.value))?.[1];
      if (reference === undefined) throw new Error(`output ${id}-spec does not read a local`);
      return String(parsed.locals?.[reference]);
    },
  };
}

export function synthCluster(props: Partial<HaVipClusterProps> = {}, id = "web"): SynthResult {
  return synthStack((stack) => new HaVipCluster(stack, id, { ...guideProps, ...props }));
}

/**
 * One cluster per kind of stack the construct tests build, for the Terraform check
 * (test/terraform/construct-stacks.test.ts): each through synthCluster, like the construct tests.
 */
export const REPRESENTATIVE_CLUSTERS: Readonly<Record<string, Partial<HaVipClusterProps>>> = {
  "the guide's topology": {},
  "an existing VPC and subnet": {
    network: {
      vpcId: "vpc-abc123",
      subnetId: "subnet-abc123",
      vpcCidr: "172.16.0.0/16",
      subnetCidr: "172.16.16.0/24",
      availabilityZone: "ap-guangzhou-3",
    },
  },
  "a new subnet in an existing VPC": {
    network: { vpcId: "vpc-abc123", vpcCidr: "172.16.0.0/16", subnetCidr: "172.16.16.0/24", availabilityZone: "ap-guangzhou-3" },
  },
  "node IPs derived from the subnet, one auto-assigned HAVIP": { nodes: {}, havips: [{}] },
  "five HAVIPs": { havips: [10, 11, 12, 13, 14].map((host) => ({ address: `172.16.16.${host}` })) },
  "no drift lock, no EIP, no placement group": { driftLock: false, eip: false, spreadAcrossHosts: false },
  "private SSH through a jump host": {
    publicSsh: false,
    sshAllowedCidr: undefined,
    ssh: { user: "ops", jumpHost: { host: "bastion.example.com", user: "jump" } },
  },
  "a given image, instance type and disk": {
    nodes: {
      primaryIp: "172.16.16.5",
      secondaryIp: "172.16.16.6",
      imageId: "img-abc123",
      instanceType: "S5.LARGE8",
      systemDiskSizeGb: 100,
    },
  },
  "service ingress, tags and an EIP with settings": {
    serviceIngress: [{ protocol: "TCP", port: "80,443", cidrBlock: "0.0.0.0/0", description: "web" }],
    tags: { team: "payments", env: "prod" },
    eip: { name: "web-public", bandwidthMbps: 5, internetChargeType: "TRAFFIC_POSTPAID_BY_HOUR" },
  },
  "a tcp-port health check": { keepalived: { virtualRouterId: 51, healthCheck: { kind: "tcp-port", port: 80 } } },
  "an http health check": { keepalived: { virtualRouterId: 51, healthCheck: { kind: "http", url: "http://127.0.0.1/healthz" } } },
  "a process health check and every timing": {
    keepalived: {
      virtualRouterId: 51,
      advertIntSeconds: 1,
      priority: 150,
      healthCheck: { kind: "process", processName: "nginx", intervalSeconds: 4, timeoutSeconds: 2, fall: 3, rise: 1 },
    },
  },
  "a literal VRRP password": { keepalived: { virtualRouterId: 51, authPass: "s3cretpw" } },
  "a source tarball": { keepalivedSource: { url: "https://example.com/keepalived-2.2.8.tar.gz", sha256: "a".repeat(64) } },
  "no provisioning on deploy": { provisionOnDeploy: false },
  "transition hooks, service setup and user data with quotes and template syntax": {
    nodes: { primaryIp: "172.16.16.5", secondaryIp: "172.16.16.6", userData: '#!/bin/sh\necho "${HOME} %{ if }" > /tmp/x\n' },
    keepalived: {
      virtualRouterId: 51,
      hooks: { master: 'systemctl reload nginx && echo "now ${STATE}"', backup: "logger 'backup %{x}'", timeoutSeconds: 10 },
      serviceSetup: { packages: ["nginx"], command: 'echo "served by $(hostname)" > /var/www/html/index.html' },
      nonlocalBind: false,
    },
  },
  "a sub-second VRRPv3 advert interval": { keepalived: { virtualRouterId: 51, advertIntSeconds: 0.5 } },
};
