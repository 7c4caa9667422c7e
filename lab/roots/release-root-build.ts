import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { LAB_OPERATOR_IP } from "../lab-layout";
import {
  LAB_CACHE_DIR_ENV,
  type LabRelease,
  type ReleaseRootPaths,
  debianMirrorFrom,
  labCacheDir,
  releaseRootPaths,
  renderRootBuildScript,
  rootStampProblem,
} from "./release-roots";

export const LAB_DEBIAN_MIRROR_ENV = "HAVIP_LAB_DEBIAN_MIRROR";

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** The mirror apt uses on this host ($HAVIP_LAB_DEBIAN_MIRROR overrides it). */
export function hostDebianMirror(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[LAB_DEBIAN_MIRROR_ENV];
  if (configured) return configured.replace(/\/$/, "");
  const listDir = "/etc/apt/sources.list.d";
  const files = [
    "/etc/apt/sources.list",
    ...(fs.existsSync(listDir) ? fs.readdirSync(listDir).map((name) => path.join(listDir, name)) : []),
  ];
  const mirror = debianMirrorFrom(files.map(readIfExists).filter((text): text is string => text !== undefined));
  if (!mirror) {
    throw new Error(
      `cannot find the Debian mirror apt uses in /etc/apt/sources.list{,.d}; set ${LAB_DEBIAN_MIRROR_ENV}=http://HOST/debian`,
    );
  }
  return mirror;
}

/** Why a release's cached root cannot be used as it is; undefined when it can. */
export function cachedRootProblem(paths: ReleaseRootPaths): string | undefined {
  const problem = rootStampProblem(readIfExists(paths.stampPath), paths.release);
  if (problem) return problem;
  for (const required of [path.join(paths.rootDir, "sbin/init"), path.join(paths.packagesDir, "Packages.gz")]) {
    if (!fs.existsSync(required)) return `the cached ${paths.release} root lacks ${required}`;
  }
  return undefined;
}

function runBuild(paths: ReleaseRootPaths, script: string, onStep: (step: string) => void): Promise<void> {
  fs.mkdirSync(path.dirname(paths.lockPath), { recursive: true, mode: 0o755 });
  const log = fs.openSync(paths.buildLogPath, "w", 0o644);
  return new Promise((resolve, reject) => {
    // flock: two labs (or two test files) asking for the same release build it once.
    const child = spawn("flock", ["--wait", "1200", paths.lockPath, "bash", "-c", script], { stdio: ["ignore", "pipe", log] });
    let pending = "";
    const started = Date.now();
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      fs.writeSync(log, chunk);
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith("step: ")) onStep(`${line.slice(6)} [${Math.round((Date.now() - started) / 1000)} s]`);
    });
    child.on("error", (error) => reject(new Error(`cannot run the ${paths.release} root build: ${error.message}`)));
    child.on("close", (code) => {
      fs.closeSync(log);
      if (code === 0) return resolve();
      const tail = (readIfExists(paths.buildLogPath) ?? "").trimEnd().split("\n").slice(-8).join("\n");
      reject(new Error(`building the ${paths.release} root failed (exit ${code}); log ${paths.buildLogPath}:\n${tail}`));
    });
  });
}

/**
 * Makes sure each release has a prepared root and a package source in the cache: reuses a root
 * whose stamp names this recipe, builds (in parallel) the others. Building takes about a minute
 * per release and needs Debian's mirror; reusing takes nothing.
 */
export async function ensureReleaseRoots(
  releases: readonly LabRelease[],
  options: { readonly onStep?: (step: string) => void; readonly cacheDir?: string } = {},
): Promise<Record<LabRelease, ReleaseRootPaths>> {
  const step = options.onStep ?? (() => undefined);
  const cacheDir = options.cacheDir ?? labCacheDir();
  const result = {} as Record<LabRelease, ReleaseRootPaths>;
  const builds: Promise<void>[] = [];
  for (const release of new Set(releases)) {
    const paths = releaseRootPaths(release, cacheDir);
    result[release] = paths;
    const problem = cachedRootProblem(paths);
    if (problem === undefined) continue;
    step(`building the ${release} root in ${cacheDir} (${problem}; set ${LAB_CACHE_DIR_ENV} to use another cache)`);
    builds.push(runBuild(paths, renderRootBuildScript(paths, hostDebianMirror(), LAB_OPERATOR_IP), (line) => step(`${release}: ${line}`)));
  }
  const outcomes = await Promise.allSettled(builds);
  const failures = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
  if (failures.length > 0) throw new Error(failures.map((failure) => (failure.reason as Error).message).join("\n"));
  return result;
}
