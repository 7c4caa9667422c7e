import { describe, expect, it } from "vitest";
import { parseProvisionOutcome } from "../../../bench/provision-report";

const report = (changed: unknown) =>
  JSON.stringify({
    cluster: "lab",
    dryRun: false,
    changed,
    nodes: [
      { node: "a", keepalivedVersion: "2.2.7", install: "present", changedFiles: [], action: "none" },
      { node: "b", keepalivedVersion: "2.2.7", install: "present", changedFiles: [], action: "none" },
    ],
    vipHolder: "a",
  });

describe("parseProvisionOutcome", () => {
  it("reads changed, the VIP holder and each node's action", () => {
    expect(parseProvisionOutcome(report(0))).toEqual({ changed: 0, vipHolder: "a", actions: ["none", "none"] });
  });

  it("rejects output that is not JSON, quoting its start", () => {
    expect(() => parseProvisionOutcome("✔ Connect to a and b")).toThrow('provision --json printed no JSON report: "✔ Connect to a and b"');
  });

  it.each([undefined, "0", -1, 1.5])("rejects a report whose changed is %j", (changed) => {
    expect(() => parseProvisionOutcome(report(changed))).toThrow(/provision report field changed .* is not a count/);
  });
});
