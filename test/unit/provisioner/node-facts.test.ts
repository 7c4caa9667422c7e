import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NODE_FACTS_SCRIPT, parseNodeFacts } from "../../../lib/core/node/node-facts";

describe("parseNodeFacts", () => {
  it("reads a Debian node with systemd and Keepalived", () => {
    const facts = parseNodeFacts(
      [
        "os_id=debian",
        "os_pretty=Debian GNU/Linux 12 (bookworm)",
        "package_manager=apt-get",
        "init=systemd",
        "keepalived_version=Keepalived v2.2.7 (01/16,2022)",
        "interface=eth0",
        "interface=lo",
        "command=logrotate",
        "boot_id=3b1f0c8e-5d2a-4f7e-9a61-0c2d4e6f8a10/4711",
        "",
      ].join("\n"),
    );
    expect(facts).toEqual({
      osId: "debian",
      osPrettyName: "Debian GNU/Linux 12 (bookworm)",
      packageManager: "apt-get",
      initSystem: "systemd",
      keepalivedVersionLine: "Keepalived v2.2.7 (01/16,2022)",
      interfaces: ["eth0", "lo"],
      commands: ["logrotate"],
      bootId: "3b1f0c8e-5d2a-4f7e-9a61-0c2d4e6f8a10/4711",
    });
  });

  it("reads a TencentOS node with dnf and no Keepalived yet", () => {
    const facts = parseNodeFacts(
      "os_id=tencentos\nos_pretty=TencentOS Server 3.1 (Final)\npackage_manager=dnf\ninit=systemd\ninterface=eth0\ninterface=lo\n",
    );
    expect(facts.osId).toBe("tencentos");
    expect(facts.packageManager).toBe("dnf");
    expect(facts.keepalivedVersionLine).toBeUndefined();
    expect(facts.interfaces).toEqual(["eth0", "lo"]);
  });

  it("reports an init other than systemd, and no package manager it does not know", () => {
    const facts = parseNodeFacts("os_id=alpine\nos_pretty=Alpine Linux v3.20\npackage_manager=apk\ninit=other\ninterface=lo\n");
    expect(facts.initSystem).toBe("other");
    expect(facts.packageManager).toBeUndefined();
  });

  it("falls back to unknown, other and no interfaces on empty output", () => {
    expect(parseNodeFacts("")).toEqual({
      osId: "unknown",
      osPrettyName: "unknown",
      packageManager: undefined,
      initSystem: "other",
      keepalivedVersionLine: undefined,
      interfaces: [],
      commands: [],
      bootId: undefined,
    });
  });

  it("keeps '=' inside a value and ignores lines without a key", () => {
    const facts = parseNodeFacts("os_pretty=Weird = Name\n=orphan\nnoise\n");
    expect(facts.osPrettyName).toBe("Weird = Name");
  });

  it("parses what NODE_FACTS_SCRIPT prints on this machine", () => {
    const run = spawnSync("sh", ["-c", NODE_FACTS_SCRIPT], { encoding: "utf8", timeout: 5000 });
    expect(run.status, run.stderr).toBe(0);
    const facts = parseNodeFacts(run.stdout);
    expect(facts.osId).not.toBe("unknown");
    expect(["apt-get", "dnf", "yum"]).toContain(facts.packageManager);
    expect(facts.interfaces).toContain("lo");
    expect(["systemd", "other"]).toContain(facts.initSystem);
    const keepalived = spawnSync("sh", ["-c", "command -v keepalived"], { encoding: "utf8" });
    if (keepalived.status === 0) expect(facts.keepalivedVersionLine).toMatch(/^Keepalived v\d/);
    else expect(facts.keepalivedVersionLine).toBeUndefined();
    const logrotate = spawnSync("sh", ["-c", "command -v logrotate"], { encoding: "utf8" });
    expect(facts.commands.includes("logrotate")).toBe(logrotate.status === 0);
    // The kernel's boot id, then PID 1's start time in clock ticks: both read from this machine's /proc.
    const bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    const pid1Start = readFileSync("/proc/1/stat", "utf8").replace(/.*\) /s, "").split(" ")[19];
    expect(facts.bootId).toBe(`${bootId}/${pid1Start}`);
  });
});
