/**
 * Runs the construct's post-apply hook through real Terraform against the local lab:
 * synthesizes a stack holding only the `terraform_data` + local-exec that HaVipCluster adds (with
 * the lab's spec instead of CVM addresses), then `terraform init`, `apply` and `destroy` inside the
 * lab's operator namespace. `terraform_data` is built into Terraform, so no provider is downloaded.
 *
 *   npm run lab -- up && npm run check:deploy-hook && npm run lab -- down      (root, terraform on PATH)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Fn, TerraformStack } from "cdktf";
import { addPostApplyProvisioning } from "../lib/construct/private/post-apply-provisioning";
import { CLUSTER_SPEC_ENV, cliArgv } from "../lib/handoff/provision-invocation";
import { DEFAULT_LAB_PREFIX, assertOperatorNamespaceIsolated, loadLab, runInOperatorNamespace } from "../lib/lab";

async function main(): Promise<number> {
  const lab = loadLab(process.argv[2] ?? DEFAULT_LAB_PREFIX);
  if (!lab) {
    console.error("the lab is not up: run `npm run lab -- up` first");
    return 2;
  }
  if (spawnSync("terraform", ["version"], { stdio: "ignore" }).status !== 0) {
    console.error("terraform is not on PATH");
    return 2;
  }
  await assertOperatorNamespaceIsolated(lab);
  const outdir = mkdtempSync(join(tmpdir(), "havip-deploy-hook-"));
  try {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, "deploy-hook");
    const spec = JSON.parse(readFileSync(lab.specPath, "utf8")) as object;
    addPostApplyProvisioning(stack, Fn.jsonencode(spec), ["lab-a", "lab-b"], []);
    app.synth();
    const stackDir = join(outdir, "stacks", "deploy-hook");
    // An unset TF_CLI_CONFIG_FILE pointing nowhere only adds warnings.
    const env = { ...process.env, TF_CLI_CONFIG_FILE: "", CHECKPOINT_DISABLE: "1" };
    for (const args of [["init", "-input=false"], ["apply", "-auto-approve", "-input=false"], ["destroy", "-auto-approve", "-input=false"]]) {
      console.log(`\n== terraform ${args[0]} (in ${lab.operatorNamespace})`);
      const run = spawnSync("ip", ["netns", "exec", lab.operatorNamespace, "terraform", `-chdir=${stackDir}`, ...args], { stdio: "inherit", env });
      if (run.status !== 0) return run.status ?? 1;
    }
    const status = await runInOperatorNamespace(lab, [...cliArgv("status"), "--json"], {
      env: { ...process.env, [CLUSTER_SPEC_ENV]: readFileSync(lab.specPath, "utf8") },
    });
    const healthy = status.code === 0 && (JSON.parse(status.stdout) as { healthy: boolean }).healthy;
    console.log(
      healthy
        ? "\ndeploy hook: terraform ran the provisioner on apply, and destroy left Keepalived serving the VIP"
        : `\ndeploy hook: after destroy the lab is not healthy:\n${status.stdout}${status.stderr}`,
    );
    return healthy ? 0 : 1;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

main().then((code) => (process.exitCode = code), (error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
