import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HaVipClusterProps } from "../../lib/construct";
import { guideProps } from "../construct/synth-cluster";
import { checkWithTerraform, skipTerraform } from "../terraform/terraform-check";
import { constructVerdict } from "./construct-verdict";
import { anyValue, namesField, withValueAt } from "./hostile-values";

/** Every field of the props, as a path into them. */
const PROPS_FIELDS = [
  "clusterName",
  "network",
  "network.vpcId",
  "network.vpcCidr",
  "network.subnetId",
  "network.subnetCidr",
  "network.availabilityZone",
  "network.vpcName",
  "network.subnetName",
  "nodes",
  "nodes.primaryIp",
  "nodes.secondaryIp",
  "nodes.instanceType",
  "nodes.systemDiskType",
  "nodes.systemDiskSizeGb",
  "nodes.imageId",
  "nodes.imageNameRegex",
  "havips",
  "havips[0]",
  "havips[0].address",
  "havips[0].name",
  "havips[1]",
  "keepalived",
  "keepalived.virtualRouterId",
  "keepalived.advertIntSeconds",
  "keepalived.priority",
  "keepalived.authPass",
  "keepalived.authpass",
  "keepalived.interfaceName",
  "keepalived.healthCheck",
  "keepalived.healthCheck.kind",
  "keepalived.healthCheck.intervalSeconds",
  "keepalived.healthCheck.timeoutSeconds",
  "keepalived.healthCheck.fall",
  "keepalived.healthCheck.flagPath",
  "keepalived.healthCheck.port",
  "keepalived.notifyLogPath",
  "keepalived.scriptUser",
  "sshPublicKey",
  "publicSsh",
  "publicBandwidthMbps",
  "sshAllowedCidr",
  "ssh",
  "ssh.user",
  "ssh.privateKeyPath",
  "ssh.knownHostsPath",
  "ssh.trustOnFirstUse",
  "ssh.hostKeyFingerprints",
  "ssh.jumpHost",
  "ssh.jumpHost.host",
  "ssh.jumpHost.port",
  "serviceIngress",
  "serviceIngress[0]",
  "serviceIngress[0].protocol",
  "serviceIngress[0].port",
  "serviceIngress[0].cidrBlock",
  "driftLock",
  "eip",
  "eip.name",
  "eip.bandwidthMbps",
  "eip.internetChargeType",
  "spreadAcrossHosts",
  "keepalivedSource",
  "keepalivedSource.url",
  "keepalivedSource.sha256",
  "tags",
  "tags.team",
  "provisionOnDeploy",
] as const;

/** A base where every optional object is present, so a mutation deep inside has a place to land. */
const base: HaVipClusterProps = {
  ...guideProps,
  keepalived: { virtualRouterId: 51, healthCheck: { kind: "maintenance-flag" } },
  serviceIngress: [{ protocol: "TCP", port: "80", cidrBlock: "10.0.0.0/8" }],
  eip: { bandwidthMbps: 1 },
  ssh: {
    user: "ops",
    knownHostsPath: "/home/ops/.havip/known_hosts",
    hostKeyFingerprints: {},
    jumpHost: { host: "203.0.113.9", port: 22 },
  },
  keepalivedSource: { url: "https://example.com/keepalived-2.2.8.tar.gz", sha256: "0123456789abcdef".repeat(4) },
  tags: { team: "ops" },
};

describe("construct props: hostile and ill-typed values (property)", () => {
  it("the base props synthesize", () => {
    expect(constructVerdict(base).kind).toBe("synth");
  });

  it("every value of every field is refused naming the field, or synthesizes; never a TypeError", () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROPS_FIELDS), anyValue, (path, value) => {
        const verdict = constructVerdict(withValueAt(base, path, value));
        if (verdict.kind === "refused") {
          // A message never shows a value JavaScript's way.
          expect(verdict.error.message).not.toMatch(/\[object |not missing|\bundefined\b/);
          expect(namesField(verdict.error.message, path), verdict.error.message).toBe(true);
        } else {
          expect(verdict.json).not.toContain("[object Object]");
          expect(() => JSON.parse(verdict.json) as unknown).not.toThrow();
        }
      }),
      { numRuns: Number(process.env.HAVIP_PROPERTY_RUNS ?? 250) },
    );
  });

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

  it("props that are not an object at all are refused, not a TypeError", () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        fc.pre(typeof value !== "object" || value === null || Array.isArray(value));
        const verdict = constructVerdict(value);
        expect(verdict.kind).toBe("refused");
      }),
      { numRuns: 40 },
    );
  });
});
