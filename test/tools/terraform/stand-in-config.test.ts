import { describe, expect, it } from "vitest";
import { mapTemplateExpressions, standInName, withStandIns } from "../../fixtures/terraform/stand-in-config";
import { checkWithTerraform, skipTerraform } from "../../fixtures/terraform/terraform-check";

const upper = (code: string) => code.toUpperCase();

describe("mapTemplateExpressions", () => {
  it("rewrites the code of interpolations and directives, not the literal text", () => {
    expect(mapTemplateExpressions("a.b ${x.y} c %{ if z }d%{ endif }", upper)).toBe("a.b ${X.Y} c %{ IF Z }d%{ ENDIF }");
  });

  it("leaves escaped $${ and %%{ sequences alone", () => {
    expect(mapTemplateExpressions("$${x.y} %%{ if z } ${w}", upper)).toBe("$${x.y} %%{ if z } ${W}");
  });

  it("leaves string literals inside an expression alone, nested braces included", () => {
    expect(mapTemplateExpressions('${jsonencode({"k" = "v.w}", a = b})}', upper)).toBe('${JSONENCODE({"k" = "v.w}", A = B})}');
  });

  it("refuses an unterminated expression", () => {
    expect(() => mapTemplateExpressions("${x", upper)).toThrow("unterminated template expression");
  });
});

describe("withStandIns", () => {
  const synthesized = {
    terraform: { required_providers: { tencentcloud: { source: "tencentcloudstack/tencentcloud" } }, backend: { cos: { bucket: "b" } } },
    provider: { tencentcloud: [{}] },
    data: { tencentcloud_images: { img: { image_type: ["PUBLIC_IMAGE"] } } },
    resource: {
      tencentcloud_vpc: { net: { name: "n", cidr_block: "10.0.0.0/16" } },
      tencentcloud_instance: {
        node: {
          image_id: "${data.tencentcloud_images.img.images[0].image_id}",
          vpc_id: "${tencentcloud_vpc.net.id}",
          depends_on: ["tencentcloud_vpc.net"],
          lifecycle: {
            ignore_changes: ["image_id"],
            postcondition: [{ condition: '${self.vpc_id != ""}', error_message: "self.vpc_id is empty" }],
          },
          provider: "tencentcloud",
        },
      },
      terraform_data: {
        provision: {
          input: "${tencentcloud_instance.node.public_ip}",
          depends_on: ["tencentcloud_instance.node"],
          lifecycle: { replace_triggered_by: ["tencentcloud_instance.node.id"] },
        },
      },
    },
    output: { ip: { value: "${tencentcloud_instance.node.public_ip} tencentcloud_vpc.net.id" } },
  };
  const { config, replaced } = withStandIns(synthesized);
  const standIns = (config.resource as Record<string, Record<string, Record<string, unknown>>>).terraform_data;

  it("replaces every provider resource and data source by a terraform_data", () => {
    expect([...replaced].sort()).toEqual(["data.tencentcloud_images.img", "tencentcloud_instance.node", "tencentcloud_vpc.net"]);
    expect(Object.keys(config.resource as object)).toEqual(["terraform_data"]);
    expect(config.data).toBeUndefined();
    expect(Object.keys(standIns).sort()).toEqual([
      "data__tencentcloud_images__img",
      "provision",
      "tencentcloud_instance__node",
      "tencentcloud_vpc__net",
    ]);
  });

  it("keeps the arguments as input and adds fake values for the attributes read elsewhere", () => {
    expect(standIns.tencentcloud_vpc__net.input).toEqual({ name: "n", cidr_block: "10.0.0.0/16", id: "fake-tencentcloud_vpc.net.id" });
    expect(standIns.data__tencentcloud_images__img.input).toEqual({
      image_type: ["PUBLIC_IMAGE"],
      images: [{ image_id: "fake-tencentcloud_images.img.images.image_id" }],
    });
  });

  it("fakes addresses for address attributes, one per block", () => {
    expect((standIns.tencentcloud_instance__node.input as Record<string, unknown>).public_ip).toBe("198.51.100.1");
  });

  it("uses a value given for a computed attribute, and the other fakes stay as they were", () => {
    const twoAddresses = {
      ...synthesized,
      output: { both: { value: "${tencentcloud_vpc.net.gateway_ip} ${tencentcloud_instance.node.public_ip}" } },
    };
    const outputOf = (computed: Record<string, string>) => {
      const resources = withStandIns(twoAddresses, { computed }).config.resource as Record<
        string,
        Record<string, { input: Record<string, unknown> }>
      >;
      return [
        resources.terraform_data.tencentcloud_vpc__net.input.gateway_ip,
        resources.terraform_data.tencentcloud_instance__node.input.public_ip,
      ];
    };
    expect(outputOf({})).toEqual(["198.51.100.2", "198.51.100.1"]);
    expect(outputOf({ "tencentcloud_vpc.net.gateway_ip": "10.0.0.1" })).toEqual(["10.0.0.1", "198.51.100.1"]);
  });

  it("rewrites references in expressions and depends_on, not in literal text", () => {
    const node = standIns[standInName("tencentcloud_instance", "node", false)];
    expect((node.input as Record<string, unknown>).image_id).toBe(
      "${terraform_data.data__tencentcloud_images__img.input.images[0].image_id}",
    );
    expect(node.depends_on).toEqual(["terraform_data.tencentcloud_vpc__net"]);
    expect(standIns.provision.depends_on).toEqual(["terraform_data.tencentcloud_instance__node"]);
    expect((config.output as Record<string, { value: string }>).ip.value).toBe(
      "${terraform_data.tencentcloud_instance__node.input.public_ip} tencentcloud_vpc.net.id",
    );
  });

  it("drops provider meta-arguments, the provider block, its requirement and the remote backend", () => {
    const node = standIns.tencentcloud_instance__node;
    expect(node.provider).toBeUndefined();
    expect(config.provider).toBeUndefined();
    expect(config.terraform).toEqual({});
  });

  it("keeps lifecycle conditions, ignore_changes (on the input) and replace_triggered_by (on the stand-in's own id)", () => {
    expect(standIns.tencentcloud_instance__node.lifecycle).toEqual({
      ignore_changes: ["input.image_id"],
      postcondition: [{ condition: '${self.input.vpc_id != ""}', error_message: "self.vpc_id is empty" }],
    });
    expect(standIns.provision.lifecycle).toEqual({ replace_triggered_by: ["terraform_data.tencentcloud_instance__node.id"] });
  });

  it("reads a block's id as a fake fixed one by default, and as the stand-in's own with idsChangeOnReplace", () => {
    const reading = { ...synthesized, output: { vpc: { value: "${tencentcloud_vpc.net.id}/${tencentcloud_vpc.net.cidr_block}" } } };
    const outputOf = (result: ReturnType<typeof withStandIns>) => (result.config.output as Record<string, { value: string }>).vpc.value;
    expect(outputOf(withStandIns(reading))).toBe(
      "${terraform_data.tencentcloud_vpc__net.input.id}/${terraform_data.tencentcloud_vpc__net.input.cidr_block}",
    );
    const own = withStandIns(reading, { idsChangeOnReplace: true });
    expect(outputOf(own)).toBe("${terraform_data.tencentcloud_vpc__net.id}/${terraform_data.tencentcloud_vpc__net.input.cidr_block}");
    const vpc = (own.config.resource as Record<string, Record<string, { input: Record<string, unknown> }>>).terraform_data
      .tencentcloud_vpc__net;
    expect(vpc.input).toEqual({ name: "n", cidr_block: "10.0.0.0/16" });
  });

  it.skipIf(skipTerraform)("gives Terraform a configuration it plans, lifecycle included", () => {
    const result = checkWithTerraform(synthesized);
    expect(result.outputs.ip.value).toBe("198.51.100.1 tencentcloud_vpc.net.id");
  });

  it("leaves the input untouched", () => {
    expect(synthesized.resource.tencentcloud_instance.node.vpc_id).toBe("${tencentcloud_vpc.net.id}");
  });

  it("refuses a reference to a block the configuration does not declare", () => {
    expect(() => withStandIns({ output: { x: { value: "${tencentcloud_vpc.missing.id}" } } })).toThrow("tencentcloud_vpc.missing");
  });
});
