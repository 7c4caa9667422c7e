// Builds (or reuses, when the cache is current) the lab's Debian release roots and package sources.
import { ensureReleaseRoots } from "./release-root-build";
import { LAB_RELEASES, isLabRelease } from "./release-roots";

const requested = process.argv.slice(2);
const releases = requested.length > 0 ? requested : [...LAB_RELEASES];
const unknown = releases.filter((release) => !isLabRelease(release));
if (unknown.length > 0) {
  process.stderr.write(`build-lab-roots: unknown release(s) ${unknown.join(", ")}; choose from ${LAB_RELEASES.join(", ")}\n`);
  process.exit(2);
}
const started = Date.now();
ensureReleaseRoots(releases.filter(isLabRelease), { onStep: (step) => process.stdout.write(`lab roots: ${step}\n`) }).then(
  (roots) => process.stdout.write(`lab roots: ${Object.keys(roots).join(", ")} ready in ${((Date.now() - started) / 1000).toFixed(0)} s\n`),
  (error: Error) => {
    process.stderr.write(`build-lab-roots: ${error.message}\n`);
    process.exit(1);
  },
);
