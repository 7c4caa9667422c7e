import { describe, expect, it } from "vitest";
import {
  bindingMovesBetween,
  bindingSequence,
  bindingSettledOn,
  clientShare,
  LATE_RELEASE_ALLOWANCE_MS,
  longestGapBetween,
  NO_HANDOVER_YET,
  perHour,
  recordBinding,
  recordHandover,
  type BindingChange,
} from "../../../lab/drills/drill-findings";
import { parseLinkProfile, describeLinkProfile } from "../../../lab/drills";
import { drillBounds, partitionHoldSeconds, BARE_LAB_TIMING } from "../../../lab/drills/drill-timing";

function timeline(readings: [number, string | undefined][]): BindingChange[] {
  const changes: BindingChange[] = [];
  for (const [atMs, node] of readings) recordBinding(changes, atMs, node);
  return changes;
}

describe("the cloud's binding as a drill records it", () => {
  const swapping = timeline([
    [0, "primary"],
    [50, "primary"],
    [1000, "secondary"],
    [1050, "secondary"],
    [6000, "primary"],
    [11000, "secondary"],
    [20000, "secondary"],
  ]);

  it("keeps only the changes", () => {
    expect(swapping.map((change) => change.atMs)).toEqual([0, 1000, 6000, 11000]);
  });

  it("counts the moves within a window, not the binding it started with", () => {
    expect(bindingMovesBetween(swapping, 0, 20000)).toHaveLength(3);
    expect(bindingMovesBetween(swapping, 1000, 10000)).toHaveLength(1);
  });

  it("lists the nodes the binding was on within a window, in order", () => {
    expect(bindingSequence(swapping, 500, 20000)).toEqual(["primary", "secondary", "primary", "secondary"]);
  });

  it("says when the binding came to rest on a node, and nothing when it ended elsewhere", () => {
    expect(bindingSettledOn(swapping, "secondary", 500)).toBe(11000);
    expect(bindingSettledOn(swapping, "primary", 500)).toBeUndefined();
    expect(bindingSettledOn(swapping, "secondary", 15000)).toBe(15000);
  });
});

describe("the client's samples on the host's clock", () => {
  const samples = [
    { atMs: 0, answered: true, responder: "node-a" },
    { atMs: 50, answered: true, responder: "node-a" },
    { atMs: 100, answered: false },
    { atMs: 150, answered: false },
    { atMs: 200, answered: true, responder: "node-b" },
    { atMs: 250, answered: true, responder: "node-a" },
  ];

  it("splits the answered time between the nodes and counts the switches", () => {
    const share = clientShare(samples, 0, 250, 50, (word) => word.replace("node-", ""));
    expect(share.secondsByNode).toEqual({ a: 0.15, b: 0.05 });
    expect(share.switches).toBe(2);
  });

  it("finds the longest gap between answers within a window, edges included", () => {
    expect(longestGapBetween(samples, 0, 250, 50)).toBe(150);
    expect(longestGapBetween(samples, 75, 175, 50)).toBe(100);
  });

  it("scales a count to an hour of the time it was counted in", () => {
    expect(perHour(2, 600)).toBe(12);
    expect(perHour(3, 0)).toBe(0);
  });
});

describe("the lossy link's profile as written on the command line", () => {
  it("reads any subset of loss, delay and jitter", () => {
    expect(parseLinkProfile("loss=5,delay=20,jitter=10")).toEqual({ lossPercent: 5, delayMs: 20, jitterMs: 10 });
    expect(parseLinkProfile("loss=1")).toEqual({ lossPercent: 1 });
    expect(describeLinkProfile({ lossPercent: 2, delayMs: 100, jitterMs: 50 })).toBe("loss 2 %, delay 100 ± 50 ms");
  });

  it.each([
    ["loss=5,rate=3", '"rate=3" is not loss=PERCENT, delay=MS or jitter=MS'],
    ["loss=150", "loss 150 is more than 100 %"],
    ["delay=10,jitter=20", "jitter 20 ms is more than the delay (10 ms)"],
  ])("refuses %s, naming what is wrong", (text, message) => {
    expect(() => parseLinkProfile(text)).toThrow(message);
  });
});

describe("how long the partition drill keeps the nodes apart", () => {
  it("on a cloud, long enough for the switch delay and three gratuitous-ARP refreshes beyond two master-down intervals", () => {
    const bounds = drillBounds({ ...BARE_LAB_TIMING, advertIntSeconds: 2, switchDelaySeconds: 4 });
    expect(partitionHoldSeconds(bounds, true)).toBeCloseTo(2 * bounds.masterDownS + 4 + 3 * 6, 6);
    expect(partitionHoldSeconds(bounds, false)).toBeCloseTo(2 * bounds.masterDownS, 6);
  });
});

describe("the VIP holders while a master goes down and comes back", () => {
  const sampled = (samples: [number, string[]][]) =>
    samples.reduce((record, [atMs, holders]) => recordHandover(record, "secondary", holders, atMs), NO_HANDOVER_YET);

  it("times the peer's takeover from its first sample and finds no split in a clean handover", () => {
    const record = sampled([
      [0, ["primary"]],
      [50, []],
      [100, ["secondary"]],
      [9000, ["secondary"]],
    ]);
    expect(record).toEqual({ peerHeldAtMs: 100, lateReleaseMs: 0 });
  });

  it("allows the node going down to show the VIP a moment after the peer took it (Keepalived announces priority 0 before it deletes)", () => {
    const record = sampled([
      [0, ["primary"]],
      [50, ["primary", "secondary"]],
      [100, ["primary", "secondary"]],
      [150, ["secondary"]],
    ]);
    expect(record).toEqual({ peerHeldAtMs: 50, lateReleaseMs: 50 });
  });

  it("calls two holders a split once the allowance has passed: a node that takes the VIP back after booting", () => {
    const record = sampled([
      [0, ["primary"]],
      [100, ["secondary"]],
      [100 + LATE_RELEASE_ALLOWANCE_MS + 1, ["secondary", "primary"]],
      [20_000, ["primary", "secondary"]],
    ]);
    expect(record.twoHoldersAtMs).toBe(100 + LATE_RELEASE_ALLOWANCE_MS + 1);
    expect(record.lateReleaseMs).toBe(0);
  });

  it("calls an overlap that outlasts the allowance a split, even one that began as a takeover", () => {
    const record = sampled([
      [0, ["primary", "secondary"]],
      [LATE_RELEASE_ALLOWANCE_MS + 50, ["primary", "secondary"]],
    ]);
    expect(record.twoHoldersAtMs).toBe(LATE_RELEASE_ALLOWANCE_MS + 50);
  });
});
