import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { BUILT_ENTRY, PACKAGE_NAME, REPO_ROOT, requireBuiltPackage, requireFromRoot } from "../../fixtures/package-build";

type PackageExports = typeof import("tencentcloud-havip-cluster");

describe("the package entry", () => {
  beforeAll(requireBuiltPackage);

  it("resolves by its own name to the compiled entry named in package.json exports", () => {
    expect(requireFromRoot.resolve(PACKAGE_NAME)).toBe(BUILT_ENTRY);
  });

  it("exposes the construct, the settings limits, the renderers, the validators and the provisioner", () => {
    const api = requireFromRoot(PACKAGE_NAME) as PackageExports;
    expect(typeof api.HaVipCluster).toBe("function");
    expect(typeof api.SettingsError).toBe("function");
    expect(api.MAX_VIPS_PER_ENI).toBe(5);
    expect(api.MAX_AUTH_PASS_LENGTH).toBe(8);
    expect([api.VIRTUAL_ROUTER_ID_MIN, api.VIRTUAL_ROUTER_ID_MAX]).toEqual([1, 255]);
    for (const name of [
      "renderNodeFiles",
      "renderKeepalivedConf",
      "validateKeepalivedSettings",
      "validateClusterSpec",
      "provisionCluster",
    ] as const) {
      expect(typeof api[name], name).toBe("function");
    }
    expect(typeof api.tencentcloud.provider.TencentcloudProvider).toBe("function");
  });

  it("keeps internals out of the public surface", () => {
    const names = Object.keys(requireFromRoot(PACKAGE_NAME) as object);
    expect(names).not.toContain("runCli");
    expect(names).not.toContain("registerCluster");
    expect(names).not.toContain("GUIDE_DEFAULTS");
  });

  it("builds only lib/ and the provider bindings into the package: no benchmarks, scripts or tests", () => {
    const listed = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json", "--listFilesOnly"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(listed.status, listed.stderr).toBe(0);
    const ownFiles = listed.stdout.split("\n").filter((file) => file.startsWith(REPO_ROOT) && !file.includes("/node_modules/"));
    expect(ownFiles.length).toBeGreaterThan(0);
    expect(ownFiles.filter((file) => !file.startsWith(`${REPO_ROOT}/lib/`) && !file.startsWith(`${REPO_ROOT}/.gen/`))).toEqual([]);
    expect(ownFiles.filter((file) => file.includes("bench"))).toEqual([]);
  });

  it("packs the licence, the changelog and the compiled library, with no source map pointing at an unshipped source", () => {
    const packed = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(packed.status, packed.stderr).toBe(0);
    const files = (JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0].files.map((file) => file.path);
    expect(files).toEqual(expect.arrayContaining(["LICENSE", "CHANGELOG.md", "README.md", "package.json", "dist/lib/index.js"]));
    expect(files.filter((file) => file.endsWith(".map"))).toEqual([]);
    expect(files.filter((file) => /(^|\/)(lab|bench|app|local-cloud|test)(\/|$)/.test(file))).toEqual([]);
  });

  it("does nothing on import: no output, no lingering handles, exit code 0", () => {
    const result = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(PACKAGE_NAME)})`], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      timeout: 15_000,
      env: { ...process.env, HAVIP_CLUSTER_SPEC: "" },
    });
    expect(result.error).toBeUndefined();
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: "", stderr: "" });
  });

  it("validates settings through the package API with field, value and rule", () => {
    const { validateKeepalivedSettings } = requireFromRoot(PACKAGE_NAME) as PackageExports;
    expect(validateKeepalivedSettings({ virtualRouterId: 256 })).toEqual([
      expect.objectContaining({ field: "keepalived.virtualRouterId", value: "256" }),
    ]);
  });
});
