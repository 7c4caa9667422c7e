import { testLabPrefix } from "../test-lab-prefix";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Lab, labDown, labStatus, labUp, vipHolders } from "../../../lab";
import { bareLabTarget, runDrills } from "../../../lab/drills";
import { cli, provision, skipLab } from "./lab-fixture";

const PREFIX = testLabPrefix("havip-drill");

describe.skipIf(skipLab)("the bare lab's own drills (trixie): the maintenance flag, failover-test --reboot", () => {
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

  // The other drills run on the local cloud (cloud-deploy.test.ts), through the cloud's binding and
  // the EIP. What only the bare lab has: the maintenance-flag health check (the cloud lab's example
  // runs nginx behind the VIP, with an http check).
  it("health-check-fails: the maintenance flag moves the VIP to the peer and ends with exactly one holder", async () => {
    const [result] = await runDrills(bareLabTarget(lab), ["health-check-fails"], () => undefined);
    expect(result.error).toBeUndefined();
    expect(result.vipMovedAfterSeconds).toBeDefined();
    expect(result.finalHolders).toHaveLength(1);
    expect(result.sent).toBeGreaterThan(0);
  }, 180_000);

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
