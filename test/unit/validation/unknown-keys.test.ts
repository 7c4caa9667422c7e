import { Testing, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { parseExampleConfig } from "../../../app/example-config";
import { HaVipCluster, type HaVipClusterProps, type HaVipNodesProps } from "../../../lib/construct";
import type { ServiceSetup } from "../../../lib/core/cluster-settings";
import { SettingsError, describeProblem } from "../../../lib/core/settings-error";
import { validateClusterSpec } from "../../../lib/core/validation";
import { keyTable } from "../../../lib/core/validation/setting-keys";
import { guideProps } from "../../fixtures/synth-cluster";
import { clusterSpec } from "../../fixtures/keepalived-spec";
import { withValueAt } from "../../fixtures/hostile-values";

/** The message of every problem the construct finds in `props`, or [] when it builds. */
function constructProblems(props: unknown): string[] {
  try {
    new HaVipCluster(new TerraformStack(Testing.app(), "test"), "web", props as HaVipClusterProps);
    return [];
  } catch (error) {
    if (error instanceof SettingsError) return error.problems.map(describeProblem);
    throw error;
  }
}

function configProblems(config: unknown): string[] {
  try {
    parseExampleConfig(config, "havip-cluster.config.json");
    return [];
  } catch (error) {
    if (error instanceof SettingsError) return error.problems.map(describeProblem);
    throw error;
  }
}

describe("a misspelt key is refused where the user wrote it, naming its path and the nearest known key", () => {
  it.each([
    ["nodes.primaryIP", "nodes.primaryIP (a string) is not a known key (did you mean primaryIp?)"],
    ["network.vpcCIDR", "network.vpcCIDR (a string) is not a known key (did you mean vpcCidr?)"],
    ["havips[0].adress", "havips[0].adress (a string) is not a known key (did you mean address?)"],
    ["serviceIngress[0].cidr", "serviceIngress[0].cidr (a string) is not a known key"],
    ["eip.bandwidthMpbs", "eip.bandwidthMpbs (a string) is not a known key (did you mean bandwidthMbps?)"],
    ["sshPublickey", "sshPublickey (a string) is not a known key (did you mean sshPublicKey?)"],
    ["keepalived.serviceSetup.pakages", "keepalived.serviceSetup.pakages (a string) is not a known key (did you mean packages?)"],
    ["ssh.jumpHost.hots", "ssh.jumpHost.hots (a string) is not a known key (did you mean host?)"],
  ])("props: %s", (path, message) => {
    const base = { ...guideProps, serviceIngress: [{ protocol: "TCP", port: "80", cidrBlock: "0.0.0.0/0" }], eip: {} };
    const withTypo = withValueAt(base, path, "172.16.16.5");
    const problems = constructProblems(withTypo);
    expect(problems.find((problem) => problem.startsWith(`${path} `))).toContain(message);
  });

  it("props: builds the same props without the typo", () => {
    expect(
      constructProblems({ ...guideProps, serviceIngress: [{ protocol: "TCP", port: "80", cidrBlock: "0.0.0.0/0" }], eip: {} }),
    ).toEqual([]);
  });

  it.each([
    ["serviceSetup.pakages", "spec.serviceSetup.pakages (a string) is not a known key (did you mean packages?)"],
    ["nodes[0].privateIP", "spec.nodes[0].privateIP (a string) is not a known key (did you mean privateIp?)"],
    ["cloud.havipId", "spec.cloud.havipId (a string) is not a known key (did you mean havipIds?)"],
    ["keepalivedSource.sha", "spec.keepalivedSource.sha (a string) is not a known key"],
  ])("spec: %s", (path, message) => {
    const spec = {
      ...clusterSpec({ serviceSetup: { packages: ["nginx"] }, cloud: { vpcId: "vpc-1" } }),
      keepalivedSource: { url: "https://example.com/k.tar.gz", sha256: "0".repeat(64) },
    };
    const problems = validateClusterSpec(withValueAt(spec, path, "x")).map(describeProblem);
    expect(problems.find((problem) => problem.startsWith(`spec.${path} `))).toContain(message);
  });

  it.each([
    ["nodes.primaryIP", "nodes.primaryIP (a string) is not a known key (did you mean primaryIp?)"],
    ["keepalived.serviceSetup.pakages", "keepalived.serviceSetup.pakages (a string) is not a known key (did you mean packages?)"],
    ["backend.cos.bukcet", "backend.cos.bukcet (a string) is not a known key (did you mean bucket?)"],
  ])("config file: %s", (path, message) => {
    const config = { keepalived: { virtualRouterId: 51, serviceSetup: { packages: ["nginx"] } }, backend: { cos: { bucket: "b" } } };
    const problems = configProblems(withValueAt(config, path, "x"));
    expect(problems.find((problem) => problem.startsWith(`${path} `))).toContain(message);
  });

  it("config file: takes every props field, the service setup, the hooks and the nodes' user data included", () => {
    expect(
      configProblems({
        nodes: { userData: "#cloud-config\n" },
        keepalived: {
          virtualRouterId: 51,
          hooks: { master: "true" },
          nonlocalBind: false,
          serviceSetup: { packages: ["nginx"], command: "true" },
        },
      }),
    ).toEqual([]);
  });

  it("the key tables are checked against the types: one that misses a key, or names one the type lacks, does not compile", () => {
    // @ts-expect-error command is missing
    const missing = keyTable<ServiceSetup>({ packages: "leaf" });
    // @ts-expect-error primaryIP is not a key of HaVipNodesProps
    const extra = keyTable<Pick<HaVipNodesProps, "primaryIp">>({ primaryIp: "leaf", primaryIP: "leaf" });
    expect([missing, extra].map((table) => Object.keys(table.keys))).toEqual([["packages"], ["primaryIp", "primaryIP"]]);
  });
});
