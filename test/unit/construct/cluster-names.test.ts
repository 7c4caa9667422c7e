import { App, Testing, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { KeyPair } from "../../../.gen/providers/tencentcloud/key-pair";
import { HaVipCluster } from "../../../lib/construct";
import { keyPairName, KEY_PAIR_NAME_MAX_LENGTH, outputPrefix } from "../../../lib/construct/private/cluster-names";
import { SettingsError } from "../../../lib/core/settings-error";
import { guideProps, synthStack } from "../../fixtures/synth-cluster";

/** A second cluster that shares nothing with guideProps' network or router id. */
const elsewhere = {
  ...guideProps,
  network: { vpcCidr: "10.1.0.0/16", subnetCidr: "10.1.1.0/24", availabilityZone: "ap-guangzhou-3" },
  nodes: {},
  havips: [{}],
  keepalived: { virtualRouterId: 52 },
};

describe("key pair names", () => {
  it("keeps <name>_key for a name that fits as it is, as deployed clusters have it", () => {
    expect(keyPairName("web")).toBe("web_key");
    expect(keyPairName("payments_frontend_pro")).toBe("payments_frontend_pro_key");
  });

  it.each([
    ["payments-frontend-prod-a", "payments-frontend-prod-b"],
    ["web-a", "web_a"],
    ["a-very-long-cluster-name-1", "a-very-long-cluster-name-2"],
  ])("gives %s and %s different valid names", (first, second) => {
    const [a, b] = [keyPairName(first), keyPairName(second)];
    expect(a).not.toBe(b);
    for (const name of [a, b]) expect(name).toMatch(new RegExp(`^[A-Za-z0-9_]{1,${KEY_PAIR_NAME_MAX_LENGTH}}$`));
  });

  it("puts each cluster's own name on its key pair", () => {
    const result = synthStack((stack) => {
      new HaVipCluster(stack, "a", { ...guideProps, clusterName: "payments-frontend-prod-a" });
      new HaVipCluster(stack, "b", { ...elsewhere, clusterName: "payments-frontend-prod-b" });
    });
    const names = Object.values(result.resources(KeyPair.tfResourceType)).map((keyPair) => keyPair.key_name);
    expect(new Set(names).size).toBe(2);
  });
});

describe("output names", () => {
  it("stay <id>-<name> for a cluster directly in its stack", () => {
    const result = synthStack((stack) => new HaVipCluster(stack, "web", guideProps));
    expect(Object.keys(result.outputs())).toContain("web-spec");
  });

  it("are derived from the construct path, so one id under two parents keeps both sets", () => {
    const result = synthStack((stack) => {
      new HaVipCluster(new Construct(stack, "team-a"), "web", { ...guideProps, clusterName: "web-a" });
      new HaVipCluster(new Construct(stack, "team-b"), "web", { ...elsewhere, clusterName: "web-b" });
    });
    expect(Object.keys(result.outputs())).toEqual(expect.arrayContaining(["team-a_web-spec", "team-b_web-spec"]));
  });

  it("are valid Terraform names for an id with a space", () => {
    const result = synthStack((stack) => new HaVipCluster(stack, "web cluster", { ...guideProps, clusterName: "web" }));
    const names = Object.keys(result.outputs());
    expect(names).toContain("web_cluster-spec");
    for (const name of names) expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/);
  });

  it("never start with a digit or a dash", () => {
    expect(outputPrefix(["1st"])).toBe("_1st");
    expect(outputPrefix(["-x"])).toBe("_-x");
  });

  it("refuses two clusters whose output names would collide in one stack", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    new HaVipCluster(stack, "web a", { ...guideProps, clusterName: "web-a" });
    expect(() => new HaVipCluster(stack, "web_a", { ...elsewhere, clusterName: "web-b" })).toThrow(
      /web_a.*gives output names web_a-\*, as cluster 'test\/web a' in the same stack does/,
    );
  });
});

describe("cluster names across an app", () => {
  it("refuses the same clusterName in two stacks of one app", () => {
    const app = new App();
    new HaVipCluster(new TerraformStack(app, "blue"), "web", guideProps);
    expect(() => new HaVipCluster(new TerraformStack(app, "green"), "web", guideProps)).toThrow(SettingsError);
    expect(() => new HaVipCluster(new TerraformStack(app, "green2"), "web", guideProps)).toThrow(
      "clusterName web is already the name of cluster 'blue/web' in this app",
    );
  });

  it("accepts different names in two stacks", () => {
    const app = new App();
    new HaVipCluster(new TerraformStack(app, "blue"), "web", guideProps);
    expect(() => new HaVipCluster(new TerraformStack(app, "green"), "web", { ...guideProps, clusterName: "web-green" })).not.toThrow();
  });
});

describe("one existing subnet declared by two clusters", () => {
  it("refuses two different CIDRs for the same subnet id", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    const existing = { vpcId: "vpc-1", subnetId: "subnet-1", availabilityZone: "ap-guangzhou-3" };
    new HaVipCluster(stack, "web", { ...guideProps, network: { ...existing, subnetCidr: "172.16.16.0/24" } });
    expect(
      () =>
        new HaVipCluster(stack, "db", {
          ...guideProps,
          network: { ...existing, subnetCidr: "172.16.16.0/25" },
          nodes: { primaryIp: "172.16.16.7", secondaryIp: "172.16.16.8" },
          havips: [{ address: "172.16.16.13" }],
          keepalived: { virtualRouterId: 52 },
        }),
    ).toThrow("network.subnetCidr 172.16.16.0/25 differs from 172.16.16.0/24, which cluster 'test/web' gives for the same subnet subnet-1");
  });
});
