import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Debian root file systems with the distribution's Keepalived, to run each release's real
 * `keepalived -t` in a chroot. Built once with debootstrap (minbase + keepalived, 40-80 s each)
 * and cached; a lock file per release lets parallel runs wait for one build instead of racing.
 */
export const RELEASE_ROOTS_DIR = process.env.HAVIP_KEEPALIVED_ROOTS_DIR ?? "/var/cache/tencentcloud-havip-cluster/keepalived-test-roots";

/** Debian releases and the upstream Keepalived version each ships. */
export const KEEPALIVED_RELEASES = [
  { release: "bullseye", keepalivedVersion: "2.1.5" },
  { release: "trixie", keepalivedVersion: "2.3.3" },
] as const;

/** The Debian mirror apt on this machine already uses (first `deb`/`URIs:` entry that is not a security archive). */
export function aptMirror(): string {
  if (process.env.HAVIP_DEBIAN_MIRROR) return process.env.HAVIP_DEBIAN_MIRROR;
  const files = ["/etc/apt/sources.list"];
  if (existsSync("/etc/apt/sources.list.d")) {
    for (const name of readdirSync("/etc/apt/sources.list.d")) {
      if (name.endsWith(".list") || name.endsWith(".sources")) files.push(join("/etc/apt/sources.list.d", name));
    }
  }
  for (const file of files) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const match = /^\s*(?:deb\s+(?:\[[^\]]*\]\s+)?|URIs:\s*)(https?:\/\/\S+)/.exec(line);
      if (match && !/security/.test(match[1]) && /debian/.test(match[1])) return match[1];
    }
  }
  throw new Error("no Debian mirror found in apt's sources (set HAVIP_DEBIAN_MIRROR)");
}

const BUILD_SCRIPT = `set -eu
dir=$1 release=$2 mirror=$3
[ -x "$dir/usr/sbin/keepalived" ] && exit 0
rm -rf "$dir.partial"
debootstrap --variant=minbase --include=keepalived "$release" "$dir.partial" "$mirror" >"$dir.log" 2>&1 || { tail -20 "$dir.log" >&2; exit 1; }
mv "$dir.partial" "$dir"`;

/**
 * The cached root of `release`, built first when missing; throws with debootstrap's last lines
 * when that fails. Asynchronous: a minute of blocking would starve the test runner's worker.
 */
export async function ensureReleaseRoot(release: string): Promise<string> {
  const dir = join(RELEASE_ROOTS_DIR, release);
  if (existsSync(join(dir, "usr/sbin/keepalived"))) return dir;
  mkdirSync(RELEASE_ROOTS_DIR, { recursive: true });
  const args = [join(RELEASE_ROOTS_DIR, `.${release}.lock`), "sh", "-c", BUILD_SCRIPT, "sh", dir, release, aptMirror()];
  await new Promise<void>((resolve, reject) => {
    execFile("flock", args, { encoding: "utf8", timeout: 15 * 60_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`building the ${release} root in ${dir} failed (${error.message}):\n${stderr}`));
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
  const result = spawnSync("unshare", ["--net", "--mount", "--pid", "--fork", "sh", "-c", script, "sh", root, interfaceName, filesDir, insideDir, command], {
    encoding: "utf8",
    timeout: 30_000,
  });
  const match = /exit=(\d+)\n$/.exec(result.stdout);
  if (!match) throw new Error(`running in ${root} failed (exit ${result.status}): ${result.stdout}${result.stderr}`);
  return { code: Number(match[1]), output: result.stdout.slice(0, match.index) + result.stderr };
}
