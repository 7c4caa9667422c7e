import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configTestCommand, configTestNeedsRootScriptUser, configTestVerdict, keepalivedHasConfigTest } from "../../../lib/core/keepalived";

const PATH = "/etc/keepalived/.havip-staging/keepalived.conf";

describe("configTestCommand", () => {
  it.each([
    ["2.2.0", `keepalived -t -e -l -f ${PATH} </dev/null 2>&1`],
    ["2.2.7", `keepalived -t -e -l -f ${PATH} </dev/null 2>&1`],
    ["2.3.3", `keepalived -t -e -l -f ${PATH} </dev/null 2>&1`],
  ])("passes -e (a missing file is an error) to Keepalived %s", (version, command) => {
    expect(configTestCommand(version, PATH)).toBe(command);
  });

  it.each(["2.0.5", "2.0.10", "2.1.5", "2.1.9"])(
    "leaves out -e, which Keepalived %s does not know, and checks the file exists itself",
    (version) => {
      const command = configTestCommand(version, PATH);
      expect(command).not.toContain(" -e ");
      expect(command).toContain(`if [ ! -f ${PATH} ]`);
      expect(command).toContain(`keepalived -t -l -f ${PATH} </dev/null 2>&1`);
    },
  );

  it.each(["1.2.24", "1.3.5", "2.0.4"])("refuses Keepalived %s, whose -t does not report errors", (version) => {
    expect(keepalivedHasConfigTest(version)).toBe(false);
    expect(() => configTestCommand(version, PATH)).toThrow(`Keepalived ${version} has no config test`);
  });

  it("quotes a path that holds shell syntax", () => {
    expect(configTestCommand("2.3.3", "/tmp/a b;touch x")).toBe("keepalived -t -e -l -f '/tmp/a b;touch x' </dev/null 2>&1");
  });

  describe("the existence check before 2.2.0 (run with a stand-in keepalived)", () => {
    const run = (command: string, dir: string) =>
      spawnSync("sh", ["-c", command], {
        encoding: "utf8",
        env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? "/usr/bin:/bin"}` },
      });

    it("exits 3 naming the file when it is missing, without running keepalived, and runs keepalived -t when it exists", () => {
      const dir = mkdtempSync(join(tmpdir(), "havip-config-test-"));
      try {
        writeFileSync(join(dir, "keepalived"), `#!/bin/sh\necho "ran $*"\n`, { mode: 0o755 });
        const missing = run(configTestCommand("2.1.5", join(dir, "no such.conf")), dir);
        expect(missing.status).toBe(3);
        expect(missing.stdout.trim()).toBe(`Configuration file ${join(dir, "no such.conf")} does not exist`);
        writeFileSync(join(dir, "k.conf"), "");
        const present = run(configTestCommand("2.1.5", join(dir, "k.conf")), dir);
        expect(present.status).toBe(0);
        expect(present.stdout.trim()).toBe(`ran -t -l -f ${join(dir, "k.conf")}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

/** Exit codes and output measured with each release's keepalived -t on this project's renderings (test/keepalived/release-config-test.test.ts re-measures them). */
describe("configTestVerdict", () => {
  it.each([
    ["2.1.5", 0, ""],
    ["2.2.7", 0, ""],
    ["2.3.3", 0, ""],
    ["2.3.3", 0, "\n"],
  ])("accepts Keepalived %s exiting %i with output %j", (version, code, output) => {
    expect(configTestVerdict(version, { code, output })).toEqual({ accepted: true });
  });

  it.each([
    ["2.1.5", 0, "(/etc/keepalived/keepalived.conf: Line 14) Unknown keyword 'no_such_keyword'", "Keepalived 2.1.5 reported problems"],
    [
      "2.1.5",
      0,
      "(k.conf: Line 6) number '0' outside range [1e-06, 4294]\n(k.conf: Line 6) vrrp_garp_interval '0' is invalid",
      "reported problems",
    ],
    ["2.1.5", 0, "Disabling track script havip_check due to insecure", "reported problems"],
    ["2.1.5", 0, "SECURITY VIOLATION - scripts are being executed but script_security not enabled.", "reported problems"],
    ["2.0.10", 0, "(Line 3) Unknown keyword 'nopreemt'", "Keepalived 2.0.10 reported problems"],
    ["2.1.5", 3, "Unable to find configuration file /x.conf (glob returned 3)", "the configuration file was not found (exit 3)"],
    ["2.1.5", 3, "Configuration file /x.conf does not exist", "the configuration file was not found (exit 3)"],
    ["2.1.5", 4, "", "the configuration has errors (exit 4)"],
    ["2.1.5", 5, "", "a script security violation (exit 5)"],
    ["2.1.5", 1, "Unknown option -e", "Keepalived refused the command line (exit 1)"],
    ["2.2.7", 4, "Config files missing '/x.conf'.", "the configuration file was not found (exit 4)"],
    ["2.2.7", 5, "(Line 14) Unknown keyword 'no_such_keyword'", "the configuration has errors or warnings (exit 5)"],
    ["2.3.3", 5, "(Line 6) vrrp_garp_interval '0' is invalid", "the configuration has errors or warnings (exit 5)"],
    ["2.3.3", 5, "Disabling track script havip_check due to insecure", "errors or warnings (exit 5)"],
    [
      "2.2.7",
      6,
      "SECURITY VIOLATION - scripts are being executed but script_security not enabled.",
      "a script security violation (exit 6)",
    ],
    ["2.3.3", 6, "SECURITY VIOLATION", "a script security violation (exit 6)"],
    ["2.2.7", 143, "Terminated", "keepalived -t was killed by SIGTERM (exit 143)"],
    ["2.3.3", 139, "", "keepalived -t was killed by SIGSEGV (exit 139)"],
    ["2.3.3", 124, "no answer within 120 s; the command was ended", "did not finish in time (exit 124)"],
    ["2.3.3", 2, "", "keepalived -t failed (exit 2)"],
  ])("rejects Keepalived %s exiting %i with %j: %s", (version, code, output, reason) => {
    const verdict = configTestVerdict(version, { code, output });
    expect(verdict.accepted).toBe(false);
    if (verdict.accepted) return;
    expect(verdict.reason).toContain(reason);
    expect(verdict.output).toBe(output.trim());
  });

  it("rejects a run that ended without an exit status", () => {
    expect(configTestVerdict("2.3.3", { code: null, output: "" })).toEqual({
      accepted: false,
      reason: "keepalived -t did not finish (no exit status)",
      output: "",
    });
  });

  it("trusts the exit status from 2.2.0 on: exit 0 accepts even with output", () => {
    expect(configTestVerdict("2.2.0", { code: 0, output: "something informational" })).toEqual({ accepted: true });
    expect(configTestVerdict("2.1.9", { code: 0, output: "something informational" }).accepted).toBe(false);
  });
});

describe("configTestNeedsRootScriptUser", () => {
  it.each([
    ["2.0.10", false],
    ["2.1.5", false],
    ["2.2.4", false],
    ["2.2.5", true],
    ["2.2.7", true],
    ["2.2.8", false],
    ["2.3.3", false],
  ])("Keepalived %s: %s", (version, needed) => {
    expect(configTestNeedsRootScriptUser(version)).toBe(needed);
  });
});
