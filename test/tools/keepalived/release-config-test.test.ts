import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterSpec } from "../../../lib/core/cluster-settings";
import {
  configTestCommand,
  configTestNeedsRootScriptUser,
  configTestVerdict,
  parseKeepalivedVersion,
  renderNodeFiles,
} from "../../../lib/core/keepalived";
import { PRIMARY, TEST_AUTH_PASS, clusterSpec, validSpec } from "../../fixtures/keepalived-spec";
import { KEEPALIVED_RELEASES, ensureReleaseRoot, runInRoot } from "../../fixtures/release-roots";
import { runningAsRoot, toolAvailable } from "../../fixtures/tools";

/** Where the rendered files appear inside the chroot. */
const INSIDE = "/run/havip-check";

interface Rendering {
  readonly name: string;
  readonly spec: ClusterSpec;
  readonly renderedFor?: string;
  /** Spoils the rendered files on disk. */
  readonly spoil?: (dir: string) => void;
  readonly configFile?: string;
}

function insertAfter(dir: string, anchor: string, line: string): void {
  const path = join(dir, "keepalived.conf");
  const conf = readFileSync(path, "utf8");
  if (!conf.includes(anchor)) throw new Error(`${anchor} not in the rendering`);
  writeFileSync(path, conf.replace(anchor, `${anchor}\n    ${line}`));
}

const RENDERINGS: readonly Rendering[] = [
  { name: "good, root script user", spec: clusterSpec() },
  { name: "good, non-root script user", spec: clusterSpec({ scriptUser: "nobody" }) },
  // As the provisioner stages it: directory 0711 root, keepalived.conf 0600 root, scripts 0755.
  // The two after it are why: the script user must exist and reach the scripts, even under -t.
  {
    name: "good, non-root script user, directory 0711",
    spec: clusterSpec({ scriptUser: "nobody" }),
    spoil: (dir) => chmodSync(dir, 0o711),
  },
  { name: "non-root script user, directory 0700", spec: clusterSpec({ scriptUser: "nobody" }), spoil: (dir) => chmodSync(dir, 0o700) },
  { name: "script user missing", spec: clusterSpec({ scriptUser: "havip_no_such_user" }) },
  { name: "unknown keyword", spec: clusterSpec(), spoil: (dir) => insertAfter(dir, "    interval 5", "no_such_keyword 1") },
  {
    name: "vrrp_garp_interval 0",
    spec: clusterSpec(),
    spoil: (dir) => insertAfter(dir, "    router_id demo_primary", "vrrp_garp_interval 0"),
  },
  { name: "health check writable by others", spec: clusterSpec(), spoil: (dir) => chmodSync(join(dir, "havip-check.sh"), 0o777) },
  { name: "1.2.24 rendering (no script security)", spec: clusterSpec(), renderedFor: "1.2.24" },
  { name: "missing file", spec: clusterSpec(), configFile: "no-such.conf" },
];

type Measured = Readonly<Record<string, { readonly code: number; readonly output: string | RegExp }>>;

/** What each release's keepalived -t, run by configTestCommand, answered on these machines. */
const MEASURED: Readonly<Record<string, Measured>> = {
  "2.1.5": {
    "good, root script user": { code: 0, output: "" },
    "good, non-root script user, directory 0711": { code: 0, output: "" },
    "non-root script user, directory 0700": { code: 0, output: "Disabling track script havip_check since not found/accessible" },
    "script user missing": { code: 0, output: /Error setting global script uid\/gid/ },
    "good, non-root script user": { code: 0, output: "" },
    "unknown keyword": { code: 0, output: /Line 14\) Unknown keyword 'no_such_keyword'/ },
    "vrrp_garp_interval 0": { code: 0, output: /vrrp_garp_interval '0' is invalid/ },
    "health check writable by others": { code: 0, output: "Disabling track script havip_check due to insecure" },
    "1.2.24 rendering (no script security)": {
      code: 0,
      output: "SECURITY VIOLATION - scripts are being executed but script_security not enabled.",
    },
    "missing file": { code: 3, output: `Configuration file ${INSIDE}/no-such.conf does not exist` },
  },
  "2.2.7": {
    "good, root script user": { code: 0, output: "" },
    "good, non-root script user, directory 0711": { code: 143, output: "Terminated" },
    "non-root script user, directory 0700": { code: 143, output: "Terminated" },
    "script user missing": { code: 5, output: /Error setting global script uid\/gid/ },
    "good, non-root script user": { code: 143, output: "Terminated" },
    "unknown keyword": { code: 5, output: /Line 14\) Unknown keyword 'no_such_keyword'/ },
    "vrrp_garp_interval 0": { code: 5, output: /vrrp_garp_interval '0' is invalid/ },
    "health check writable by others": { code: 5, output: "Disabling track script havip_check due to insecure" },
    "1.2.24 rendering (no script security)": {
      code: 6,
      output: "SECURITY VIOLATION - scripts are being executed but script_security not enabled.",
    },
    "missing file": { code: 4, output: `Config files missing '${INSIDE}/no-such.conf'.` },
  },
  "2.3.3": {
    "good, root script user": { code: 0, output: "" },
    "good, non-root script user, directory 0711": { code: 0, output: "" },
    "non-root script user, directory 0700": { code: 5, output: "Disabling track script havip_check since not found/accessible" },
    "script user missing": { code: 5, output: /Error setting global script uid\/gid/ },
    "good, non-root script user": { code: 0, output: "" },
    "unknown keyword": { code: 5, output: /Line 14\) Unknown keyword 'no_such_keyword'/ },
    "vrrp_garp_interval 0": { code: 5, output: /vrrp_garp_interval '0' is invalid/ },
    "health check writable by others": { code: 5, output: "Disabling track script havip_check due to insecure" },
    "1.2.24 rendering (no script security)": {
      code: 6,
      output: "SECURITY VIOLATION - scripts are being executed but script_security not enabled.",
    },
    "missing file": { code: 4, output: `Config files missing '${INSIDE}/no-such.conf'.` },
  },
};

/** Writes a rendering (paths as seen inside the chroot) into a fresh directory of the host. */
function writeRendering(rendering: Rendering, keepalivedVersion: string): string {
  const dir = mkdtempSync(join(tmpdir(), "havip-release-check-"));
  chmodSync(dir, 0o755);
  const inside = (name: string) => `${INSIDE}/${name}`;
  const files = renderNodeFiles(
    validSpec(rendering.spec, TEST_AUTH_PASS),
    { ...PRIMARY, keepalivedVersion: rendering.renderedFor ?? keepalivedVersion },
    {
      configPath: inside("keepalived.conf"),
      notifyScriptPath: inside("havip-notify.sh"),
      healthCheckScriptPath: inside("havip-check.sh"),
      logrotatePath: inside("havip-keepalived.logrotate"),
      stateFilePath: inside("var/state"),
      failureCountPath: inside("var/check_failed_count"),
      notifyLogPath: inside("log/keepalived.log"),
    },
  );
  for (const file of files) {
    const path = join(dir, file.path.slice(INSIDE.length + 1));
    writeFileSync(path, file.content);
    chmodSync(path, file.mode);
  }
  rendering.spoil?.(dir);
  return dir;
}

function checkReleases(): boolean {
  // debootstrap and dpkg-scanpackages: a fresh machine builds the lab's roots and package sources first.
  const tools = ["debootstrap", "dpkg-scanpackages", "flock", "chroot", "unshare", "ip"].map(toolAvailable).every(Boolean);
  return tools && runningAsRoot();
}

function describeRelease(label: string, keepalivedVersion: string, root: () => Promise<string>): void {
  describe(`keepalived -t of ${label} (Keepalived ${keepalivedVersion}) agrees with configTestVerdict`, () => {
    let rootDir = "";
    const dirs: string[] = [];
    beforeAll(async () => {
      rootDir = await root();
    }, 15 * 60_000);
    afterAll(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    it(`is Keepalived ${keepalivedVersion}`, () => {
      const banner = runInRoot(rootDir, "eth0", tmpdir(), INSIDE, "keepalived --version 2>&1");
      expect(parseKeepalivedVersion(banner.output)).toBe(keepalivedVersion);
    });

    for (const rendering of RENDERINGS) {
      const measured = MEASURED[keepalivedVersion][rendering.name];
      const shouldAccept = rendering.name.startsWith("good");
      it(`${rendering.name}: exit ${measured.code}, ${shouldAccept && measured.code === 0 ? "accepted" : "rejected"}`, () => {
        const dir = writeRendering(rendering, keepalivedVersion);
        dirs.push(dir);
        const run = runInRoot(
          rootDir,
          "eth0",
          dir,
          INSIDE,
          configTestCommand(keepalivedVersion, `${INSIDE}/${rendering.configFile ?? "keepalived.conf"}`),
        );
        expect(run.code).toBe(measured.code);
        if (typeof measured.output === "string") expect(run.output.trim()).toBe(measured.output);
        else expect(run.output).toMatch(measured.output);
        const verdict = configTestVerdict(keepalivedVersion, run);
        if (rendering.name.startsWith("good, non-root script user")) {
          // The one known false rejection: exactly where specForConfigTest checks as root instead.
          expect(verdict.accepted).toBe(!configTestNeedsRootScriptUser(keepalivedVersion));
        } else {
          expect(verdict.accepted).toBe(shouldAccept);
        }
      });
    }
  });
}

const canRunReleases = checkReleases();
describe.skipIf(!canRunReleases)("Debian releases' Keepalived in a chroot", () => {
  // Missing roots are built side by side, each waiting only for its own release's lab root.
  const roots = new Map<string, Promise<string>>();
  beforeAll(() => {
    for (const { release } of KEEPALIVED_RELEASES) {
      const root = ensureReleaseRoot(release);
      root.catch(() => undefined);
      roots.set(release, root);
    }
  });
  for (const { release, keepalivedVersion } of KEEPALIVED_RELEASES)
    describeRelease(release, keepalivedVersion, () => roots.get(release) as Promise<string>);

  it("2.1.5 does not know -e: the option the config test passes from 2.2.0 only", async () => {
    const root = await (roots.get("bullseye") as Promise<string>);
    const run = runInRoot(root, "eth0", tmpdir(), INSIDE, "keepalived -t -e -l -f /etc/keepalived/keepalived.conf </dev/null 2>&1");
    expect(run).toEqual({ code: 1, output: "Unknown option -e\n" });
  });
});

const canRunHost = toolAvailable("keepalived") && toolAvailable("unshare") && toolAvailable("chroot") && runningAsRoot();
describe.skipIf(!canRunHost)("the host's Keepalived", () => {
  describeRelease("the host", "2.2.7", async () => "/");
});
