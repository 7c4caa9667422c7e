import { TerraformVariable } from "cdktf";
import { describe, expect, it } from "vitest";
import { DataTencentcloudHaVips } from "../../../.gen/providers/tencentcloud/data-tencentcloud-ha-vips";
import { DataTencentcloudInstances } from "../../../.gen/providers/tencentcloud/data-tencentcloud-instances";
import { HaVipEipAttachment } from "../../../.gen/providers/tencentcloud/ha-vip-eip-attachment";
import { HaVip } from "../../../.gen/providers/tencentcloud/ha-vip";
import { Instance } from "../../../.gen/providers/tencentcloud/instance";
import { HaVipCluster } from "../../../lib/construct";
import { guideProps, synthCluster, synthStack, type SynthResult } from "../../fixtures/synth-cluster";

interface ImportBlock {
  readonly for_each: string;
  readonly to: string;
  readonly id: string;
}

function imports(result: SynthResult): ImportBlock[] {
  return (JSON.parse(result.json) as { import?: ImportBlock[] }).import ?? [];
}

/** The import block into the resource of `type` whose logical id starts with `prefix`. */
function importInto(result: SynthResult, type: string, prefix: string): ImportBlock {
  const found = imports(result).filter((block) => block.to.startsWith(`${type}.${prefix}`));
  if (found.length !== 1) throw new Error(`expected one import into ${type}.${prefix}*, found ${found.length}`);
  return found[0];
}

/** The value of `local.<name>` an expression reads as `local.<name>.<field>`. */
function identityOf(result: SynthResult, forEach: string): Record<string, unknown> {
  const name = /local\.([\w-]+)\./.exec(forEach)?.[1];
  return (result.locals()[name ?? ""] ?? {}) as Record<string, unknown>;
}

describe("adoption of what a killed deploy created but did not record", () => {
  it("looks the nodes up by their constant names and imports only a CVM with the node's IP in the cluster's own security group", () => {
    const result = synthCluster();
    expect(Object.values(result.data(DataTencentcloudInstances.tfResourceType)).map((lookup) => lookup.instance_name)).toEqual([
      "web-primary",
      "web-secondary",
    ]);
    const primary = importInto(result, Instance.tfResourceType, "web_primary");
    expect(primary.id).toBe("${each.key}");
    expect(primary.for_each).toContain("contains(i.security_groups, local.");
    expect(primary.for_each).toContain("i.private_ip == local.");
    expect(identityOf(result, primary.for_each)).toEqual({
      name: "web-primary",
      private_ip: "172.16.16.5",
      security_group_id: expect.stringMatching(/^\$\{tencentcloud_security_group\.web_security-group_\w+\.id\}$/),
    });
  });

  it("imports only an HAVIP of its name in the cluster's subnet, at its fixed address, bound to no instance", () => {
    const result = synthCluster();
    expect(Object.values(result.data(DataTencentcloudHaVips.tfResourceType)).map((lookup) => lookup.name)).toEqual(["web-havip-1"]);
    const havip = importInto(result, HaVip.tfResourceType, "web_havip-1");
    expect(havip.for_each).toContain('(h.instance_id == null || h.instance_id == "")');
    expect(identityOf(result, havip.for_each)).toEqual({
      name: "web-havip-1",
      subnet_id: expect.stringMatching(/^\$\{tencentcloud_subnet\.web_subnet_\w+\.id\}$/),
      vip: "172.16.16.12",
    });
  });

  it("imports the EIP binding by the provider's id, <havip>#<address>, from the HAVIP alone (an EIP added later has no address at plan time)", () => {
    const result = synthCluster();
    const binding = importInto(result, HaVipEipAttachment.tfResourceType, "web_eip-attachment");
    expect(binding.for_each).toContain('format("%s#%s", h.id, h.address_ip)');
    expect(binding.for_each).not.toContain("tencentcloud_eip.");
  });

  it("adopts no HAVIP, nor its EIP binding, whose name is a Terraform expression: it could not be looked up by a constant", () => {
    const result = synthStack((stack) => {
      const name = new TerraformVariable(stack, "havip_name", { type: "string" }).stringValue;
      new HaVipCluster(stack, "web", { ...guideProps, havips: [{ address: "172.16.16.12", name }] });
    });
    expect(result.data(DataTencentcloudHaVips.tfResourceType)).toEqual({});
    expect(imports(result).map((block) => block.to.split(".")[0])).toEqual([Instance.tfResourceType, Instance.tfResourceType]);
  });

  it("writes no EIP binding import without an EIP", () => {
    const result = synthCluster({ eip: false });
    expect(imports(result).map((block) => block.to.split(".")[0])).toEqual([
      Instance.tfResourceType,
      Instance.tfResourceType,
      HaVip.tfResourceType,
    ]);
  });

  it("with adoptUnrecorded: false declares no lookup and no import (a deploy that replaces the network can then plan)", () => {
    const result = synthCluster({ adoptUnrecorded: false });
    expect(imports(result)).toEqual([]);
    expect(result.data(DataTencentcloudInstances.tfResourceType)).toEqual({});
    expect(result.data(DataTencentcloudHaVips.tfResourceType)).toEqual({});
    expect(Object.keys(result.resources(Instance.tfResourceType))).toHaveLength(2);
  });
});
