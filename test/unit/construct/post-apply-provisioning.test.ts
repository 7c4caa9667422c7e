import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { synthCluster } from "../../fixtures/synth-cluster";

interface LocalExec {
  type: string;
  interpreter: string[];
  command: string;
  environment: Record<string, string>;
  when?: string;
}

function provisioningOf(props: Parameters<typeof synthCluster>[0] = {}) {
  const result = synthCluster(props);
  // The whole pair's run; the per-node deploy gates are covered in day-two-changes.test.ts.
  const all = Object.entries(result.resources("terraform_data"))
    .filter(([logicalId]) => !logicalId.includes("-gate"))
    .map(([, block]) => block);
  return { result, all };
}

describe("post-apply provisioning", () => {
  it("adds one terraform_data whose local-exec runs `havip-cluster provision` without a shell", () => {
    const { all } = provisioningOf();
    expect(all).toHaveLength(1);
    const [exec] = all[0].provisioner as { "local-exec": LocalExec }[];
    const localExec = exec["local-exec"];
    expect(localExec.interpreter[0]).toBe("node");
    expect(localExec.interpreter[1]).toMatch(/bin\/havip-cluster\.cjs$/);
    expect(existsSync(localExec.interpreter[1])).toBe(true);
    expect(localExec.command).toBe("provision");
    expect(localExec.when).toBeUndefined();
  });

  it("passes the cluster spec as JSON in HAVIP_CLUSTER_SPEC, with the instances' addresses as expressions", () => {
    const { all, result } = provisioningOf();
    const localExec = (all[0].provisioner as { "local-exec": LocalExec }[])[0]["local-exec"];
    expect(localExec.environment.HAVIP_CLUSTER_SPEC).toBe(result.outputs()["web-spec"].value);
    const spec = result.specTemplate();
    expect(spec).toContain("tencentcloud_instance.");
    expect(spec).toContain(".public_ip");
    expect(spec).toContain('"virtualRouterId":51');
  });

  it("re-runs when the spec, the package version or an instance changes", () => {
    const { all } = provisioningOf();
    const triggers = all[0].triggers_replace as Record<string, string>;
    expect(Object.keys(triggers).sort()).toEqual(["instance_ids", "package_version", "spec_sha256"]);
    expect(triggers.spec_sha256).toMatch(/^\$\{sha256\(local\.web_spec_[0-9A-F]+\)\}$/);
    expect(triggers.instance_ids).toContain("tencentcloud_instance.");
    expect(triggers.package_version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("waits for every resource of the cluster, the drift lock, the EIP attachment and both node gates included", () => {
    const { all } = provisioningOf();
    const dependsOn = all[0].depends_on as string[];
    expect(dependsOn.filter((d) => d.startsWith("tencentcloud_instance."))).toHaveLength(2);
    expect(dependsOn.filter((d) => d.startsWith("tencentcloud_ha_vip_instance_attachment."))).toHaveLength(2);
    expect(dependsOn.some((d) => d.startsWith("tencentcloud_ha_vip."))).toBe(true);
    expect(dependsOn.some((d) => d.startsWith("tencentcloud_ha_vip_eip_attachment."))).toBe(true);
    expect(dependsOn.some((d) => d.startsWith("tencentcloud_security_group_rule_set."))).toBe(true);
    expect(dependsOn.filter((d) => d.startsWith("terraform_data."))).toEqual([
      expect.stringContaining("primary-gate"),
      expect.stringContaining("secondary-gate"),
    ]);
  });

  it("runs nothing on destroy", () => {
    const { all } = provisioningOf();
    const provisioners = all[0].provisioner as { "local-exec": LocalExec }[];
    expect(provisioners.every((p) => p["local-exec"].when !== "destroy")).toBe(true);
  });

  it("is left out with provisionOnDeploy: false", () => {
    expect(provisioningOf({ provisionOnDeploy: false }).all).toHaveLength(0);
  });

  it("marks the spec output sensitive when it carries a user's VRRP password, and its hash in the trigger too", () => {
    const { result, all } = provisioningOf({ keepalived: { virtualRouterId: 51, authPass: "s3cretpw" } });
    expect((all[0].triggers_replace as Record<string, string>).spec_sha256).toMatch(/^\$\{sensitive\(sha256\(/);
    const spec = Object.entries(result.outputs()).find(([name]) => name.endsWith("-spec"));
    expect(spec?.[1].sensitive).toBe(true);
  });
});
