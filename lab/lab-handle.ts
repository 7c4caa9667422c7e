import * as fs from "node:fs";
import { DEFAULT_LAB_PREFIX, type LabLayout, type LabServerName, defaultLabStateDir, labLayout } from "./lab-layout";
import type { LabService } from "./lab-cluster-spec";
import type { LabRelease } from "./roots/release-roots";

/** Version of the persisted handle; 2 added each server's Debian release and the root cache. */
export const LAB_HANDLE_VERSION = 2;

/** A running lab as `lab up` left it; JSON-serializable, persisted in the state dir for other processes. */
export interface Lab extends LabLayout {
  readonly handleVersion: typeof LAB_HANDLE_VERSION;
  /** Debian release each server runs. */
  readonly releases: Readonly<Record<LabServerName, LabRelease>>;
  /** Where the release roots and the package source are cached. */
  readonly cacheDir: string;
  /** The service `lab up --service` put behind the VIP. @default - none */
  readonly service?: LabService;
  readonly createdAt: string;
  /** How long `lab up` took, in milliseconds. */
  readonly upDurationMs: number;
}

export function saveLabHandle(lab: Lab): void {
  fs.writeFileSync(lab.handlePath, `${JSON.stringify(lab, null, 2)}\n`, { mode: 0o600 });
}

/** The lab `lab up` started with this prefix (and state dir), or undefined when there is none. */
export function loadLab(prefix: string = DEFAULT_LAB_PREFIX, stateDir: string = defaultLabStateDir(prefix)): Lab | undefined {
  const layout = labLayout(prefix, stateDir);
  let text: string;
  try {
    text = fs.readFileSync(layout.handlePath, "utf8");
  } catch {
    return undefined;
  }
  const saved = JSON.parse(text) as Partial<Lab>;
  if (saved.handleVersion !== LAB_HANDLE_VERSION || saved.prefix !== prefix) {
    throw new Error(`${layout.handlePath} is not a lab handle for prefix ${prefix}; run \`npm run lab -- bare down\``);
  }
  // Paths are recomputed so a hand-edited handle cannot point the lab's commands elsewhere.
  return { ...saved, ...layout } as Lab;
}
