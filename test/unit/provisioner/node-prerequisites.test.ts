import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { ClusterSpec } from "../../../lib/core/cluster-settings";
import { testClusterSpec } from "../../fixtures/cluster-spec";
import type { NodeFacts } from "../../../lib/core/node/node-facts";
import { ensureScriptUserCommand, installPackagesCommand, missingPackages, runtimePathsScript } from "../../../lib/core/node/packages";
import { withPackageLock } from "../../../lib/core/node/package-lock";

const spec = testClusterSpec();
const facts = (commands: string[]): NodeFacts => ({
  osId: "debian",
  osPrettyName: "Debian",
  packageManager: "apt-get",
  initSystem: "other",
  interfaces: ["eth0"],
  commands,
});
const httpSpec: ClusterSpec = {
  ...spec,
  healthCheck: { ...spec.healthCheck, kind: "http", url: "http://127.0.0.1/health" } as ClusterSpec["healthCheck"],
};

describe("missingPackages", () => {
  it("asks for curl only when the health check is http and curl is missing", () => {
    expect(missingPackages(httpSpec, facts(["logrotate"]))).toEqual(["curl"]);
    expect(missingPackages(spec, facts(["logrotate"]))).toEqual([]);
    expect(missingPackages(httpSpec, facts(["curl", "logrotate"]))).toEqual([]);
  });

  it("asks for logrotate when it is missing, so the log rule is not dead weight", () => {
    expect(missingPackages(spec, facts([]))).toEqual(["logrotate"]);
  });
});

describe("installPackagesCommand", () => {
  it("installs non-interactively with each package manager, under the node's package lock", () => {
    expect(installPackagesCommand("apt-get", ["curl", "logrotate"])).toBe(
      withPackageLock("export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq curl logrotate </dev/null"),
    );
    expect(installPackagesCommand("dnf", ["curl"])).toBe(withPackageLock("dnf install -y -q curl </dev/null"));
    expect(installPackagesCommand("yum", ["curl"])).toBe(withPackageLock("yum install -y -q curl </dev/null"));
  });
});

describe("ensureScriptUserCommand", () => {
  it("creates a system user without home or login shell only when it is missing, the name quoted", () => {
    expect(ensureScriptUserCommand("keepalived_script")).toBe(
      "if ! id -u keepalived_script >/dev/null 2>&1; then useradd --system --no-create-home --shell /usr/sbin/nologin keepalived_script; fi",
    );
    expect(spawnSync("bash", ["-n", "-c", ensureScriptUserCommand("a b")]).status).toBe(0);
    expect(ensureScriptUserCommand("a b")).toContain("id -u 'a b'");
  });
});

describe("runtimePathsScript", () => {
  it("creates the script user when missing and hands it the state directory and the notify log", () => {
    const script = runtimePathsScript({ ...spec, scriptUser: "keepalived_script", notifyLogPath: "/var/log/havip/notify.log" });
    expect(script).toContain("if ! id -u keepalived_script >/dev/null 2>&1; then useradd --system");
    expect(script).toContain("install -d -m 0755 -o keepalived_script /var/keepalived");
    expect(script).toContain("mkdir -p /var/log/havip");
    expect(script).toContain("chown keepalived_script /var/log/havip/notify.log");
    expect(spawnSync("bash", ["-n", "-c", script]).status).toBe(0);
  });
});
