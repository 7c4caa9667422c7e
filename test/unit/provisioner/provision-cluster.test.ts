import { describe, expect, it } from "vitest";
import { DEFAULT_KEEPALIVED_FILE_PATHS, renderNodeFiles, type ManagedFile } from "../../../lib/core/keepalived";
import { requireValidClusterSpec, withAuthPass } from "../../../lib/core/validation";
import { testClusterSpec } from "../../fixtures/cluster-spec";
import { redact, specForConfigTest } from "../../../lib/core/plan/plan-node-steps";
import { stagingPaths, supportsConfigTest } from "../../../lib/core/plan/plan-node-steps";
import { describeFileChange } from "../../../lib/core/plan/describe-file-change";

const STAGING_DIR = "/etc/keepalived/.havip-staging";
const AUTH_PASS = "Zq9sEcrT";
const spec = requireValidClusterSpec(testClusterSpec());
const settled = withAuthPass(spec, AUTH_PASS);
const node = { ownIp: spec.nodes[0].privateIp, peerIp: spec.nodes[1].privateIp, keepalivedVersion: "2.2.7" };

describe("stagingPaths", () => {
  it("puts every rendered file inside the staging directory, under its own file name", () => {
    const paths = stagingPaths();
    const values = Object.values(paths);
    expect(values).toHaveLength(4);
    for (const path of values) expect(path).toMatch(new RegExp(`^${STAGING_DIR.replace(/\./g, "\\.")}/[^/]+$`));
    expect(paths.configPath).toBe(`${STAGING_DIR}/keepalived.conf`);
    expect(new Set(values).size).toBe(values.length);
  });

  it("renders a staged set whose files and references all stay inside staging or the runtime paths", () => {
    const staged = renderNodeFiles(settled, node, stagingPaths());
    expect(staged.every((file) => file.path.startsWith(`${STAGING_DIR}/`))).toBe(true);
    const conf = staged.find((file) => file.secret);
    expect(conf?.content).toContain(`${STAGING_DIR}/havip-check.sh`);
    expect(conf?.content).not.toContain(DEFAULT_KEEPALIVED_FILE_PATHS.healthCheckScriptPath);
  });
});

describe("describeFileChange", () => {
  const files = renderNodeFiles(settled, node);
  const conf = files.find((file) => file.secret) as ManagedFile;
  const notify = files.find((file) => file.path === DEFAULT_KEEPALIVED_FILE_PATHS.notifyScriptPath) as ManagedFile;

  it("shows no content of a secret file, neither new nor old", () => {
    const created = describeFileChange(conf, undefined);
    const changed = describeFileChange(conf, conf.content.replace(AUTH_PASS, "OldPass1"));
    expect(created).toContain("created");
    expect(changed).toContain("changed");
    for (const text of [created, changed]) {
      expect(text).toContain(conf.path);
      expect(text).toContain("secret");
      expect(text).not.toContain(AUTH_PASS);
      expect(text).not.toContain("OldPass1");
      expect(text).not.toContain("vrrp_instance");
    }
  });

  it("shows a unified diff of a non-secret file", () => {
    const before = notify.content.replace(/\n/, "\n# an old line\n");
    const diff = describeFileChange(notify, before);
    expect(diff).toContain(`--- ${notify.path}`);
    expect(diff).toContain(`+++ ${notify.path}`);
    expect(diff).toMatch(/^@@ /m);
    expect(diff).toMatch(/^-# an old line$/m);
  });

  it("diffs a new non-secret file against /dev/null with every line added", () => {
    const diff = describeFileChange(notify, undefined);
    expect(diff).toContain("--- /dev/null");
    const added = diff.split("\n").filter((line) => line.startsWith("+") && !line.startsWith("+++"));
    expect(added.length).toBe(notify.content.trimEnd().split("\n").length);
  });
});

describe("specForConfigTest", () => {
  const spec = requireValidClusterSpec(testClusterSpec());
  const nonRoot = requireValidClusterSpec({ ...spec, scriptUser: "keepalived_script" });

  it.each(["2.2.5", "2.2.7"])("checks a non-root script user's configuration as root on %s, whose -t kills itself otherwise", (version) => {
    expect(specForConfigTest(nonRoot, version)).toEqual({ ...nonRoot, scriptUser: "root" });
    expect(nonRoot.scriptUser).toBe("keepalived_script");
  });

  it.each(["2.0.10", "2.1.5", "2.2.4", "2.2.8", "2.3.3"])("checks the real script user on %s, which has no such bug", (version) => {
    expect(specForConfigTest(nonRoot, version)).toBe(nonRoot);
  });

  it("leaves a root script user as it is", () => {
    expect(specForConfigTest(spec, "2.2.7")).toBe(spec);
  });
});

describe("redact", () => {
  it("hides every occurrence of the VRRP password in what a node printed", () => {
    expect(redact("(Line 23) auth_pass s3cr3tpw too long; s3cr3tpw", "s3cr3tpw")).toBe("(Line 23) auth_pass ******** too long; ********");
    expect(redact("nothing secret here", "s3cr3tpw")).toBe("nothing secret here");
  });
});

describe("supportsConfigTest", () => {
  it("knows keepalived -t reports errors from 2.0.5 on, and not in 1.x", () => {
    expect(supportsConfigTest("2.0.5")).toBe(true);
    expect(supportsConfigTest("2.2.7")).toBe(true);
    expect(supportsConfigTest("2.0.4")).toBe(false);
    expect(supportsConfigTest("1.3.5")).toBe(false);
  });
});
