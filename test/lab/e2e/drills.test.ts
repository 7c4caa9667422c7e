import { testLabPrefix } from "../test-lab-prefix";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Lab, labDown, labStatus, labUp, vipHolders } from "../../../lab";
import { DRILL_NAMES, runDrills } from "../../../lab/drills";
import { cli, provision, skipLab } from "./lab-fixture";

const PREFIX = testLabPrefix("havip-drill");
/** Drills whose faulted server goes down and boots again: it must come back BACKUP and leave the VIP where it went. */
const RESTARTING_DRILLS: readonly string[] = ["machine-crash", "reboot"];

describe.skipIf(skipLab)("failover drills on a trixie lab", () => {
  let lab: Lab;

  beforeAll(async () => {
    await labDown({ prefix: PREFIX });
    lab = await labUp({ prefix: PREFIX, release: "trixie", onStep: (step) => console.log(`lab ${PREFIX}: ${step}`) });
    const provisioned = await provision(lab);
    expect(provisioned.code).toBe(0);
  }, 600_000);

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
      if (drill === "old-master-returns" || RESTARTING_DRILLS.includes(drill)) {
        expect(result.nopreemptHeld).toBe(true);
        expect(result.finalHolders).toEqual([result.faultOn === "a" ? "b" : "a"]);
      }
      expect(result.sent).toBeGreaterThan(0);
    }, 180_000);
  }

  it("failover-test --reboot: the master reboots, the VIP moves, the node comes back with Keepalived enabled and nopreempt holds", async () => {
    const holder = (await vipHolders(lab))[0];
    const result = await cli(lab, ["failover-test", "--reboot", "--json", "--probe-port", "9"], undefined, 240_000);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { passed: boolean; from: string; to: string; nopreemptHeld: boolean; problems: string[] };
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ passed: true, from: holder, to: holder === "a" ? "b" : "a", nopreemptHeld: true });
    const returned = (await labStatus(lab)).servers.find((server) => server.name === holder);
    expect(returned).toMatchObject({ systemState: "running", sshdRunning: true, vrrpState: "BACKUP" });
    expect(await vipHolders(lab)).toEqual([report.to]);
  }, 300_000);
});
