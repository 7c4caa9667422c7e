import * as fs from "node:fs";
import * as path from "node:path";
import { cachedRootProblem } from "../roots/release-root-build";
import { LAB_RELEASES, type LabRelease, isLabRelease, releaseRootPaths } from "../roots/release-roots";
import type { LabImage } from "./lab-cloud-host";

/** An image published after a release's first one: the same root under a new id, newer. */
export interface PublishedImage {
  readonly key: string;
  readonly release: LabRelease;
  readonly createdTime: string;
}

/** The Debian point release of a root (`/etc/debian_version`: `12.8`; trixie before its release says `trixie/sid`). */
function debianVersion(rootDir: string, release: LabRelease): string {
  const text = fs.readFileSync(path.join(rootDir, "etc/debian_version"), "utf8").trim();
  if (/^\d+(\.\d+)?$/.test(text)) return text;
  const majors: Record<LabRelease, string> = { bullseye: "11", bookworm: "12", trixie: "13" };
  return majors[release];
}

function readPublished(publishedImagesPath: string): PublishedImage[] {
  try {
    return (JSON.parse(fs.readFileSync(publishedImagesPath, "utf8")) as PublishedImage[]).filter((image) => isLabRelease(image.release));
  } catch {
    return [];
  }
}

/**
 * What the lab's cloud can boot: each release whose root is built (under the release's name,
 * published when the root was built), and the images published later. Nothing else is offered.
 */
export function labImages(cacheDir: string, publishedImagesPath: string): LabImage[] {
  const images: LabImage[] = [];
  const built = new Map<LabRelease, { rootDir: string; builtAt: string; osVersion: string }>();
  for (const release of LAB_RELEASES) {
    const paths = releaseRootPaths(release, cacheDir);
    if (cachedRootProblem(paths) !== undefined) continue;
    const stamp = JSON.parse(fs.readFileSync(paths.stampPath, "utf8")) as { builtAt: string };
    built.set(release, { rootDir: paths.rootDir, builtAt: stamp.builtAt, osVersion: debianVersion(paths.rootDir, release) });
  }
  const image = (key: string, release: LabRelease, createdTime: string): LabImage | undefined => {
    const root = built.get(release);
    if (!root) return undefined;
    return { key, platform: "Debian", osVersion: root.osVersion, architecture: "x86_64", createdTime, sizeGiB: 20, rootDir: root.rootDir };
  };
  for (const [release, root] of built) images.push(image(release, release, root.builtAt) as LabImage);
  for (const published of readPublished(publishedImagesPath)) {
    const later = image(published.key, published.release, published.createdTime);
    if (later) images.push(later);
  }
  return images;
}

/** Publishes a newer image of a release (the same root, a new id, created now); returns its key. */
export function publishImage(publishedImagesPath: string, release: LabRelease, now: Date = new Date()): string {
  const published = readPublished(publishedImagesPath);
  const key = `${release}-${published.filter((image) => image.release === release).length + 2}`;
  const createdTime = now.toISOString().replace(/\.\d+Z$/, "Z");
  fs.mkdirSync(path.dirname(publishedImagesPath), { recursive: true });
  fs.writeFileSync(publishedImagesPath, `${JSON.stringify([...published, { key, release, createdTime }], null, 2)}\n`);
  return key;
}
