import { defineConfig } from "vitest/config";
import type { Reporter, TestModule } from "vitest/node";

/** Ends the run with one plain `N passed, N failed, N skipped` line that any CI log reader understands. */
const summaryLine: Reporter = {
  onTestRunEnd(testModules: readonly TestModule[]) {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") counts.passed++;
        else if (state === "failed") counts.failed++;
        else counts.skipped++;
      }
    }
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  },
};

/**
 * Three projects, by what a test needs; the folder says which:
 * - unit (test/unit/): pure. No root, no external tool, no network namespace, no build beforehand:
 *   it passes on a fresh clone after `npm ci`, as a normal user.
 * - tools (test/tools/): real tools or root, but no lab: terraform, keepalived -t, shellcheck,
 *   unshare/chroot, the release roots, the built package.
 * - lab (test/lab/): starts lab servers (network namespaces, sshd, Keepalived): root and Linux.
 */
export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      { extends: true, test: { name: "tools", include: ["test/tools/**/*.test.ts"] } },
      // After every other project, never beside it: the root-level tool tests (chroots into the
      // release roots, keepalived -t in fresh namespaces, Terraform plans) and their load do not
      // run while lab servers boot and drills time failovers.
      { extends: true, test: { name: "lab", include: ["test/lab/**/*.test.ts"], sequence: { groupOrder: 1 } } },
    ],
    // Lab tests start network namespaces and time failovers on a 2-core machine: one file at a time.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ["default", summaryLine],
  },
});
