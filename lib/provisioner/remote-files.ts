import { dirname } from "node:path";
import type { ManagedFile } from "../core/keepalived";
import type { FileChange, RemoteFileState } from "../core/plan/plan-node-changes";
import { quoteShellWord } from "../core/shell-word";
import type { RemoteShell } from "./ssh/remote-shell";

const BACKUP_SUFFIX = ".havip-bak";
const INCOMING_SUFFIX = ".havip-new";

function octal(mode: number): string {
  return mode.toString(8).padStart(4, "0");
}

/** Reads hash, mode and owner of each path in one round trip. */
export async function readRemoteFileStates(shell: RemoteShell, paths: readonly string[]): Promise<RemoteFileState[]> {
  const script = [
    `set -- ${paths.map(quoteShellWord).join(" ")}`,
    'for f in "$@"; do',
    '  if [ -f "$f" ]; then',
    `    printf '%s\\t%s\\t%s\\n' "$f" "$(stat -c '%a %U %G' "$f")" "$(sha256sum < "$f" | cut -d' ' -f1)"`,
    "  else",
    `    printf '%s\\tmissing\\n' "$f"`,
    "  fi",
    "done",
  ].join("\n");
  const output = await shell.check("reading current files", script);
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

/** Reads a file's content (used for the current keepalived.conf); undefined when absent. */
export async function readRemoteFile(shell: RemoteShell, path: string): Promise<string | undefined> {
  const result = await shell.run(`cat ${quoteShellWord(path)} 2>/dev/null`);
  return result.code === 0 ? result.stdout : undefined;
}

/** Writes a file through stdin into `target`, creating parent directories, then sets mode and owner. */
async function uploadFile(shell: RemoteShell, file: ManagedFile, target: string): Promise<void> {
  const script = [
    "set -eu",
    "umask 077",
    `mkdir -p ${quoteShellWord(dirname(target))}`,
    `cat > ${quoteShellWord(target)}`,
    `chown ${quoteShellWord(`${file.owner}:${file.group}`)} ${quoteShellWord(target)}`,
    `chmod ${octal(file.mode)} ${quoteShellWord(target)}`,
  ].join("\n");
  await shell.check(`writing ${target}`, script, { stdin: file.content });
}

/**
 * Writes files into the staging directory, for `keepalived -t` before anything goes live. The
 * directory is root's and 0711: the script user (as whom Keepalived checks the scripts) can reach
 * the staged scripts by name but not list it; each file keeps its own mode, so the staged
 * keepalived.conf (the VRRP password) stays 0600 root.
 */
export async function writeStagedFiles(shell: RemoteShell, stagingDir: string, files: readonly ManagedFile[]) {
  await shell.check(
    "preparing the staging directory",
    `rm -rf ${quoteShellWord(stagingDir)} && install -d -m 0711 -o root -g root ${quoteShellWord(stagingDir)}`,
  );
  for (const file of files) await uploadFile(shell, file, file.path);
}

export async function removeStagingDirectory(shell: RemoteShell, stagingDir: string): Promise<void> {
  await shell.run(`rm -rf ${quoteShellWord(stagingDir)}`);
}

/**
 * Puts changed files in place: each is uploaded beside its target, then all are swapped in by
 * rename (atomic per file) after keeping one backup of the file it replaces.
 */
export async function installFiles(shell: RemoteShell, changes: readonly FileChange[]): Promise<void> {
  const contentChanges = changes.filter((change) => change.kind === "create" || change.kind === "update");
  for (const change of contentChanges) await uploadFile(shell, change.file, change.file.path + INCOMING_SUFFIX);
  const swap = contentChanges.map(({ file }) => {
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
  const script = ["set -eu", ...swap, ...metadata].join("\n");
  if (swap.length + metadata.length > 0) await shell.check("installing the new files", script);
}

/** Puts back what installFiles replaced (from the one backup it kept) and removes what it created. */
export async function rollBackFiles(shell: RemoteShell, changes: readonly FileChange[]): Promise<void> {
  const steps = changes
    .filter((change) => change.kind === "create" || change.kind === "update")
    .map(({ file, kind }) =>
      kind === "update"
        ? `mv -f ${quoteShellWord(file.path + BACKUP_SUFFIX)} ${quoteShellWord(file.path)}`
        : `rm -f ${quoteShellWord(file.path)}`,
    );
  if (steps.length > 0) await shell.check("putting the previous files back", ["set -eu", ...steps].join("\n"));
}

/** Writes a small root-only file (the applied-files fingerprint). */
export async function writeRemoteFile(shell: RemoteShell, path: string, content: string): Promise<void> {
  await shell.check(`writing ${path}`, `set -eu; umask 077; mkdir -p ${quoteShellWord(dirname(path))}; cat > ${quoteShellWord(path)}`, {
    stdin: content,
  });
}
