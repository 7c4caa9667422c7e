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
  };
}

export function synthCluster(props: Partial<HaVipClusterProps> = {}, id = "web"): SynthResult {
  return synthStack((stack) => new HaVipCluster(stack, id, { ...guideProps, ...props }));
}
