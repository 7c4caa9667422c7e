import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Lab } from "../lab-handle";
import { type LabRelease, LAB_TARBALL_PORT, releaseRootPaths } from "./release-roots";

/**
 * The spec's `keepalivedSource` for Debian's Keepalived tarball of a release, as the lab serves it
 * over HTTPS (lab CA) from the operator namespace; undefined when the mirror had no tarball for it.
 */
export function labKeepalivedSource(
  lab: Pick<Lab, "operatorIp" | "cacheDir">,
  release: LabRelease,
): { url: string; sha256: string } | undefined {
  const dir = releaseRootPaths(release, lab.cacheDir).sourcesDir;
  const file = fs.existsSync(dir) ? fs.readdirSync(dir).find((name) => /^keepalived_.*\.orig\.tar\.gz$/.test(name)) : undefined;
  if (!file) return undefined;
  const sha256 = createHash("sha256")
    .update(fs.readFileSync(path.join(dir, file)))
    .digest("hex");
  return { url: `https://${lab.operatorIp}:${LAB_TARBALL_PORT}/${release}/${file}`, sha256 };
}
