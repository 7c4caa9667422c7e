import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureReleaseRoots } from "../../lab/roots/release-root-build";
import { type LabRelease, labCacheDir } from "../../lab/roots/release-roots";

/**
 * Debian roots with the distribution's Keepalived, to run each release's real `keepalived -t` in a
 * chroot. Each is a copy of the lab's release root (built by the lab when missing) with keepalived
 * installed offline from the lab's package source: no second debootstrap, no mirror.
 */
export const CONFIG_TEST_ROOTS_SUBDIR = "config-test-roots";

/** Bump when the install script changes: copies stamped with another recipe are rebuilt. */
const CONFIG_TEST_ROOT_RECIPE = 1;

/** Debian releases and the upstream Keepalived version each ships. */
export const KEEPALIVED_RELEASES = [
  { release: "bullseye", keepalivedVersion: "2.1.5" },
  { release: "trixie", keepalivedVersion: "2.3.3" },
] as const satisfies readonly { release: LabRelease; keepalivedVersion: string }[];

// Runs under flock in a private mount namespace, so the bind mount and /proc vanish with it.
// The stamp names the lab root's stamp: a rebuilt lab root makes a new copy.
const INSTALL_SCRIPT = `set -euo pipefail
lab_root=$1 packages=$2 dir=$3 stamp=$4 want=$5
if [ -x "$dir/usr/sbin/keepalived" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then exit 0; fi
b=$dir.building
rm -rf "$dir" "$b" "$stamp"
cp -a --reflink=auto "$lab_root" "$b"
mkdir -p "$b/run/havip-packages"
mount --bind "$packages" "$b/run/havip-packages"
mount -t proc proc "$b/proc"
printf 'deb [trusted=yes] file:/run/havip-packages ./\\n' > "$b/etc/apt/sources.list"
printf '#!/bin/sh\\nexit 101\\n' > "$b/usr/sbin/policy-rc.d" && chmod 755 "$b/usr/sbin/policy-rc.d"
apt="apt-get -qq -o APT::Sandbox::User=root"
chroot "$b" $apt update
DEBIAN_FRONTEND=noninteractive chroot "$b" $apt install -y --no-install-recommends keepalived
chroot "$b" $apt clean
umount "$b/run/havip-packages" "$b/proc"
rm -rf "$b"/var/lib/apt/lists/* "$b/usr/sbin/policy-rc.d" "$b/run/havip-packages"
mv "$b" "$dir"
printf %s "$want" > "$stamp"`;

/**
 * The cached config-test root of `release`: the lab's root and package source are built first
 * when missing (as \`lab up\` does), then copied and given keepalived; a lock per release lets
 * parallel runs wait for one build. Asynchronous: minutes of blocking would starve the test worker.
 */
export async function ensureReleaseRoot(release: LabRelease): Promise<string> {
  const cacheDir = labCacheDir();
  const lab = (await ensureReleaseRoots([release], { cacheDir }))[release];
  const rootsDir = join(cacheDir, CONFIG_TEST_ROOTS_SUBDIR);
  const dir = join(rootsDir, release);
  const stampPath = join(rootsDir, `${release}.stamp.json`);
  const want = JSON.stringify({ recipe: CONFIG_TEST_ROOT_RECIPE, labRoot: readFileSync(lab.stampPath, "utf8").trim() });
  if (existsSync(join(dir, "usr/sbin/keepalived")) && existsSync(stampPath) && readFileSync(stampPath, "utf8") === want) return dir;
  mkdirSync(rootsDir, { recursive: true });
  const args = [
    join(rootsDir, `${release}.lock`),
    "unshare",
    "--mount",
    "--propagation",
    "private",
    "bash",
    "-c",
    INSTALL_SCRIPT,
    "bash",
    lab.rootDir,
    lab.packagesDir,
    dir,
    stampPath,
    want,
  ];
  await new Promise<void>((resolve, reject) => {
    execFile("flock", args, { encoding: "utf8", timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error)
        reject(
          new Error(
            `installing keepalived into a copy of the lab's ${release} root (${dir}) failed (${error.message}):\n${stderr.slice(-4000)}`,
          ),
        );
      else resolve();
    });
  });
  return dir;
}

/**
 * Runs `command` with `sh -c` chrooted into `root` (use "/" for the host), in fresh network,
 * mount and PID namespaces: the interface `interfaceName` exists there (keepalived -t insists),
 * `/proc` and a tmpfs `/run` are mounted for it, and `filesDir` is visible at `insideDir`.
 * Nothing in the cached root or on the host changes; nothing is sent.
 */
export function runInRoot(
  root: string,
  interfaceName: string,
  filesDir: string,
  insideDir: string,
  command: string,
): { code: number | null; output: string } {
  const script = `set -e
root=$1 iface=$2 files=$3 inside=$4 cmd=$5
ip link add "$iface" type veth peer name havip-peer0
if [ "$root" != / ]; then mount -t proc proc "$root/proc"; fi
mount -t tmpfs tmpfs "$root/run"
mkdir -p "$root$inside"
mount --bind "$files" "$root$inside"
set +e
chroot "$root" sh -c "$cmd"
echo "exit=$?"`;
  const result = spawnSync(
    "unshare",
    ["--net", "--mount", "--pid", "--fork", "sh", "-c", script, "sh", root, interfaceName, filesDir, insideDir, command],
    {
      encoding: "utf8",
      timeout: 30_000,
    },
  );
  const match = /exit=(\d+)\n$/.exec(result.stdout);
  if (!match) throw new Error(`running in ${root} failed (exit ${result.status}): ${result.stdout}${result.stderr}`);
  return { code: Number(match[1]), output: result.stdout.slice(0, match.index) + result.stderr };
}
