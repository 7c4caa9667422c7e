import { Fn, TerraformOutput, TerraformVariable } from "cdktf";
import { describe, expect, it } from "vitest";
import { addBenchClusters } from "../../../bench/bench-clusters";
import { CLUSTER_SPEC_ENV } from "../../../lib/spec/provision-invocation";
import { loadClusterSpec } from "../../../lib/spec/load-cluster-spec";
import { HaVipCluster } from "../../../lib/construct";
import type { ClusterSpec } from "../../../lib/core/cluster-settings";
import { guideProps, REPRESENTATIVE_CLUSTERS, synthCluster, synthStack } from "../../fixtures/synth-cluster";
import { checkWithTerraform, skipTerraform, terraformAvailable } from "../../fixtures/terraform/terraform-check";

/** What the provisioner makes of the spec Terraform computed, read exactly as local-exec hands it over. */
function specAsProvisionerReadsIt(value: unknown): ClusterSpec {
  return loadClusterSpec({}, {}, { [CLUSTER_SPEC_ENV]: String(value) });
}

/** Planned stand-ins of one Tencent resource type, by logical name. */
function plannedInputs(resources: Readonly<Record<string, Record<string, unknown>>>, type: string): Record<string, unknown>[] {
  return Object.entries(resources)
    .filter(([address]) => address.startsWith(`terraform_data.${type}__`))
    .map(([, values]) => values.input as Record<string, unknown>);
}

it.runIf(process.env.CI === "true")("has terraform on this machine (CI runs every Terraform check)", () => {
  expect(terraformAvailable).toBe(true);
});

describe.skipIf(skipTerraform)("construct stacks through terraform validate and plan", () => {
  it.each(Object.entries(REPRESENTATIVE_CLUSTERS))("plans %s, and the spec it computes is one the provisioner accepts", (_name, props) => {
    const synth = synthCluster(props);
    // An auto-assigned HAVIP gets its address from Tencent, inside the subnet.
    const havips = Object.keys(synth.resources("tencentcloud_ha_vip"));
    const computed = Object.fromEntries(havips.map((name, index) => [`tencentcloud_ha_vip.${name}.vip`, `172.16.16.${100 + index}`]));
    const result = checkWithTerraform(synth.json, { computed });
    expect(result.replaced.length).toBeGreaterThan(5);
    expect(result.planText).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
    const spec = specAsProvisionerReadsIt(result.outputs["web-spec"].value);
    expect(spec.clusterName).toBe("web");
    expect(spec.virtualRouterId).toBe(props.keepalived?.virtualRouterId ?? 51);
    expect(spec.healthCheck.kind).toBe(props.keepalived?.healthCheck?.kind ?? "maintenance-flag");
    expect(result.outputs["web-spec"].sensitive).toBe(props.keepalived?.authPass !== undefined);
    if (props.provisionOnDeploy !== false) {
      // The provisioner's trigger hashes exactly the spec the output carries.
      const provision = Object.entries(result.resources).find(([address]) => address.startsWith("terraform_data.web_provision"))?.[1];
      expect(provision?.triggers_replace).toMatchObject({ spec_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    }
  });

  it("plans two clusters sharing one VPC and subnet", () => {
    const synth = synthStack((stack) => {
      const web = new HaVipCluster(stack, "web", guideProps);
      new HaVipCluster(stack, "db", {
        ...guideProps,
        network: { ...guideProps.network, vpcId: web.vpcId, subnetId: web.subnetId },
        nodes: { primaryIp: "172.16.16.7", secondaryIp: "172.16.16.8" },
        havips: [{ address: "172.16.16.20" }],
        keepalived: { virtualRouterId: 52 },
        eip: false,
      });
    });
    const result = checkWithTerraform(synth.json);
    const specs = ["web", "db"].map((id) => specAsProvisionerReadsIt(result.outputs[`${id}-spec`].value));
    expect(specs.map((spec) => spec.virtualRouterId)).toEqual([51, 52]);
    expect(specs[1].cloud?.vpcId).toBe(specs[0].cloud?.vpcId);
  });

  it("plans the benchmark's stack of several clusters in one VPC", () => {
    const synth = synthStack((stack) => addBenchClusters(stack, 3));
    const result = checkWithTerraform(synth.json);
    const specs = Object.entries(result.outputs).filter(([name]) => name.endsWith("-spec"));
    expect(specs.map(([, output]) => specAsProvisionerReadsIt(output.value).virtualRouterId).sort()).toEqual([51, 52, 53]);
  });
});

// Every character class Terraform could read as syntax: quotes, backslashes, both template
// openers, escapes of them, a trailing dollar, newlines and non-ASCII text.
const HOSTILE = 'q"b\\s ${file("/etc/passwd")} %{ if true }x%{ endif } $${lit} %%{lit} ü 漢字 🙂 $';
const HOSTILE_LINES = `${HOSTILE}\nsecond line\r\n\ttab`;

describe.skipIf(skipTerraform)("user strings reach Terraform as data", () => {
  const props = {
    keepalived: {
      virtualRouterId: 51,
      healthCheck: { kind: "command" as const, command: `test "$(cat /run/ready)" = 'ok\\n' && echo ${HOSTILE}` },
    },
    network: { ...guideProps.network, vpcName: `v ${HOSTILE}`.slice(0, 60), subnetName: `s ${HOSTILE}`.slice(0, 60) },
    havips: [{ address: "172.16.16.12", name: `h ${HOSTILE}`.slice(0, 60) }],
    eip: { name: `e ${HOSTILE}`.slice(0, 60) },
    tags: { team: HOSTILE_LINES, [HOSTILE]: "key too" },
    serviceIngress: [{ protocol: "TCP" as const, port: "80", cidrBlock: "0.0.0.0/0", description: HOSTILE_LINES }],
    ssh: { knownHostsPath: `/tmp/${HOSTILE}/known_hosts` },
    sshPublicKey: `${guideProps.sshPublicKey} ${HOSTILE}`,
  };

  it("comes out of terraform plan byte for byte: health-check command, names, tags, descriptions, paths", () => {
    const result = checkWithTerraform(synthCluster(props).json);
    const spec = specAsProvisionerReadsIt(result.outputs["web-spec"].value);
    expect(spec.healthCheck).toMatchObject({ kind: "command", command: props.keepalived.healthCheck.command });
    expect(spec.ssh.knownHostsPath).toBe(props.ssh.knownHostsPath);

    const [vpc] = plannedInputs(result.resources, "tencentcloud_vpc");
    expect(vpc.name).toBe(props.network.vpcName);
    expect(vpc.tags).toEqual(props.tags);
    expect(plannedInputs(result.resources, "tencentcloud_subnet")[0].name).toBe(props.network.subnetName);
    expect(plannedInputs(result.resources, "tencentcloud_ha_vip")[0].name).toBe(props.havips[0].name);
    expect(plannedInputs(result.resources, "tencentcloud_eip")[0].name).toBe(props.eip.name);
    expect(plannedInputs(result.resources, "tencentcloud_key_pair")[0].public_key).toBe(props.sshPublicKey);
    const ingress = plannedInputs(result.resources, "tencentcloud_security_group_rule_set")[0].ingress as { description?: string }[];
    expect(ingress.at(-1)?.description).toBe(HOSTILE_LINES);
    for (const instance of plannedInputs(result.resources, "tencentcloud_instance")) expect(instance.tags).toEqual(props.tags);
  });

  it("keeps text next to an expression as data too (a tag value built from a variable)", () => {
    const synth = synthStack((stack) => {
      const env = new TerraformVariable(stack, "env", { type: "string" });
      new HaVipCluster(stack, "web", { ...guideProps, tags: { env: `${HOSTILE}$${env.stringValue}$`, plain: env.stringValue } });
    });
    const result = checkWithTerraform(synth.json, { variables: { env: 'prod"${x}' } });
    expect(plannedInputs(result.resources, "tencentcloud_vpc")[0].tags).toEqual({ env: `${HOSTILE}$prod"\${x}$`, plain: 'prod"${x}' });
  });

  it("fails the check when the spec is built with Fn.jsonencode over user text, as before (issue 9 finding 2)", () => {
    const synth = synthStack((stack) => {
      new TerraformOutput(stack, "spec", { value: Fn.jsonencode({ command: props.keepalived.healthCheck.command }) });
    });
    expect(() => checkWithTerraform(synth.json)).toThrow(/Missing attribute separator|Invalid escape sequence|Invalid character/);
  });
});

describe.skipIf(skipTerraform)("a VRRP password from a sensitive Terraform variable", () => {
  const PASSWORD = "Pw7x9Q2z";
  const synthWithVariable = () =>
    synthStack((stack) => {
      const authPass = new TerraformVariable(stack, "vrrp_auth_pass", { type: "string", sensitive: true }).stringValue;
      new HaVipCluster(stack, "web", { ...guideProps, keepalived: { virtualRouterId: 51, authPass } });
    });

  it("is accepted by the construct and never written into cdk.tf.json", () => {
    const synth = synthWithVariable();
    expect(synth.json).not.toContain(PASSWORD);
    expect(synth.specTemplate()).toContain('"authPass":${jsonencode(var.vrrp_auth_pass)}');
    expect(synth.outputs()["web-spec"].sensitive).toBe(true);
  });

  it("reaches the spec through Terraform, which keeps the spec output sensitive and the plan free of it", () => {
    const result = checkWithTerraform(synthWithVariable().json, { variables: { vrrp_auth_pass: PASSWORD } });
    expect(result.outputs["web-spec"].sensitive).toBe(true);
    expect(specAsProvisionerReadsIt(result.outputs["web-spec"].value).authPass).toBe(PASSWORD);
    expect(result.planText).not.toContain(PASSWORD);
    expect(result.planText).toContain("web-spec");
  });

  it("is checked by the provisioner when Terraform hands it over", () => {
    const result = checkWithTerraform(synthWithVariable().json, { variables: { vrrp_auth_pass: "much-too-long" } });
    expect(() => specAsProvisionerReadsIt(result.outputs["web-spec"].value)).toThrow(/authPass \(13 characters\)/);
  });

  it("with a literal, warns that the password lands in clear in cdk.tf.json", () => {
    const synth = synthCluster({ keepalived: { virtualRouterId: 51, authPass: "s3cretpw" } });
    expect(synth.json).toContain("s3cretpw");
    const warnings = synth.stack.node
      .findAll()
      .flatMap((node) => node.node.metadata)
      .filter((entry) => entry.type === "@cdktf/warn");
    expect(warnings.map((entry) => String(entry.data))).toEqual(
      expect.arrayContaining([expect.stringContaining("keepalived.authPass is a literal, so it is written in clear into cdk.tf.json")]),
    );
  });
});
