import { resolve } from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const REPO_ROOT = resolve(__dirname, "../../..");
const eslint = new ESLint({ cwd: REPO_ROOT });

/** Lints one import as if it were written in the given file; the file need not exist. */
async function importErrors(filePath: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import * as imported from "${specifier}";\nexport const used = imported;\n`, { filePath });
  return result.messages.filter((message) => message.ruleId === "no-restricted-imports").map((message) => message.message);
}

describe("npm run lint keeps the layers pointing down", () => {
  it.each([
    ["lib/core/layering-probe.ts", "../cli/main", "lib/core may import only itself"],
    ["lib/core/plan/layering-probe.ts", "../../provisioner/apply-node-plan", "lib/core may import only itself"],
    ["lib/spec/layering-probe.ts", "../cli/main", "lib/spec may import only lib/core"],
    ["lib/spec/layering-probe.ts", "../provisioner/ssh/connect-node", "lib/spec may import only lib/core"],
    ["lib/cli/layering-probe.ts", "../construct/ha-vip-cluster", "lib/cli may import only"],
    ["lib/operations/layering-probe.ts", "../cli/cluster-options", "lib/operations may import only"],
    ["lib/provisioner/layering-probe.ts", "../operations/status-report", "lib/provisioner may import only lib/core, lib/spec"],
    ["lib/index.ts", "./cli/main", "lib/index.ts may import only"],
    ["lib/index.ts", "../lab/lab-up", "lib/ is the package"],
    ["lib/provisioner/layering-probe.ts", "../cli/commands/provision-command", "lib/provisioner may import only lib/core, lib/spec"],
    ["lib/construct/private/layering-probe.ts", "../../cli/cluster-options", "lib/construct may import only lib/core, lib/spec"],
    ["lib/construct/layering-probe.ts", "../provisioner/provision-cluster", "lib/construct may import only lib/core, lib/spec"],
    ["lib/core/layering-probe.ts", "node:fs", "lib/core is pure"],
    ["lib/core/layering-probe.ts", "cdktf", "lib/core is pure"],
    ["lib/provisioner/layering-probe.ts", "../../../.gen/providers/tencentcloud/vpc", "must not import the provider bindings"],
    ["lib/provisioner/layering-probe.ts", "listr2", "must not import listr2 or commander"],
    ["lib/construct/layering-probe.ts", "commander", "must not import listr2 or commander"],
    ["lib/cloud/layering-probe.ts", "../../lab", "lib/ is the package"],
    ["lib/cli/layering-probe.ts", "../../lab/cli", "lib/ is the package"],
    ["lib/cli/layering-probe.ts", "../../app/example-stack", "lib/ is the package"],
    ["lib/cli/commands/layering-probe.ts", "../../../bench/lab-timing", "lib/ is the package"],
    ["lib/cloud/layering-probe.ts", "../../local-cloud/server", "lib/ is the package"],
    ["lib/provisioner/ssh/layering-probe.ts", "../../../test/lab/e2e/lab-fixture", "lib/ is the package"],
    ["lib/core/layering-probe.ts", "../../scripts/generate-api-reference", "lib/ is the package"],
    ["lab/drills/layering-probe.ts", "../../bench/lab-timing", "lab/ may import only lib/"],
    ["lab/layering-probe.ts", "../test/lab/e2e/lab-fixture", "lab/ may import only lib/"],
    ["app/layering-probe.ts", "../lab/lab-up", "app/ may import only lib/"],
    ["bench/layering-probe.ts", "../app/example-stack", "bench/ may import only lib/"],
    ["lib/layering-probe.ts", "../local-cloud/start-local-cloud", "lib/ is the package"],
    ["local-cloud/services/vpc/layering-probe.ts", "../../../lib/core/network", "local-cloud/ must not import the project"],
    ["local-cloud/layering-probe.ts", "../lab/lab-up", "local-cloud/ must not import the project"],
    ["local-cloud/layering-probe.ts", "../test/fixtures/tc3-signature", "local-cloud/ must not import the project"],
    ["local-cloud/layering-probe.ts", "tencentcloud-havip-cluster", "local-cloud/ must not import the project"],
  ])("%s importing %s fails", async (filePath, specifier, expected) => {
    const errors = await importErrors(filePath, specifier);
    expect(errors.join("\n")).toContain(expected);
  });

  it.each([
    ["lib/provisioner/layering-probe.ts", "../core/keepalived"],
    ["lib/construct/private/layering-probe.ts", "../../spec/provision-invocation"],
    ["lib/provisioner/ssh/layering-probe.ts", "../../spec/ssh-key-file"],
    ["lib/operations/layering-probe.ts", "../provisioner/provision-cluster"],
    ["lib/cli/commands/layering-probe.ts", "../../operations/status-report"],
    ["lib/index.ts", "./operations/status-report"],
    ["lib/index.ts", "../.gen/providers/tencentcloud"],
    ["lib/cli/commands/layering-probe.ts", "../../provisioner/provision-cluster"],
    ["lib/cli/layering-probe.ts", "listr2"],
    ["lib/core/keepalived/layering-probe.ts", "../plan/plan-node-changes"],
    ["app/layering-probe.ts", "../lib/construct/ha-vip-cluster"],
    ["lab/drills/layering-probe.ts", "../../lib/operations/failover-test"],
    ["bench/layering-probe.ts", "../lab/drills"],
    ["test/unit/local-cloud/layering-probe.ts", "../../../local-cloud"],
    ["local-cloud/services/layering-probe.ts", "../network/ipv4-block"],
  ])("%s importing %s passes", async (filePath, specifier) => {
    expect(await importErrors(filePath, specifier)).toEqual([]);
  });
});

describe("npm run lint refuses an import cycle", () => {
  it("names the cycle an import would close", async () => {
    // provision-invocation.ts is imported by load-cluster-spec.ts: importing it back closes a cycle.
    const [result] = await eslint.lintText(`export { readClusterSpec } from "./load-cluster-spec";\n`, {
      filePath: "lib/spec/provision-invocation.ts",
    });
    const cycles = result.messages.filter((message) => message.ruleId === "local/no-import-cycle").map((message) => message.message);
    expect(cycles).toEqual([
      "import cycle: lib/spec/provision-invocation.ts -> lib/spec/load-cluster-spec.ts -> lib/spec/provision-invocation.ts",
    ]);
  });

  it("lets a type-only import back through (it is gone at run time)", async () => {
    const [result] = await eslint.lintText(`export type { ClusterSpecSource } from "./load-cluster-spec";\n`, {
      filePath: "lib/spec/provision-invocation.ts",
    });
    expect(result.messages.filter((message) => message.ruleId === "local/no-import-cycle")).toEqual([]);
  });
});
