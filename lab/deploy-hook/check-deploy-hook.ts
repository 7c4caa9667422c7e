/**
 * Runs the construct's post-apply hook through real Terraform against a running lab (the same
 * code as test/lab/e2e/deploy-hook.test.ts, which CI runs on a lab of its own): init, apply (the
 * local-exec provisions both servers) and destroy, then `havip-cluster status`.
 *
 *   npm run lab -- bare up && npm run check:deploy-hook && npm run lab -- bare down      (root, terraform on PATH)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLUSTER_SPEC_ENV, cliArgv } from "../../lib/spec/provision-invocation";
import { DEFAULT_LAB_PREFIX, loadLab, runInOperatorNamespace } from "..";
import { DEPLOY_HOOK_COMMANDS, synthesizeDeployHook, terraformInLab } from "./deploy-hook";

async function main(): Promise<number> {
  const lab = loadLab(process.argv[2] ?? DEFAULT_LAB_PREFIX);
  if (!lab) {
    console.error("the lab is not up: run `npm run lab -- bare up` first");
    return 2;
  }
  if (spawnSync("terraform", ["version"], { stdio: "ignore" }).status !== 0) {
    console.error("terraform is not on PATH");
    return 2;
  }
  const outdir = mkdtempSync(join(tmpdir(), "havip-deploy-hook-"));
  try {
    const hook = synthesizeDeployHook(lab, outdir);
    for (const args of DEPLOY_HOOK_COMMANDS) {
      console.log(`\n== terraform ${args[0]} (in ${lab.operatorNamespace})`);
      const run = await terraformInLab(lab, hook, args);
      process.stdout.write(run.stdout);
      process.stderr.write(run.stderr);
      if (run.code !== 0) return run.code;
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

main().then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  },
);
