import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CloudNetworkLayout,
  MIRROR_ADDRESS,
  ROUTER_UPLINK_INTERFACE,
  type VpcRouterModel,
  attachInstance,
  cloudNetworkLayout,
  createInternet,
  createVpcRouter,
  deleteCloudNetwork,
  detachInstance,
  instanceNamespace,
  instancePortName,
  reconcileVpcRouter,
} from "../../../lab/cloud-network";
import { cgroupDirs, cgroupSubtreePids, detectCgroupLayout } from "../../../lab/host/cgroup-layout";
import { type CommandResult, runCommand, runCommandOrThrow } from "../../../lab/host/host-command";
import { mountPointsUnder } from "../../../lab/host/mounts";
import { labPreflight } from "../../../lab/lab-preflight";
import { startPackageServer, startTarballServer } from "../../../lab/roots/lab-package-server";
import { LAB_TARBALL_PORT, MIRROR_HOSTNAME, labCacheDir, releaseRootPaths } from "../../../lab/roots/release-roots";
import { USER_DATA_LOG_PATH } from "../../../lab/roots/user-data-runner";
import { generateEd25519KeyPair, renderKnownHosts } from "../../../lab/servers/lab-keys";
import { serverInitPid } from "../../../lab/servers/lab-server";
import { createLabCa, issueServerCertificate } from "../../../lab/servers/lab-tls";
import {
  type ServerRecord,
  createServer,
  destroyServer,
  rebootServer,
  reinstallServer,
  serverPowerState,
  setServerAuthorizedKeys,
  startServer,
  stopServer,
  waitForServerSystem,
} from "../../../lab/servers/server-lifecycle";
import { type ServerLayout, serverLayout } from "../../../lab/servers/server-layout";
import { testLabPrefix } from "../test-lab-prefix";

/**
 * One CVM-like server through its whole life, in a routed VPC of the local cloud's network: the
 * operator reaches it only at its public IP (DNAT on the VPC router), so its default gateway is
 * what carries every answer back. One server for all tests, in order.
 */
const PREFIX = testLabPrefix("havip-sl");
const STATE_DIR = `/run/${PREFIX}`;
const VPC = "vpc-sl000001";
const INSTANCE = "ins-sl00000a";
const PRIVATE_IP = "10.20.1.5";
const GATEWAY = "10.20.1.1";
const PUBLIC_IP = "198.51.100.64";
const ROUTER = "198.51.100.16";
const missing = labPreflight();
const skip = missing.length > 0 && process.env.CI !== "true";

const FIRST_USER_DATA = '#!/bin/sh\necho "first user data on $(hostname)" >> /root/user-data-runs\n';
const SECOND_USER_DATA = '#!/bin/bash\necho "second user data on $(hostname)" >> /root/user-data-runs\nexit 0\n';

function routerModel(): VpcRouterModel {
  return {
    vpcId: VPC,
    uplinkAddress: ROUTER,
    uplinkInterface: ROUTER_UPLINK_INTERFACE,
    gateways: [GATEWAY],
    instances: [{ instanceId: INSTANCE, port: instancePortName(INSTANCE), privateIp: PRIVATE_IP, publicIp: PUBLIC_IP }],
    boundAddresses: [],
    translations: [],
  };
}

describe.skipIf(skip)(`a server's life as a CVM in a VPC${skip ? ` (skipped: ${missing[0]})` : ""}`, () => {
  let network: CloudNetworkLayout;
  let server: ServerLayout;
  let record: ServerRecord;
  const image = { key: "debian-12", rootDir: releaseRootPaths("bookworm", labCacheDir()).rootDir };
  const keys = { first: path.join(STATE_DIR, "operator", "first"), second: path.join(STATE_DIR, "operator", "second") };
  const publicKeys: Record<keyof typeof keys, string> = { first: "", second: "" };
  const knownHosts = path.join(STATE_DIR, "operator", "known_hosts");
  let caCertPem: string;
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await run();
    } finally {
      timings[name] = Date.now() - started;
    }
  };

  /** SSH from the operator (on the internet segment) to the instance's public IP, with a key and the pinned host key. */
  const ssh = (key: keyof typeof keys, remote: string): Promise<CommandResult> =>
    runCommand(
      [
        "ip",
        "netns",
        "exec",
        network.operatorNamespace,
        "ssh",
        "-F",
        "/dev/null",
        "-i",
        keys[key],
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        `UserKnownHostsFile=${knownHosts}`,
        "-o",
        "ConnectTimeout=3",
        "-o",
        "LogLevel=ERROR",
        `root@${PUBLIC_IP}`,
        remote,
      ],
      { timeoutMs: 30_000 },
    );
  const pinHostKey = (hostPublicKey: string) =>
    fs.writeFileSync(knownHosts, renderKnownHosts([{ host: PUBLIC_IP, publicKeyLine: hostPublicKey }]));
  const disk = (userData: string, authorizedKeys = [publicKeys.first]) => ({
    authorizedKeys,
    mirrorAddress: MIRROR_ADDRESS,
    caCertPem,
    userData,
  });

  beforeAll(async () => {
    network = cloudNetworkLayout(PREFIX);
    server = serverLayout({
      name: INSTANCE,
      machineName: `${PREFIX}-${INSTANCE}`,
      namespace: instanceNamespace(network, INSTANCE),
      ip: PRIVATE_IP,
      prefixLength: 24,
      gateway: GATEWAY,
      hostname: "web-1",
      dir: path.join(STATE_DIR, INSTANCE),
    });
    await destroyServer(server);
    await deleteCloudNetwork(network);
    fs.rmSync(STATE_DIR, { recursive: true, force: true });
    fs.mkdirSync(path.join(STATE_DIR, "operator"), { recursive: true, mode: 0o700 });
    publicKeys.first = await generateEd25519KeyPair(keys.first, "first");
    publicKeys.second = await generateEd25519KeyPair(keys.second, "second");

    await createInternet(network);
    await createVpcRouter(network, VPC, ROUTER);
    await attachInstance(network, VPC, { instanceId: INSTANCE, privateIp: PRIVATE_IP, prefixLength: 24, gateway: GATEWAY });
    await reconcileVpcRouter(network, routerModel());

    // The cloud's mirror: the lab's packages over HTTP and a download site over HTTPS whose
    // certificate (from a CA of this test alone) names the mirror and the API's wildcard.
    const tlsDir = path.join(STATE_DIR, "tls");
    const ca = await createLabCa(tlsDir, "ca", `${PREFIX} CA`);
    const certificate = await issueServerCertificate(ca, tlsDir, "mirror", {
      dnsNames: [MIRROR_HOSTNAME, "*.tencentcloudapi.com"],
      ipAddresses: [MIRROR_ADDRESS],
    });
    caCertPem = fs.readFileSync(ca.certPath, "utf8");
    const site = { namespace: network.servicesNamespace, address: MIRROR_ADDRESS };
    const paths = releaseRootPaths("bookworm", labCacheDir());
    startPackageServer(site, path.dirname(paths.packagesDir), path.join(STATE_DIR, "package-server.log"));
    startTarballServer(site, path.dirname(paths.sourcesDir), certificate, path.join(STATE_DIR, "tarball-server.log"));

    record = await timed("createMs", () => createServer(server, image, disk(FIRST_USER_DATA)));
    pinHostKey(record.hostPublicKey);
    await timed("firstStartMs", () => startServer(server, { timeoutMs: 60_000 }));
  }, 300_000);

  afterAll(async () => {
    await destroyServer(server);
    await deleteCloudNetwork(network);
    fs.rmSync(STATE_DIR, { recursive: true, force: true });
    console.log(`server lifecycle timings: ${JSON.stringify(timings)}`);
  }, 60_000);

  it("answers SSH at its public IP with the cloud's hostname, address, prefix length and default gateway", async () => {
    const result = await ssh("first", "hostname; ip -4 -o addr show dev eth0; ip -4 route show default");
    expect(result.stderr).toBe("");
    const [hostname, address, route] = result.stdout.trim().split("\n");
    expect(hostname).toBe("web-1");
    expect(address).toContain(`inet ${PRIVATE_IP}/24 `);
    expect(route).toMatch(new RegExp(`^default via ${GATEWAY.replace(/\./g, "\\.")} dev eth0`));
    expect(serverPowerState(server)).toBe("running");
  });

  it("reaches the mirror by name through its VPC router: apt over HTTP, and HTTPS verified with the lab CA", async () => {
    const apt = await ssh("first", "apt-get -qq update && echo updated");
    expect(apt.stderr).not.toMatch(/^(E|W):/m);
    expect(apt.stdout.trim()).toBe("updated");
    // Python's own default CA path needs Debian's openssl package; curl (what the provisioner uses) reads this bundle.
    const https = await ssh(
      "first",
      `SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt python3 -c 'import urllib.request; print(urllib.request.urlopen("https://${MIRROR_HOSTNAME}:${LAB_TARBALL_PORT}/").status)'`,
    );
    expect(https.stderr).toBe("");
    expect(https.stdout.trim()).toBe("200");
  });

  it("runs its user data once, after sshd, with the output in cloud-init's log", async () => {
    await waitForServerSystem(server, { timeoutMs: 30_000 });
    const result = await ssh("first", `cat /root/user-data-runs; cat ${USER_DATA_LOG_PATH}; systemctl is-active lab-user-data.service`);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toBe("first user data on web-1");
    expect(lines.filter((line) => line.startsWith("lab-user-data: running the user data script"))).toHaveLength(1);
    expect(lines).toContainEqual(expect.stringMatching(/^lab-user-data: the user data script exited with 0 at /));
    expect(lines.at(-1)).toBe("active");
  });

  it("reboots gracefully and by force: a new boot each time, the same disk and host key, the user data not run again", async () => {
    for (const force of [false, true]) {
      const before = await serverInitPid(server);
      await timed(force ? "forcedRebootMs" : "rebootMs", () => rebootServer(server, { force, timeoutMs: 60_000 }));
      const after = await serverInitPid(server);
      expect(after).toBeDefined();
      expect(after).not.toBe(before);
      const result = await ssh("first", "cat /root/user-data-runs; ip -4 route show default");
      expect(result.stdout.trim().split("\n")).toEqual([
        "first user data on web-1",
        expect.stringMatching(/^default via 10\.20\.1\.1 dev eth0/),
      ]);
    }
  }, 150_000);

  it("powers off to stopped with its disk kept and no address but its own, and starts again with replaced keys", async () => {
    expect((await ssh("first", "echo kept > /root/marker")).code).toBe(0);
    // What a Keepalived would have left on a server that goes down holding a VIP.
    await runCommandOrThrow(["ip", "-n", server.namespace, "addr", "add", "10.20.1.12/24", "dev", "eth0"]);
    await timed("powerOffMs", () => stopServer(server, { force: false, timeoutMs: 60_000 }));
    expect(serverPowerState(server)).toBe("stopped");
    expect(await serverInitPid(server)).toBeUndefined();
    expect(mountPointsUnder(server.dir)).toEqual([]);
    const addresses = await runCommandOrThrow(["ip", "-n", server.namespace, "-4", "-o", "addr", "show", "dev", "eth0"]);
    expect(addresses.trim().split("\n")).toEqual([expect.stringContaining(`inet ${PRIVATE_IP}/24 `)]);
    expect(await runCommandOrThrow(["ip", "-n", server.namespace, "-4", "route", "show", "default"])).toMatch(
      /^default via 10\.20\.1\.1 dev eth0/,
    );
    await stopServer(server, { force: false });

    await setServerAuthorizedKeys(server, [publicKeys.second]);
    await timed("startMs", () => startServer(server, { timeoutMs: 60_000 }));
    const withNewKey = await ssh("second", "cat /root/marker");
    expect(withNewKey.stdout).toBe("kept\n");
    const withOldKey = await ssh("first", "true");
    expect(withOldKey.code).toBe(255);
    expect(withOldKey.stderr).toMatch(/Permission denied/);
  }, 150_000);

  it("stops by force and starts again", async () => {
    await timed("forcedStopMs", () => stopServer(server, { force: true }));
    expect(serverPowerState(server)).toBe("stopped");
    await startServer(server, { timeoutMs: 60_000 });
    await startServer(server, { timeoutMs: 60_000 });
    expect((await ssh("second", "cat /root/marker")).stdout).toBe("kept\n");
  }, 150_000);

  it("refuses to reinstall or re-key a running server, before touching its disk", async () => {
    await expect(reinstallServer(server, image, disk(SECOND_USER_DATA))).rejects.toThrow(
      `cannot reinstall server ${INSTANCE}: it is running; stop it first`,
    );
    await expect(setServerAuthorizedKeys(server, [publicKeys.first])).rejects.toThrow(/it is running; stop it first/);
    await expect(
      rebootServer({ ...server, name: "ins-absent", recordPath: path.join(STATE_DIR, "none.json") }, { force: false }),
    ).rejects.toThrow(/server ins-absent does not exist/);
    expect((await ssh("second", "cat /root/marker")).stdout).toBe("kept\n");
  });

  it("reinstalls: a new host key, the same address and hostname, a fresh disk whose new user data runs", async () => {
    await stopServer(server, { force: false, timeoutMs: 60_000 });
    const reinstalled = await timed("reinstallMs", () => reinstallServer(server, image, disk(SECOND_USER_DATA)));
    expect(reinstalled.hostPublicKey).not.toBe(record.hostPublicKey);
    await startServer(server, { timeoutMs: 60_000 });
    const stale = await ssh("first", "true");
    expect(stale.code).toBe(255);
    expect(stale.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED/);
    pinHostKey(reinstalled.hostPublicKey);
    await waitForServerSystem(server, { timeoutMs: 30_000 });
    const result = await ssh("first", "hostname; ip -4 -o addr show dev eth0; cat /root/user-data-runs; ls /root/marker 2>&1");
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toBe("web-1");
    expect(lines[1]).toContain(`inet ${PRIVATE_IP}/24 `);
    expect(lines[2]).toBe("second user data on web-1");
    expect(lines[3]).toMatch(/No such file/);
    expect(lines).toHaveLength(4);
  }, 150_000);

  it("is destroyed without a trace: no process, mount, cgroup or state; detached, no namespace", async () => {
    const cgroups = detectCgroupLayout();
    await timed("destroyMs", () => destroyServer(server));
    await destroyServer(server);
    expect(serverPowerState(server)).toBe("absent");
    for (const dir of cgroupDirs(cgroups, server.cgroupPath)) {
      expect(cgroupSubtreePids(dir)).toEqual([]);
      expect(fs.existsSync(dir)).toBe(false);
    }
    expect(mountPointsUnder(server.dir)).toEqual([]);
    expect(fs.existsSync(server.dir)).toBe(false);
    const pids = (await runCommand(["ip", "netns", "pids", server.namespace])).stdout.trim();
    expect(pids).toBe("");
    await detachInstance(network, VPC, INSTANCE);
    expect((await runCommandOrThrow(["ip", "netns", "list"])).split("\n").map((line) => line.split(" ")[0])).not.toContain(
      server.namespace,
    );
  }, 60_000);
});
