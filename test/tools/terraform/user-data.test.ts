import { skipTerraform, TerraformWorkdir } from "../../fixtures/terraform/terraform-workdir";
import { Instance } from "../../../.gen/providers/tencentcloud/instance";
import { describe, expect, it } from "vitest";
import { synthCluster } from "../../fixtures/synth-cluster";

const CLOUD_INIT = `#cloud-config
packages: [nginx]
runcmd:
  - [sh, -c, 'echo "node \${HOSTNAME:-unknown} %{ if } \\\\ done" > /var/www/html/index.html']
  - [sh, -c, 'echo $\${pid-braces} %%{ already-escaped } $$ > /tmp/x']
`;

/** What Terraform itself makes of a synthesized string: an output applied with no provider at all. */
function terraformReadsBack(value: string): string {
  const workdir = new TerraformWorkdir();
  try {
    workdir.write({ output: { text: { value } } });
    workdir.init();
    workdir.apply();
    return JSON.parse(workdir.run(["output", "-json", "text"])) as string;
  } finally {
    workdir.dispose();
  }
}

describe("nodes.userData", () => {
  it("goes to both CVMs as user_data_raw (plain text; user_data would need base64)", () => {
    const instances = Object.values(
      synthCluster({ nodes: { userData: "#cloud-config\npackages: [nginx]\n" } }).resources(Instance.tfResourceType),
    );
    expect(instances).toHaveLength(2);
    for (const instance of instances) {
      expect(instance.user_data_raw).toBe("#cloud-config\npackages: [nginx]\n");
      expect(instance.user_data).toBeUndefined();
    }
  });

  it("is left out when not given", () => {
    for (const instance of Object.values(synthCluster().resources(Instance.tfResourceType)))
      expect(instance).not.toHaveProperty("user_data_raw");
  });

  it.skipIf(skipTerraform)(
    "reaches Terraform as data: ${...}, %{...}, quotes and backslashes come back unchanged",
    () => {
      const [instance] = Object.values(synthCluster({ nodes: { userData: CLOUD_INIT } }).resources(Instance.tfResourceType));
      expect(terraformReadsBack(instance.user_data_raw as string)).toBe(CLOUD_INIT);
    },
    120_000,
  );

  it("rejects user data larger than Tencent's 16 KB (base64) and an empty one", () => {
    expect(() => synthCluster({ nodes: { userData: "x".repeat(12 * 1024 + 1) } })).toThrow(
      "nodes.userData (12289 bytes) is 16388 bytes base64-encoded; Tencent CVM user data is at most 16384",
    );
    expect(() => synthCluster({ nodes: { userData: " " } })).toThrow('nodes.userData " " must not be empty');
    expect(() => synthCluster({ nodes: { userData: "x".repeat(12 * 1024) } })).not.toThrow();
  });
});

describe("service settings in the spec", () => {
  it("carries hooks with the resolved timeout, the service setup, and nonlocalBind only when turned off", () => {
    const spec = (keepalived: object) => synthCluster({ keepalived: { virtualRouterId: 51, ...keepalived } }).specTemplate();
    const withHooks = spec({ hooks: { master: "systemctl reload nginx" }, serviceSetup: { packages: ["nginx"] }, nonlocalBind: false });
    expect(withHooks).toContain('"hooks":{"master":"systemctl reload nginx","timeoutSeconds":30}');
    expect(withHooks).toContain('"nonlocalBind":false');
    expect(withHooks).toContain('"serviceSetup":{"packages":["nginx"]}');
    expect(spec({})).not.toMatch(/hooks|nonlocalBind|serviceSetup/);
  });

  it("rejects a hook that is not one line, naming the field", () => {
    expect(() => synthCluster({ keepalived: { virtualRouterId: 51, hooks: { master: "a\nb" } } })).toThrow(
      'keepalived.hooks.master "a\\nb" must be a non-empty one-line shell command',
    );
  });
});
