import { createHash } from "node:crypto";
import { DEFAULT_KEEPALIVED_FILE_PATHS } from "../keepalived/keepalived-file-paths";
import type { ManagedFile } from "../keepalived/managed-file";

/** What a node has at a path, as read over SSH. */
export interface RemoteFileState {
  readonly path: string;
  readonly exists: boolean;
  readonly sha256?: string;
  readonly mode?: number;
  readonly owner?: string;
  readonly group?: string;
}

export type FileChangeKind = "create" | "update" | "metadata" | "unchanged";

export interface FileChange {
  readonly file: ManagedFile;
  readonly kind: FileChangeKind;
  readonly before: RemoteFileState;
}

export interface NodeChangePlan {
  readonly nodeName: string;
  readonly changes: readonly FileChange[];
  /** Changes other than `unchanged`. */
  readonly pending: readonly FileChange[];
}

export function sha256Hex(content: string): string {
  return createHash("sha256").update(content, "utf8").digest("hex");
}

function classify(file: ManagedFile, before: RemoteFileState): FileChangeKind {
  if (!before.exists) return "create";
  if (before.sha256 !== sha256Hex(file.content)) return "update";
  if (before.mode !== file.mode || before.owner !== file.owner || before.group !== file.group) return "metadata";
  return "unchanged";
}

/** Compares the files a node should have with what it has, by content hash, mode and owner. */
export function planNodeChanges(nodeName: string, desired: readonly ManagedFile[], current: readonly RemoteFileState[]): NodeChangePlan {
  const currentByPath = new Map(current.map((state) => [state.path, state]));
  const changes = desired.map((file) => {
    const before = currentByPath.get(file.path) ?? { path: file.path, exists: false };
    return { file, kind: classify(file, before), before };
  });
  return { nodeName, changes, pending: changes.filter((change) => change.kind !== "unchanged") };
}

/** Files Keepalived itself reads: a content change there needs a reload (the logrotate rule does not). */
const KEEPALIVED_INPUTS: readonly string[] = [
  DEFAULT_KEEPALIVED_FILE_PATHS.configPath,
  DEFAULT_KEEPALIVED_FILE_PATHS.notifyScriptPath,
  DEFAULT_KEEPALIVED_FILE_PATHS.healthCheckScriptPath,
];

export function changesKeepalivedInputs(plan: NodeChangePlan): boolean {
  return plan.pending.some((change) => change.kind !== "metadata" && KEEPALIVED_INPUTS.includes(change.file.path));
}

/**
 * One hash over the files Keepalived reads, recorded on the node after a successful start or
 * reload. A node whose record differs from its files was interrupted between installing and
 * reloading: it still runs the old configuration and needs a reload even though nothing differs.
 */
export function keepalivedInputsFingerprint(files: readonly ManagedFile[]): string {
  const inputs = files.filter((file) => KEEPALIVED_INPUTS.includes(file.path)).sort((a, b) => a.path.localeCompare(b.path));
  return sha256Hex(inputs.map((file) => `${file.path}\0${sha256Hex(file.content)}`).join("\n"));
}
