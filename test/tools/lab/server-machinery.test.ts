import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CgroupFacts, cgroupDirs, cgroupLayoutFrom } from "../../../lab/host/cgroup-layout";
import { labLayout } from "../../../lab/lab-layout";
import { cgroupPreflight } from "../../../lab/lab-preflight";
import { IMAGE_USER_DATA_PATHS, renderUserDataRunner, renderUserDataUnit } from "../../../lab/roots/user-data-runner";
import {
  NSPAWN_REBOOT_EXIT_CODE,
  authorizedKeysProblems,
  nspawnArgv,
  renderSupervisorScript,
  serverNetworkCommands,
  serverUpperFiles,
} from "../../../lab/servers/lab-server-init";
import {
  certificateSubjectProblems,
  createLabCa,
  issueServerCertificate,
  renderServerCertificateExtensions,
} from "../../../lab/servers/lab-tls";
import {
  createServer,
  readServerRecord,
  reinstallServer,
  serverPowerState,
  setServerAuthorizedKeys,
} from "../../../lab/servers/server-lifecycle";
import { type ServerLayoutInput, serverLayout, serverLayoutProblems } from "../../../lab/servers/server-layout";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "havip-server-machinery-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTheLabTestsOnly0000000000000000 op@lab";
const OTHER_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyForTheLabTestsOnly000000000000000 other@lab";

const instance: ServerLayoutInput = {
  name: "ins-1a2b3c4d",
  machineName: "lc-ins-1a2b3c4d",
  namespace: "lc-ins-1a2b3c4d",
  ip: "10.0.1.5",
  prefixLength: 24,
  gateway: "10.0.1.1",
  hostname: "web-1",
  dir: "/run/lc/instances/ins-1a2b3c4d",
};

describe("server layout", () => {
  it("derives a server's disk, supervisor, console, record and cgroup from its name, machine name and dir", () => {
    expect(serverLayout(instance)).toMatchObject({
      interfaceName: "eth0",
      upperDir: "/run/lc/instances/ins-1a2b3c4d/upper",
      rootDir: "/run/lc/instances/ins-1a2b3c4d/root",
      hostKeyPathOnHost: "/run/lc/instances/ins-1a2b3c4d/upper/etc/ssh/ssh_host_ed25519_key",
      supervisorScriptPath: "/run/lc/instances/ins-1a2b3c4d/supervise.sh",
      recordPath: "/run/lc/instances/ins-1a2b3c4d/server.json",
      cgroupPath: "tencentcloud-havip-cluster/lc-ins-1a2b3c4d",
      gateway: "10.0.1.1",
    });
  });

  it("makes the bare lab's servers a and b general servers on the bridge, with no default route", () => {
    const lab = labLayout("havip-u", "/run/havip-u");
    expect(lab.servers.b).toMatchObject({
      name: "b",
      machineName: "havip-u-b",
      namespace: "havip-u-b",
      hostname: "havip-u-b",
      ip: "172.16.16.6",
      prefixLength: 24,
      switchPort: "port-b",
      dir: "/run/havip-u/b",
      cgroupPath: "tencentcloud-havip-cluster/havip-u-b",
    });
    expect(lab.servers.b.gateway).toBeUndefined();
  });

  it.each([
    [{ name: "Ins_1" }, 'server "Ins_1" name must be 1-63 characters of a-z, 0-9 and "-", starting with a letter or digit'],
    [
      { hostname: "web_1" },
      'server "ins-1a2b3c4d" hostname "web_1" must be labels of letters, digits and "-" joined by dots, at most 64 characters',
    ],
    [{ ip: "10.0.1.256" }, 'server "ins-1a2b3c4d" ip "10.0.1.256" is not an IPv4 address'],
    [{ prefixLength: 33 }, 'server "ins-1a2b3c4d" prefixLength 33 must be a whole number from 1 to 32'],
    [{ gateway: "10.0.2.1" }, 'server "ins-1a2b3c4d" gateway 10.0.2.1 is outside the server\'s subnet 10.0.1.5/24'],
    [{ gateway: "10.0.1.5" }, 'server "ins-1a2b3c4d" gateway 10.0.1.5 is the server\'s own address'],
    [{ machineName: "lc ins" }, 'server "ins-1a2b3c4d" machineName "lc ins" must be a host name of at most 64 characters'],
    [{ dir: "relative/dir" }, 'server "ins-1a2b3c4d" dir relative/dir must be an absolute path other than /'],
  ])("refuses %j, naming the field, the value and the rule", (change, message) => {
    expect(serverLayoutProblems({ ...instance, ...change })).toEqual([message]);
    expect(() => serverLayout({ ...instance, ...change })).toThrow(message);
  });
});

describe("server supervisor", () => {
  const server = serverLayout({ ...instance, dir: path.join(scratch, "supervised") });
  const bin = path.join(scratch, "bin");
  const calls = path.join(scratch, "calls.log");
  const exits = path.join(scratch, "nspawn-exits");
  fs.mkdirSync(bin, { recursive: true });
  fs.mkdirSync(server.dir, { recursive: true });
  // Stand-ins for ip and systemd-nspawn: they record each call; nspawn exits with the next code of a list.
  fs.writeFileSync(path.join(bin, "ip"), `#!/bin/sh\necho "ip $*" >> '${calls}'\n`, { mode: 0o755 });
  fs.writeFileSync(
    path.join(bin, "systemd-nspawn"),
    `#!/bin/sh\ncode=$(head -n 1 '${exits}'); sed -i 1d '${exits}'\necho "nspawn exits $code" >> '${calls}'\nexit "$code"\n`,
    { mode: 0o755 },
  );
  const cgroups = [path.join(scratch, "cg", "unified", server.cgroupPath), path.join(scratch, "cg", "systemd", server.cgroupPath)];

  function supervise(nspawnExits: readonly number[], layout = server): { status: number | null; calls: string[] } {
    fs.writeFileSync(calls, "");
    fs.writeFileSync(exits, nspawnExits.map((code) => `${code}\n`).join(""));
    const result = spawnSync("bash", ["-c", renderSupervisorScript(layout, cgroups)], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}` },
      encoding: "utf8",
      timeout: 20_000,
    });
    return { status: result.status, calls: fs.readFileSync(calls, "utf8").trim().split("\n") };
  }

  const reset = [
    "ip -n lc-ins-1a2b3c4d -4 addr flush dev eth0",
    "ip -n lc-ins-1a2b3c4d addr add 10.0.1.5/24 dev eth0",
    "ip -n lc-ins-1a2b3c4d link set eth0 up",
    "ip -n lc-ins-1a2b3c4d route replace default via 10.0.1.1 dev eth0",
  ];

  it("sets the network before the first boot and after every exit, boots again after a reboot and a crash, and exits on a poweroff", () => {
    const run = supervise([NSPAWN_REBOOT_EXIT_CODE, 1, 0]);
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([
      ...reset,
      `nspawn exits ${NSPAWN_REBOOT_EXIT_CODE}`,
      ...reset,
      "nspawn exits 1",
      ...reset,
      "nspawn exits 0",
      ...reset,
    ]);
  });

  it("joins the server's cgroup in every hierarchy it is given before anything else, and records its PID", () => {
    supervise([0]);
    const pid = fs.readFileSync(server.supervisorPidPath, "utf8").trim();
    expect(pid).toMatch(/^\d+$/);
    for (const dir of cgroups) expect(fs.readFileSync(path.join(dir, "cgroup.procs"), "utf8").trim()).toBe(pid);
  });

  it("sets no default route for a server without a gateway", () => {
    const bare = { ...server, gateway: undefined };
    expect(serverNetworkCommands(bare).map((argv) => argv.join(" "))).toEqual(reset.slice(0, 3));
    expect(supervise([0], bare).calls).toEqual([...reset.slice(0, 3), "nspawn exits 0", ...reset.slice(0, 3)]);
  });

  it("boots with systemd as PID 1 in the server's network namespace, under its machine name, unregistered, with CAP_NET_ADMIN", () => {
    expect(nspawnArgv(server)).toEqual(
      expect.arrayContaining([
        "--boot",
        "--register=no",
        "--keep-unit",
        "--machine=lc-ins-1a2b3c4d",
        "--network-namespace-path=/run/netns/lc-ins-1a2b3c4d",
        "--private-network",
        "--capability=CAP_NET_ADMIN",
        server.rootDir,
      ]),
    );
  });
});

describe("a fresh disk's files", () => {
  const disk = { authorizedKeys: [KEY, OTHER_KEY], mirrorAddress: "198.51.100.3", caCertPem: "-----BEGIN CERTIFICATE-----\nx\n" };

  it("names the server, maps the mirror's host name to its world's address, authorizes the keys and trusts the lab CA", () => {
    const files = serverUpperFiles({ hostname: "web-1" }, disk, "0123456789abcdef0123456789abcdef");
    expect(files["/etc/hostname"]).toEqual({ content: "web-1\n", mode: 0o644 });
    expect(files["/etc/hosts"].content).toBe(
      "127.0.0.1\tlocalhost\n127.0.1.1\tweb-1\n198.51.100.3\tmirror.lab.internal\n::1\t\tlocalhost ip6-localhost ip6-loopback\n",
    );
    expect(files["/etc/machine-id"].content).toBe("0123456789abcdef0123456789abcdef\n");
    expect(files["/root/.ssh/authorized_keys"]).toEqual({ content: `${KEY}\n${OTHER_KEY}\n`, mode: 0o600 });
    expect(files["/usr/local/share/ca-certificates/havip-lab-ca.crt"].content).toBe(disk.caCertPem);
    expect(files["/var/lib/cloud/instance/user-data.txt"]).toBeUndefined();
  });

  it("carries the user data, readable by root only, when there is some", () => {
    const files = serverUpperFiles({ hostname: "web-1" }, { ...disk, userData: "#!/bin/sh\ntrue\n" }, "0".repeat(32));
    expect(files["/var/lib/cloud/instance/user-data.txt"]).toEqual({ content: "#!/bin/sh\ntrue\n", mode: 0o600 });
  });

  it("refuses a key that is not an OpenSSH public key line, naming its index", () => {
    expect(authorizedKeysProblems([KEY, "ssh-ed25519 AAAA\nmalicious", "hello"])).toEqual([
      'authorizedKeys[1] "ssh-ed25519 AAAA\\nmalicious" is not an OpenSSH public key line (TYPE BASE64 [COMMENT])',
      'authorizedKeys[2] "hello" is not an OpenSSH public key line (TYPE BASE64 [COMMENT])',
    ]);
  });
});

describe("a server's disk on the host, before any boot", () => {
  const image = path.join(scratch, "image");
  for (const [dir, mode] of [
    ["sbin", 0o755],
    ["etc/ssh", 0o755],
    ["root", 0o700],
    ["tmp", 0o1777],
  ] as const) {
    fs.mkdirSync(path.join(image, dir), { recursive: true });
    fs.chmodSync(path.join(image, dir), mode);
  }
  fs.writeFileSync(path.join(image, "sbin/init"), "");
  const server = serverLayout({ ...instance, dir: path.join(scratch, "disk") });
  const disk = { authorizedKeys: [KEY], mirrorAddress: "198.51.100.3", userData: "#!/bin/sh\necho first\n" };
  const mode = (file: string) => fs.statSync(path.join(server.upperDir, file)).mode & 0o7777;

  it("creates the disk once: the image's directory modes, a host key, the record last; creating again changes nothing", async () => {
    const record = await createServer(server, { key: "debian-12", rootDir: image }, disk);
    expect(record).toMatchObject({ recordVersion: 1, name: "ins-1a2b3c4d", image: { key: "debian-12", rootDir: image } });
    expect(record.hostPublicKey).toMatch(/^ssh-ed25519 AAAA\S+ web-1$/);
    expect([mode("root"), mode("root/.ssh"), mode("etc"), mode("etc/ssh")]).toEqual([0o700, 0o700, 0o755, 0o755]);
    expect(mode("root/.ssh/authorized_keys")).toBe(0o600);
    expect(fs.readFileSync(path.join(server.upperDir, "var/lib/cloud/instance/user-data.txt"), "utf8")).toBe(disk.userData);
    expect(await createServer(server, { key: "debian-12", rootDir: image }, disk)).toEqual(record);
    expect(serverPowerState(server)).toBe("stopped");
  });

  it.runIf(process.getuid?.() === 0)(
    "replaces the keys of a stopped server, also where the server had deleted the file (a whiteout)",
    async () => {
      const file = path.join(server.upperDir, "root/.ssh/authorized_keys");
      fs.rmSync(file);
      expect(spawnSync("mknod", [file, "c", "0", "0"]).status).toBe(0);
      await setServerAuthorizedKeys(server, [OTHER_KEY]);
      expect(fs.lstatSync(file).isFile()).toBe(true);
      expect(fs.readFileSync(file, "utf8")).toBe(`${OTHER_KEY}\n`);
    },
  );

  it("reinstalls a stopped server onto a fresh disk: a new host key, nothing of the old disk, the user data again", async () => {
    const before = readServerRecord(server);
    fs.writeFileSync(path.join(server.upperDir, "root/marker"), "old disk");
    const after = await reinstallServer(server, { key: "debian-12", rootDir: image }, { ...disk, userData: "#!/bin/sh\necho second\n" });
    expect(after.hostPublicKey).not.toBe(before?.hostPublicKey);
    expect(fs.existsSync(path.join(server.upperDir, "root/marker"))).toBe(false);
    expect(fs.readFileSync(path.join(server.upperDir, "var/lib/cloud/instance/user-data.txt"), "utf8")).toBe("#!/bin/sh\necho second\n");
    expect(fs.readFileSync(path.join(server.upperDir, "etc/hostname"), "utf8")).toBe("web-1\n");
  });

  it("refuses bad keys and an image that cannot boot before writing anything", async () => {
    await expect(setServerAuthorizedKeys(server, ["nope"])).rejects.toThrow(
      'server ins-1a2b3c4d: authorizedKeys[0] "nope" is not an OpenSSH public key line',
    );
    const other = serverLayout({ ...instance, name: "ins-2", dir: path.join(scratch, "other") });
    await expect(createServer(other, { key: "empty", rootDir: scratch }, disk)).rejects.toThrow(
      /image empty .* is not a bootable root: no \/sbin\/init/,
    );
    await expect(setServerAuthorizedKeys(other, [KEY])).rejects.toThrow(/server ins-2 does not exist/);
  });
});

describe("the first-boot user-data runner", () => {
  const dir = path.join(scratch, "cloud");
  const paths = {
    userDataPath: path.join(dir, "instance/user-data.txt"),
    donePath: path.join(dir, "instance/sem/lab-user-data"),
    logPath: path.join(dir, "cloud-init-output.log"),
    scriptPath: path.join(dir, "instance/scripts/part-001"),
  };
  const runner = path.join(scratch, "run-user-data");
  fs.writeFileSync(runner, renderUserDataRunner(paths), { mode: 0o755 });

  function freshDisk(userData: string | undefined): void {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(paths.userDataPath), { recursive: true });
    if (userData !== undefined) fs.writeFileSync(paths.userDataPath, userData);
  }
  const run = () => spawnSync("sh", [runner], { encoding: "utf8", timeout: 10_000 }).status;
  const log = () => (fs.existsSync(paths.logPath) ? fs.readFileSync(paths.logPath, "utf8") : "");

  it("runs a #! script once, its output appended to the log; a second boot runs nothing", () => {
    const runs = path.join(scratch, "runs");
    fs.rmSync(runs, { force: true });
    freshDisk(`#!/bin/sh\necho "ran as $(id -un)"\necho x >> '${runs}'\n`);
    expect(run()).toBe(0);
    expect(run()).toBe(0);
    expect(fs.readFileSync(runs, "utf8")).toBe("x\n");
    const lines = log().trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^lab-user-data: running the user data script at \d{4}-\d\d-\d\dT/);
    expect(lines[1]).toBe(`ran as ${os.userInfo().username}`);
    expect(lines[2]).toMatch(/^lab-user-data: the user data script exited with 0 at /);
  });

  it("exits with a failing script's status, and still does not run it again", () => {
    freshDisk("#!/bin/bash\nexit 3\n");
    expect(run()).toBe(3);
    expect(run()).toBe(0);
    expect(log()).toMatch(/the user data script exited with 3 at /);
  });

  it("logs #cloud-config as not supported and skips it", () => {
    freshDisk("#cloud-config\npackages: [nginx]\n");
    expect(run()).toBe(0);
    expect(log()).toMatch(
      /^lab-user-data: #cloud-config user data is not supported by the lab \(only scripts starting with #!\); skipped at /,
    );
    expect(fs.existsSync(paths.scriptPath)).toBe(false);
  });

  it("skips other user data, and does nothing without any", () => {
    freshDisk("just text");
    expect(run()).toBe(0);
    expect(log()).toMatch(/user data that is not a script starting with #! is not supported by the lab; skipped/);
    freshDisk(undefined);
    expect(run()).toBe(0);
    expect(log()).toBe("");
    expect(fs.existsSync(paths.donePath)).toBe(false);
  });

  it("is a oneshot unit after the network and sshd, enabled for multi-user, only where there is user data", () => {
    const unit = renderUserDataUnit();
    expect(unit).toContain("After=network-online.target ssh.service\n");
    expect(unit).toContain("Type=oneshot\n");
    expect(unit).toContain(`ConditionPathExists=${IMAGE_USER_DATA_PATHS.userDataPath}\n`);
    expect(unit).toContain("ExecStart=/usr/local/lib/lab-cloud-init/run-user-data\n");
    expect(unit).toContain("WantedBy=multi-user.target\n");
  });
});

describe("cgroup layouts", () => {
  const facts = (rootIsCgroup2: boolean, unifiedIsCgroup2: boolean, hasNamedSystemdHierarchy: boolean): CgroupFacts => ({
    mountRoot: "/sys/fs/cgroup",
    rootIsCgroup2,
    unifiedIsCgroup2,
    hasNamedSystemdHierarchy,
  });

  it("runs a server's cgroup in cgroup2 alone on a cgroup v2 host, and in cgroup2 and name=systemd on a hybrid one", () => {
    const unified = cgroupLayoutFrom(facts(true, false, false));
    const hybrid = cgroupLayoutFrom(facts(false, true, true));
    if ("problem" in unified || "problem" in hybrid) throw new Error("expected both layouts to be supported");
    expect(unified.kind).toBe("unified");
    expect(cgroupDirs(unified, "tencentcloud-havip-cluster/x")).toEqual(["/sys/fs/cgroup/tencentcloud-havip-cluster/x"]);
    expect(hybrid.kind).toBe("hybrid");
    expect(cgroupDirs(hybrid, "tencentcloud-havip-cluster/x")).toEqual([
      "/sys/fs/cgroup/unified/tencentcloud-havip-cluster/x",
      "/sys/fs/cgroup/systemd/tencentcloud-havip-cluster/x",
    ]);
    expect([cgroupPreflight(facts(true, false, false)), cgroupPreflight(facts(false, true, true))]).toEqual([[], []]);
  });

  const supported =
    "the lab needs cgroup v2, either alone at /sys/fs/cgroup (cgroup v2 only) or at /sys/fs/cgroup/unified beside /sys/fs/cgroup/systemd (hybrid)";
  it.each([
    [
      facts(false, false, true),
      `this host mounts only cgroup v1 (/sys/fs/cgroup/systemd, no cgroup2): ${supported}; boot it with systemd.unified_cgroup_hierarchy=1`,
    ],
    [
      facts(false, true, false),
      `cgroup v2 is at /sys/fs/cgroup/unified but there is no /sys/fs/cgroup/systemd (name=systemd) hierarchy: ${supported}`,
    ],
    [facts(false, false, false), `no cgroup hierarchy is mounted at /sys/fs/cgroup: ${supported}`],
  ])("names exactly what a host with %j lacks", (hostFacts, message) => {
    expect(cgroupPreflight(hostFacts)).toEqual([message]);
  });
});

describe("lab TLS", () => {
  it("puts every DNS name and IP address into the certificate's subjectAltName", () => {
    expect(
      renderServerCertificateExtensions({ dnsNames: ["mirror.lab.internal", "*.tencentcloudapi.com"], ipAddresses: ["198.51.100.3"] }),
    ).toBe(
      "subjectAltName=DNS:mirror.lab.internal,DNS:*.tencentcloudapi.com,IP:198.51.100.3\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    );
  });

  it("refuses names a certificate cannot carry", () => {
    expect(certificateSubjectProblems({ dnsNames: ["a b", "*.*.example"], ipAddresses: ["::1"] })).toEqual([
      'dnsNames[0] "a b" must be a host name, or *. and a host name',
      'dnsNames[1] "*.*.example" must be a host name, or *. and a host name',
      'ipAddresses[0] "::1" is not an IPv4 address',
    ]);
    expect(certificateSubjectProblems({ dnsNames: [], ipAddresses: [] })).toEqual([
      "a server certificate needs at least one DNS name or IP address",
    ]);
  });

  it("issues a certificate that openssl verifies against the lab CA for each of its names, and for no other", async () => {
    const dir = path.join(scratch, "tls");
    const ca = await createLabCa(dir, "ca", "test CA");
    const certificate = await issueServerCertificate(ca, dir, "api", {
      dnsNames: ["*.tencentcloudapi.com", "mirror.lab.internal"],
      ipAddresses: ["198.51.100.2"],
    });
    const verify = (...check: string[]) =>
      spawnSync("openssl", ["verify", "-CAfile", ca.certPath, ...check, certificate.certPath], { encoding: "utf8" }).status;
    expect(verify("-verify_hostname", "cvm.tencentcloudapi.com")).toBe(0);
    expect(verify("-verify_hostname", "mirror.lab.internal")).toBe(0);
    expect(verify("-verify_ip", "198.51.100.2")).toBe(0);
    expect(verify("-verify_hostname", "tencentcloudapi.com.example")).not.toBe(0);
  });
});
