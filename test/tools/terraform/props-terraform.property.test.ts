import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { everyOptionProps } from "../../fixtures/synth-cluster";
import { checkWithTerraform, skipTerraform } from "../../fixtures/terraform/terraform-check";
import { constructVerdict } from "../../fixtures/construct-verdict";
import { withValueAt } from "../../fixtures/hostile-values";

/** Every optional object present, so a mutation deep inside has a place to land. */
const base = everyOptionProps;

describe("construct props: hostile text reaches Terraform as data (property, sampled)", () => {
  // Fields whose text reaches a Terraform argument or the spec as written: hostile text there must stay data.
  const TEXT_FIELDS = [
    "clusterName",
    "network.vpcName",
    "network.subnetName",
    "network.availabilityZone",
    "nodes.instanceType",
    "nodes.imageNameRegex",
    "havips[0].name",
    "eip.name",
    "serviceIngress[0].description",
    "keepalived.healthCheck.flagPath",
    "ssh.user",
    "tags.team",
  ] as const;
  const hostileText = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom('${file("/etc/passwd")}', "%{ if true }x%{ endif }", 'a"b\\c', "$${x}", "%%{y}", "x\ny", "ünï ${"),
    fc
      .tuple(fc.string({ maxLength: 8 }), fc.constantFrom("${", "%{", '"', "\\"), fc.string({ maxLength: 8 }))
      .map((parts) => parts.join("")),
  );

  it.skipIf(skipTerraform)(
    "every accepted synth with hostile text is one Terraform validates and plans (sampled)",
    () => {
      const accepted = fc
        .sample(fc.tuple(fc.constantFrom(...TEXT_FIELDS), hostileText), { numRuns: 400, seed: 20261202 })
        .map(([path, value]) => ({ path, value, verdict: constructVerdict(withValueAt(base, path, value)) }))
        .filter((sample) => sample.verdict.kind === "synth" && /[$%"\\]/.test(sample.value))
        .slice(0, 8);
      // The sample must reach Terraform with hostile text, or this test checks nothing.
      expect(accepted.length).toBeGreaterThanOrEqual(4);
      for (const sample of accepted) {
        const json = (sample.verdict as { json: string }).json;
        expect(() => checkWithTerraform(json), `${sample.path} = ${JSON.stringify(sample.value)}`).not.toThrow();
      }
    },
    120_000,
  );
});
