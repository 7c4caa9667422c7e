import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { HaVipClusterProps } from "../../../lib/construct";
import { parseExampleConfig } from "../../../app/example-config";
import { loadClusterSpec } from "../../../lib/spec/load-cluster-spec";
import { SettingsError } from "../../../lib/core/settings-error";
import { guideProps } from "../../fixtures/synth-cluster";
import { jsonValue, withValueAt } from "../../fixtures/hostile-values";
import { constructVerdict } from "../../fixtures/construct-verdict";
import { specScratch } from "../../fixtures/spec-scratch";

const scratch = specScratch();
afterAll(() => scratch.remove());

/** The construct's props with the same SSH and source settings as the spec, so the two start equal and valid. */
const props: HaVipClusterProps = {
  ...guideProps,
  clusterName: scratch.spec.clusterName,
  keepalived: { virtualRouterId: scratch.spec.virtualRouterId, interfaceName: scratch.spec.interfaceName },
  ssh: scratch.spec.ssh,
  keepalivedSource: scratch.spec.keepalivedSource,
};

/**
 * One field as the construct and the spec spell it. The private-key path is left out: only the
 * CLI can check that the file exists (the construct runs where the key may not be).
 */
const SHARED_FIELDS: readonly (readonly [construct: string, spec: string])[] = [
  ["clusterName", "clusterName"],
  ...["virtualRouterId", "advertIntSeconds", "priority", "authPass", "interfaceName", "notifyLogPath", "scriptUser"].map(
    (key) => [`keepalived.${key}`, key] as const,
  ),
  ["havips[0].address", "vips[0]"],
  ["nodes.primaryIp", "nodes[0].privateIp"],
  ["nodes.secondaryIp", "nodes[1].privateIp"],
  ...[
    "user",
    "knownHostsPath",
    "trustOnFirstUse",
    "hostKeyFingerprints",
    "jumpHost",
    "jumpHost.host",
    "jumpHost.port",
    "jumpHost.user",
    "extra",
  ].map((key) => [`ssh.${key}`, `ssh.${key}`] as const),
  ...["url", "sha256"].map((key) => [`keepalivedSource.${key}`, `keepalivedSource.${key}`] as const),
];

function loaderRefuses(spec: unknown): boolean {
  try {
    loadClusterSpec({ specFile: scratch.write(spec) }, {}, {});
    return false;
  } catch (error) {
    if (error instanceof SettingsError) return true;
    throw error;
  }
}

describe("the construct and the CLI give the same verdict for the same value", () => {
  it("both accept the shared base", () => {
    expect(constructVerdict(props).kind).toBe("synth");
    expect(loaderRefuses(scratch.spec)).toBe(false);
  });

  it("for every shared field and any value", () => {
    fc.assert(
      fc.property(fc.constantFrom(...SHARED_FIELDS), jsonValue, ([constructField, specField], value) => {
        fc.pre(value !== undefined);
        const byConstruct = constructVerdict(withValueAt(props, constructField, value)).kind === "refused";
        const byCli = loaderRefuses(withValueAt(scratch.spec, specField, value));
        expect({ field: constructField, value, refused: byCli }).toEqual({ field: constructField, value, refused: byConstruct });
      }),
      { numRuns: Number(process.env.HAVIP_PROPERTY_RUNS ?? 200) },
    );
  });

  it("and the config file too, for the fields it checks with the construct's rules", () => {
    const fields = [
      ...["virtualRouterId", "advertIntSeconds", "priority", "authPass", "interfaceName", "notifyLogPath", "scriptUser", "healthCheck"].map(
        (key) => `keepalived.${key}`,
      ),
      "nodes.systemDiskType",
      "eip.internetChargeType",
      "keepalivedSource",
    ];
    fc.assert(
      fc.property(fc.constantFrom(...fields), jsonValue, (field, value) => {
        fc.pre(value !== undefined);
        const byConstruct = constructVerdict(withValueAt(props, field, value)).kind === "refused";
        let byConfig = false;
        try {
          parseExampleConfig(withValueAt({ keepalived: { virtualRouterId: 51 } }, field, value), "config");
        } catch (error) {
          if (!(error instanceof SettingsError)) throw error;
          byConfig = true;
        }
        expect({ field, value, refused: byConfig }).toEqual({ field, value, refused: byConstruct });
      }),
      { numRuns: Number(process.env.HAVIP_PROPERTY_RUNS ?? 150) },
    );
  });
});
