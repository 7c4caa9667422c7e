import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterSpec } from "../../lib/core/cluster-settings";
import { testClusterSpec } from "../fixtures/cluster-spec";
import { writeTestKeyPair } from "../fixtures/ssh-keys";

/** A scratch directory with a fresh throwaway private key and a valid lab-shaped spec that uses it. */
export function specScratch() {
  const dir = mkdtempSync(join(tmpdir(), "havip-validation-"));
  const keyPath = join(dir, "id_ed25519");
  writeTestKeyPair(keyPath, "havip-validation-test");
  const spec: ClusterSpec = testClusterSpec({
    clusterName: "web",
    ssh: { user: "root", privateKeyPath: keyPath, knownHostsPath: join(dir, "known_hosts"), jumpHost: { host: "203.0.113.9", port: 22 } },
    keepalivedSource: { url: "https://example.com/keepalived-2.2.8.tar.gz", sha256: "0123456789abcdef".repeat(4) },
    cloud: { region: "ap-guangzhou", vpcId: "vpc-1", havipIds: ["havip-1"] },
  });
  let count = 0;
  return {
    dir,
    keyPath,
    spec,
    /** Writes `content` (JSON-encoded unless a string) to a new file and returns its path. */
    write(content: unknown): string {
      const path = join(dir, `spec-${count++}.json`);
      writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
