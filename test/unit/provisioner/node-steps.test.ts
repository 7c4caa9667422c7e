import { describe, expect, it } from "vitest";
import { configTestCommand, type ManagedFile } from "../../../lib/core/keepalived";
import { APPLIED_FINGERPRINT_PATH } from "../../../lib/core/limits";
import { planNodeChanges } from "../../../lib/core/plan/plan-node-changes";
import type { RolloutStep } from "../../../lib/core/plan/plan-rollout";
import { reloadCommand, startCommand } from "../../../lib/core/node/keepalived-service";
import { describeNodeStep, planNodeSteps, STAGING_DIR, type NodeStepInput } from "../../../lib/core/plan/plan-node-steps";

const conf: ManagedFile = {
  path: "/etc/keepalived/keepalived.conf",
  mode: 0o600,
  owner: "root",
  group: "root",
  content: "vrrp\n",
  secret: true,
};
const changed = planNodeChanges("primary", [conf], [{ path: conf.path, exists: false }]).pending;
const reload: RolloutStep = { nodeName: "primary", action: "reload", reason: "its files changed" };
const start: RolloutStep = { nodeName: "primary", action: "start", reason: "Keepalived is not running" };
const nothing: RolloutStep = { nodeName: "primary", action: "none", reason: "nothing changed" };

const input = (overrides: Partial<NodeStepInput>): NodeStepInput => ({
  nodeName: "primary",
  keepalivedVersion: "2.2.7",
  initSystem: "systemd",
  scriptUser: "keepalived_script",
  pending: changed,
  rollout: reload,
  // The CLI's words for the option, as `havip-cluster provision` passes them.
  allowUncheckedConfigOption: "--allow-unchecked-config",
  ...overrides,
});

describe("planNodeSteps", () => {
  it("makes the script user exist, checks the staged files, installs them, checks them in place, then reloads and records what was applied", () => {
    const plan = planNodeSteps(input({}));
    expect(plan.refusal).toBeUndefined();
    expect(plan.steps.map((step) => step.kind)).toEqual([
      "ensure-script-user",
      "check-staged",
      "prepare-runtime-paths",
      "install-files",
      "check-installed",
      "reload",
      "record-applied",
    ]);
    expect(plan.steps[0]).toEqual({ kind: "ensure-script-user", scriptUser: "keepalived_script" });
    expect(plan.steps[1]).toMatchObject({ command: configTestCommand("2.2.7", `${STAGING_DIR}/keepalived.conf`) });
    expect(plan.steps[3]).toEqual({ kind: "install-files", paths: [conf.path], unchecked: false });
    expect(plan.steps[4]).toMatchObject({ command: configTestCommand("2.2.7", `${STAGING_DIR}/installed-check.conf`) });
    expect(plan.steps[5]).toEqual({ kind: "reload", command: reloadCommand("systemd") });
    expect(plan.steps[6]).toEqual({ kind: "record-applied", path: APPLIED_FINGERPRINT_PATH });
  });

  it("on every release with a config test, the non-root script user exists before the staged check, and the runtime paths change only after it", () => {
    for (const keepalivedVersion of ["2.0.5", "2.1.5", "2.2.7", "2.2.8", "2.3.3"]) {
      const kinds = planNodeSteps(input({ keepalivedVersion })).steps.map((step) => step.kind);
      expect(kinds.slice(0, 3), keepalivedVersion).toEqual(["ensure-script-user", "check-staged", "prepare-runtime-paths"]);
    }
  });

  it("creates no user for root, and none before the check when nothing is staged", () => {
    expect(planNodeSteps(input({ scriptUser: "root" })).steps.map((step) => step.kind)).toEqual([
      "check-staged",
      "prepare-runtime-paths",
      "install-files",
      "check-installed",
      "reload",
      "record-applied",
    ]);
    expect(planNodeSteps(input({ pending: [], rollout: start })).steps.map((step) => step.kind)).toEqual(["start", "record-applied"]);
  });

  it("only starts a stopped Keepalived whose files are up to date", () => {
    const plan = planNodeSteps(input({ pending: [], rollout: start, initSystem: "other" }));
    expect(plan.steps).toEqual([
      { kind: "start", command: startCommand("other", conf.path) },
      { kind: "record-applied", path: APPLIED_FINGERPRINT_PATH },
    ]);
  });

  it("does nothing on a node that needs nothing, whatever its Keepalived can check", () => {
    for (const keepalivedVersion of ["2.2.7", "1.3.5"]) {
      expect(planNodeSteps(input({ keepalivedVersion, pending: [], rollout: nothing }))).toEqual({
        nodeName: "primary",
        action: "none",
        reason: "nothing changed",
        steps: [],
      });
    }
  });

  it("refuses to change a node whose Keepalived (1.3.5) cannot check a configuration, with the reason and the way out", () => {
    for (const [pending, rollout] of [
      [changed, reload],
      [[], start],
    ] as const) {
      const plan = planNodeSteps(input({ keepalivedVersion: "1.3.5", pending, rollout }));
      expect(plan.steps).toEqual([]);
      expect(plan.refusal).toBe(
        "primary: Keepalived 1.3.5 has no config test (keepalived -t arrived in 2.0.5), so the new configuration cannot be checked on the node " +
          "before it goes live; install Keepalived >= 2.0.5 (the distribution's, or keepalivedSource) or run provision with --allow-unchecked-config",
      );
    }
  });

  it("with allowUncheckedConfig installs unchecked on such a node: no config test step, the install marked unchecked", () => {
    const plan = planNodeSteps(input({ keepalivedVersion: "1.3.5", rollout: start, allowUncheckedConfig: true }));
    expect(plan.refusal).toBeUndefined();
    expect(plan.steps.map((step) => step.kind)).toEqual(["prepare-runtime-paths", "install-files", "start", "record-applied"]);
    expect(plan.steps[1]).toMatchObject({ unchecked: true });
    expect(plan.steps.map(describeNodeStep)[1]).toContain("UNCHECKED");
  });
});

describe("describeNodeStep", () => {
  it("prints commands as `$ command` and the other steps as what they do", () => {
    const lines = planNodeSteps(input({})).steps.map(describeNodeStep);
    expect(lines[0]).toBe("# make sure script user keepalived_script exists (a system user; keepalived -t checks the scripts as it)");
    expect(lines[1]).toBe(`$ ${configTestCommand("2.2.7", `${STAGING_DIR}/keepalived.conf`)}   # staged copy, before anything changes`);
    expect(lines[2]).toBe("# make sure script user keepalived_script exists and owns the paths the scripts write");
    expect(lines[3]).toBe(`# install ${conf.path}: each uploaded beside its target, one *.havip-bak kept, renamed into place`);
    expect(lines[5]).toBe(`$ ${reloadCommand("systemd")}`);
    expect(lines[6]).toBe(`# record the applied files' fingerprint in ${APPLIED_FINGERPRINT_PATH}`);
  });
});

describe("planNodeSteps on Keepalived 2.1.5", () => {
  it("tests the staged files with that release's own config-test command (no -e before 2.2.0)", () => {
    const plan = planNodeSteps(input({ keepalivedVersion: "2.1.5" }));
    expect(plan.steps[1]).toMatchObject({ command: configTestCommand("2.1.5", `${STAGING_DIR}/keepalived.conf`) });
    expect((plan.steps[1] as { command: string }).command).not.toContain(" -e ");
  });
});
