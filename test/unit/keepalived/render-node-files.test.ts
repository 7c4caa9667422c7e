import { describe, expect, it } from "vitest";
import { renderNodeFiles } from "../../../lib/core/keepalived";
import { SettingsError } from "../../../lib/core/settings-error";
import { PRIMARY, TEST_AUTH_PASS, clusterSpec, validSpec } from "../../fixtures/keepalived-spec";

function conf(version: string, spec = clusterSpec()): string {
  return renderNodeFiles(validSpec(spec), { ...PRIMARY, keepalivedVersion: version })[0].content;
}

describe("renderNodeFiles", () => {
  it("describes four files with the modes Keepalived's script security accepts, the config marked secret", () => {
    const files = renderNodeFiles(validSpec(clusterSpec()), { ...PRIMARY, keepalivedVersion: "2.2.7" });
    expect(files.map((f) => [f.path, f.mode.toString(8), f.owner, f.group, f.secret === true])).toEqual([
      ["/etc/keepalived/keepalived.conf", "600", "root", "root", true],
      ["/etc/keepalived/havip-notify.sh", "755", "root", "root", false],
      ["/etc/keepalived/havip-check.sh", "755", "root", "root", false],
      ["/etc/logrotate.d/havip-keepalived", "644", "root", "root", false],
    ]);
    expect(files.filter((f) => f.content.includes(TEST_AUTH_PASS)).map((f) => f.path)).toEqual(["/etc/keepalived/keepalived.conf"]);
  });

  it("points the config at the unicast peer and own address, with VIPs as VIP/PREFIX dev IFACE", () => {
    const text = conf("2.2.7", clusterSpec({ vips: ["172.16.16.100", "172.16.16.101"], interfaceName: "ens5" }));
    expect(text).toContain("unicast_src_ip 172.16.16.5\n");
    expect(text).toMatch(/unicast_peer \{\n\s+172\.16\.16\.6\n\s+\}/);
    expect(text).toContain("172.16.16.100/24 dev ens5\n");
    expect(text).toContain("172.16.16.101/24 dev ens5\n");
    expect(text).toContain("vrrp_garp_master_repeat 1\n");
  });

  it("leaves vrrp_garp_master_repeat out with a single VIP", () => {
    expect(conf("2.2.7")).not.toContain("vrrp_garp_master_repeat");
  });

  it("keeps both nodes BACKUP, equal priority and nopreempt, and never emits vrrp_strict or the guide's rejected keywords", () => {
    const text = conf("2.2.7");
    expect(text).toMatch(/state BACKUP\n/);
    expect(text).toMatch(/priority 100\n/);
    expect(text).toMatch(/nopreempt\n/);
    expect(text).toMatch(/garp_master_delay 1\n/);
    expect(text).toMatch(/garp_master_refresh 5\n/);
    for (const keyword of ["vrrp_strict", "vrrp_garp_interval", "vrrp_gna_interval", "track_interface"]) {
      expect(text).not.toContain(keyword);
    }
  });

  it("emits enable_script_security and script_user from 1.3.0, and leaves them out for 1.2.x", () => {
    expect(conf("1.3.0")).toContain("enable_script_security\n    script_user root\n");
    const oneTwo = conf("1.2.24");
    expect(oneTwo).not.toContain("enable_script_security");
    expect(oneTwo).not.toContain("script_user");
    const withoutSecurity = conf("1.3.0")
      .replace("1.3.0", "1.2.24")
      .replace("    # Refuse to run scripts that a non-root user could modify.\n    enable_script_security\n    script_user root\n", "");
    expect(oneTwo).toBe(withoutSecurity);
  });

  it("uses the configured user for script_user", () => {
    expect(conf("2.2.7", clusterSpec({ scriptUser: "keepalived_script" }))).toContain("script_user keepalived_script\n");
  });

  it("finds the node by its address and names router_id after cluster and node", () => {
    const secondary = renderNodeFiles(validSpec(clusterSpec()), {
      ownIp: "172.16.16.6",
      peerIp: "172.16.16.5",
      keepalivedVersion: "2.2.7",
    })[0].content;
    expect(secondary).toContain("router_id demo_secondary\n");
    expect(secondary).toContain("vrrp_instance havip_demo {\n");
  });

  it("rejects invalid settings before rendering, naming field, value and rule", () => {
    expect(() => renderNodeFiles(validSpec(clusterSpec({ virtualRouterId: 300 })), { ...PRIMARY, keepalivedVersion: "2.2.7" })).toThrow(
      /spec\.virtualRouterId 300 must be a whole number from 1 to 255/,
    );
    expect(() => renderNodeFiles(validSpec(clusterSpec()), { ...PRIMARY, keepalivedVersion: "1.2.13" })).toThrow(/older than 1\.2\.24/);
    expect(() =>
      renderNodeFiles(validSpec(clusterSpec()), { ownIp: "172.16.16.9", peerIp: "172.16.16.6", keepalivedVersion: "2.2.7" }),
    ).toThrow(/node\.ownIp 172\.16\.16\.9 is not one of the spec's nodes/);
    expect(() => renderNodeFiles(validSpec(clusterSpec()), { ...PRIMARY, peerIp: "172.16.16.7", keepalivedVersion: "2.2.7" })).toThrow(
      /node\.peerIp/,
    );
    expect(() => renderNodeFiles(validSpec(clusterSpec(), "toolongpassword"), { ...PRIMARY, keepalivedVersion: "2.2.7" })).toThrow(
      SettingsError,
    );
    expect(() =>
      renderNodeFiles(validSpec(clusterSpec()), { ...PRIMARY, keepalivedVersion: "2.2.7" }, { configPath: "relative.conf" }),
    ).toThrow(/paths\.configPath/);
  });

  it("never puts the password in an error message", () => {
    try {
      renderNodeFiles(validSpec(clusterSpec(), "s3cret pass"), { ...PRIMARY, keepalivedVersion: "2.2.7" });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain("s3cret");
      expect(String(error)).toContain("authPass (11 characters)");
    }
  });
});
