import { testLabPrefix } from "../test-lab-prefix";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Lab, labDown, labUp } from "../../lib/lab";
import { DRILL_NAMES, runDrills } from "../../lib/lab/drills";
import { provision, skipLab } from "./lab-fixture";

const PREFIX = testLabPrefix("havip-drill");

describe.skipIf(skipLab)("failover drills on the lab", () => {
  let lab: Lab;

  beforeAll(async () => {
    await labDown({ prefix: PREFIX });
    lab = await labUp({ prefix: PREFIX });
    const provisioned = await provision(lab);
    expect(provisioned.code).toBe(0);
  }, 90_000);

  afterAll(async () => {
    await labDown({ prefix: PREFIX });
  }, 30_000);

  for (const drill of DRILL_NAMES) {
    // How fast the VIP moves is the benchmark's business (npm run bench); here: that it moves, and
    // that every drill ends with exactly one holder.
    it(`${drill}: moves the VIP (and keeps it there, for nopreempt) and ends with exactly one holder`, async () => {
      const [result] = await runDrills(lab, [drill], () => undefined);
      expect(result.error).toBeUndefined();
      expect(result.finalHolders).toHaveLength(1);
      expect(result.vipMovedAfterSeconds).toBeDefined();
      if (drill === "old-master-returns") {
        expect(result.nopreemptHeld).toBe(true);
        expect(result.finalHolders).toEqual([result.faultOn === "a" ? "b" : "a"]);
      }
      expect(result.sent).toBeGreaterThan(0);
    }, 120_000);
  }
});
