import { describe, expect, it } from "vitest";
import {
  LINK_IMPAIRMENT_PROGRAM,
  impairedDirection,
  impairmentProgramArgv,
  linkImpairmentProblems,
  renderImpairmentRuleset,
} from "../../../lab/cloud-network";
import { PACKAGE_SERVER_PYTHON } from "../../../lab/roots/lab-package-server";

describe("a link impairment's names, rules and program arguments", () => {
  it("names each direction after its two ports: a TUN name that fits in 15 characters, a mark clear of the reserved tables", () => {
    const aToB = impairedDirection("pt000000a", "pt000000b");
    const bToA = impairedDirection("pt000000b", "pt000000a");
    expect(aToB).toEqual(impairedDirection("pt000000a", "pt000000b"));
    expect(aToB.device).toMatch(/^imp[0-9a-f]{6}$/);
    expect(aToB.nftTable).toBe(`havip_${aToB.device}`);
    expect(aToB.mark).toBeGreaterThanOrEqual(0x1000000);
    expect(aToB.mark).toBeLessThan(0x2000000);
    expect(bToA.device).not.toBe(aToB.device);
    expect(bToA.mark).not.toBe(aToB.mark);
  });

  it("marks what arrives on the sender's port and is routed to the receiver's, after DNAT, in a table of its own", () => {
    const direction = { fromPort: "pa", toPort: "pb", device: "imp123abc", mark: 0x1123abc, nftTable: "havip_imp123abc" };
    expect(renderImpairmentRuleset(direction)).toBe(
      [
        "table ip havip_imp123abc {}",
        "delete table ip havip_imp123abc",
        "table ip havip_imp123abc {",
        "  chain prerouting {",
        "    type filter hook prerouting priority dstnat + 10; policy accept;",
        '    iifname "pa" fib daddr oif "pb" meta mark set 0x1123abc',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("passes the device, a seed of the direction's own and the profile, with 0 for a knob left out", () => {
    const direction = impairedDirection("pa", "pb");
    const argv = impairmentProgramArgv(direction, { lossPercent: 5, delayMs: 20 }, 7);
    expect(argv.slice(0, 3)).toEqual([PACKAGE_SERVER_PYTHON, "-c", LINK_IMPAIRMENT_PROGRAM]);
    expect(argv.slice(3)).toEqual([direction.device, "7:pa>pb", "5", "20", "0"]);
    expect(impairmentProgramArgv(impairedDirection("pb", "pa"), {}, 7).slice(4)).toEqual(["7:pb>pa", "0", "0", "0"]);
  });

  it("accepts netem's ranges and nothing else, naming the field, the value and the rule", () => {
    expect(linkImpairmentProblems({ lossPercent: 10, delayMs: 50, jitterMs: 50, direction: "a-to-b", seed: 3 })).toEqual([]);
    expect(linkImpairmentProblems({})).toEqual([]);
    expect(
      linkImpairmentProblems({ lossPercent: 101, delayMs: -1, jitterMs: 1, seed: 1.5, direction: "b-to-a" as "a-to-b" }, "profile"),
    ).toEqual([
      "profile.lossPercent 101 is not a percentage from 0 to 100",
      "profile.delayMs -1 is not a number of milliseconds from 0 to 60000",
      "profile.jitterMs 1 is not from 0 to delayMs (-1): delayMs ± jitterMs must not go below 0",
      "profile.seed 1.5 is not an integer",
      'profile.direction b-to-a is not "both" or "a-to-b"',
    ]);
    expect(linkImpairmentProblems({ delayMs: 10, jitterMs: 11 })).toEqual([
      "impairment.jitterMs 11 is not from 0 to delayMs (10): delayMs ± jitterMs must not go below 0",
    ]);
    expect(linkImpairmentProblems({ lossPercent: Number.NaN })).toEqual(["impairment.lossPercent NaN is not a percentage from 0 to 100"]);
  });
});
