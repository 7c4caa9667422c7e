import { describe, expect, it } from "vitest";
import type { HaVipBinding } from "../../../lib/cloud/havip-bindings";
import { compareKeepalivedWithCloud, KeepalivedNodeView } from "../../../lib/cloud/keepalived-cloud-comparison";

function binding(overrides: Partial<HaVipBinding> = {}): HaVipBinding {
  return {
    havipId: "havip-abc",
    address: "172.16.16.12",
    state: "AVAILABLE",
    boundInstanceId: "ins-1",
    boundNetworkInterfaceId: "eni-1",
    addressIp: "203.0.113.10",
    vpcId: "vpc-1",
    subnetId: "subnet-1",
    allowedInstanceIds: [],
    ...overrides,
  };
}

const primaryMaster: KeepalivedNodeView = { nodeName: "primary", instanceId: "ins-1", isMaster: true, holdsVip: true };
const secondaryBackup: KeepalivedNodeView = { nodeName: "secondary", instanceId: "ins-2", isMaster: false, holdsVip: false };
const healthyPair = [primaryMaster, secondaryBackup];

describe("compareKeepalivedWithCloud", () => {
  it("finds nothing when the HAVIP is bound to the MASTER's instance", () => {
    expect(compareKeepalivedWithCloud(healthyPair, [binding()], { eipByVip: { "172.16.16.12": "203.0.113.10" } })).toEqual([]);
  });

  it("matches a HAVIP bound to the MASTER's ENI", () => {
    const eniOnly = [{ ...primaryMaster, instanceId: undefined, networkInterfaceId: "eni-1" }, secondaryBackup];
    expect(compareKeepalivedWithCloud(eniOnly, [binding({ boundInstanceId: undefined })])).toEqual([]);
  });

  it("reports a HAVIP bound to the other node's instance", () => {
    expect(compareKeepalivedWithCloud(healthyPair, [binding({ boundInstanceId: "ins-2", boundNetworkInterfaceId: "eni-2" })])).toEqual([
      {
        kind: "bound-to-other-node",
        vip: "172.16.16.12",
        havipId: "havip-abc",
        message: "HAVIP 172.16.16.12 (havip-abc) is bound to secondary (ins-2) but Keepalived is MASTER on primary (ins-1)",
      },
    ]);
  });

  it("reports a HAVIP bound to an instance outside the pair", () => {
    const [disagreement] = compareKeepalivedWithCloud(healthyPair, [
      binding({ boundInstanceId: "ins-9", boundNetworkInterfaceId: "eni-9" }),
    ]);
    expect(disagreement.message).toBe("HAVIP 172.16.16.12 (havip-abc) is bound to ins-9 but Keepalived is MASTER on primary (ins-1)");
  });

  it("cannot blame a binding when no node has a known instance (the local lab)", () => {
    const labPair = healthyPair.map(({ nodeName, isMaster, holdsVip }) => ({ nodeName, isMaster, holdsVip }));
    expect(compareKeepalivedWithCloud(labPair, [binding({ boundInstanceId: "ins-9" })])).toEqual([]);
  });

  it("reports a VIP held by no node", () => {
    const nobody = healthyPair.map((node) => ({ ...node, isMaster: false, holdsVip: false }));
    expect(compareKeepalivedWithCloud(nobody, [binding()]).map((found) => [found.kind, found.message])).toEqual([
      ["vip-held-by-no-node", "HAVIP 172.16.16.12 (havip-abc) is held by no node: Keepalived is MASTER on none"],
    ]);
  });

  it("reports a MASTER that does not have the address on its interface", () => {
    const withoutAddress = [{ ...primaryMaster, holdsVip: false }, secondaryBackup];
    const [disagreement] = compareKeepalivedWithCloud(withoutAddress, [binding()]);
    expect(disagreement.message).toBe(
      "HAVIP 172.16.16.12 (havip-abc) is held by no node: Keepalived is MASTER on primary (ins-1) but the address is not on its interface",
    );
  });

  it("reports split brain when both nodes hold the VIP", () => {
    const both = [primaryMaster, { ...secondaryBackup, isMaster: true, holdsVip: true }];
    expect(compareKeepalivedWithCloud(both, [binding()]).map((found) => [found.kind, found.message])).toEqual([
      ["split-brain", "HAVIP 172.16.16.12 (havip-abc) is on primary (ins-1) and secondary (ins-2) at once (split brain)"],
    ]);
  });

  it("reports a HAVIP the cloud has bound to nothing while a node is MASTER", () => {
    const unbound = binding({ state: "UNBIND", boundInstanceId: undefined, boundNetworkInterfaceId: undefined });
    expect(compareKeepalivedWithCloud(healthyPair, [unbound]).map((found) => [found.kind, found.message])).toEqual([
      ["havip-unbound", "HAVIP 172.16.16.12 (havip-abc) is bound to no instance or ENI but Keepalived is MASTER on primary (ins-1)"],
    ]);
  });

  it("reports an expected VIP that has no HAVIP in the cloud", () => {
    expect(compareKeepalivedWithCloud(healthyPair, [binding()], { vips: ["172.16.16.12", "172.16.16.13"] })).toEqual([
      { kind: "havip-not-found", vip: "172.16.16.13", message: "VIP 172.16.16.13 has no HAVIP in the cloud" },
    ]);
  });

  it("ignores HAVIPs of other addresses when the expected VIPs are given", () => {
    const stranger = binding({ havipId: "havip-other", address: "172.16.16.99", boundInstanceId: "ins-9" });
    expect(compareKeepalivedWithCloud(healthyPair, [binding(), stranger], { vips: ["172.16.16.12"] })).toEqual([]);
  });

  it("reports an expected EIP that is not attached", () => {
    const found = compareKeepalivedWithCloud(healthyPair, [binding({ addressIp: undefined })], {
      eipByVip: { "172.16.16.12": "203.0.113.10" },
    });
    expect(found.map((entry) => [entry.kind, entry.message])).toEqual([
      ["eip-not-attached", "HAVIP 172.16.16.12 (havip-abc) should have EIP 203.0.113.10 attached but has none"],
    ]);
  });

  it("reports a different EIP than expected", () => {
    const found = compareKeepalivedWithCloud(healthyPair, [binding({ addressIp: "203.0.113.77" })], {
      eipByVip: { "172.16.16.12": "203.0.113.10" },
    });
    expect(found.map((entry) => entry.kind)).toEqual(["eip-mismatch"]);
    expect(found[0].message).toBe("HAVIP 172.16.16.12 (havip-abc) has EIP 203.0.113.77 attached, expected 203.0.113.10");
  });

  it("checks each VIP against the node that holds that VIP when heldVips is known", () => {
    const second = binding({ havipId: "havip-def", address: "172.16.16.13", boundInstanceId: "ins-2", boundNetworkInterfaceId: "eni-2" });
    const perVip = [
      { ...primaryMaster, heldVips: ["172.16.16.12"] },
      { ...secondaryBackup, heldVips: [] },
    ];
    expect(compareKeepalivedWithCloud(perVip, [binding(), second]).map((found) => [found.havipId, found.kind])).toEqual([
      ["havip-def", "vip-held-by-no-node"],
      ["havip-def", "bound-to-other-node"],
    ]);
  });
});
