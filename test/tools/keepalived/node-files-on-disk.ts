import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterSpec } from "../../../lib/core/cluster-settings";
import { type ManagedFile, type ResolvedKeepalivedFilePaths, renderNodeFiles } from "../../../lib/core/keepalived";
import { validSpec } from "../../fixtures/keepalived-spec";

/** A node's rendered files written under one temporary directory, with their modes. */
export interface NodeFilesOnDisk extends ResolvedKeepalivedFilePaths {
  readonly dir: string;
  readonly files: readonly ManagedFile[];
  remove(): void;
}

export function writeNodeFiles(
  spec: ClusterSpec,
  node: { ownIp: string; peerIp: string; keepalivedVersion: string },
  authPass: string,
): NodeFilesOnDisk {
  const dir = mkdtempSync(join(tmpdir(), "havip-keepalived-"));
  const paths = {
    configPath: join(dir, "keepalived.conf"),
    notifyScriptPath: join(dir, "havip-notify.sh"),
    healthCheckScriptPath: join(dir, "havip-check.sh"),
    logrotatePath: join(dir, "havip-keepalived.logrotate"),
    stateFilePath: join(dir, "var", "state"),
    failureCountPath: join(dir, "var", "check_failed_count"),
    notifyLogPath: join(dir, "log", "keepalived.log"),
  };
  const files = renderNodeFiles(validSpec(spec, authPass), node, paths);
  for (const file of files) {
    writeFileSync(file.path, file.content);
    chmodSync(file.path, file.mode);
  }
  return { dir, files, ...paths, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
