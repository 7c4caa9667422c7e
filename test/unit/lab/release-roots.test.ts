import { describe, expect, it } from "vitest";
import { parseLabReleaseOption, resolveLabReleases } from "../../../lab/lab-up";
import {
  LAB_SOURCE_PACKAGES,
  ROOT_RECIPE_VERSION,
  debianMirrorFrom,
  labSourcesList,
  releaseRootPaths,
  renderRootBuildScript,
  rootStampProblem,
} from "../../../lab/roots/release-roots";
import { USER_DATA_RUNNER_PATH, USER_DATA_UNIT_NAME } from "../../../lab/roots/user-data-runner";

const paths = releaseRootPaths("trixie", "/var/cache/havip-test");

describe("release roots", () => {
  it("keeps each release's root, package source and stamp under the cache dir, in a directory of this recipe", () => {
    const recipe = `/var/cache/havip-test/recipe-${ROOT_RECIPE_VERSION}`;
    expect(paths).toMatchObject({
      rootDir: `${recipe}/roots/trixie`,
      packagesDir: `${recipe}/packages/trixie`,
      stampPath: `${recipe}/roots/trixie.stamp.json`,
      lockPath: `${recipe}/trixie.lock`,
    });
  });

  it("reuses a root only when its stamp names this release and this recipe", () => {
    const stamp = (recipeVersion: number, release = "trixie") => JSON.stringify({ recipeVersion, release, builtAt: "x", mirror: "m" });
    expect(rootStampProblem(stamp(ROOT_RECIPE_VERSION), "trixie")).toBeUndefined();
    expect(rootStampProblem(undefined, "trixie")).toBe("no trixie root has been built yet");
    expect(rootStampProblem(stamp(ROOT_RECIPE_VERSION - 1), "trixie")).toMatch(/built by recipe \d+, this lab uses recipe/);
    expect(rootStampProblem(stamp(ROOT_RECIPE_VERSION, "bullseye"), "trixie")).toMatch(/names release bullseye/);
    expect(rootStampProblem("{", "trixie")).toMatch(/not JSON/);
  });

  it("finds the Debian mirror apt uses, one-line or deb822, and skips the security archive", () => {
    expect(
      debianMirrorFrom(["Types: deb\nURIs: http://mirror.example/debian-security\n", "Types: deb\nURIs: http://mirror.example/debian\n"]),
    ).toBe("http://mirror.example/debian");
    expect(debianMirrorFrom(["# x\ndeb [arch=amd64] http://ftp.example/debian/ bookworm main\n"])).toBe("http://ftp.example/debian");
    expect(debianMirrorFrom(["deb https://other.example/apt stable main\n"])).toBeUndefined();
  });

  it("points a server's apt at the lab's mirror by name, never at an address of one world", () => {
    expect(labSourcesList("trixie")).toBe("deb [trusted=yes] http://mirror.lab.internal:8080/trixie ./\n");
  });

  it("builds in a .building dir, downloads the lab's packages, strips host keys and writes the stamp last", () => {
    const script = renderRootBuildScript(paths, "http://mirror.example/debian");
    const order = [
      "debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,openssh-server,iproute2,procps,python3 'trixie'",
      `--download-only --no-install-recommends ${LAB_SOURCE_PACKAGES.join(" ")}`,
      'rm -f "$root/var/lib/dbus/machine-id" "$root"/etc/ssh/ssh_host_*',
      "dpkg-scanpackages",
      `mv "$root" '/var/cache/havip-test/recipe-${ROOT_RECIPE_VERSION}/roots/trixie'`,
      `> '/var/cache/havip-test/recipe-${ROOT_RECIPE_VERSION}/roots/trixie.stamp.json'`,
    ].map((part) => script.indexOf(part));
    expect(order.every((position) => position >= 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    expect(script).toContain('ln -sf /dev/null "$root/etc/systemd/system/apt-daily.timer"');
    expect(script).toContain(': > "$root/etc/machine-id"');
    expect(script).not.toContain("172.16.16.100");
  });

  it("installs the first-boot user-data runner as an enabled unit and gives the image no host name of the build machine", () => {
    const script = renderRootBuildScript(paths, "http://mirror.example/debian");
    expect(script).toContain(`> "$root"'${USER_DATA_RUNNER_PATH}'`);
    expect(script).toContain(`chmod 755 "$root"'${USER_DATA_RUNNER_PATH}'`);
    expect(script).toContain(`> "$root/etc/systemd/system/${USER_DATA_UNIT_NAME}"`);
    expect(script).toContain(`ln -sf ../${USER_DATA_UNIT_NAME} "$root/etc/systemd/system/multi-user.target.wants/${USER_DATA_UNIT_NAME}"`);
    expect(script).toContain(`printf %s 'localhost
' > "$root/etc/hostname"`);
    // Before the root is moved into place and stamped: a root with a stamp has the runner.
    expect(script.indexOf(USER_DATA_UNIT_NAME)).toBeLessThan(script.indexOf("dpkg-scanpackages"));
  });
});

describe("--release", () => {
  it("takes one release for both servers or one per server, the rest defaulting to bookworm", () => {
    expect(resolveLabReleases(parseLabReleaseOption("trixie"))).toEqual({ a: "trixie", b: "trixie" });
    expect(resolveLabReleases(parseLabReleaseOption("a=bullseye,b=trixie"))).toEqual({ a: "bullseye", b: "trixie" });
    expect(resolveLabReleases(parseLabReleaseOption("b=bullseye"))).toEqual({ a: "bookworm", b: "bullseye" });
    expect(resolveLabReleases()).toEqual({ a: "bookworm", b: "bookworm" });
  });

  it("names the value as written and the rule", () => {
    expect(() => parseLabReleaseOption("buster")).toThrow(
      '--release "buster": "buster" is not valid; use a release (bullseye, bookworm, trixie) or server=release pairs like a=bullseye,b=trixie',
    );
    expect(() => parseLabReleaseOption("a=trixie,a=bookworm")).toThrow(/"a=bookworm" is not valid/);
  });
});
