import { describe, expect, it } from "vitest";
import type { KeepalivedStatus } from "../../../lib/core/node/keepalived-service";
import { vipCarriers, vipHolders } from "../../../lib/core/health";

describe("vipHolders and vipCarriers", () => {
  const status = (...addresses: string[]): KeepalivedStatus => ({ running: true, runState: "running", addresses });
  const vips = ["172.16.16.12", "172.16.16.13"];

  it("names only nodes that carry every VIP as holders", () => {
    const statuses = [
      { node: "primary", reachable: true, keepalived: status("172.16.16.5", "172.16.16.12", "172.16.16.13") },
      { node: "secondary", reachable: true, keepalived: status("172.16.16.6") },
    ];
    expect(vipHolders(vips, statuses)).toEqual(["primary"]);
    expect(vipCarriers(vips, statuses)).toEqual(["primary"]);
  });

  it("counts a node with only some VIPs as a carrier but not a holder", () => {
    const statuses = [
      { node: "primary", reachable: true, keepalived: status("172.16.16.12", "172.16.16.13") },
      { node: "secondary", reachable: true, keepalived: status("172.16.16.13") },
    ];
    expect(vipHolders(vips, statuses)).toEqual(["primary"]);
    expect(vipCarriers(vips, statuses)).toEqual(["primary", "secondary"]);
  });

  it("reports both nodes in a split brain, in input order", () => {
    const statuses = [
      { node: "primary", reachable: true, keepalived: status("172.16.16.12", "172.16.16.13") },
      { node: "secondary", reachable: true, keepalived: status("172.16.16.13", "172.16.16.12") },
    ];
    expect(vipHolders(vips, statuses)).toEqual(["primary", "secondary"]);
  });

  it("does not mistake an address that merely starts like the VIP for it", () => {
    expect(vipHolders(["172.16.16.1"], [{ node: "primary", reachable: true, keepalived: status("172.16.16.12") }])).toEqual([]);
  });

  it("finds nobody when no node carries a VIP", () => {
    const statuses = [{ node: "primary", reachable: true, keepalived: status("172.16.16.5") }];
    expect(vipHolders(vips, statuses)).toEqual([]);
    expect(vipCarriers(vips, statuses)).toEqual([]);
  });
});
