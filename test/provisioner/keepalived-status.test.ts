import { describe, expect, it } from "vitest";
import type { KeepalivedStatus } from "../../lib/provisioner/keepalived-service";
import { nodesCarryingAnyVip, nodesHoldingVips } from "../../lib/provisioner/vip-holders";

describe("nodesHoldingVips and nodesCarryingAnyVip", () => {
  const status = (...addresses: string[]): KeepalivedStatus => ({ running: true, runState: "running", addresses });
  const vips = ["172.16.16.12", "172.16.16.13"];

  it("names only nodes that carry every VIP as holders", () => {
    const statuses = [
      { nodeName: "primary", status: status("172.16.16.5", "172.16.16.12", "172.16.16.13") },
      { nodeName: "secondary", status: status("172.16.16.6") },
    ];
    expect(nodesHoldingVips(vips, statuses)).toEqual(["primary"]);
    expect(nodesCarryingAnyVip(vips, statuses)).toEqual(["primary"]);
  });

  it("counts a node with only some VIPs as a carrier but not a holder", () => {
    const statuses = [
      { nodeName: "primary", status: status("172.16.16.12", "172.16.16.13") },
      { nodeName: "secondary", status: status("172.16.16.13") },
    ];
    expect(nodesHoldingVips(vips, statuses)).toEqual(["primary"]);
    expect(nodesCarryingAnyVip(vips, statuses)).toEqual(["primary", "secondary"]);
  });

  it("reports both nodes in a split brain, in input order", () => {
    const statuses = [
      { nodeName: "primary", status: status("172.16.16.12", "172.16.16.13") },
      { nodeName: "secondary", status: status("172.16.16.13", "172.16.16.12") },
    ];
    expect(nodesHoldingVips(vips, statuses)).toEqual(["primary", "secondary"]);
  });

  it("does not mistake an address that merely starts like the VIP for it", () => {
    expect(nodesHoldingVips(["172.16.16.1"], [{ nodeName: "primary", status: status("172.16.16.12") }])).toEqual([]);
  });

  it("finds nobody when no node carries a VIP", () => {
    const statuses = [{ nodeName: "primary", status: status("172.16.16.5") }];
    expect(nodesHoldingVips(vips, statuses)).toEqual([]);
    expect(nodesCarryingAnyVip(vips, statuses)).toEqual([]);
  });
});
