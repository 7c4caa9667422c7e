import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { everyOptionProps } from "../../fixtures/synth-cluster";
import { constructVerdict } from "../../fixtures/construct-verdict";
import { anyValue, namesField, withValueAt } from "../../fixtures/hostile-values";

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
  "adoptUnrecorded",
] as const;

/** Every optional object present, so a mutation deep inside has a place to land. */
const base = everyOptionProps;

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
