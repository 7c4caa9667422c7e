import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_KEEPALIVED_FILE_PATHS, renderNodeFiles } from "../../../lib/core/keepalived";
import { keepalivedStatusScript, parseKeepalivedStatus } from "../../../lib/core/node/keepalived-service";
import { PRIMARY, TEST_AUTH_PASS, clusterSpec, validSpec } from "../../fixtures/keepalived-spec";
import { runningAsRoot, toolAvailable } from "../../fixtures/tools";

const canRun = toolAvailable("keepalived") && toolAvailable("unshare") && toolAvailable("ip") && runningAsRoot();

/**
 * The host's real Keepalived, with this project's rendering and notify script, in fresh network,
 * mount and PID namespaces (private /run and /var/keepalived, a veth named eth0): started, sent
 * SIGTERM, and sampled with the provisioner's own status script while it shuts down.
 */
function stopWhileSampling(dir: string): void {
  const statusScript = join(dir, "status.sh");
  writeFileSync(statusScript, keepalivedStatusScript("other", "eth0"));
  const script = `set -e
dir=$1
ip link add eth0 type veth peer name havip-peer0
ip addr add ${PRIMARY.ownIp}/24 dev eth0
ip link set eth0 up; ip link set havip-peer0 up
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/keepalived 2>/dev/null || { mount -t tmpfs tmpfs /var; mkdir -p /var/keepalived; ln -s /run /var/run; }
keepalived -f "$dir/keepalived.conf" --log-console </dev/null >"$dir/daemon.log" 2>&1
i=0; until [ -s ${DEFAULT_KEEPALIVED_FILE_PATHS.stateFilePath} ] || [ $i -ge 100 ]; do sleep 0.05; i=$((i+1)); done
sh "$dir/status.sh" >"$dir/sample-before"
pid=$(cat /run/keepalived.pid)
kill -TERM "$pid"
sleep 0.1
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
  sh "$dir/status.sh" >"$dir/sample-during-$i"
  if kill -0 "$pid" 2>/dev/null; then echo yes >"$dir/alive-after-$i"; fi
  if [ -f /run/keepalived.pid ] && kill -0 "$(cat /run/keepalived.pid)" 2>/dev/null; then echo yes >"$dir/pidfile-alive-$i"; fi
  i=$((i+1)); sleep 0.05
done
sh "$dir/status.sh" >"$dir/sample-after"`;
  const result = spawnSync("unshare", ["--net", "--mount", "--pid", "--fork", "--mount-proc", "sh", "-c", script, "sh", dir], {
    encoding: "utf8",
    timeout: 30_000,
  });
  if (result.status !== 0) throw new Error(`the stop run failed (exit ${result.status}): ${result.stderr}`);
}

describe.skipIf(!canRun)("a stopping Keepalived (the host's, stopped with SIGTERM)", () => {
  it("is read as stopping, not running, until it has exited, although its pid file and process are still there", () => {
    const dir = mkdtempSync(join(tmpdir(), "havip-stopping-"));
    try {
      const spec = clusterSpec({ advertIntSeconds: 1, notifyLogPath: join(dir, "notify.log") });
      const files = renderNodeFiles(
        validSpec(spec, TEST_AUTH_PASS),
        { ...PRIMARY, keepalivedVersion: "2.2.7" },
        {
          configPath: join(dir, "keepalived.conf"),
          notifyScriptPath: join(dir, "havip-notify.sh"),
          healthCheckScriptPath: join(dir, "havip-check.sh"),
          logrotatePath: join(dir, "logrotate"),
        },
      );
      for (const file of files) {
        writeFileSync(file.path, file.content);
        chmodSync(file.path, file.mode);
      }
      chmodSync(dir, 0o755);
      stopWhileSampling(dir);
      const read = (name: string) => parseKeepalivedStatus(readFileSync(join(dir, name), "utf8"));
      const during = readdirSync(dir).filter((name) => name.startsWith("sample-during-"));
      // A sample whose run overlapped the daemon's exit may honestly read "stopped"; one after which the
      // process was still alive must read "stopping".
      const whileAlive = during.filter((name) => existsSync(join(dir, name.replace("sample-during-", "alive-after-"))));

      expect(read("sample-before")).toMatchObject({ running: true, runState: "running", notifiedState: "BACKUP" });
      // Keepalived 2.2.7 lives on for about a second after SIGTERM: the window the race needs.
      expect(whileAlive.length).toBeGreaterThan(3);
      // The old check (pid file + kill -0) said "running" in that window...
      expect(readdirSync(dir).filter((name) => name.startsWith("pidfile-alive-")).length).toBeGreaterThan(0);
      // ...the status read never says running, and says stopping while the process lives on.
      for (const name of during) expect({ name, ...read(name) }).toMatchObject({ name, running: false, notifiedState: "STOP" });
      for (const name of whileAlive) expect({ name, ...read(name) }).toMatchObject({ name, runState: "stopping" });
      expect(read("sample-after")).toMatchObject({ running: false, runState: "stopped" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
