import { execFileSync, execSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireBuiltPackage } from "../../fixtures/package-build";
import { recordProvisionerRuns } from "../../fixtures/terraform/recorded-provisioners";
import { missingPrerequisite, ProviderLab, remainingResources, REPO_ROOT } from "./provider-lab";

/**
 * The real Tencent provider (1.83.25, from the project's mirror) and real Terraform against the
 * local cloud, in a network namespace whose hosts file points Tencent's API host names at it:
 * the example app and examples/consumer are created, re-planned, changed in place and destroyed.
 */
const missing = missingPrerequisite();
const skip = missing !== undefined && process.env.CI !== "true";
if (skip) console.log(`Local cloud provider tests skipped: ${missing}`);

type TerraformJson = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data: Record<string, Record<string, Record<string, unknown>>>;
};

function readJson(path: string): TerraformJson {
  return JSON.parse(readFileSync(path, "utf8")) as TerraformJson;
}

function keyPair(dir: string, name: string): string {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${name}@local-cloud-test`, "-f", join(dir, name)]);
  return readFileSync(join(dir, `${name}.pub`), "utf8").trim();
}

/** The single resource of a type whose name starts with `prefix`. */
function block(config: TerraformJson, type: string, prefix: string): Record<string, unknown> {
  const entries = Object.entries(config.resource[type]).filter(([name]) => name.startsWith(prefix));
  if (entries.length !== 1) throw new Error(`expected one ${type} named ${prefix}*, found ${entries.length}`);
  return entries[0][1];
}

describe.skipIf(skip)("the real Tencent provider against the local cloud", () => {
  describe("the example app (main.ts), over HTTPS with the lab's CA", () => {
    const lab = new ProviderLab("HTTPS");
    const workdir = join(lab.dir, "stack");
    const configFile = () => join(workdir, "main.tf.json");

    beforeAll(async () => {
      if (missing) throw new Error(`the local cloud provider tests cannot run: ${missing}`);
      await lab.start();
      mkdirSync(workdir);
      const publicKey = keyPair(lab.dir, "id_ed25519");
      writeFileSync(
        join(lab.dir, "havip-cluster.config.json"),
        JSON.stringify({
          network: { availabilityZone: "ap-guangzhou-3" },
          nodes: { imageNameRegex: "^Debian 12\\." },
          sshPublicKey: publicKey,
          sshAllowedCidr: "203.0.113.7/32",
          ssh: { privateKeyPath: join(lab.dir, "id_ed25519"), trustOnFirstUse: true },
          provisionOnDeploy: false,
        }),
      );
      const outdir = join(lab.dir, "out");
      // main.ts as `cdktf synth` runs it, from the stack directory (the local backend's state lands there).
      execFileSync(join(REPO_ROOT, "node_modules/.bin/tsx"), [join(REPO_ROOT, "main.ts")], {
        cwd: workdir,
        env: {
          ...process.env,
          CDKTF_OUTDIR: outdir,
          CHECKPOINT_DISABLE: "1",
          HAVIP_CLUSTER_CONFIG: join(lab.dir, "havip-cluster.config.json"),
        },
        timeout: 60_000,
      });
      writeFileSync(configFile(), readFileSync(join(outdir, "stacks", "havip-cluster", "cdk.tf.json")));
      lab.terraformOk(workdir, ["init", "-input=false"]);
    }, 120_000);
    afterAll(() => lab.stop(), 30_000);

    it("creates everything with apply", () => {
      expect(lab.terraformOk(workdir, ["apply", "-input=false", "-auto-approve"])).toContain(
        "Apply complete! Resources: 13 added, 0 changed, 0 destroyed.",
      );
      const state = lab.cloudState();
      expect(Object.values(state.instances).map((instance) => [instance.privateIp, instance.state, instance.instanceType])).toEqual(
        expect.arrayContaining([
          ["172.16.16.5", "RUNNING", "S5.MEDIUM2"],
          ["172.16.16.6", "RUNNING", "S5.MEDIUM2"],
        ]),
      );
      const [havip] = Object.values(state.havips);
      expect(havip).toMatchObject({ vip: "172.16.16.12", checkAssociate: true });
      expect(havip.associations).toHaveLength(2);
      expect(havip.addressIp).toBe(Object.values(state.addresses)[0].addressIp);
      expect(Object.values(state.images).find((image) => image.imageId === Object.values(state.instances)[0].imageId)?.imageName).toBe(
        "Debian 12.8 64bit",
      );
    }, 120_000);

    it("plans no changes afterwards, and a second apply changes nothing", () => {
      expect(lab.terraform(workdir, ["plan", "-input=false", "-detailed-exitcode"])).toMatchObject({ status: 0 });
      expect(lab.terraformOk(workdir, ["apply", "-input=false", "-auto-approve"])).toContain("Resources: 0 added, 0 changed, 0 destroyed.");
    }, 120_000);

    it("adopts what a killed deploy created but did not record, and only what is certainly the cluster's: not a CVM of the node's name in another security group, nor an HAVIP of its name at another address", () => {
      const config = readJson(configFile());
      const before = lab.cloudState();
      const primary = Object.values(before.instances).find((instance) => instance.privateIp === "172.16.16.5");
      const [havip] = Object.values(before.havips);
      if (!primary) throw new Error("no primary in the local cloud");
      // Look-alikes made beside the cluster by another Terraform configuration: the primary's name
      // in a security group of their own, the HAVIP's name at another address of the same subnet.
      const strangerDir = join(lab.dir, "stranger");
      mkdirSync(strangerDir);
      const stranger = {
        terraform: {
          required_providers: (config as unknown as { terraform: { required_providers: unknown } }).terraform.required_providers,
        },
        provider: { tencentcloud: [{}] },
        resource: {
          tencentcloud_security_group: { stranger: { name: "stranger", description: "not the cluster's" } },
          tencentcloud_instance: {
            stranger: {
              instance_name: primary.name,
              availability_zone: primary.zone,
              image_id: primary.imageId,
              instance_type: primary.instanceType,
              vpc_id: primary.vpcId,
              subnet_id: primary.subnetId,
              private_ip: "172.16.16.20",
              orderly_security_groups: ["${tencentcloud_security_group.stranger.id}"],
              allocate_public_ip: false,
            },
          },
          tencentcloud_ha_vip: { stranger: { name: havip.name, vpc_id: havip.vpcId, subnet_id: havip.subnetId, vip: "172.16.16.30" } },
        },
      };
      writeFileSync(join(strangerDir, "main.tf.json"), JSON.stringify(stranger));
      lab.terraformOk(strangerDir, ["init", "-input=false"]);
      try {
        lab.terraformOk(strangerDir, ["apply", "-input=false", "-auto-approve"]);

        // A killed deploy: the cloud made them, the state does not have them.
        const recorded = lab.terraformOk(workdir, ["state", "list"]).split("\n");
        const unrecorded = [
          "tencentcloud_instance.cluster_primary_",
          "tencentcloud_ha_vip.cluster_havip-1_",
          "tencentcloud_ha_vip_eip_attachment.cluster_eip-attachment_",
        ].map((prefix) => recorded.find((address) => address.startsWith(prefix)) ?? prefix);
        lab.terraformOk(workdir, ["state", "rm", ...unrecorded]);
        expect(lab.terraformOk(workdir, ["apply", "-input=false", "-auto-approve"])).toContain(
          "Apply complete! Resources: 3 imported, 0 added, 0 changed, 0 destroyed.",
        );
        const shown = JSON.parse(lab.terraformOk(workdir, ["show", "-json"]).replace(/^[^{]*/, "")) as {
          values: { root_module: { resources: { address: string; values: { id: string } }[] } };
        };
        const idOf = (prefix: string) =>
          shown.values.root_module.resources.find((resource) => resource.address.startsWith(prefix))?.values.id;
        expect(idOf("tencentcloud_instance.cluster_primary_")).toBe(primary.instanceId);
        expect(idOf("tencentcloud_ha_vip.cluster_havip-1_")).toBe(havip.havipId);
        expect(idOf("tencentcloud_ha_vip_eip_attachment.cluster_eip-attachment_")).toBe(`${havip.havipId}#${havip.addressIp}`);
        expect(lab.terraform(workdir, ["plan", "-input=false", "-detailed-exitcode"])).toMatchObject({ status: 0 });
      } finally {
        lab.terraformOk(strangerDir, ["destroy", "-input=false", "-auto-approve"]);
      }
      // Nothing was created twice: without the look-alikes, the cloud holds what it held before.
      expect(Object.keys(lab.cloudState().instances).sort()).toEqual(Object.keys(before.instances).sort());
      expect(Object.keys(lab.cloudState().havips)).toEqual(Object.keys(before.havips));
    }, 180_000);

    it("reinstalls one node with another image and changes a security group rule in place, then plans no changes", () => {
      const config = readJson(configFile());
      const state = lab.cloudState();
      const older = Object.values(state.images).find((image) => image.imageName === "Debian 11.11 64bit");
      const primary = block(config, "tencentcloud_instance", "cluster_primary");
      primary.image_id = older?.imageId;
      delete primary.lifecycle;
      const rules = block(config, "tencentcloud_security_group_rule_set", "cluster_security-rules") as { ingress: { port: string }[] };
      rules.ingress[0].port = "2222";
      writeFileSync(configFile(), JSON.stringify(config));
      expect(lab.terraformOk(workdir, ["apply", "-input=false", "-auto-approve"])).toContain("Resources: 0 added, 2 changed, 0 destroyed.");
      const after = lab.cloudState();
      const node = Object.values(after.instances).find((instance) => instance.privateIp === "172.16.16.5");
      expect(node).toMatchObject({
        imageId: older?.imageId,
        state: "RUNNING",
        latestOperation: "ResetInstance",
        latestOperationState: "SUCCESS",
      });
      expect(Object.values(after.securityGroups)[0].ingress[0]).toMatchObject({ protocol: "TCP", port: "2222" });
      expect(lab.terraform(workdir, ["plan", "-input=false", "-detailed-exitcode"])).toMatchObject({ status: 0 });
    }, 120_000);

    it("resizes one node in place (ResetInstancesType), then plans no changes", () => {
      const config = readJson(configFile());
      block(config, "tencentcloud_instance", "cluster_primary").instance_type = "S5.MEDIUM4";
      writeFileSync(configFile(), JSON.stringify(config));
      expect(lab.terraformOk(workdir, ["apply", "-input=false", "-auto-approve"])).toContain("Resources: 0 added, 1 changed, 0 destroyed.");
      expect(Object.values(lab.cloudState().instances).find((instance) => instance.privateIp === "172.16.16.5")).toMatchObject({
        instanceType: "S5.MEDIUM4",
        state: "RUNNING",
      });
      expect(lab.terraform(workdir, ["plan", "-input=false", "-detailed-exitcode"])).toMatchObject({ status: 0 });
    }, 120_000);

    it("destroys everything: nothing is left in the local cloud", () => {
      expect(lab.terraformOk(workdir, ["destroy", "-input=false", "-auto-approve"])).toContain(
        "Destroy complete! Resources: 13 destroyed.",
      );
      expect(remainingResources(lab.cloudState())).toEqual({});
    }, 120_000);
  });

  describe("examples/consumer (two clusters in one VPC), over plain HTTP", () => {
    const lab = new ProviderLab("HTTP");
    const workdir = join(lab.dir, "stack");
    const configFile = () => join(workdir, "main.tf.json");
    let variables: string[];

    beforeAll(async () => {
      if (missing) throw new Error(`the local cloud provider tests cannot run: ${missing}`);
      requireBuiltPackage();
      await lab.start();
      mkdirSync(workdir);
      variables = ["-var", `ssh_public_key=${keyPair(lab.dir, "id_ed25519")}`, "-var", "operator_cidr=203.0.113.7/32"];
      const outdir = join(lab.dir, "out");
      const exampleDir = join(REPO_ROOT, "examples", "consumer");
      const { app } = JSON.parse(readFileSync(join(exampleDir, "cdktf.json"), "utf8")) as { app: string };
      execSync(app, {
        cwd: exampleDir,
        env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
        stdio: "pipe",
        timeout: 60_000,
      });
      const config = readJson(join(outdir, "stacks", "shop", "cdk.tf.json")) as TerraformJson & {
        terraform: { backend: { local: { path: string } } };
      };
      config.terraform.backend.local.path = join(workdir, "terraform.tfstate");
      // The local cloud publishes the Debian it can boot, not TencentOS (the example's default).
      for (const images of Object.values(config.data.tencentcloud_images)) images.image_name_regex = "^Debian 12\\.";
      // The node gates and provisioning record that they ran instead of reaching for SSH.
      recordProvisionerRuns(config as unknown as Record<string, unknown>, join(lab.dir, "provisioner-runs.log"));
      writeFileSync(configFile(), JSON.stringify(config));
      lab.terraformOk(workdir, ["init", "-input=false"]);
    }, 120_000);
    afterAll(() => lab.stop(), 30_000);

    it("creates both pairs (the second on the first one's key pair: one public key is imported once), plans no changes and destroys everything", () => {
      expect(Object.keys(readJson(configFile()).resource.tencentcloud_key_pair)).toHaveLength(1);
      expect(lab.terraformOk(workdir, ["apply", "-input=false", "-auto-approve", ...variables])).toContain("Apply complete!");
      const state = lab.cloudState();
      expect(
        Object.values(state.instances)
          .map((instance) => instance.privateIp)
          .sort(),
      ).toEqual(["10.20.1.5", "10.20.1.6", "10.20.1.7", "10.20.1.8"]);
      expect(Object.keys(state.vpcs)).toHaveLength(1);
      expect(Object.keys(state.subnets)).toHaveLength(2);
      expect(readFileSync(join(lab.dir, "provisioner-runs.log"), "utf8")).toContain("web_primary-gate");
      expect(lab.terraform(workdir, ["plan", "-input=false", "-detailed-exitcode", ...variables])).toMatchObject({ status: 0 });
      expect(lab.terraformOk(workdir, ["destroy", "-input=false", "-auto-approve", ...variables])).toContain("Destroy complete!");
      expect(remainingResources(lab.cloudState())).toEqual({});
      expect(lab.errorsAnswered().filter((error) => error !== "DescribeHaVips ResourceNotFound")).toEqual([]);
    }, 180_000);
  });
});
