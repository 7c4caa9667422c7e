import { execSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_NAME, REPO_ROOT, requireBuiltPackage, requireFromRoot } from "../../fixtures/package-build";

const EXAMPLE_DIR = join(REPO_ROOT, "examples", "consumer");

type Block = Record<string, unknown>;
interface SynthesizedStack {
  resource: Record<string, Record<string, Block>>;
  output: Record<string, { value: string }>;
  locals: Record<string, string>;
}

/** Runs the example exactly as `cdktf synth` would: the "app" command of its cdktf.json, in its folder. */
function synthesizeExample(outdir: string): SynthesizedStack {
  const { app } = JSON.parse(readFileSync(join(EXAMPLE_DIR, "cdktf.json"), "utf8")) as { app: string };
  execSync(app, { cwd: EXAMPLE_DIR, env: { ...process.env, CDKTF_OUTDIR: outdir }, stdio: "pipe", timeout: 60_000 });
  return JSON.parse(readFileSync(join(outdir, "stacks", "shop", "cdk.tf.json"), "utf8")) as SynthesizedStack;
}

describe("examples/consumer: a stack that uses the package by name", () => {
  let outdir: string;
  let stack: SynthesizedStack;
  const blocks = (type: string) => Object.values(stack.resource[type] ?? {});
  /** The spec's JSON template: the local its `<id>-spec` output reads. */
  const specOutput = (id: string) => stack.locals[stack.output[`${id}-spec`].value.replace(/^\$\{local\.(.+)\}$/, "$1")];

  beforeAll(() => {
    requireBuiltPackage();
    outdir = mkdtempSync(join(tmpdir(), "havip-consumer-"));
    stack = synthesizeExample(outdir);
  }, 90_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("imports the construct by package name, never by a relative path into the sources", () => {
    const source = readFileSync(join(EXAMPLE_DIR, "main.ts"), "utf8");
    expect(source).toContain(`from "${PACKAGE_NAME}"`);
    expect(source).not.toMatch(/from\s+["']\.{1,2}\//);
    expect(source).not.toMatch(/\.gen\//);
  });

  it("resolves that name from the example's folder to the compiled package", () => {
    expect(requireFromRoot.resolve(PACKAGE_NAME, { paths: [EXAMPLE_DIR] })).toBe(join(REPO_ROOT, "dist", "lib", "index.js"));
  });

  it("builds two clusters in one VPC: one VPC, two HAVIPs, four CVMs", () => {
    expect(blocks("tencentcloud_vpc")).toHaveLength(1);
    expect(blocks("tencentcloud_ha_vip")).toHaveLength(2);
    expect(blocks("tencentcloud_instance")).toHaveLength(4);
    const vpcIds = new Set(blocks("tencentcloud_ha_vip").map((havip) => havip.vpc_id));
    const subnetIds = new Set(blocks("tencentcloud_ha_vip").map((havip) => havip.subnet_id));
    expect([vpcIds.size, subnetIds.size]).toEqual([1, 1]);
  });

  it("gives the clusters their own virtual_router_ids (51 and 52) and addresses in their specs", () => {
    expect(specOutput("web")).toContain('"virtualRouterId":51');
    expect(specOutput("db")).toContain('"virtualRouterId":52');
    expect(
      blocks("tencentcloud_ha_vip")
        .map((havip) => havip.vip)
        .sort(),
    ).toEqual(["10.20.1.10", "10.20.1.20"]);
    expect(specOutput("db")).toContain('"privateIp":"10.20.1.7"');
    expect(specOutput("db")).toContain('"privateIp":"10.20.1.8"');
  });

  it("puts the consumer's own app subnet into the clusters' VPC", () => {
    const appSubnet = blocks("tencentcloud_subnet").find((subnet) => subnet.name === "shop-app");
    expect(appSubnet).toMatchObject({ cidr_block: "10.20.2.0/24" });
    expect(appSubnet?.vpc_id).toBe(blocks("tencentcloud_ha_vip")[0].vpc_id);
  });

  it("adds the consumer's outputs next to the clusters' own", () => {
    expect(Object.keys(stack.output)).toEqual(expect.arrayContaining(["shop_url", "database_address", "web-spec", "db-spec"]));
    expect(stack.output.database_address.value).toMatch(/^\$\{tencentcloud_ha_vip\.db_havip-1_\w+\.vip\}$/);
  });
});

describe("the package API with two clusters in one VPC", () => {
  // cdktf's App creates its output folder on construction.
  let outdir: string;
  beforeAll(() => {
    requireBuiltPackage();
    outdir = mkdtempSync(join(tmpdir(), "havip-vrid-"));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("rejects a second cluster with the first one's virtual_router_id, naming field, value and rule", () => {
    const { HaVipCluster } = requireFromRoot(PACKAGE_NAME) as typeof import("tencentcloud-havip-cluster");
    const { App, TerraformStack } = requireFromRoot("cdktf") as typeof import("cdktf");
    const stack = new TerraformStack(new App({ outdir }), "shop");
    const common = {
      keepalived: { virtualRouterId: 51 },
      sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFRlc3RLZXlPbmx5Rm9yU3ludGhUZXN0cy0tLS0tLS0t operator@example",
      sshAllowedCidr: "203.0.113.7/32",
      ssh: { knownHostsPath: ".havip/known_hosts", trustOnFirstUse: true },
    };
    const web = new HaVipCluster(stack, "web", {
      ...common,
      network: { vpcCidr: "10.20.0.0/16", subnetCidr: "10.20.1.0/24", availabilityZone: "ap-guangzhou-3" },
    });
    expect(
      () =>
        new HaVipCluster(stack, "db", {
          ...common,
          network: web.network,
          nodes: { primaryIp: "10.20.1.7", secondaryIp: "10.20.1.8" },
        }),
    ).toThrow(
      "HaVipCluster 'shop/db': keepalived.virtualRouterId 51 is already used by cluster 'shop/web' in the same VPC; give each cluster its own id",
    );
  });
});
