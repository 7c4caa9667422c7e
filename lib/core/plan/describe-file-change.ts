import { createTwoFilesPatch } from "diff";
import type { ManagedFile } from "../keepalived/managed-file";

/** A unified diff of one file for the dry run; secret files show only that they differ. */
export function describeFileChange(file: ManagedFile, before: string | undefined): string {
  if (file.secret) return `${file.path}: content ${before === undefined ? "created" : "changed"} (holds a secret; diff not shown)`;
  return createTwoFilesPatch(before === undefined ? "/dev/null" : file.path, file.path, before ?? "", file.content, "", "", { context: 2 });
}

/** A mode or owner change, as the dry run shows it. */
export function describeMetadataChange(file: ManagedFile): string {
  return `${file.path}: mode/owner -> ${file.mode.toString(8)} ${file.owner}:${file.group}`;
}
