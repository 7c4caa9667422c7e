import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import * as clusterSpecModule from "../../../lib/core/validation/cluster-spec";
import { renderNodeFiles } from "../../../lib/core/keepalived";
import { planProvisioning } from "../../../lib/core/plan/plan-provisioning";
import { specForConfigTest, stagingPaths } from "../../../lib/core/plan/plan-node-steps";
import { requireValidClusterSpec } from "../../../lib/core/validation";
import { readClusterSpec } from "../../../lib/spec/load-cluster-spec";
import { clusterSpec } from "../../fixtures/keepalived-spec";

vi.mock("../../../lib/core/validation/cluster-spec", async (importOriginal) => {
  const actual = await importOriginal<typeof clusterSpecModule>();
  return { ...actual, validateClusterSpec: vi.fn(actual.validateClusterSpec) };
});

const dir = mkdtempSync(join(tmpdir(), "havip-once-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("one provisioning run validates the spec once", () => {
  it("where it is read; planning, the password, rendering and the config-test copies do not validate it again", () => {
    const counted = vi.mocked(clusterSpecModule.validateClusterSpec);
    const file = join(dir, "spec.json");
    writeFileSync(file, JSON.stringify(clusterSpec({ scriptUser: "keepalived_script" })));
    counted.mockClear();

    const spec = readClusterSpec({ specFile: file }, {}, {});
    // provisionCluster's own check of the spec it is given:
    const valid = requireValidClusterSpec(spec);
    const [a, b] = valid.nodes;
    const observation = {
      facts: {
        osId: "debian",
        osPrettyName: "Debian",
        packageManager: "apt-get" as const,
        initSystem: "systemd" as const,
        interfaces: [],
        commands: [],
      },
      keepalived: { running: false, runState: "stopped" as const, addresses: [] },
      files: [],
      installedPackages: [],
      keepalivedHeld: false,
    };
    const plan = planProvisioning(
      valid,
      [
        { node: a, peer: b, keepalivedVersion: "2.2.7", observation },
        { node: b, peer: a, keepalivedVersion: "2.2.7", observation },
      ],
      { currentAuthPasses: [undefined, undefined], generateAuthPass: () => "Gen3rate" },
    );
    // What the executor renders for the staged config test, on a release that checks as root:
    renderNodeFiles(
      specForConfigTest(plan.spec, "2.2.7"),
      { ownIp: a.privateIp, peerIp: b.privateIp, keepalivedVersion: "2.2.7" },
      stagingPaths(),
    );

    expect(plan.nodes.every((node) => node.files.length === 4)).toBe(true);
    expect(counted).toHaveBeenCalledTimes(1);
  });
});
