import { describe, expect, it } from "vitest";
import { clusterHealth, type KeepalivedObservation, nodeHealth, singleVipHolder, vipHolders } from "../../../lib/core/health";
import type { KeepalivedStatus } from "../../../lib/core/node/keepalived-service";

const VIP = "172.16.16.12";
const keepalived = (notifiedState: string | undefined, ...addresses: string[]): KeepalivedStatus => ({
  running: true,
  runState: "running",
  addresses,
  notifiedState,
});
const seen = (node: string, status?: KeepalivedStatus): KeepalivedObservation => ({
  node,
  reachable: status !== undefined,
  keepalived: status,
});

describe("nodeHealth: is a node healthy", () => {
  it.each([
    ["MASTER", true],
    ["BACKUP", true],
    ["FAULT", false],
    ["STOP", false],
    [undefined, false],
  ])("state %s: %s", (state, healthy) => {
    expect(nodeHealth(seen("a", keepalived(state))).healthy).toBe(healthy);
  });

  it("is not healthy when Keepalived is not running or the node does not answer, and says which", () => {
    expect(nodeHealth(seen("a", { running: false, runState: "stopping", addresses: [], notifiedState: "MASTER" }))).toEqual({
      node: "a",
      healthy: false,
      problem: "Keepalived is not running on a",
    });
    expect(nodeHealth(seen("b"))).toEqual({ node: "b", healthy: false, problem: "b does not answer" });
  });
});

describe("who holds the VIP", () => {
  it("is the node that carries every VIP; a node that carries only some is no holder but spoils a single holder", () => {
    const vips = [VIP, "172.16.16.13"];
    const both = [seen("a", keepalived("MASTER", VIP, "172.16.16.13")), seen("b", keepalived("BACKUP", "172.16.16.13"))];
    expect(vipHolders(vips, both)).toEqual(["a"]);
    expect(singleVipHolder(vips, both)).toBeUndefined();
    expect(singleVipHolder(vips, [both[0], seen("b", keepalived("BACKUP"))])).toBe("a");
  });

  it("is nobody on a node that did not answer", () => {
    expect(vipHolders([VIP], [seen("a")])).toEqual([]);
  });
});

describe("clusterHealth: is the pair healthy", () => {
  it("is healthy with both nodes healthy and exactly one holder", () => {
    expect(clusterHealth([VIP], [seen("a", keepalived("MASTER", VIP)), seen("b", keepalived("BACKUP"))])).toEqual({
      healthy: true,
      vipHolders: ["a"],
      nodes: [
        { node: "a", healthy: true },
        { node: "b", healthy: true },
      ],
      problems: [],
    });
  });

  it("is not healthy with a node in FAULT, though the VIP is held once (it could not take over)", () => {
    const verdict = clusterHealth([VIP], [seen("a", keepalived("MASTER", VIP)), seen("b", keepalived("FAULT"))]);
    expect(verdict.healthy).toBe(false);
    expect(verdict.problems).toEqual(["b is in state FAULT, not MASTER or BACKUP"]);
  });

  it("is not healthy in a split brain or with no holder", () => {
    expect(clusterHealth([VIP], [seen("a", keepalived("MASTER", VIP)), seen("b", keepalived("MASTER", VIP))]).problems).toEqual([
      "the VIP is held by a and b, not by exactly one node",
    ]);
    expect(clusterHealth([VIP], [seen("a", keepalived("BACKUP")), seen("b", keepalived("BACKUP"))]).problems).toEqual([
      "the VIP is held by nobody, not by exactly one node",
    ]);
  });

  it("is not healthy when the cloud disagrees or could not be asked", () => {
    const pair = [seen("a", keepalived("MASTER", VIP)), seen("b", keepalived("BACKUP"))];
    expect(clusterHealth([VIP], pair, { disagreements: ["the HAVIP is bound to b"] }).problems).toEqual(["the HAVIP is bound to b"]);
    expect(clusterHealth([VIP], pair, { disagreements: [], error: "timeout" }).healthy).toBe(false);
    expect(clusterHealth([VIP], pair, { disagreements: [] }).healthy).toBe(true);
  });
});
