import { describe, expect, it } from "vitest";
import type { KeepalivedSettings } from "../../../lib/core/cluster-settings";
import { renderNodeFiles } from "../../../lib/core/keepalived";
import { describeProblem } from "../../../lib/core/settings-error";
import { validateClusterSpec, validateKeepalivedSettings } from "../../../lib/core/validation";
import { resolveKeepalivedSettings } from "../../../lib/core/resolve-keepalived-settings";
import { PRIMARY, TEST_AUTH_PASS, clusterSpec, validSpec } from "../../fixtures/keepalived-spec";

function messages(settings: Partial<KeepalivedSettings>): string[] {
  return validateKeepalivedSettings({ virtualRouterId: 51, ...settings } as KeepalivedSettings).map(describeProblem);
}

describe("advertIntSeconds: whole seconds (VRRPv2) or centiseconds (VRRPv3)", () => {
  it.each([1, 2, 255, 0.1, 0.25, 1.5, 40.95])("accepts %s", (advertIntSeconds) => {
    expect(messages({ advertIntSeconds })).toEqual([]);
  });

  it.each([
    [
      0,
      "keepalived.advertIntSeconds 0 must be a whole number of seconds from 1 to 255 (VRRPv2), or a fraction from 0.1 to 40.95 in steps of 0.01 (VRRPv3 counts centiseconds)",
    ],
    [256, "keepalived.advertIntSeconds 256 must be a whole number of seconds from 1 to 255"],
    [
      0.123,
      "keepalived.advertIntSeconds 0.123 must be a whole number of seconds from 1 to 255 (VRRPv2), or a fraction from 0.1 to 40.95 in steps of 0.01",
    ],
    [41.5, "keepalived.advertIntSeconds 41.5 must be a whole number of seconds from 1 to 255 (VRRPv2), or a fraction"],
    [
      0.05,
      "keepalived.advertIntSeconds 0.05 is below 0.1 s: the backup would declare the master dead after 0.15 s of silence, so a short stall of either VM flaps the VIP",
    ],
    [Number.NaN, "keepalived.advertIntSeconds NaN must be a whole number of seconds"],
  ])("rejects %s", (advertIntSeconds, expected) => {
    const found = messages({ advertIntSeconds });
    expect(found).toHaveLength(1);
    expect(found[0].startsWith(expected)).toBe(true);
  });

  it("rejects a VRRP password with a fractional advert_int: VRRPv3 has no authentication", () => {
    expect(messages({ advertIntSeconds: 0.5, authPass: "secret12" })).toEqual([
      "keepalived.authPass (set) must be left out with advertIntSeconds 0.5: a fractional advert interval needs VRRPv3, which has no authentication (RFC 5798), and Keepalived would ignore the password",
    ]);
    expect(messages({ advertIntSeconds: 1, authPass: "secret12" })).toEqual([]);
  });

  it("applies the same rules to a resolved spec", () => {
    expect(validateClusterSpec(clusterSpec({ advertIntSeconds: 0.123 })).map(describeProblem)[0]).toMatch(
      /^spec\.advertIntSeconds 0\.123 must be/,
    );
    expect(validateClusterSpec(clusterSpec({ advertIntSeconds: 0.2 }))).toEqual([]);
  });

  it("refuses to render VRRPv3 for a node whose Keepalived predates 2.0.0, naming both", () => {
    expect(() =>
      renderNodeFiles(validSpec(clusterSpec({ advertIntSeconds: 0.5 }), TEST_AUTH_PASS), { ...PRIMARY, keepalivedVersion: "1.3.5" }),
    ).toThrow("advertIntSeconds 0.5 needs VRRPv3 over unicast, which works from Keepalived 2.0.0; this node has 1.3.5");
    expect(() =>
      renderNodeFiles(validSpec(clusterSpec({ advertIntSeconds: 0.5 }), TEST_AUTH_PASS), { ...PRIMARY, keepalivedVersion: "2.0.0" }),
    ).not.toThrow();
  });

  it("renders no password for VRRPv3 and keeps it for VRRPv2", () => {
    const conf = (advertIntSeconds: number) =>
      renderNodeFiles(validSpec(clusterSpec({ advertIntSeconds }), TEST_AUTH_PASS), { ...PRIMARY, keepalivedVersion: "2.2.7" })[0].content;
    expect(conf(0.5)).not.toContain(TEST_AUTH_PASS);
    expect(conf(0.5)).toContain("vrrp_version 3");
    expect(conf(2)).toContain(`auth_pass ${TEST_AUTH_PASS}`);
    expect(conf(2)).not.toContain("vrrp_version");
  });
});

describe("transition hooks", () => {
  it("accepts one-line commands per state and a timeout", () => {
    expect(
      messages({
        hooks: { master: "systemctl reload nginx", backup: 'logger "backup on $1"', fault: "true", stop: "true", timeoutSeconds: 60 },
      }),
    ).toEqual([]);
  });

  it.each([
    [{ master: "" }, 'keepalived.hooks.master "" must be a non-empty one-line shell command (run through /bin/sh -c with the state as $1)'],
    [{ backup: "reload\nrm -rf /" }, 'keepalived.hooks.backup "reload\\nrm -rf /" must be a non-empty one-line shell command'],
    [{ fault: 42 }, "keepalived.hooks.fault 42 must be a non-empty one-line shell command"],
    [{ timeoutSeconds: 0 }, "keepalived.hooks.timeoutSeconds 0 must be a whole number of seconds from 1 to 3600"],
    [{ timeoutSeconds: 1.5 }, "keepalived.hooks.timeoutSeconds 1.5 must be a whole number of seconds from 1 to 3600"],
    [{ onMaster: "x" }, "keepalived.hooks.onMaster x is not a hook: use master, backup, fault, stop or timeoutSeconds"],
  ])("rejects %j", (hooks, expected) => {
    const found = messages({ hooks } as unknown as Partial<KeepalivedSettings>);
    expect(found).toHaveLength(1);
    expect(found[0].startsWith(expected)).toBe(true);
  });

  it("resolves the default timeout of 30 s, which a resolved spec then requires", () => {
    expect(resolveKeepalivedSettings({ virtualRouterId: 1, hooks: { master: "true" } }).hooks).toEqual({
      master: "true",
      timeoutSeconds: 30,
    });
    expect(validateClusterSpec(clusterSpec({ hooks: { master: "true" } as never })).map(describeProblem)).toEqual([
      "spec.hooks.timeoutSeconds (missing) must be a whole number of seconds from 1 to 3600",
    ]);
  });
});

describe("nonlocalBind and serviceSetup", () => {
  it("is on by default and can be turned off", () => {
    expect(resolveKeepalivedSettings({ virtualRouterId: 1 }).nonlocalBind).toBe(true);
    expect(resolveKeepalivedSettings({ virtualRouterId: 1, nonlocalBind: false }).nonlocalBind).toBe(false);
    expect(messages({ nonlocalBind: "yes" as unknown as boolean })).toEqual(["keepalived.nonlocalBind yes must be true or false"]);
  });

  it("accepts package names as distributions spell them and a one-line command", () => {
    expect(
      messages({ serviceSetup: { packages: ["nginx", "php8.2-fpm", "libstdc++6"], command: "systemctl enable --now nginx" } }),
    ).toEqual([]);
  });

  it.each([
    [
      { packages: ["nginx; rm -rf /"] },
      'keepalived.serviceSetup.packages[0] "nginx; rm -rf /" must be a package name: lower-case letters, digits, + - . (e.g. nginx, php8.2-fpm)',
    ],
    [{ packages: ["-y"] }, "keepalived.serviceSetup.packages[0] -y must be a package name"],
    [{ packages: ["Nginx"] }, "keepalived.serviceSetup.packages[0] Nginx must be a package name"],
    [{ packages: "nginx" }, "keepalived.serviceSetup.packages nginx must be a list of at most 50 package names"],
    [{ command: "  " }, 'keepalived.serviceSetup.command "  " must be a non-empty one-line shell command'],
  ])("rejects %j", (serviceSetup, expected) => {
    const found = messages({ serviceSetup } as unknown as Partial<KeepalivedSettings>);
    expect(found).toHaveLength(1);
    expect(found[0].startsWith(expected)).toBe(true);
  });
});
