import * as fs from "node:fs";
import * as path from "node:path";

/**
 * How the host mounts cgroups, as far as the lab cares:
 *
 * - `unified`: cgroup v2 only, at /sys/fs/cgroup (the default of Debian 12/13, Ubuntu 22.04+,
 *   Fedora, RHEL 9);
 * - `hybrid`: v1 controllers, cgroup v2 at /sys/fs/cgroup/unified and systemd's own v1 hierarchy
 *   (`name=systemd`) at /sys/fs/cgroup/systemd (these machines).
 *
 * A legacy v1-only host (no cgroup2 anywhere) has no `cgroup.kill` and is not supported.
 */
export type CgroupLayout =
  | { readonly kind: "unified"; readonly cgroup2Root: string; readonly hierarchyRoots: readonly string[] }
  | { readonly kind: "hybrid"; readonly cgroup2Root: string; readonly hierarchyRoots: readonly string[] };

export const CGROUP_MOUNT_ROOT = "/sys/fs/cgroup";

/** What the layout is read from: whether each hierarchy's `cgroup.procs` exists under the mount root. */
export interface CgroupFacts {
  readonly mountRoot: string;
  /** `<root>/cgroup.controllers`: the root itself is cgroup2. */
  readonly rootIsCgroup2: boolean;
  /** `<root>/unified/cgroup.controllers`: cgroup2 mounted beside v1 hierarchies. */
  readonly unifiedIsCgroup2: boolean;
  /** `<root>/systemd/cgroup.procs`: systemd's named v1 hierarchy. */
  readonly hasNamedSystemdHierarchy: boolean;
}

export function readCgroupFacts(mountRoot: string = CGROUP_MOUNT_ROOT): CgroupFacts {
  return {
    mountRoot,
    rootIsCgroup2: fs.existsSync(path.join(mountRoot, "cgroup.controllers")),
    unifiedIsCgroup2: fs.existsSync(path.join(mountRoot, "unified", "cgroup.controllers")),
    hasNamedSystemdHierarchy: fs.existsSync(path.join(mountRoot, "systemd", "cgroup.procs")),
  };
}

/** The layout the facts describe, or one line saying what the host lacks. */
export function cgroupLayoutFrom(facts: CgroupFacts): CgroupLayout | { readonly problem: string } {
  const root = facts.mountRoot;
  if (facts.rootIsCgroup2) return { kind: "unified", cgroup2Root: root, hierarchyRoots: [root] };
  const unified = path.join(root, "unified");
  const systemd = path.join(root, "systemd");
  if (facts.unifiedIsCgroup2 && facts.hasNamedSystemdHierarchy) {
    return { kind: "hybrid", cgroup2Root: unified, hierarchyRoots: [unified, systemd] };
  }
  const supported = `the lab needs cgroup v2, either alone at ${root} (cgroup v2 only) or at ${unified} beside ${systemd} (hybrid)`;
  if (facts.unifiedIsCgroup2)
    return { problem: `cgroup v2 is at ${unified} but there is no ${systemd} (name=systemd) hierarchy: ${supported}` };
  if (facts.hasNamedSystemdHierarchy) {
    return {
      problem: `this host mounts only cgroup v1 (${systemd}, no cgroup2): ${supported}; boot it with systemd.unified_cgroup_hierarchy=1`,
    };
  }
  return { problem: `no cgroup hierarchy is mounted at ${root}: ${supported}` };
}

/** The host's layout; throws with the preflight line when the lab cannot run on it. */
export function detectCgroupLayout(mountRoot: string = CGROUP_MOUNT_ROOT): CgroupLayout {
  const layout = cgroupLayoutFrom(readCgroupFacts(mountRoot));
  if ("problem" in layout) throw new Error(layout.problem);
  return layout;
}

/** A cgroup's directory in every hierarchy the lab uses (the cgroup2 one first). */
export function cgroupDirs(layout: CgroupLayout, cgroupPath: string): string[] {
  return layout.hierarchyRoots.map((root) => path.join(root, cgroupPath));
}

/** The cgroup's directory in the cgroup2 hierarchy: where `cgroup.kill` is. */
export function cgroup2Dir(layout: CgroupLayout, cgroupPath: string): string {
  return path.join(layout.cgroup2Root, cgroupPath);
}

/** Every cgroup dir of a subtree, deepest first (a server's systemd creates its own below the supervisor's). */
export function cgroupSubtreeDeepestFirst(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const children = entries.filter((entry) => entry.isDirectory());
  return [...children.flatMap((child) => cgroupSubtreeDeepestFirst(path.join(dir, child.name))), dir];
}

/** PIDs of every process in a cgroup subtree. */
export function cgroupSubtreePids(dir: string): number[] {
  return cgroupSubtreeDeepestFirst(dir).flatMap((cgroup) => {
    try {
      return fs.readFileSync(path.join(cgroup, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

/** Removes a cgroup subtree's (empty) directories, deepest first; returns those that could not be removed. */
export function removeCgroupSubtree(dir: string): string[] {
  const left: string[] = [];
  for (const cgroup of cgroupSubtreeDeepestFirst(dir)) {
    try {
      fs.rmdirSync(cgroup);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") left.push(cgroup);
    }
  }
  return left;
}
