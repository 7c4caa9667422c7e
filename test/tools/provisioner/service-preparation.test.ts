import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nonlocalBindScript } from "../../../lib/core/node/nonlocal-bind";
import { holdKeepalivedCommand, parseHoldOutcome, upgradeKeepalivedCommand } from "../../../lib/core/node/package-hold";
import { describeServicePreparation, serviceSetupCommand } from "../../../lib/core/node/service-setup";
import { clusterSpec } from "../../fixtures/keepalived-spec";
import { runningAsRoot, toolAvailable } from "../../fixtures/tools";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "havip-service-prep-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// net.* sysctls belong to a network namespace: a fresh one (unshare --net) is changed, the host's is not.
const canUnshare = toolAvailable("unshare") && toolAvailable("sysctl") && runningAsRoot();

function runInFreshNetns(script: string, stdin?: string) {
  return spawnSync("unshare", ["--net", "bash", "-c", script], { encoding: "utf8", input: stdin, timeout: 15_000 });
}

describe.skipIf(!canUnshare)("the ip_nonlocal_bind step, run by bash in a fresh network namespace", () => {
  it("writes the sysctl file, applies only that file and reports 1", () => {
    const path = join(dir, "sysctl.d", "90-havip-nonlocal-bind.conf");
    const { script, stdin } = nonlocalBindScript(clusterSpec(), path);
    const result = runInFreshNetns(script, stdin);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe("1");
    expect(readFileSync(path, "utf8")).toMatch(/^net\.ipv4\.ip_nonlocal_bind = 1$/m);
    expect(readdirSync(join(dir, "sysctl.d"))).toEqual(["90-havip-nonlocal-bind.conf"]);
  });

  it("removes the file and sets 0 when turned off, and leaves the value alone when there was no file", () => {
    const path = join(dir, "90-havip-nonlocal-bind.conf");
    const on = nonlocalBindScript(clusterSpec(), path);
    const off = nonlocalBindScript(clusterSpec({ nonlocalBind: false }), path);
    // One namespace for both steps: apply, then turn off.
    const result = spawnSync("unshare", ["--net", "bash", "-c", `${on.script}\n${off.script}`], {
      encoding: "utf8",
      input: on.stdin,
      timeout: 15_000,
    });
    expect(result.stdout.trim().split("\n")).toEqual(["1", "0"]);
    expect(existsSync(path)).toBe(false);
    const untouched = runInFreshNetns(`sysctl -q -w net.ipv4.ip_nonlocal_bind=1\n${off.script}`);
    expect(untouched.stdout.trim()).toBe("1");
  });
});

describe("the package hold", () => {
  it.each([
    ["apt-get", "apt-mark hold keepalived"],
    ["dnf", "dnf -q versionlock add keepalived"],
    ["yum", "yum -q versionlock add keepalived"],
  ] as const)("holds keepalived with %s", (packageManager, expected) => {
    expect(holdKeepalivedCommand(packageManager)).toContain(expected);
  });

  it("says so when dnf has no versionlock plugin instead of failing", () => {
    expect(holdKeepalivedCommand("dnf")).toMatch(/else echo hold=no-versionlock-plugin; fi\n\)$/);
    expect(parseHoldOutcome("hold=no-versionlock-plugin\n")).toBe("no-versionlock-plugin");
    expect(parseHoldOutcome("hold=held\n")).toBe("held");
  });

  it("releases the hold only around the upgrade and holds again even when the upgrade fails", () => {
    const fake = join(dir, "bin");
    const calls = join(dir, "calls");
    // apt-mark and apt-get replaced by recorders on PATH; apt-get fails like a broken mirror would.
    spawnSync("bash", [
      "-c",
      `mkdir -p ${fake}; printf '#!/bin/sh\\necho "apt-mark $*" >>${calls}\\n' >${fake}/apt-mark; printf '#!/bin/sh\\necho "apt-get $*" >>${calls}; exit 100\\n' >${fake}/apt-get; chmod +x ${fake}/*`,
    ]);
    const result = spawnSync("bash", ["-c", upgradeKeepalivedCommand("apt-get")], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${fake}:${process.env.PATH}` },
    });
    expect(result.status).toBe(100);
    expect(readFileSync(calls, "utf8").trim().split("\n")).toEqual([
      "apt-mark unhold keepalived",
      "apt-get update -qq",
      "apt-mark hold keepalived",
    ]);
  });
});

describe("the service setup command", () => {
  it("hands the user's command to /bin/sh as one argument, exactly as written", () => {
    const command = `printf '%s|' "it's" "$0"; echo '$(touch ${dir}/pwned)' \`echo ok\``;
    const result = spawnSync("bash", ["-c", serviceSetupCommand(command)], { encoding: "utf8", cwd: dir });
    expect(result.stdout).toBe(`it's|havip-service-setup|$(touch ${dir}/pwned) ok\n`);
    expect(existsSync(join(dir, "pwned"))).toBe(false);
  });

  it("lists the steps for the dry run", () => {
    expect(describeServicePreparation(clusterSpec({ serviceSetup: { packages: ["nginx"], command: "true" } }))).toEqual([
      "sysctl: net.ipv4.ip_nonlocal_bind = 1 (persisted, applied)",
      "service: install nginx",
      "service: run /bin/sh -c 'true' havip-service-setup </dev/null 2>&1",
    ]);
    expect(describeServicePreparation(clusterSpec({ nonlocalBind: false }))).toEqual([
      "sysctl: remove the ip_nonlocal_bind file if present, set 0",
    ]);
  });
});
