import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { loadClusterSpec } from "../../../lib/spec/load-cluster-spec";
import { SettingsError } from "../../../lib/core/settings-error";
import { jsonValue, namesField, withValueAt } from "../../fixtures/hostile-values";
import { specScratch } from "../../fixtures/spec-scratch";

/** Every field of a ClusterSpec, as a path into it (and a few misspellings). */
const SPEC_FIELDS = [
  "specVersion",
  "clusterName",
  "virtualRouterId",
  "advertIntSeconds",
  "priority",
  "interfaceName",
  "authPass",
  "authpass",
  "vips",
  "vips[0]",
  "vips[1]",
  "subnetPrefixLength",
  "nodes",
  "nodes[0]",
  "nodes[0].name",
  "nodes[0].privateIp",
  "nodes[0].sshHost",
  "nodes[0].sshPort",
  "nodes[0].instanceId",
  "nodes[1].privateIp",
  "nodes[2]",
  "healthCheck",
  "healthCheck.kind",
  "healthCheck.intervalSeconds",
  "healthCheck.timeoutSeconds",
  "healthCheck.fall",
  "healthCheck.rise",
  "healthCheck.flagPath",
  "healthCheck.port",
  "notifyLogPath",
  "scriptUser",
  "ssh",
  "ssh.user",
  "ssh.privateKeyPath",
  "ssh.knownHostsPath",
  "ssh.trustOnFirstUse",
  "ssh.hostKeyFingerprints",
  "ssh.jumpHost",
  "ssh.jumpHost.host",
  "ssh.jumpHost.port",
  "ssh.jumpHost.user",
  "cloud",
  "cloud.region",
  "cloud.vpcId",
  "cloud.havipIds",
  "cloud.eip",
  "keepalivedSource",
  "keepalivedSource.url",
  "keepalivedSource.sha256",
] as const;

const scratch = specScratch();
afterAll(() => scratch.remove());

type Verdict = { readonly kind: "loaded" } | { readonly kind: "refused"; readonly error: SettingsError };

/** What `--spec-file` makes of the file: loaded or a SettingsError; anything else fails the property. */
function loaderVerdict(content: unknown): Verdict {
  try {
    loadClusterSpec({ specFile: scratch.write(content) }, {}, {});
    return { kind: "loaded" };
  } catch (error) {
    if (error instanceof SettingsError) return { kind: "refused", error };
    throw error;
  }
}

describe("spec file: hostile and ill-typed values (property)", () => {
  it("the base spec loads", () => {
    expect(loaderVerdict(scratch.spec).kind).toBe("loaded");
  });

  it("every value of every field is refused naming the field, or loads; never a TypeError", () => {
    fc.assert(
      fc.property(fc.constantFrom(...SPEC_FIELDS), jsonValue, (path, value) => {
        const verdict = loaderVerdict(withValueAt(scratch.spec, path, value));
        if (verdict.kind === "refused") {
          // A message never shows a value JavaScript's way.
          expect(verdict.error.message).not.toMatch(/\[object |not missing|\bundefined\b/);
          // A rule about another field names this one without the `spec.` prefix (`is also a VIP (vips[0])`).
          expect(namesField(verdict.error.message, `spec.${path}`) || namesField(verdict.error.message, path), verdict.error.message).toBe(
            true,
          );
        }
      }),
      { numRuns: Number(process.env.HAVIP_PROPERTY_RUNS ?? 300) },
    );
  });

  it("a file that is not a spec object at all is bad input, never a TypeError", () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        try {
          loadClusterSpec({ specFile: scratch.write(value) }, {}, {});
          expect.unreachable("a non-spec was loaded");
        } catch (error) {
          expect((error as Error).name).toMatch(/^(SettingsError|SpecSourceError)$/);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("CLI options are checked with the same rules, named by the option", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("user", "privateKey", "knownHosts") as fc.Arbitrary<"user" | "privateKey" | "knownHosts">,
        fc.string({ maxLength: 12 }),
        (option, value) => {
          try {
            loadClusterSpec({ specFile: scratch.write(scratch.spec) }, { [option]: value }, {});
          } catch (error) {
            expect(error).toBeInstanceOf(SettingsError);
            const flag = { user: "--user", privateKey: "--private-key", knownHosts: "--known-hosts" }[option];
            expect((error as SettingsError).problems.map((p) => p.field).join(" ")).toContain(flag);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
