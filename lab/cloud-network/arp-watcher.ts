import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

/**
 * A gratuitous ARP seen on a router port: an instance announcing that `address` is at its MAC
 * (ARP request or reply whose sender and target address are the same), as Keepalived does when it
 * takes a VIP over, and every `garp_master_refresh` seconds while it holds it.
 */
export interface Announcement {
  /** The router port it arrived on (one per instance). */
  readonly port: string;
  readonly address: string;
  readonly mac: string;
  /** When the watcher read it (ms since the epoch). */
  readonly at: number;
}

/**
 * The watcher: one AF_PACKET socket for ARP on every interface of the router's namespace, printing
 * each gratuitous ARP as a JSON line. Python because Node has no packet sockets; python3 is one
 * of the lab's requirements already.
 */
export const ARP_WATCHER_PROGRAM = `
import json, socket, struct, sys, time
ETH_P_ARP = 0x0806
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
names = {}
print(json.dumps({"ready": True}), flush=True)
while True:
    frame, meta = s.recvfrom(2048)
    if meta[2] == socket.PACKET_OUTGOING or len(frame) < 42:
        continue
    htype, ptype, hlen, plen, op = struct.unpack("!HHBBH", frame[14:22])
    if ptype != 0x0800 or hlen != 6 or plen != 4 or op not in (1, 2):
        continue
    sender_mac, sender_ip, _, target_ip = frame[22:28], frame[28:32], frame[32:38], frame[38:42]
    if sender_ip != target_ip:
        continue
    print(json.dumps({
        "port": meta[0],
        "address": socket.inet_ntoa(sender_ip),
        "mac": ":".join("%02x" % b for b in sender_mac),
        "at": int(time.time() * 1000),
    }), flush=True)
`;

/** Parses one line of the watcher; undefined for anything else (its ready line, noise). */
export function parseAnnouncement(line: string): Announcement | undefined {
  try {
    const value = JSON.parse(line) as Partial<Announcement>;
    if (
      typeof value.port === "string" &&
      typeof value.address === "string" &&
      typeof value.mac === "string" &&
      typeof value.at === "number"
    ) {
      return { port: value.port, address: value.address, mac: value.mac, at: value.at };
    }
  } catch {
    // not a JSON line
  }
  return undefined;
}

export interface ArpWatcher {
  /** Stops the watcher process. */
  stop(): void;
}

/**
 * Starts the watcher in a router's namespace; `onAnnouncement` gets every gratuitous ARP that
 * arrives there. Resolves once the socket is open (nothing sent before that is seen).
 */
export async function watchAnnouncements(namespace: string, onAnnouncement: (announcement: Announcement) => void): Promise<ArpWatcher> {
  const child: ChildProcess = spawn("ip", ["netns", "exec", namespace, "python3", "-u", "-c", ARP_WATCHER_PROGRAM], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the ARP watcher in ${namespace} exited with ${code}: ${stderr.trim()}`)));
    lines.once("line", () => resolve());
  });
  lines.on("line", (line) => {
    const announcement = parseAnnouncement(line);
    if (announcement) onAnnouncement(announcement);
  });
  return { stop: () => child.kill("SIGKILL") };
}
