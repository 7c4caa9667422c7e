import { Testing, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { HaVipCluster } from "../../../lib/construct";
import { guideProps, synthStack } from "../../fixtures/synth-cluster";

describe("several clusters in one app", () => {
  it("builds two clusters in their own VPCs with the same virtual_router_id", () => {
    const result = synthStack((stack) => {
      new HaVipCluster(stack, "web", guideProps);
      new HaVipCluster(stack, "db", guideProps);
    });
    expect(Object.keys(result.resources("tencentcloud_vpc"))).toHaveLength(2);
    expect(Object.keys(result.resources("tencentcloud_instance"))).toHaveLength(4);
    expect(Object.keys(result.outputs())).toEqual(expect.arrayContaining(["web-spec", "db-spec"]));
  });

  it("builds a second cluster in the first one's VPC with its own subnet and id", () => {
    const result = synthStack((stack) => {
      const web = new HaVipCluster(stack, "web", guideProps);
      new HaVipCluster(stack, "db", {
        ...guideProps,
        network: { vpcId: web.vpcId, vpcCidr: "172.16.0.0/16", subnetCidr: "172.16.17.0/24", availabilityZone: "ap-guangzhou-3" },
        nodes: {},
        havips: [{ address: "172.16.17.12" }],
        keepalived: { virtualRouterId: 52 },
      });
    });
    expect(Object.keys(result.resources("tencentcloud_vpc"))).toHaveLength(1);
    expect(Object.keys(result.resources("tencentcloud_subnet"))).toHaveLength(2);
  });

  it("puts a second cluster into the first one's subnet with network: web.network, restating nothing", () => {
    const result = synthStack((stack) => {
      const web = new HaVipCluster(stack, "web", guideProps);
      const db = new HaVipCluster(stack, "db", {
        ...guideProps,
        network: web.network,
        nodes: { primaryIp: "172.16.16.7", secondaryIp: "172.16.16.8" },
        havips: [{ address: "172.16.16.20" }],
        keepalived: { virtualRouterId: 52 },
      });
      expect(db.network).toEqual(web.network);
      expect(db.vpcId).toBe(web.vpcId);
      expect(db.subnetId).toBe(web.subnetId);
    });
    expect(Object.keys(result.resources("tencentcloud_vpc"))).toHaveLength(1);
    expect(Object.keys(result.resources("tencentcloud_subnet"))).toHaveLength(1);
    const instances = Object.values(result.resources("tencentcloud_instance")) as { subnet_id: string; availability_zone: string }[];
    expect(instances).toHaveLength(4);
    expect(new Set(instances.map((instance) => instance.subnet_id)).size).toBe(1);
    expect(new Set(instances.map((instance) => instance.availability_zone))).toEqual(new Set([guideProps.network.availabilityZone]));
  });

  it("lets a second cluster share the first one's key pair (one public key is imported once per account and region)", () => {
    const result = synthStack((stack) => {
      const web = new HaVipCluster(stack, "web", guideProps);
      const { sshPublicKey: _key, ...withoutKey } = guideProps;
      new HaVipCluster(stack, "db", {
        ...withoutKey,
        network: web.network,
        nodes: { primaryIp: "172.16.16.7", secondaryIp: "172.16.16.8" },
        havips: [{ address: "172.16.16.20" }],
        keepalived: { virtualRouterId: 52 },
        sshKeyPairId: web.keyPairId,
      });
    });
    const keyPairs = Object.keys(result.resources("tencentcloud_key_pair"));
    expect(keyPairs).toHaveLength(1);
    const instances = Object.values(result.resources("tencentcloud_instance")) as { key_ids: string[] }[];
    expect(new Set(instances.map((instance) => instance.key_ids[0]))).toEqual(new Set([`\${tencentcloud_key_pair.${keyPairs[0]}.id}`]));
  });

  it("describes the network it created: the VPC and subnet ids as expressions, the CIDRs and the zone as given", () => {
    synthStack((stack) => {
      const web = new HaVipCluster(stack, "web", guideProps);
      expect(web.network).toEqual({
        vpcId: web.vpcId,
        vpcCidr: guideProps.network.vpcCidr,
        subnetId: web.subnetId,
        subnetCidr: guideProps.network.subnetCidr,
        availabilityZone: guideProps.network.availabilityZone,
      });
      expect(web.vpcId).toMatch(/\$\{TfToken\[/);
    });
  });

  it("builds a new subnet in the first cluster's VPC from its network with the subnet left out", () => {
    const result = synthStack((stack) => {
      const web = new HaVipCluster(stack, "web", guideProps);
      new HaVipCluster(stack, "db", {
        ...guideProps,
        network: { ...web.network, subnetId: undefined, subnetCidr: "172.16.17.0/24" },
        nodes: {},
        havips: [{ address: "172.16.17.12" }],
        keepalived: { virtualRouterId: 52 },
      });
    });
    expect(Object.keys(result.resources("tencentcloud_vpc"))).toHaveLength(1);
    expect(Object.keys(result.resources("tencentcloud_subnet"))).toHaveLength(2);
  });

  it("rejects a second cluster joining through web.network with the same virtual_router_id", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    const web = new HaVipCluster(stack, "web", guideProps);
    expect(
      () =>
        new HaVipCluster(stack, "db", {
          ...guideProps,
          network: web.network,
          nodes: { primaryIp: "172.16.16.7", secondaryIp: "172.16.16.8" },
          havips: [{ address: "172.16.16.20" }],
        }),
    ).toThrow(
      "HaVipCluster 'test/db': keepalived.virtualRouterId 51 is already used by cluster 'test/web' in the same VPC; give each cluster its own id",
    );
  });

  it("rejects two clusters in the same VPC with the same virtual_router_id", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    const web = new HaVipCluster(stack, "web", guideProps);
    expect(
      () =>
        new HaVipCluster(stack, "db", {
          ...guideProps,
          network: { vpcId: web.vpcId, subnetCidr: "172.16.17.0/24", availabilityZone: "ap-guangzhou-3" },
          nodes: {},
          havips: [{}],
        }),
    ).toThrow(
      "HaVipCluster 'test/db': keepalived.virtualRouterId 51 is already used by cluster 'test/web' in the same VPC; give each cluster its own id",
    );
    // Checked before the second cluster created anything.
    expect(stack.node.tryFindChild("db")?.node.children).toEqual([]);
  });

  it("rejects the same virtual_router_id in an existing VPC named by id, across stacks of one app", () => {
    const app = Testing.app();
    const existing = { vpcId: "vpc-shared", subnetCidr: "10.1.1.0/24", availabilityZone: "ap-guangzhou-3" };
    new HaVipCluster(new TerraformStack(app, "one"), "web", { ...guideProps, network: existing, nodes: {}, havips: [{}] });
    expect(
      () =>
        new HaVipCluster(new TerraformStack(app, "two"), "db", {
          ...guideProps,
          network: { ...existing, subnetCidr: "10.1.2.0/24" },
          nodes: {},
          havips: [{}],
        }),
    ).toThrow(/keepalived\.virtualRouterId 51 is already used by cluster 'one\/web'/);
  });

  it("does not remember clusters of another app", () => {
    const existing = { vpcId: "vpc-shared", subnetCidr: "10.1.1.0/24", availabilityZone: "ap-guangzhou-3" };
    new HaVipCluster(new TerraformStack(Testing.app(), "one"), "web", { ...guideProps, network: existing, nodes: {}, havips: [{}] });
    expect(
      () =>
        new HaVipCluster(new TerraformStack(Testing.app(), "one"), "web", { ...guideProps, network: existing, nodes: {}, havips: [{}] }),
    ).not.toThrow();
  });

  it("rejects overlapping subnets in one VPC", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    const web = new HaVipCluster(stack, "web", guideProps);
    expect(
      () =>
        new HaVipCluster(stack, "db", {
          ...guideProps,
          network: { vpcId: web.vpcId, subnetCidr: "172.16.16.0/25", availabilityZone: "ap-guangzhou-3" },
          nodes: { primaryIp: "172.16.16.50", secondaryIp: "172.16.16.51" },
          havips: [{}],
          keepalived: { virtualRouterId: 52 },
        }),
    ).toThrow("network.subnetCidr 172.16.16.0/25 overlaps subnet 172.16.16.0/24 of cluster 'test/web' in the same VPC");
  });

  it("rejects a second cluster in the same existing subnet that reuses an address", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    const shared = { vpcId: "vpc-1", subnetId: "subnet-1", subnetCidr: "172.16.16.0/24", availabilityZone: "ap-guangzhou-3" };
    new HaVipCluster(stack, "web", { ...guideProps, network: shared });
    expect(
      () =>
        new HaVipCluster(stack, "db", {
          ...guideProps,
          network: shared,
          nodes: { primaryIp: "172.16.16.7", secondaryIp: "172.16.16.8" },
          keepalived: { virtualRouterId: 52 },
        }),
    ).toThrow("havips[0].address 172.16.16.12 is already havips[0].address of cluster 'test/web' in the same subnet");
  });
});
