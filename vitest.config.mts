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

/** Tests that start a lab (network namespaces, sshd, Keepalived): root and Linux only. */
const LAB_TESTS = [
  "test/e2e/**/*.test.ts",
  "test/lab/lab-network.test.ts",
  "test/lab/cloud-network.test.ts",
  "test/lab/link-impairment.test.ts",
  "test/lab/server-lifecycle.test.ts",
  "test/lab/pure-cgroup-v2.test.ts",
];

export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: "unit", include: ["test/**/*.test.ts"], exclude: LAB_TESTS } },
      // After every other project, never beside it: the root-level tool tests (chroots into the
      // release roots, keepalived -t in fresh namespaces, Terraform plans) and their load do not
      // run while lab servers boot and drills time failovers.
      { extends: true, test: { name: "lab", include: LAB_TESTS, sequence: { groupOrder: 1 } } },
    ],
    // Lab tests start network namespaces and time failovers on a 2-core machine: one file at a time.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ["default", summaryLine],
  },
});
