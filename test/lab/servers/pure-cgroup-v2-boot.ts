/**
 * Boots one lab server and destroys it, as a host with cgroup v2 only would: run by
 * pure-cgroup-v2.test.ts in a private mount namespace where cgroup2 alone is mounted at
 * /sys/fs/cgroup. Everything here (the layout detection, the preflight, the supervisor, nspawn,
 * the teardown) sees only that layout. Prints one JSON line with what it saw.
 *
 * argv: the server layout input (JSON), the image root dir.
 */
import * as fs from "node:fs";
import { cgroupSubtreePids, detectCgroupLayout, readCgroupFacts } from "../../../lab/host/cgroup-layout";
import { runCommandOrThrow } from "../../../lab/host/host-command";
import { mountPointsUnder } from "../../../lab/host/mounts";
import { cgroupPreflight } from "../../../lab/lab-preflight";
import { nsenterArgv, serverInitPid } from "../../../lab/servers/lab-server";
import { generateEd25519KeyPair } from "../../../lab/servers/lab-keys";
import {
  createServer,
  destroyServer,
  serverPowerState,
  startServer,
  stopServer,
  waitForServerSystem,
} from "../../../lab/servers/server-lifecycle";
import { type ServerLayoutInput, serverLayout } from "../../../lab/servers/server-layout";

async function main(): Promise<void> {
  const [input, rootDir] = process.argv.slice(2);
  const server = serverLayout(JSON.parse(input) as ServerLayoutInput);
  const cgroups = detectCgroupLayout();
  const seen: Record<string, unknown> = { layout: cgroups.kind, preflight: cgroupPreflight(readCgroupFacts()) };
  const operatorKey = await generateEd25519KeyPair(`${server.dir}-operator/id_ed25519`, "pure-v2");
  await createServer(server, { key: "bookworm", rootDir }, { authorizedKeys: [operatorKey], mirrorAddress: "192.0.2.1" });
  let started = Date.now();
  await startServer(server, { timeoutMs: 60_000 });
  seen.sshdAfterMs = Date.now() - started;
  seen.system = await waitForServerSystem(server, { timeoutMs: 60_000 });
  const initPid = await serverInitPid(server);
  if (initPid === undefined) throw new Error("no PID 1 after the boot");
  const inside = async (script: string) => (await runCommandOrThrow([...nsenterArgv(initPid), "sh", "-c", script])).trim();
  seen.machineCgroupFs = await inside("stat -fc %T /sys/fs/cgroup");
  seen.machineInitCgroup = await inside("cat /proc/1/cgroup");
  seen.initCgroupOnHost = fs.readFileSync(`/proc/${initPid}/cgroup`, "utf8").trim();

  started = Date.now();
  await stopServer(server, { force: false, timeoutMs: 60_000 });
  seen.powerOffMs = Date.now() - started;
  seen.afterPowerOff = serverPowerState(server);
  await startServer(server, { timeoutMs: 60_000 });
  seen.afterStart = serverPowerState(server);

  const cgroupDir = `${cgroups.cgroup2Root}/${server.cgroupPath}`;
  seen.pidsBeforeDestroy = cgroupSubtreePids(cgroupDir).length;
  started = Date.now();
  await destroyServer(server);
  seen.destroyMs = Date.now() - started;
  seen.afterDestroy = {
    power: serverPowerState(server),
    cgroupDirExists: fs.existsSync(cgroupDir),
    mounts: mountPointsUnder(server.dir),
    dirExists: fs.existsSync(server.dir),
    initPid: (await serverInitPid(server)) ?? null,
  };
  fs.rmSync(`${server.dir}-operator`, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(seen)}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
