import { posix } from "node:path";
import type { ManagedFile } from "../keepalived/managed-file";
import type { FileChange, RemoteFileState } from "../plan/plan-node-changes";
import { quoteShellWord } from "../shell-word";

/** The one backup a swap keeps of the file it replaces. */
export const BACKUP_SUFFIX = ".havip-bak";
/** A file uploaded beside its target before the swap. */
export const INCOMING_SUFFIX = ".havip-new";

function octal(mode: number): string {
  return mode.toString(8).padStart(4, "0");
}

/** Prints `path\tmode owner group\tsha256` for each file (`path\tmissing` when absent): parseFileStates reads it. */
export function fileStatesScript(paths: readonly string[]): string {
  return [
    `set -- ${paths.map(quoteShellWord).join(" ")}`,
    'for f in "$@"; do',
    '  if [ -f "$f" ]; then',
    `    printf '%s\\t%s\\t%s\\n' "$f" "$(stat -c '%a %U %G' "$f")" "$(sha256sum < "$f" | cut -d' ' -f1)"`,
    "  else",
    `    printf '%s\\tmissing\\n' "$f"`,
    "  fi",
    "done",
  ].join("\n");
}

/** The lines of fileStatesScript's output (other lines are ignored). */
export function parseFileStates(output: string): RemoteFileState[] {
  return output
    .split("\n")
    .filter((line) => line.includes("\t"))
    .map((line) => {
      const [path, metadata, sha256] = line.split("\t");
      if (metadata === "missing") return { path, exists: false };
      const [mode, owner, group] = metadata.split(" ");
      return { path, exists: true, mode: parseInt(mode, 8), owner, group, sha256 };
    });
}

/** Reads a file's content; exit 0 only when it exists. */
export function readFileCommand(path: string): string {
  return `cat ${quoteShellWord(path)} 2>/dev/null`;
}

/** Writes stdin into `target`, creating parent directories, then sets the file's mode and owner. */
export function uploadFileScript(file: ManagedFile, target: string): string {
  return [
    "set -eu",
    "umask 077",
    `mkdir -p ${quoteShellWord(posix.dirname(target))}`,
    `cat > ${quoteShellWord(target)}`,
    `chown ${quoteShellWord(`${file.owner}:${file.group}`)} ${quoteShellWord(target)}`,
    `chmod ${octal(file.mode)} ${quoteShellWord(target)}`,
  ].join("\n");
}

/**
 * A fresh staging directory: root's and 0711, so the script user (as whom Keepalived checks the
 * scripts) can reach the staged scripts by name but not list it.
 */
export function stagingDirectoryScript(stagingDir: string): string {
  return `rm -rf ${quoteShellWord(stagingDir)} && install -d -m 0711 -o root -g root ${quoteShellWord(stagingDir)}`;
}

export function removeDirectoryCommand(dir: string): string {
  return `rm -rf ${quoteShellWord(dir)}`;
}

/**
 * Puts uploaded files in place: each content change is renamed over its target (atomic per file)
 * after one backup of the file it replaces is kept; metadata changes set mode and owner. Empty
 * when there is nothing to swap.
 */
export function swapFilesScript(changes: readonly FileChange[]): string | undefined {
  const swap = contentChanges(changes).map(({ file }) => {
    const path = quoteShellWord(file.path);
    const backup = quoteShellWord(file.path + BACKUP_SUFFIX);
    return `if [ -f ${path} ]; then cp -p ${path} ${backup}; fi; mv -f ${quoteShellWord(file.path + INCOMING_SUFFIX)} ${path}`;
  });
  const metadata = changes
    .filter((change) => change.kind === "metadata")
    .map(
      ({ file }) =>
        `chown ${quoteShellWord(`${file.owner}:${file.group}`)} ${quoteShellWord(file.path)} && chmod ${octal(file.mode)} ${quoteShellWord(file.path)}`,
    );
  return swap.length + metadata.length > 0 ? ["set -eu", ...swap, ...metadata].join("\n") : undefined;
}

/** The changes whose content is uploaded (created or updated files). */
export function contentChanges(changes: readonly FileChange[]): FileChange[] {
  return changes.filter((change) => change.kind === "create" || change.kind === "update");
}

/** Puts back what swapFilesScript replaced (from its one backup) and removes what it created. */
export function rollBackFilesScript(changes: readonly FileChange[]): string | undefined {
  const steps = contentChanges(changes).map(({ file, kind }) =>
    kind === "update"
      ? `mv -f ${quoteShellWord(file.path + BACKUP_SUFFIX)} ${quoteShellWord(file.path)}`
      : `rm -f ${quoteShellWord(file.path)}`,
  );
  return steps.length > 0 ? ["set -eu", ...steps].join("\n") : undefined;
}

/** Writes stdin into a small root-only file (a fingerprint record). */
export function writeRecordScript(path: string): string {
  return `set -eu; umask 077; mkdir -p ${quoteShellWord(posix.dirname(path))}; cat > ${quoteShellWord(path)}`;
}
