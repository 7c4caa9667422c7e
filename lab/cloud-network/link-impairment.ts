import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { createInterface } from "node:readline";
import { runCommand, runCommandOrThrow } from "../host/host-command";
import { type CloudNetworkLayout, instancePortName, vpcNamespace } from "./cloud-network-layout";
import {
  IMPAIRMENT_RULE_PRIORITY,
  type ImpairedDirection,
  type InstancePair,
  LINK_IMPAIRMENT_PROGRAM,
  type LinkImpairment,
  impairedDirection,
  impairmentProgramArgv,
  linkImpairmentProblems,
  renderImpairmentRuleset,
} from "./link-impairment-model";

const READY_TIMEOUT_MS = 5000;

/**
 * Impairs the link between two instances of a VPC (see link-impairment-model.ts for how): every IP
 * packet from `a` to `b` (and from `b` to `a`, unless `direction` is `a-to-b`) that the router
 * forwards, to b's own address or to an HAVIP bound to b, is dropped with `lossPercent` and
 * otherwise held for `delayMs` ± `jitterMs`. The directions it names are replaced (an impairment
 * the other way is left as it is, so two calls make an asymmetric link); traffic to anyone else is
 * untouched. The impairment lasts until `clearLinkImpairment`, or until the VPC's router is deleted.
 */
export async function impairLink(layout: CloudNetworkLayout, vpcId: string, link: InstancePair, impairment: LinkImpairment): Promise<void> {
  const problems = linkImpairmentProblems(impairment);
  if (link.a === link.b) problems.push(`the link ${link.a} - ${link.b} names one instance twice`);
  if (problems.length > 0) throw new Error(`cannot impair the link ${link.a} - ${link.b}: ${problems.join("; ")}`);
  const router = vpcNamespace(layout, vpcId);
  const ports = { a: instancePortName(link.a), b: instancePortName(link.b) };
  for (const [id, port] of [
    [link.a, ports.a],
    [link.b, ports.b],
  ]) {
    if ((await runCommand(["ip", "-n", router, "link", "show", "dev", port])).code !== 0)
      throw new Error(`cannot impair the link ${link.a} - ${link.b}: ${id} has no port (${port}) on the router of ${vpcId}`);
  }
  const directions = [
    impairedDirection(ports.a, ports.b),
    ...(impairment.direction === "a-to-b" ? [] : [impairedDirection(ports.b, ports.a)]),
  ];
  await Promise.all(
    directions.map(async (direction) => {
      await stopDirection(router, direction);
      await startDirection(router, direction, impairment);
    }),
  );
}

/** Ends the impairment of the link in both directions: the programs killed, their rules and routes gone. Idempotent. */
export async function clearLinkImpairment(layout: CloudNetworkLayout, vpcId: string, link: InstancePair): Promise<void> {
  const router = vpcNamespace(layout, vpcId);
  if ((await runCommand(["ip", "netns", "pids", router])).code !== 0) return;
  const ports = { a: instancePortName(link.a), b: instancePortName(link.b) };
  await Promise.all(
    [impairedDirection(ports.a, ports.b), impairedDirection(ports.b, ports.a)].map((direction) => stopDirection(router, direction)),
  );
}

async function startDirection(router: string, direction: ImpairedDirection, impairment: LinkImpairment): Promise<void> {
  const argv = impairmentProgramArgv(direction, impairment, impairment.seed ?? 1);
  const child = spawn("ip", ["netns", "exec", router, ...argv], { stdio: ["ignore", "pipe", "pipe"], detached: true });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready after ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
      child.once("error", (error) => (clearTimeout(timer), reject(error)));
      child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`exited with ${code}: ${stderr.trim()}`))));
      lines.once("line", () => (clearTimeout(timer), resolve()));
    });
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(
      `the link impairment ${direction.fromPort} > ${direction.toPort} in ${router} did not start: ${(error as Error).message}`,
    );
  }
  // It prints nothing after `ready`; it must outlive this process and not hold its event loop.
  child.removeAllListeners();
  child.on("error", () => undefined);
  lines.close();
  child.stdout.destroy();
  child.stderr.destroy();
  child.unref();
  const ip = (...args: string[]) => runCommandOrThrow(["ip", "-n", router, ...args]);
  const mark = `0x${direction.mark.toString(16)}`;
  try {
    await ip("link", "set", "dev", direction.device, "up");
    // Packets come back out of the TUN with a's source address, which is not routed to the TUN.
    await runCommandOrThrow(["ip", "netns", "exec", router, "sysctl", "-q", "-w", `net.ipv4.conf.${direction.device}.rp_filter=0`]);
    await ip("route", "replace", "default", "dev", direction.device, "table", String(direction.mark));
    await ip("rule", "add", "fwmark", mark, "lookup", String(direction.mark), "priority", String(IMPAIRMENT_RULE_PRIORITY));
    await runCommandOrThrow(["ip", "netns", "exec", router, "nft", "-f", "-"], { input: renderImpairmentRuleset(direction) });
  } catch (error) {
    await stopDirection(router, direction);
    throw error;
  }
}

async function stopDirection(router: string, direction: ImpairedDirection): Promise<void> {
  await runCommand(["ip", "netns", "exec", router, "nft", "delete", "table", "ip", direction.nftTable]);
  let removed = true;
  while (removed)
    removed = (await runCommand(["ip", "-n", router, "rule", "del", "fwmark", `0x${direction.mark.toString(16)}`])).code === 0;
  const pids = await programPids(router, direction.device);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  // The device (and the route into it) goes when the program is gone; a new one may then take its name.
  for (let waited = 0; (await runCommand(["ip", "-n", router, "link", "show", "dev", direction.device])).code === 0; waited += 20) {
    if (waited > 2000)
      throw new Error(`the link impairment device ${direction.device} in ${router} is still there after its program was killed`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The impairment programs serving `device` in the namespace (by their command line). */
async function programPids(namespace: string, device: string): Promise<number[]> {
  const pids = (await runCommand(["ip", "netns", "pids", namespace])).stdout.split(/\s+/).filter((pid) => /^\d+$/.test(pid));
  return pids.map(Number).filter((pid) => {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      return argv.includes(LINK_IMPAIRMENT_PROGRAM) && argv.includes(device);
    } catch {
      return false;
    }
  });
}
