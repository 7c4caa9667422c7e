import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { synthCluster, type SynthResult } from "../../fixtures/synth-cluster";

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
    .filter(([logicalId]) => !logicalId.includes("-gate") && !logicalId.includes("preflight"))
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
      expect.stringContaining("preflight"),
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

describe("the deploy preflight", () => {
  const preflightOf = (result: SynthResult) => {
    const entries = Object.entries(result.resources("terraform_data")).filter(([logicalId]) => logicalId.includes("preflight"));
    expect(entries).toHaveLength(1);
    return { address: `terraform_data.${entries[0][0]}`, block: entries[0][1] };
  };

  it("runs `havip-cluster preflight` with the cluster's name and SSH settings, and no secret", () => {
    const result = synthCluster({ keepalived: { virtualRouterId: 51, authPass: "s3cretpw" } });
    const localExec = (preflightOf(result).block.provisioner as { "local-exec": LocalExec }[])[0]["local-exec"];
    expect([...localExec.interpreter.slice(2), localExec.command]).toEqual(["preflight"]);
    const input = String(result.locals()[/^\$\{local\.([\w-]+)\}$/.exec(localExec.environment.HAVIP_PREFLIGHT)?.[1] ?? ""]);
    expect(JSON.parse(input)).toEqual({ clusterName: "web", ssh: { knownHostsPath: ".havip/known_hosts", trustOnFirstUse: true } });
    expect(preflightOf(result).block.depends_on).toBeUndefined();
  });

  it("comes before every resource of the cluster, so a deploy it refuses creates nothing", () => {
    const result = synthCluster({ havips: [{}] });
    const { address } = preflightOf(result);
    const parsed = JSON.parse(result.json) as { resource: Record<string, Record<string, { depends_on?: string[] }>> };
    const others = Object.entries(parsed.resource).flatMap(([type, blocks]) =>
      Object.entries(blocks)
        .map(([name, block]) => ({ address: `${type}.${name}`, block }))
        .filter((resource) => resource.address !== address),
    );
    expect(others.length).toBeGreaterThan(10);
    expect(others.filter((resource) => !resource.block.depends_on?.includes(address)).map((resource) => resource.address)).toEqual([]);
    // A data source that waited for it would be read only at apply time: the image lookup does not.
    expect(JSON.stringify(result.data("tencentcloud_images"))).not.toContain("preflight");
  });

  it("runs every local-exec in the directory cdktf runs in, where relative SSH paths point", () => {
    const result = synthCluster();
    const execs = Object.values(result.resources("terraform_data")).map(
      (block) => (block.provisioner as { "local-exec": LocalExec & { working_dir: string } }[])[0]["local-exec"],
    );
    expect(execs).toHaveLength(4);
    expect(execs.map((exec) => exec.working_dir)).toEqual(execs.map(() => process.cwd()));
  });

  it("is left out with provisionOnDeploy: false", () => {
    expect(Object.keys(synthCluster({ provisionOnDeploy: false }).resources("terraform_data"))).toEqual([]);
  });
});
