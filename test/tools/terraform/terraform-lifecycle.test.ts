import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { HaVipClusterProps } from "../../../lib/construct";
import { recordProvisionerRuns } from "../../fixtures/terraform/recorded-provisioners";
import { withStandIns } from "../../fixtures/terraform/stand-in-config";
import { checkWithTerraform } from "../../fixtures/terraform/terraform-check";
import { skipTerraform, TerraformWorkdir } from "../../fixtures/terraform/terraform-workdir";
import { guideProps, synthCluster } from "../../fixtures/synth-cluster";

type Blocks = Record<string, Record<string, unknown>>;

/** The stand-in configuration of a cluster, as the apply test gives it to Terraform. */
function standInCluster(props: Partial<HaVipClusterProps>, options: Parameters<typeof withStandIns>[1] = {}) {
  const { config } = withStandIns(JSON.parse(synthCluster(props).json) as Parameters<typeof withStandIns>[0], options);
  return { config, blocks: (config.resource as Record<string, Blocks>).terraform_data };
}

/** The only block whose name starts with `prefix`. */
function nameOf(blocks: Blocks, prefix: string): string {
  const names = Object.keys(blocks).filter((name) => name.startsWith(prefix));
  if (names.length !== 1) throw new Error(`expected one block named ${prefix}*, found ${names.join(", ") || "none"}`);
  return names[0];
}

/** Line index of the first line mentioning `part` and `event` in Terraform's output. */
function lineOf(output: string, part: string, event: string): number {
  const index = output.split("\n").findIndex((line) => line.includes(part) && line.includes(event));
  if (index < 0) throw new Error(`no "${event}" for ${part} in:\n${output}`);
  return index;
}

describe.skipIf(skipTerraform)("the day-2 lifecycle settings as Terraform reads them", () => {
  it.each([
    ["an auto-assigned HAVIP and the default image lookup", { havips: [{}] }],
    ["fixed HAVIPs and an explicit image", { nodes: { ...guideProps.nodes, imageId: "img-0123abcd" } }],
    ["no public SSH", { publicSsh: false, ssh: { ...guideProps.ssh, jumpHost: { host: "203.0.113.9" } } }],
  ])(
    "validates and plans with %s: replace_triggered_by, ignore_changes, postconditions, depends_on and gates, no cycle",
    (_, props) => {
      for (const idsChangeOnReplace of [false, true]) {
        const result = checkWithTerraform(synthCluster(props).json, {
          idsChangeOnReplace,
          computed: { "tencentcloud_ha_vip.web_havip-1_71978F88.vip": "172.16.16.100" },
        });
        expect(result.planText).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
        expect(Object.keys(result.resources)).toEqual(
          expect.arrayContaining([expect.stringMatching(/web_primary-gate_/), expect.stringMatching(/web_secondary-gate_/)]),
        );
      }
    },
    60_000,
  );

  it("would reject a replace_triggered_by written as an interpolation (the stand-in keeps the form cdktf emits)", () => {
    const { config, blocks } = standInCluster({});
    const lock = blocks[nameOf(blocks, "tencentcloud_ha_vip_instance_attachment__web_havip-1-primary-lock_")];
    const life = lock.lifecycle as { replace_triggered_by: string[] };
    expect(life.replace_triggered_by).toEqual([`terraform_data.${nameOf(blocks, "tencentcloud_instance__web_primary_")}.id`]);
    life.replace_triggered_by = life.replace_triggered_by.map((ref) => `\${${ref}}`);
    const workdir = new TerraformWorkdir();
    try {
      workdir.write(config);
      // Terraform refuses it as soon as it reads the configuration (init already).
      expect(() => {
        workdir.init();
        workdir.validate();
      }).toThrow(/lifecycle\.replace_triggered_by:[\s\S]*Invalid expression/);
    } finally {
      workdir.dispose();
    }
  }, 60_000);
});

describe.skipIf(skipTerraform)("a resize of both nodes, applied by Terraform", () => {
  it("changes the primary, runs its gate, and only then changes the secondary; the drift locks stay until a node is replaced; destroy works", () => {
    const workdir = new TerraformWorkdir();
    const log = join(workdir.dir, "runs.log");
    let seen = 0;
    /** The provisioner runs recorded since the last call: `<address> <argv>` each. */
    const newRuns = () => {
      const all = readFileSync(log, "utf8").split("\n").filter(Boolean);
      const fresh = all.slice(seen);
      seen = all.length;
      return fresh;
    };
    const deploy = (props: Partial<HaVipClusterProps>, computed: Record<string, string> = {}) => {
      const stack = standInCluster(props, { idsChangeOnReplace: true, computed });
      recordProvisionerRuns(stack.config, log);
      workdir.write(stack.config);
      return stack.blocks;
    };
    try {
      const blocks = deploy({});
      const primary = nameOf(blocks, "tencentcloud_instance__web_primary_");
      const secondary = nameOf(blocks, "tencentcloud_instance__web_secondary_");
      const primaryGate = nameOf(blocks, "web_primary-gate_");
      const secondaryGate = nameOf(blocks, "web_secondary-gate_");
      const pair = nameOf(blocks, "web_provision_");
      const preflight = nameOf(blocks, "web_preflight_");
      const gateRun = (gate: string, args: string) =>
        expect.stringMatching(new RegExp(`^terraform_data\\.${gate} node \\S+havip-cluster\\.cjs ${args}$`));
      const runsInOrder = [
        gateRun(primaryGate, "provision --node primary --peer-via-node"),
        gateRun(secondaryGate, "provision --node secondary"),
        gateRun(pair, "provision"),
      ];

      workdir.init();
      const first = workdir.apply();
      expect(first).toContain("Apply complete!");
      // A first deploy: the preflight before anything else is created, each gate, then the whole pair.
      expect(newRuns()).toEqual([gateRun(preflight, "preflight"), ...runsInOrder]);
      const preflightDone = lineOf(first, `${preflight}:`, "Creation complete");
      // (The image lookup's stand-in is a data source: it creates nothing in the cloud.)
      const firstResourceCreated = first
        .split("\n")
        .findIndex((line) => /: Creating\.\.\./.test(line) && !line.includes(preflight) && !line.includes("data__"));
      expect(firstResourceCreated).toBeGreaterThan(preflightDone);

      // Both nodes resized (a second configuration, from the construct's props).
      const resizedProps = { nodes: { ...guideProps.nodes, instanceType: "S5.LARGE8" } };
      const resizedBlocks = deploy(resizedProps);
      expect((resizedBlocks[primary].input as { instance_type: string }).instance_type).toBe("S5.LARGE8");
      const resized = workdir.apply();
      expect(resized).toContain("Apply complete!");
      const primaryChanged = lineOf(resized, `${primary}:`, "Modifications complete");
      const primaryGated = lineOf(resized, `${primaryGate}:`, "Creation complete");
      const secondaryStarts = lineOf(resized, `${secondary}:`, "Modifying...");
      const secondaryGateStarts = lineOf(resized, `${secondaryGate}:`, "Creating...");
      expect(primaryChanged).toBeLessThan(primaryGated);
      expect(primaryGated).toBeLessThan(secondaryStarts);
      expect(secondaryStarts).toBeLessThan(secondaryGateStarts);
      expect(resized).not.toMatch(/lock_\w+: (Destroying|Creating)/);
      // The gates did the per-node work; the pair's run repeats only when the spec or an instance id changes.
      expect(newRuns()).toEqual(runsInOrder.slice(0, 2));
      expect(resized).not.toContain(`${pair}: Creating...`);

      // The image lookup now finds a newer image: the pin ignores it, neither CVM changes, no gate runs.
      const [imageLookup] = Object.keys(synthCluster().data("tencentcloud_images"));
      const newerImage = deploy(resizedProps, { [`tencentcloud_images.${imageLookup}.images.image_id`]: "img-newer" });
      expect(newerImage[`data__tencentcloud_images__${imageLookup}`].input).toMatchObject({ images: [{ image_id: "img-newer" }] });
      const pinned = workdir.apply();
      expect(pinned).toContain("Apply complete!");
      expect(pinned).toContain(`data__tencentcloud_images__${imageLookup}: Modifications complete`);
      expect(pinned).not.toMatch(/tencentcloud_instance__\w+: (Modifying|Destroying|Creating)/);
      expect(newRuns()).toEqual([]);

      // A replaced primary: its lock is attached again and its gate re-runs; the secondary's lock stays.
      const replaced = workdir.apply([`-replace=terraform_data.${primary}`]);
      expect(replaced).toContain("Apply complete!");
      expect(replaced).toMatch(/havip-1-primary-lock_\w+: Creation complete/);
      expect(replaced).toMatch(/web_primary-gate_\w+: Creation complete/);
      expect(replaced).not.toMatch(/havip-1-secondary-lock_\w+: (Destroying|Creating)/);
      expect(replaced).not.toContain(`${secondary}: Modifying...`);
      // The secondary's gate follows the primary's, and the whole pair's run comes last (a new instance id).
      expect(lineOf(replaced, `${primaryGate}:`, "Creation complete")).toBeLessThan(lineOf(replaced, `${secondaryGate}:`, "Creating..."));
      expect(lineOf(replaced, `${secondaryGate}:`, "Creation complete")).toBeLessThan(lineOf(replaced, `${pair}:`, "Creating..."));
      expect(newRuns()).toEqual(runsInOrder);

      // Destroy runs no provisioner and takes the secondary down before the primary.
      const destroyed = workdir.destroy();
      expect(destroyed).toContain("Destroy complete!");
      expect(newRuns()).toEqual([]);
      expect(lineOf(destroyed, `${secondary}:`, "Destruction complete")).toBeLessThan(
        lineOf(destroyed, `${primary}:`, "Destruction complete"),
      );
    } finally {
      workdir.dispose();
    }
  }, 180_000);
});
