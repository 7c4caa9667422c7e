import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Announcement,
  type CloudNetworkLayout,
  MIRROR_ADDRESS,
  OPERATOR_ADDRESS,
  ROUTER_UPLINK_INTERFACE,
  attachInstance,
  cloudNetworkLayout,
  cloudNetworkNamespaces,
  createInternet,
  createVpcRouter,
  deleteCloudNetwork,
  instanceNamespace,
  instancePortName,
  operatorNamespaceProblems,
  reconcileVpcRouter,
  type RouterInstance,
  type VpcRouterModel,
  watchAnnouncements,
} from "../../../lab/cloud-network";
import { runCommand, runCommandOrThrow } from "../../../lab/host/host-command";
import { labPreflight } from "../../../lab";
import { testLabPrefix } from "../test-lab-prefix";

const PREFIX = testLabPrefix("havip-cn");
const skip = labPreflight().length > 0 && process.env.CI !== "true";
const VPC = "vpc-t0000001";
const A = "ins-t000000a";
const B = "ins-t000000b";
const HAVIP = "172.16.16.12";
const EIP = "198.51.100.70";
const A_PUBLIC = "198.51.100.64";
const ROUTER = "198.51.100.16";

/**
 * A TCP server in a namespace that answers every connection with its name and the address the
 * connection came from, then closes it.
 */
function serveIdentity(namespace: string, name: string, address = "0.0.0.0"): ChildProcess {
  const program = `
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[2], 7000)); s.listen(8); print("ready", flush=True)
while True:
    c, peer = s.accept(); c.sendall(f"{sys.argv[1]} {peer[0]}\\n".encode()); c.close()
`;
  return spawn("ip", ["netns", "exec", namespace, "python3", "-c", program, name, address], { stdio: ["ignore", "pipe", "inherit"] });
}

/** What answers on address:7000 from inside `namespace` ("name peer"), or the error. */
async function ask(namespace: string, address: string, timeoutSeconds = 2): Promise<string> {
  const program = `
import socket, sys
try:
    c = socket.create_connection((sys.argv[1], 7000), timeout=float(sys.argv[2])); print(c.recv(100).decode().strip())
except Exception as e:
    print("unreachable", type(e).__name__)
`;
  return (await runCommandOrThrow(["ip", "netns", "exec", namespace, "python3", "-c", program, address, String(timeoutSeconds)])).trim();
}

/** A TCP server on port 7001 that echoes every line back, on every connection, for as long as it is open. */
const TCP_ECHO_PROGRAM = `
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 7001)); s.listen(8); print("ready", flush=True)
def serve(c):
    for line in c.makefile("rb"):
        c.sendall(line)
while True:
    threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()
`;

/** Connects to argv[1]:7001 and says "echoed" for a line echoed within a second, else "timeout"; again for every line on stdin. */
const TCP_CLIENT_PROGRAM = `
import socket, sys
c = socket.create_connection((sys.argv[1], 7001), timeout=2)
c.settimeout(1)
def exchange():
    try:
        c.sendall(b"ping\\n"); print("echoed" if c.recv(100) else "closed", flush=True)
    except socket.timeout:
        print("timeout", flush=True)
exchange()
for _ in sys.stdin:
    exchange()
`;

/** Sends one ARP request from the namespace's eth0: gratuitous when `sender` and `target` are the same address. */
async function sendArp(namespace: string, sender: string, target: string): Promise<void> {
  const program = `
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
mac = s.getsockname()[4]
arp = b"\\x00\\x01\\x08\\x00\\x06\\x04\\x00\\x01" + mac + socket.inet_aton(sys.argv[1]) + b"\\x00" * 6 + socket.inet_aton(sys.argv[2])
s.send(b"\\xff" * 6 + mac + b"\\x08\\x06" + arp)
`;
  await runCommandOrThrow(["ip", "netns", "exec", namespace, "python3", "-c", program, sender, target]);
}

function model(boundTo: string, firewallOfA?: RouterInstance["firewall"]): VpcRouterModel {
  return {
    vpcId: VPC,
    uplinkAddress: ROUTER,
    uplinkInterface: ROUTER_UPLINK_INTERFACE,
    gateways: ["172.16.16.1"],
    instances: [
      {
        instanceId: A,
        port: instancePortName(A),
        privateIp: "172.16.16.5",
        publicIp: A_PUBLIC,
        ...(firewallOfA ? { firewall: firewallOfA } : {}),
      },
      { instanceId: B, port: instancePortName(B), privateIp: "172.16.16.6" },
    ],
    boundAddresses: [{ address: HAVIP, instanceId: boundTo }],
    translations: [{ publicIp: EIP, privateIp: HAVIP }],
  };
}

describe.skipIf(skip)("the local cloud's network: a routed VPC behind an internet segment", () => {
  let layout: CloudNetworkLayout;
  const servers: ChildProcess[] = [];

  beforeAll(async () => {
    layout = cloudNetworkLayout(PREFIX);
    await deleteCloudNetwork(layout);
    await createInternet(layout);
    await createVpcRouter(layout, VPC, ROUTER);
    for (const [id, ip] of [
      [A, "172.16.16.5"],
      [B, "172.16.16.6"],
    ]) {
      await attachInstance(layout, VPC, { instanceId: id, privateIp: ip, prefixLength: 24, gateway: "172.16.16.1" });
    }
    await reconcileVpcRouter(layout, model(B));
    // Keepalived's part, by hand: the holder puts the HAVIP on its own eth0.
    await runCommandOrThrow(["ip", "-n", instanceNamespace(layout, B), "addr", "add", `${HAVIP}/24`, "dev", "eth0"]);
    for (const [namespace, name] of [
      [instanceNamespace(layout, A), "a"],
      [instanceNamespace(layout, B), "b"],
      [layout.servicesNamespace, "mirror"],
    ]) {
      const server = serveIdentity(namespace, name);
      servers.push(server);
      await new Promise((ready) => server.stdout?.once("data", ready));
    }
  }, 60_000);

  afterAll(async () => {
    for (const server of servers) server.kill();
    await deleteCloudNetwork(layout);
  }, 30_000);

  it("reaches an instance's public IP from the operator, translated to its private IP, with the operator's address as the source", async () => {
    expect(await ask(layout.operatorNamespace, A_PUBLIC)).toBe(`a ${OPERATOR_ADDRESS}`);
  });

  it("does not reach a private address from the internet", async () => {
    expect(await ask(layout.operatorNamespace, "172.16.16.6")).toMatch(/^unreachable/);
  });

  it("routes between instances of the subnet through the router (proxy ARP), sources unchanged", async () => {
    expect(await ask(instanceNamespace(layout, A), "172.16.16.6")).toBe("b 172.16.16.5");
    const neighbours = await runCommandOrThrow(["ip", "-n", instanceNamespace(layout, B), "neigh", "show", "172.16.16.5"]);
    const routerMac = (await runCommandOrThrow(["ip", "-n", `${PREFIX}-${VPC}`, "link", "show", instancePortName(B)])).match(
      /link\/ether ([0-9a-f:]+)/,
    )?.[1];
    expect(neighbours).toContain(`lladdr ${routerMac}`);
  });

  it("sends outbound traffic out with the instance's public IP, or the router's address when it has none", async () => {
    expect(await ask(instanceNamespace(layout, A), MIRROR_ADDRESS)).toBe(`mirror ${A_PUBLIC}`);
    expect(await ask(instanceNamespace(layout, B), MIRROR_ADDRESS)).toBe(`mirror ${ROUTER}`);
  });

  it("delivers the HAVIP, and the EIP on it, to the bound instance only, and follows a new binding", async () => {
    expect(await ask(instanceNamespace(layout, A), HAVIP)).toBe("b 172.16.16.5");
    expect(await ask(layout.operatorNamespace, EIP)).toBe(`b ${OPERATOR_ADDRESS}`);
    // a claims the address, but the cloud still binds b: nothing changes for clients.
    await runCommandOrThrow(["ip", "-n", instanceNamespace(layout, B), "addr", "del", `${HAVIP}/24`, "dev", "eth0"]);
    await runCommandOrThrow(["ip", "-n", instanceNamespace(layout, A), "addr", "add", `${HAVIP}/24`, "dev", "eth0"]);
    expect(await ask(layout.operatorNamespace, EIP)).toMatch(/^unreachable/);
    await reconcileVpcRouter(layout, model(A));
    expect(await ask(layout.operatorNamespace, EIP)).toBe(`a ${OPERATOR_ADDRESS}`);
    expect(await ask(instanceNamespace(layout, B), HAVIP)).toBe("a 172.16.16.6");
  });

  it("enforces an instance's security group rules on its port, statefully, and lifts them again", async () => {
    await reconcileVpcRouter(
      layout,
      model(A, {
        ingress: [{ action: "ACCEPT", protocol: "TCP", port: "22,7000", cidrBlocks: [`${OPERATOR_ADDRESS}/32`] }],
        egress: [
          { action: "DROP", protocol: "ALL", port: "ALL", cidrBlocks: [`${MIRROR_ADDRESS}/32`] },
          { action: "ACCEPT", protocol: "ALL", port: "ALL", cidrBlocks: ["0.0.0.0/0"] },
        ],
      }),
    );
    expect(await ask(layout.operatorNamespace, A_PUBLIC)).toBe(`a ${OPERATOR_ADDRESS}`);
    expect(await ask(instanceNamespace(layout, B), "172.16.16.5")).toMatch(/^unreachable/);
    expect(await ask(instanceNamespace(layout, A), MIRROR_ADDRESS)).toMatch(/^unreachable/);
    // Egress is open otherwise, and the answer comes back in although no ingress rule admits b.
    expect(await ask(instanceNamespace(layout, A), "172.16.16.6")).toBe("b 172.16.16.5");
    await reconcileVpcRouter(layout, model(A));
    expect(await ask(instanceNamespace(layout, B), "172.16.16.5")).toBe("a 172.16.16.6");
  });

  it("partitions two instances from each other, open connections and the HAVIP included, while both still reach everything else, and heals", async () => {
    // An open connection from b to a's echo server, to see it cut mid-flight.
    const echo = spawn("ip", ["netns", "exec", instanceNamespace(layout, A), "python3", "-c", TCP_ECHO_PROGRAM], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    servers.push(echo);
    await new Promise((ready) => echo.stdout?.once("data", ready));
    const client = spawn("ip", ["netns", "exec", instanceNamespace(layout, B), "python3", "-c", TCP_CLIENT_PROGRAM, "172.16.16.5"], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    const lines = createInterface({ input: client.stdout! });
    const nextLine = () => new Promise<string>((resolve) => lines.once("line", resolve));
    try {
      expect(await nextLine()).toBe("echoed");
      expect(await ask(instanceNamespace(layout, B), A_PUBLIC)).toBe("a 172.16.16.6");
      await reconcileVpcRouter(layout, { ...model(A), partitions: [[A, B]] });
      client.stdin!.write("again\n");
      expect(await nextLine()).toBe("timeout");
      // Each to a's or b's addresses, the HAVIP bound to a, and a's public IP (DNAT back into the VPC).
      const cut = await Promise.all(
        [
          [A, "172.16.16.6"],
          [B, "172.16.16.5"],
          [B, HAVIP],
          [B, A_PUBLIC],
        ].map(([from, to]) => ask(instanceNamespace(layout, from), to, 0.5)),
      );
      expect(cut).toEqual(Array(4).fill(expect.stringMatching(/^unreachable/)));
      expect(await ask(instanceNamespace(layout, A), MIRROR_ADDRESS)).toBe(`mirror ${A_PUBLIC}`);
      expect(await ask(instanceNamespace(layout, B), MIRROR_ADDRESS)).toBe(`mirror ${ROUTER}`);
      expect(await ask(layout.operatorNamespace, A_PUBLIC)).toBe(`a ${OPERATOR_ADDRESS}`);
      expect(await ask(layout.operatorNamespace, EIP)).toBe(`a ${OPERATOR_ADDRESS}`);
      await reconcileVpcRouter(layout, model(A));
      expect(await ask(instanceNamespace(layout, B), "172.16.16.5")).toBe("a 172.16.16.6");
      expect(await ask(instanceNamespace(layout, A), "172.16.16.6")).toBe("b 172.16.16.5");
    } finally {
      client.kill();
      echo.kill();
    }
  });

  it("gives the operator a route to the internet segment only, and says so when anything else appears", async () => {
    const routes = (await runCommandOrThrow(["ip", "-n", layout.operatorNamespace, "-4", "route", "show", "table", "main"])).trim();
    expect(routes.split("\n")).toEqual([expect.stringMatching(/^198\.51\.100\.0\/24 dev eth0 /)]);
    expect(await operatorNamespaceProblems(layout)).toEqual([]);
    await runCommandOrThrow(["ip", "-n", layout.operatorNamespace, "route", "add", "default", "via", ROUTER]);
    try {
      expect(await operatorNamespaceProblems(layout)).toEqual([
        `${layout.operatorNamespace} has routes other than 198.51.100.0/24: default`,
      ]);
    } finally {
      await runCommandOrThrow(["ip", "-n", layout.operatorNamespace, "route", "del", "default"]);
    }
  });

  it("reconciles to the same router when applied twice", async () => {
    const show = async () =>
      [
        await runCommandOrThrow(["ip", "-n", `${PREFIX}-${VPC}`, "-4", "route", "show"]),
        await runCommandOrThrow(["ip", "-n", `${PREFIX}-${VPC}`, "-4", "addr", "show"]),
        await runCommandOrThrow(["ip", "netns", "exec", `${PREFIX}-${VPC}`, "nft", "list", "ruleset"]),
      ].join("\n");
    const before = await show();
    await reconcileVpcRouter(layout, model(A));
    expect(await show()).toBe(before);
  });

  it("sees the gratuitous ARPs an instance sends, on its own port, and nothing else", async () => {
    const seen: Announcement[] = [];
    const watcher = await watchAnnouncements(`${PREFIX}-${VPC}`, (announcement) => seen.push(announcement));
    try {
      await sendArp(instanceNamespace(layout, B), HAVIP, HAVIP);
      await sendArp(instanceNamespace(layout, A), "172.16.16.5", "172.16.16.6");
      const mac = (await runCommandOrThrow(["ip", "-n", instanceNamespace(layout, B), "link", "show", "eth0"])).match(
        /link\/ether ([0-9a-f:]+)/,
      )?.[1];
      await expect.poll(() => seen.length, { timeout: 5000 }).toBeGreaterThan(0);
      await new Promise((settle) => setTimeout(settle, 300));
      expect(seen.map(({ port, address, mac }) => ({ port, address, mac }))).toEqual([{ port: instancePortName(B), address: HAVIP, mac }]);
    } finally {
      watcher.stop();
    }
  });

  it("leaves no namespace behind when deleted", async () => {
    for (const server of servers.splice(0)) server.kill();
    await deleteCloudNetwork(layout);
    expect(await cloudNetworkNamespaces(layout)).toEqual([]);
    expect((await runCommand(["ip", "netns", "list"])).stdout).not.toContain(PREFIX);
  });
});
