import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FALLBACK_KEEPALIVED_UNIT, PACKAGED_UNIT_DIR, sourceBuildScript } from "../../../lib/core/node/install-keepalived";
import { runningAsRoot, toolAvailable } from "../../fixtures/tools";

const SHA = "a".repeat(64);

function hostileUrl(marker: string): string {
  return `https://example.invalid/k.tar.gz';touch ${marker};'$(touch ${marker})\`touch ${marker}\`\n; touch ${marker}`;
}

describe("sourceBuildScript (text)", () => {
  it("passes bash -n with a hostile URL", () => {
    const check = spawnSync("bash", ["-n"], {
      input: sourceBuildScript({ url: hostileUrl("/nonexistent/x"), sha256: SHA }, "other"),
      encoding: "utf8",
    });
    expect(check.status, check.stderr).toBe(0);
  });

  it("puts a hostile URL on the command line only inside single quotes", () => {
    const url = hostileUrl("/nonexistent/x");
    const script = sourceBuildScript({ url, sha256: SHA }, "other");
    const quoted = `'${url.replace(/'/g, `'\\''`)}'`;
    expect(script).toContain(quoted);
    expect(script.split(quoted).join("")).not.toContain("touch");
  });

  it("checks the tarball's sha256 before unpacking or building it", () => {
    const lines = sourceBuildScript({ url: "https://example.invalid/keepalived-2.3.1.tar.gz", sha256: SHA }, "other").split("\n");
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    expect(lines[0]).toBe("set -eu");
    expect(at(/^curl /)).toBeGreaterThan(0);
    expect(at(/sha256sum --strict -c/)).toBeGreaterThan(at(/^curl /));
    expect(at(/^tar /)).toBeGreaterThan(at(/sha256sum --strict -c/));
    expect(at(/configure/)).toBeGreaterThan(at(/^tar /));
    expect(at(/^make install/)).toBeGreaterThan(at(/configure/));
    expect(lines[at(/sha256sum --strict -c/)]).toContain(SHA);
  });

  it("installs no unit and calls no systemctl where the node has no systemd", () => {
    const script = sourceBuildScript({ url: "https://example.invalid/k.tar.gz", sha256: SHA }, "other");
    expect(script).not.toContain("systemctl");
    expect(script).not.toContain("--with-init");
  });

  it("on a systemd node, tells configure the init system and unit directory, and reloads systemd after make install", () => {
    const lines = sourceBuildScript({ url: "https://example.invalid/k.tar.gz", sha256: SHA }, "systemd").split("\n");
    expect(lines.find((line) => line.startsWith("./configure"))).toContain(
      `--with-init=systemd --with-systemdsystemunitdir=${PACKAGED_UNIT_DIR}`,
    );
    expect(lines.indexOf("systemctl daemon-reload")).toBeGreaterThan(lines.findIndex((line) => line.startsWith("make install")));
    expect(lines[lines.length - 1]).toBe("systemctl daemon-reload");
  });

  it.skipIf(!toolAvailable("systemd-analyze"))("writes a fallback unit that systemd's own verifier accepts", () => {
    const dir = mkdtempSync(join(tmpdir(), "havip-unit-"));
    try {
      writeFileSync(join(dir, "keepalived.service"), FALLBACK_KEEPALIVED_UNIT);
      const verify = spawnSync("systemd-analyze", ["verify", "--man=no", join(dir, "keepalived.service")], { encoding: "utf8" });
      expect(
        verify.stderr.split("\n").filter((line) => line.includes("keepalived.service") && !line.includes("/usr/sbin/keepalived")),
      ).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Runs the script with stub curl and make on PATH: curl copies a prepared tarball (and records
 * its argv), the tarball's ./configure and make only write markers. Nothing is downloaded or installed.
 */
describe("sourceBuildScript (run with stub curl and make)", () => {
  let dir: string;
  let tarball: string;
  let tarballSha: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "havip-source-build-"));
    const bin = join(dir, "bin");
    const src = join(dir, "src", "keepalived-9.9.9");
    mkdirSync(bin);
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, "configure"), `#!/bin/sh\ntouch ${join(dir, "configured")}\n`);
    chmodSync(join(src, "configure"), 0o755);
    tarball = join(dir, "keepalived.tar.gz");
    const tar = spawnSync("tar", ["czf", tarball, "-C", join(dir, "src"), "keepalived-9.9.9"]);
    expect(tar.status).toBe(0);
    tarballSha = createHash("sha256").update(readFileSync(tarball)).digest("hex");
    writeFileSync(
      join(bin, "curl"),
      `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done > ${join(dir, "curl-argv")}\n` +
        `while [ $# -gt 0 ]; do if [ "$1" = -o ]; then cp ${tarball} "$2"; fi; shift; done\n`,
    );
    writeFileSync(join(bin, "make"), `#!/bin/sh\necho "$*" >> ${join(dir, "make-calls")}\n`);
    chmodSync(join(bin, "curl"), 0o755);
    chmodSync(join(bin, "make"), 0o755);
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (url: string, sha256: string) =>
    spawnSync("bash", ["-c", sourceBuildScript({ url, sha256 }, "other")], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH ?? "/usr/bin:/bin"}` },
      timeout: 10_000,
    });

  it("hands a hostile URL to curl as one literal argument and runs nothing from it", () => {
    const marker = join(dir, "pwned");
    const url = hostileUrl(marker);
    const result = run(url, tarballSha);
    expect(result.status, result.stderr).toBe(0);
    const argv = readFileSync(join(dir, "curl-argv"), "utf8").split("\0").slice(0, -1);
    expect(argv[argv.length - 1]).toBe(url);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(dir, "configured"))).toBe(true);
    expect(readFileSync(join(dir, "make-calls"), "utf8")).toContain("install");
  });

  it("stops before configure and make when the checksum does not match", () => {
    const result = run("https://example.invalid/keepalived.tar.gz", "0".repeat(64));
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/FAILED/);
    expect(existsSync(join(dir, "configured"))).toBe(false);
    expect(existsSync(join(dir, "make-calls"))).toBe(false);
  });
});

/**
 * The systemd variant, run in a private mount namespace whose unit directories are empty tmpfs
 * mounts, with stub curl, make and systemctl: nothing on the host changes.
 */
describe.skipIf(!(toolAvailable("unshare") && runningAsRoot()))(
  "sourceBuildScript on a systemd node (run with stubs, private unit directories)",
  () => {
    let dir: string;
    let tarball: string;
    let tarballSha: string;

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "havip-source-build-systemd-"));
      const bin = join(dir, "bin");
      const src = join(dir, "src", "keepalived-9.9.9");
      mkdirSync(bin);
      mkdirSync(src, { recursive: true });
      writeFileSync(join(src, "configure"), `#!/bin/sh\necho "$*" > ${join(dir, "configure-args")}\n`, { mode: 0o755 });
      tarball = join(dir, "keepalived.tar.gz");
      expect(spawnSync("tar", ["czf", tarball, "-C", join(dir, "src"), "keepalived-9.9.9"]).status).toBe(0);
      tarballSha = createHash("sha256").update(readFileSync(tarball)).digest("hex");
      writeFileSync(join(bin, "curl"), `#!/bin/sh\nwhile [ $# -gt 0 ]; do if [ "$1" = -o ]; then cp ${tarball} "$2"; fi; shift; done\n`, {
        mode: 0o755,
      });
      writeFileSync(
        join(bin, "make"),
        `#!/bin/sh\n[ "$1" = install ] && [ -n "\${STUB_INSTALLS_UNIT:-}" ] && echo "[Unit]" > ${PACKAGED_UNIT_DIR}/keepalived.service\nexit 0\n`,
        { mode: 0o755 },
      );
      writeFileSync(join(bin, "systemctl"), `#!/bin/sh\necho "$*" >> ${join(dir, "systemctl-calls")}\n`, { mode: 0o755 });
    });

    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** Runs the script with every unit directory an empty tmpfs; prints the unit found afterwards. */
    const run = (env: Record<string, string> = {}) =>
      spawnSync(
        "unshare",
        [
          "--mount",
          "sh",
          "-c",
          `set -e; for d in /etc/systemd/system ${PACKAGED_UNIT_DIR} /lib/systemd/system; do mkdir -p "$d" 2>/dev/null || true; mount -t tmpfs tmpfs "$d"; done
bash -c "$1" >/dev/null
cat ${PACKAGED_UNIT_DIR}/keepalived.service`,
          "sh",
          sourceBuildScript({ url: "https://example.invalid/keepalived.tar.gz", sha256: tarballSha }, "systemd"),
        ],
        {
          encoding: "utf8",
          env: { ...process.env, ...env, PATH: `${join(dir, "bin")}:${process.env.PATH ?? "/usr/bin:/bin"}` },
          timeout: 10_000,
        },
      );

    it("writes upstream's unit when make install did not, then reloads systemd", () => {
      const result = run();
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toBe(FALLBACK_KEEPALIVED_UNIT);
      expect(readFileSync(join(dir, "configure-args"), "utf8")).toContain("--with-init=systemd");
      expect(readFileSync(join(dir, "systemctl-calls"), "utf8")).toBe("daemon-reload\n");
    });

    it("keeps the unit make install wrote", () => {
      const result = run({ STUB_INSTALLS_UNIT: "1" });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toBe("[Unit]\n");
      expect(readFileSync(join(dir, "systemctl-calls"), "utf8")).toBe("daemon-reload\n");
    });
  },
);
