import { describe, expect, it } from "vitest";
import {
  compareKeepalivedVersions,
  isSupportedKeepalivedVersion,
  keepalivedSupports,
  parseKeepalivedVersion,
} from "../../../lib/core/keepalived";

describe("parseKeepalivedVersion", () => {
  it("reads a 1.x banner with a git commit", () => {
    expect(parseKeepalivedVersion("Keepalived v1.3.5 (03/19,2017), git commit v1.3.5-6-g6fa32f2\n")).toBe("1.3.5");
  });

  it("reads the 2.x banner that keepalived --version prints to stderr", () => {
    const stderr = "Keepalived v2.2.7 (01/16,2022)\n\nCopyright(C) 2001-2022 Alexandre Cassen, <acassen@gmail.com>\n";
    expect(parseKeepalivedVersion(stderr)).toBe("2.2.7");
  });

  it("returns undefined when there is no version", () => {
    expect(parseKeepalivedVersion("bash: keepalived: command not found")).toBeUndefined();
  });
});

describe("compareKeepalivedVersions", () => {
  it("orders numerically, not as text", () => {
    expect(compareKeepalivedVersions("1.2.24", "1.2.3")).toBeGreaterThan(0);
    expect(compareKeepalivedVersions("1.3.0", "2.0.0")).toBeLessThan(0);
    expect(compareKeepalivedVersions("2.2.7", "2.2.7")).toBe(0);
  });

  it("throws on a malformed version", () => {
    expect(() => compareKeepalivedVersions("2.x", "1.0.0")).toThrow(/MAJOR.MINOR.PATCH/);
  });
});

describe("isSupportedKeepalivedVersion", () => {
  it("accepts 1.2.24 and later, 1.x and 2.x", () => {
    expect(isSupportedKeepalivedVersion("1.2.24")).toBe(true);
    expect(isSupportedKeepalivedVersion("1.3.5")).toBe(true);
    expect(isSupportedKeepalivedVersion("2.2.7")).toBe(true);
  });

  it("rejects older and malformed versions", () => {
    expect(isSupportedKeepalivedVersion("1.2.23")).toBe(false);
    expect(isSupportedKeepalivedVersion("1.2.13")).toBe(false);
    expect(isSupportedKeepalivedVersion("banana")).toBe(false);
  });
});

describe("keyword availability", () => {
  it("knows script security arrived in 1.3.0", () => {
    expect(keepalivedSupports("1.2.24", "enable_script_security")).toBe(false);
    expect(keepalivedSupports("1.3.0", "enable_script_security")).toBe(true);
    expect(keepalivedSupports("1.3.0", "script_user")).toBe(true);
  });

  it("knows every supported version has the global vrrp_garp_master_repeat and vrrp_script timeout", () => {
    expect(keepalivedSupports("1.2.24", "vrrp_garp_master_repeat")).toBe(true);
    expect(keepalivedSupports("1.2.19", "vrrp_garp_master_repeat")).toBe(false);
    expect(keepalivedSupports("1.2.24", "vrrp_script_timeout")).toBe(true);
  });
});
