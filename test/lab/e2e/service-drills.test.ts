import { testLabPrefix } from "../test-lab-prefix";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Lab, labDown, labUp, vipHolders } from "../../../lab";
import { drillNamesFor, runDrills } from "../../../lab/drills";
import { parseProbeOutput } from "../../../lab/probe/probe-line";
import { labSpec, provision, skipLab } from "./lab-fixture";
import { labCliArgv } from "../../../lab/lab-cli-argv";
import { runInOperatorNamespace } from "../../../lab";

const PREFIX = testLabPrefix("havip-svc");
const peerOf = (server: string) => (server === "a" ? "b" : "a");

describe.skipIf(skipLab)("nginx behind the VIP (lab up --service nginx, trixie)", () => {
  let lab: Lab;

  beforeAll(async () => {
    await labDown({ prefix: PREFIX });
    lab = await labUp({ prefix: PREFIX, release: "trixie", service: "nginx", onStep: (step) => console.log(`lab ${PREFIX}: ${step}`) });
    const provisioned = await provision(lab);
    expect(provisioned.code).toBe(0);
  }, 300_000);

  afterAll(async () => {
    await labDown({ prefix: PREFIX });
  }, 30_000);

  it("puts nginx and its http health check in the lab's spec, and swaps health-check-fails for the service drills", () => {
    const spec = labSpec(lab);
    expect(spec.serviceSetup?.packages).toEqual(["nginx"]);
    expect(spec.healthCheck).toMatchObject({ kind: "http", url: "http://127.0.0.1/" });
    expect(drillNamesFor(lab)).not.toContain("health-check-fails");
    expect(drillNamesFor(lab)).toEqual(expect.arrayContaining(["nginx-dies-on-master", "nginx-dies-on-backup"]));
  });

  it("serves the VIP holder's own page through the VIP to a client in the operator namespace", async () => {
    const [holder] = await vipHolders(lab);
    const probe = [...labCliArgv("probe"), "--host", lab.vip, "--port", "80", "--http-path", "/", "--count", "3", "--interval", "50"];
    const result = await runInOperatorNamespace(lab, probe, { timeoutMs: 90_000 });
    expect(result.code).toBe(0);
    const samples = parseProbeOutput(result.stdout);
    expect(samples).toHaveLength(3);
    expect(samples.map((sample) => [sample.answered, sample.responder])).toEqual(Array(3).fill([true, lab.servers[holder].hostname]));
  });

  it("nginx-dies-on-master: the VIP moves to the peer, one holder, and HTTP is answered by the new node", async () => {
    const [result] = await runDrills(lab, ["nginx-dies-on-master"], () => undefined);
    expect(result.error).toBeUndefined();
    const newHolder = peerOf(result.faultOn as string);
    expect(result.vipMovedAfterSeconds).toBeDefined();
    expect(result.finalHolders).toEqual([newHolder]);
    expect(result.httpResponders).toEqual([result.faultOn, newHolder]);
    expect(result.lost).toBeGreaterThan(0);
  }, 180_000);

  it("nginx-dies-on-backup: nothing moves, one holder, and HTTP is answered by the master throughout", async () => {
    const master = (await vipHolders(lab))[0];
    const [result] = await runDrills(lab, ["nginx-dies-on-backup"], () => undefined);
    expect(result.error).toBeUndefined();
    expect(result.faultOn).toBe(peerOf(master));
    expect(result.note).toContain("went FAULT");
    expect(result.vipMovedAfterSeconds).toBeUndefined();
    expect(result.finalHolders).toEqual([master]);
    expect(result.httpResponders).toEqual([master]);
  }, 180_000);

  it("refuses the maintenance-flag drill on a service lab, naming its counterpart", async () => {
    await expect(runDrills(lab, ["health-check-fails"], () => undefined)).rejects.toThrow(
      /not the health check of a lab with --service nginx \(nginx-dies-on-master/,
    );
  });
});
