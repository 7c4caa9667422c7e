import { Testing, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { HaVipCluster } from "../../../lib/construct";
import { guideProps, synthCluster, synthStack } from "../../fixtures/synth-cluster";

describe("HaVipCluster resources", () => {
  it("creates the VPC and subnet from the given CIDRs and zone", () => {
    const result = synthCluster();
    expect(Testing.toHaveResourceWithProperties(result.json, "tencentcloud_vpc", { cidr_block: "172.16.0.0/16", name: "web-vpc" })).toBe(
      true,
    );
    expect(result.only("tencentcloud_subnet")).toMatchObject({
      cidr_block: "172.16.16.0/24",
      availability_zone: "ap-guangzhou-3",
      vpc_id: expect.stringMatching(/^\$\{tencentcloud_vpc\..+\.id\}$/),
    });
  });

  it("uses an existing VPC and subnet without creating any", () => {
    const result = synthCluster({
      network: { vpcId: "vpc-abc", subnetId: "subnet-def", subnetCidr: "172.16.16.0/24", availabilityZone: "ap-guangzhou-3" },
    });
    expect(result.resources("tencentcloud_vpc")).toEqual({});
    expect(result.resources("tencentcloud_subnet")).toEqual({});
    expect(result.only("tencentcloud_ha_vip")).toMatchObject({ vpc_id: "vpc-abc", subnet_id: "subnet-def" });
  });

  it("creates a subnet in an existing VPC", () => {
    const result = synthCluster({ network: { vpcId: "vpc-abc", subnetCidr: "172.16.16.0/24", availabilityZone: "ap-guangzhou-3" } });
    expect(result.resources("tencentcloud_vpc")).toEqual({});
    expect(result.only("tencentcloud_subnet")).toMatchObject({ vpc_id: "vpc-abc", cidr_block: "172.16.16.0/24" });
  });

  it("creates two CVMs with fixed private IPs in one host-spread placement group", () => {
    const result = synthCluster();
    const instances = Object.values(result.resources("tencentcloud_instance"));
    expect(instances.map((i) => [i.instance_name, i.private_ip])).toEqual([
      ["web-primary", "172.16.16.5"],
      ["web-secondary", "172.16.16.6"],
    ]);
    expect(result.only("tencentcloud_placement_group")).toMatchObject({ type: "HOST", affinity: 1 });
    for (const instance of instances) {
      expect(instance).toMatchObject({
        placement_group_id: expect.stringMatching(/tencentcloud_placement_group\..+\.id/),
        instance_type: "S5.MEDIUM2",
        system_disk_type: "CLOUD_PREMIUM",
        system_disk_size: 50,
        allocate_public_ip: true,
        internet_max_bandwidth_out: 1,
        availability_zone: "ap-guangzhou-3",
        key_ids: [expect.stringMatching(/tencentcloud_key_pair\..+\.id/)],
      });
    }
  });

  it("derives node IPs .5 and .6 from the subnet when none are given", () => {
    const result = synthCluster({
      nodes: {},
      havips: [{}],
      network: { vpcCidr: "10.20.0.0/16", subnetCidr: "10.20.30.0/24", availabilityZone: "ap-guangzhou-3" },
    });
    expect(Object.values(result.resources("tencentcloud_instance")).map((i) => i.private_ip)).toEqual(["10.20.30.5", "10.20.30.6"]);
  });

  it("looks up a maintained public image unless an image id is given", () => {
    const lookedUp = synthCluster();
    const image = Object.values(lookedUp.data("tencentcloud_images"))[0];
    expect(image).toMatchObject({ image_type: ["PUBLIC_IMAGE"], image_name_regex: "^TencentOS Server 3\\." });
    expect(Object.values(lookedUp.resources("tencentcloud_instance"))[0].image_id).toMatch(
      /data\.tencentcloud_images\..+\.images\[0\]\.image_id/,
    );

    const pinned = synthCluster({ nodes: { imageId: "img-pinned" } });
    expect(pinned.data("tencentcloud_images")).toEqual({});
    expect(Object.values(pinned.resources("tencentcloud_instance"))[0].image_id).toBe("img-pinned");
  });

  it("installs the public key as a key pair with a Tencent-valid name", () => {
    const result = synthCluster({ clusterName: "web-frontend-cluster-one" });
    const keyPair = result.only("tencentcloud_key_pair");
    expect(keyPair.public_key).toBe(guideProps.sshPublicKey);
    expect(keyPair.key_name).toMatch(/^[A-Za-z0-9_]{1,25}$/);
  });

  it("allows SSH only from the operator CIDR, VRRP only between the nodes, and all egress", () => {
    const rules = synthCluster().only("tencentcloud_security_group_rule_set");
    expect(rules.ingress).toEqual([
      expect.objectContaining({ action: "ACCEPT", protocol: "TCP", port: "22", cidr_block: "203.0.113.7/32" }),
      expect.objectContaining({ action: "ACCEPT", protocol: "ALL", port: "ALL", cidr_block: "172.16.16.5/32" }),
      expect.objectContaining({ action: "ACCEPT", protocol: "ALL", port: "ALL", cidr_block: "172.16.16.6/32" }),
    ]);
    expect(rules.egress).toEqual([expect.objectContaining({ action: "ACCEPT", protocol: "ALL", port: "ALL", cidr_block: "0.0.0.0/0" })]);
  });

  it("appends the service ingress rules", () => {
    const rules = synthCluster({ serviceIngress: [{ protocol: "TCP", port: "80,443", cidrBlock: "0.0.0.0/0", description: "web" }] }).only(
      "tencentcloud_security_group_rule_set",
    );
    expect((rules.ingress as unknown[]).at(-1)).toEqual({
      action: "ACCEPT",
      protocol: "TCP",
      port: "80,443",
      cidr_block: "0.0.0.0/0",
      description: "web",
    });
  });

  it("attaches the security group to both nodes", () => {
    const result = synthCluster();
    for (const instance of Object.values(result.resources("tencentcloud_instance"))) {
      expect(instance.orderly_security_groups).toEqual([expect.stringMatching(/tencentcloud_security_group\..+\.id/)]);
    }
  });

  it("warns when SSH is open to 0.0.0.0/0", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "test");
    const cluster = new HaVipCluster(stack, "web", { ...guideProps, sshAllowedCidr: "0.0.0.0/0" });
    const warnings = cluster.node.metadata.filter((entry) => entry.type === "@cdktf/warn").map((entry) => String(entry.data));
    expect(warnings).toEqual([expect.stringContaining("sshAllowedCidr 0.0.0.0/0 opens SSH to the whole internet")]);
  });

  it("creates a fixed HAVIP with the drift lock: check_associate and one attachment per node", () => {
    const result = synthCluster();
    expect(result.only("tencentcloud_ha_vip")).toMatchObject({ vip: "172.16.16.12", check_associate: true, name: "web-havip-1" });
    const locks = Object.values(result.resources("tencentcloud_ha_vip_instance_attachment"));
    expect(locks.map((lock) => [lock.instance_type, String(lock.instance_id).replace(/_[0-9A-F]{8}/, "")])).toEqual([
      ["CVM", "${tencentcloud_instance.web_primary.id}"],
      ["CVM", "${tencentcloud_instance.web_secondary.id}"],
    ]);
  });

  it("drops the drift lock when asked", () => {
    const result = synthCluster({ driftLock: false });
    expect(result.only("tencentcloud_ha_vip").check_associate).toBe(false);
    expect(result.resources("tencentcloud_ha_vip_instance_attachment")).toEqual({});
  });

  it("creates one auto-assigned HAVIP by default", () => {
    const havip = synthCluster({ havips: undefined }).only("tencentcloud_ha_vip");
    expect(havip.vip).toBeUndefined();
  });

  it("creates up to five HAVIPs, each locked to both nodes", () => {
    const result = synthCluster({ havips: [{ address: "172.16.16.12" }, {}, {}, {}, { address: "172.16.16.20", name: "db" }] });
    expect(Object.keys(result.resources("tencentcloud_ha_vip"))).toHaveLength(5);
    expect(Object.keys(result.resources("tencentcloud_ha_vip_instance_attachment"))).toHaveLength(10);
    expect(Testing.toHaveResourceWithProperties(result.json, "tencentcloud_ha_vip", { name: "db", vip: "172.16.16.20" })).toBe(true);
  });

  it("binds an EIP to the first HAVIP by default", () => {
    const result = synthCluster({ havips: [{ address: "172.16.16.12" }, {}] });
    expect(result.only("tencentcloud_eip")).toMatchObject({ name: "web-eip", internet_max_bandwidth_out: 1 });
    expect(result.only("tencentcloud_ha_vip_eip_attachment")).toMatchObject({
      havip_id: expect.stringMatching(/tencentcloud_ha_vip\.web_havip-1_.+\.id/),
      address_ip: expect.stringMatching(/tencentcloud_eip\..+\.public_ip/),
    });
  });

  it("creates no EIP when eip is false", () => {
    const result = synthCluster({ eip: false });
    expect(result.resources("tencentcloud_eip")).toEqual({});
    expect(result.outputs()["web-eip"]).toBeUndefined();
  });

  it("leaves out public IPs and the placement group when asked", () => {
    const result = synthCluster({ publicSsh: false, sshAllowedCidr: undefined, spreadAcrossHosts: false });
    const instance = Object.values(result.resources("tencentcloud_instance"))[0];
    expect(instance.allocate_public_ip).toBe(false);
    expect(instance.placement_group_id).toBeUndefined();
    expect(result.resources("tencentcloud_placement_group")).toEqual({});
    // Without public SSH, port 22 is open to the VPC (for a jump host), not the internet.
    expect((result.only("tencentcloud_security_group_rule_set").ingress as { cidr_block: string }[])[0].cidr_block).toBe("172.16.0.0/16");
  });

  it("tags every taggable resource", () => {
    const result = synthCluster({ tags: { team: "sre" } });
    for (const type of [
      "tencentcloud_vpc",
      "tencentcloud_subnet",
      "tencentcloud_instance",
      "tencentcloud_eip",
      "tencentcloud_security_group",
      "tencentcloud_key_pair",
    ]) {
      for (const resource of Object.values(result.resources(type))) expect(resource.tags, type).toEqual({ team: "sre" });
    }
  });
});

describe("HaVipCluster outputs", () => {
  it("names every output after the construct id", () => {
    expect(Object.keys(synthCluster().outputs()).sort()).toEqual([
      "web-eip",
      "web-havip-addresses",
      "web-instance-ids",
      "web-private-ips",
      "web-public-ips",
      "web-spec",
    ]);
  });

  it("outputs the private IPs as plain values", () => {
    expect(synthCluster().outputs()["web-private-ips"].value).toEqual(["172.16.16.5", "172.16.16.6"]);
  });

  it("outputs the spec from one JSON local with the HAVIP and node expressions spliced in, not sensitive without a password", () => {
    const result = synthCluster();
    const spec = result.outputs()["web-spec"];
    expect(spec.sensitive).toBe(false);
    expect(String(spec.value)).toMatch(/^\$\{local\.web_spec_[0-9A-F]+\}$/);
    const value = result.specTemplate();
    expect(value).toMatch(/"vips":\[\$\{jsonencode\(tencentcloud_ha_vip\.web_havip-1_[0-9A-F]+\.vip\)\}\]/);
    expect(value).toMatch(/"sshHost":\$\{jsonencode\(tencentcloud_instance\.web_primary_[0-9A-F]+\.public_ip\)\}/);
    expect(value).toContain('"virtualRouterId":51');
    expect(value).toContain('"subnetPrefixLength":24');
    expect(value).not.toContain("authPass");
  });

  it("marks the spec sensitive when it carries the VRRP password", () => {
    const result = synthCluster({ keepalived: { virtualRouterId: 51, authPass: "s3cret" } });
    expect(result.outputs()["web-spec"].sensitive).toBe(true);
    expect(result.specTemplate()).toContain('"authPass":"s3cret"');
  });

  it("uses the private IP as SSH host when public SSH is off", () => {
    const value = synthCluster({ publicSsh: false, sshAllowedCidr: undefined }).specTemplate();
    expect(value).toContain('"sshHost":"172.16.16.5"');
  });

  it("exposes the resolved spec and addresses as attributes", () => {
    let cluster: HaVipCluster | undefined;
    synthStack((stack) => {
      cluster = new HaVipCluster(stack, "web", {
        ...guideProps,
        keepalived: { virtualRouterId: 7, advertIntSeconds: 3 },
        ssh: { ...guideProps.ssh, user: "ops" },
      });
    });
    expect(cluster?.nodePrivateIps).toEqual(["172.16.16.5", "172.16.16.6"]);
    expect(cluster?.havipAddresses).toHaveLength(1);
    expect(cluster?.clusterSpec).toMatchObject({
      specVersion: 1,
      clusterName: "web",
      virtualRouterId: 7,
      advertIntSeconds: 3,
      priority: 254,
      interfaceName: "eth0",
      subnetPrefixLength: 24,
      ssh: { user: "ops", knownHostsPath: ".havip/known_hosts", trustOnFirstUse: true },
      nodes: [
        { name: "primary", privateIp: "172.16.16.5" },
        { name: "secondary", privateIp: "172.16.16.6" },
      ],
      healthCheck: { kind: "maintenance-flag" },
    });
    expect(cluster?.eipAddress).toBeDefined();
    expect(typeof cluster?.specJson).toBe("string");
  });
});
