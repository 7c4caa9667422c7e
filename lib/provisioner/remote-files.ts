import type { ManagedFile } from "../core/keepalived";
import {
  contentChanges,
  fileStatesScript,
  INCOMING_SUFFIX,
  parseFileStates,
  readFileCommand,
  removeDirectoryCommand,
  rollBackFilesScript,
  stagingDirectoryScript,
  swapFilesScript,
  uploadFileScript,
  writeRecordScript,
} from "../core/node/remote-files";
import type { FileChange, RemoteFileState } from "../core/plan/plan-node-changes";
import type { RemoteShell } from "./ssh/remote-shell";

/** Reads hash, mode and owner of each path in one round trip. */
export async function readRemoteFileStates(shell: RemoteShell, paths: readonly string[]): Promise<RemoteFileState[]> {
  return parseFileStates(await shell.check("reading current files", fileStatesScript(paths)));
}

/** Reads a file's content; undefined when absent. */
export async function readRemoteFile(shell: RemoteShell, path: string): Promise<string | undefined> {
  const result = await shell.run(readFileCommand(path));
  return result.code === 0 ? result.stdout : undefined;
}

async function uploadFile(shell: RemoteShell, file: ManagedFile, target: string): Promise<void> {
  await shell.check(`writing ${target}`, uploadFileScript(file, target), { stdin: file.content });
}

/**
 * Writes files into the staging directory, for `keepalived -t` before anything goes live; each
 * file keeps its own mode, so the staged keepalived.conf (the VRRP password) stays 0600 root.
 */
export async function writeStagedFiles(shell: RemoteShell, stagingDir: string, files: readonly ManagedFile[]) {
  await shell.check("preparing the staging directory", stagingDirectoryScript(stagingDir));
  for (const file of files) await uploadFile(shell, file, file.path);
}

export async function removeStagingDirectory(shell: RemoteShell, stagingDir: string): Promise<void> {
  await shell.run(removeDirectoryCommand(stagingDir));
}

/** Puts changed files in place: each uploaded beside its target, then all swapped in (see swapFilesScript). */
export async function installFiles(shell: RemoteShell, changes: readonly FileChange[]): Promise<void> {
  for (const change of contentChanges(changes)) await uploadFile(shell, change.file, change.file.path + INCOMING_SUFFIX);
  const script = swapFilesScript(changes);
  if (script !== undefined) await shell.check("installing the new files", script);
}

/** Puts back what installFiles replaced and removes what it created. */
export async function rollBackFiles(shell: RemoteShell, changes: readonly FileChange[]): Promise<void> {
  const script = rollBackFilesScript(changes);
  if (script !== undefined) await shell.check("putting the previous files back", script);
}

/** Writes a small root-only file (a fingerprint record). */
export async function writeRemoteFile(shell: RemoteShell, path: string, content: string): Promise<void> {
  await shell.check(`writing ${path}`, writeRecordScript(path), { stdin: content });
}
