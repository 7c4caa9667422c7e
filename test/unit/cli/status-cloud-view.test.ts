import { afterEach, describe, expect, it } from "vitest";
import { formatStatusReport, readCloudView, type ClusterStatusReport } from "../../../lib/operations/status-report";
import type { ClusterSpec } from "../../../lib/core/cluster-settings";
import type { NodeStatusReport } from "../../../lib/operations/cluster-status";
import { testClusterSpec } from "../../fixtures/cluster-spec";
import { type FakeVpcApi, haVipRecord, haVipsAnswer, startFakeVpcApi } from "../../fixtures/fake-vpc-api";

const env = { TENCENTCLOUD_SECRET_ID: "AKIDtestonly", TENCENTCLOUD_SECRET_KEY: "test-secret", TENCENTCLOUD_REGION: "ap-guangzhou" };
const lab = testClusterSpec();
const spec: ClusterSpec = {
  ...lab,
  nodes: [
    { ...lab.nodes[0], name: "primary", instanceId: "ins-1" },
    { ...lab.nodes[1], name: "secondary", instanceId: "ins-2" },
  ],
  cloud: { vpcId: "vpc-abc", havipIds: ["havip-1"], eip: "203.0.113.9" },
};

function node(name: string, instanceId: string, state: string, holdsVips: string[]): NodeStatusReport {
  return {
    node: name,
    sshHost: "-",
    instanceId,
    reachable: true,
    keepalivedVersion: "2.2.7",
    keepalivedRunning: true,
    notifiedState: state,
    holdsVips,
    recentNotifyLog: [],
  };
}

let api: FakeVpcApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe("status: the cloud's view of the HAVIP", () => {
  it("asks DescribeHaVips for the cluster's HAVIP ids in its VPC and flags a binding on the other node", async () => {
    api = await startFakeVpcApi(() =>
      haVipsAnswer([
        haVipRecord({ HaVipId: "havip-1", Vip: "172.16.16.12", InstanceId: "ins-2", AddressIp: "203.0.113.9", VpcId: "vpc-abc" }),
      ]),
    );
    const nodes = [node("primary", "ins-1", "MASTER", ["172.16.16.12"]), node("secondary", "ins-2", "BACKUP", [])];
    const cloud = await readCloudView(spec, nodes, { cloudEndpoint: api.endpoint, cloudProtocol: "http", cloudAgent: api.agent }, env);

    expect(api.requests).toHaveLength(1);
    expect(api.requests[0].headers["x-tc-action"]).toBe("DescribeHaVips");
    expect(api.requests[0].headers["x-tc-region"]).toBe("ap-guangzhou");
    expect(api.requests[0].headers.authorization).toMatch(/^TC3-HMAC-SHA256 Credential=AKIDtestonly\/\d{4}-\d{2}-\d{2}\/vpc\/tc3_request/);
    const body = JSON.parse(api.requests[0].body) as { Filters: { Name: string; Values: string[] }[] };
    expect(body.Filters).toEqual(
      expect.arrayContaining([
        { Name: "havip-id", Values: ["havip-1"] },
        { Name: "vpc-id", Values: ["vpc-abc"] },
      ]),
    );

    expect(cloud?.bindings.map((b) => b.boundInstanceId)).toEqual(["ins-2"]);
    expect(cloud?.disagreements.map((d) => d.kind)).toEqual(["bound-to-other-node"]);
    const report: ClusterStatusReport = { cluster: "lab", vips: spec.vips, nodes, vipHolders: ["primary"], cloud, healthy: false };
    const text = formatStatusReport(report);
    expect(text).toContain("cloud: HAVIP 172.16.16.12 (havip-1) ");
    expect(text).toMatch(/DISAGREEMENT: .*ins-2.*MASTER on primary/);
    expect(text).toContain("NOT healthy");
  });

  it("agrees when the HAVIP is bound to the MASTER with the expected EIP", async () => {
    api = await startFakeVpcApi(() =>
      haVipsAnswer([
        haVipRecord({ HaVipId: "havip-1", Vip: "172.16.16.12", InstanceId: "ins-1", AddressIp: "203.0.113.9", VpcId: "vpc-abc" }),
      ]),
    );
    const nodes = [node("primary", "ins-1", "MASTER", ["172.16.16.12"]), node("secondary", "ins-2", "BACKUP", [])];
    const cloud = await readCloudView(spec, nodes, { cloudEndpoint: api.endpoint, cloudProtocol: "http", cloudAgent: api.agent }, env);
    expect(cloud?.disagreements).toEqual([]);
  });

  it("asks nothing without credentials", async () => {
    api = await startFakeVpcApi(() => haVipsAnswer([]));
    const cloud = await readCloudView(spec, [], { cloudEndpoint: api.endpoint, cloudProtocol: "http", cloudAgent: api.agent }, {});
    expect(cloud).toBeUndefined();
    expect(api.requests).toHaveLength(0);
  });
});

describe("status without the cloud's answer", () => {
  it("still shows the nodes, says why the cloud was not asked, and is not healthy", () => {
    const nodes = [node("primary", "ins-1", "MASTER", ["172.16.16.12"]), node("secondary", "ins-2", "BACKUP", [])];
    const text = formatStatusReport({
      cluster: "lab",
      vips: spec.vips,
      nodes,
      vipHolders: ["primary"],
      cloud: { bindings: [], disagreements: [], error: "DescribeHaVips: AuthFailure.SignatureFailure" },
      healthy: false,
    });
    expect(text).toMatch(/^primary .*MASTER/m);
    expect(text).toContain("cloud: could not ask DescribeHaVips: DescribeHaVips: AuthFailure.SignatureFailure");
    expect(text).toContain("NOT healthy");
  });
});
