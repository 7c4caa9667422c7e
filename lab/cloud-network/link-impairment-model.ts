/**
 * A lossy, slow, jittery link between two instances of a VPC, made in userspace because the lab's
 * kernels have no `sch_netem` (and no `nft queue`). Pure: names, rules, argv and the program; the
 * edge that applies them is `link-impairment.ts`.
 *
 * How a packet from a to b takes the impaired path, in a's VPC router:
 *
 *   a ── a's port ─▶ prerouting: "arrived on a's port, routed to b's port" ─▶ mark M
 *                    ─▶ ip rule fwmark M → table M: default dev <TUN>
 *                    ─▶ the TUN ─▶ program: drop (loss) or hold (delay ± jitter) ─▶ back into the TUN
 *                    ─▶ routed again (no mark now: it came in on the TUN) ─▶ b's port ── b
 *
 * Why this way: a TUN device needs only Python's standard library (Node has no TUN or packet
 * sockets), the kernel keeps routing, NAT and the security groups (each group is applied once: a's
 * egress on the way into the TUN, b's ingress on the way out), and the rule that diverts a packet
 * cannot match it again when it comes back, so nothing loops. The route is matched (`fib daddr
 * oif`), not b's address, so an HAVIP the cloud binds to b, or rebinds during a drill, is covered
 * without touching the impairment. NFQUEUE (iptables-legacy here) would avoid the second routing
 * pass but needs a hand-written nfnetlink client and a second firewall tool in the router.
 *
 * The second pass costs the packet one more TTL; the program gives it back, so b sees the TTL of
 * the unimpaired path. (Keepalived checks TTL 255 only for multicast adverts: a unicast instance
 * accepts any TTL unless `unicast_peer { ... min_ttl/max_ttl }` says otherwise, in 1.2.24 through
 * 2.3.x; `vrrp_check_packet` in keepalived/vrrp/vrrp.c.)
 */
import { createHash } from "node:crypto";
import { PACKAGE_SERVER_PYTHON } from "../roots/lab-package-server";
import { AFTER_DNAT } from "./vpc-router-model";

/** netem's three knobs for one direction: `loss P%` and `delay D J`. */
export interface LinkProfile {
  /** Share of packets dropped, each one independently (netem `loss random`). @default 0 */
  readonly lossPercent?: number;
  /** How long every packet that is not dropped is held. @default 0 */
  readonly delayMs?: number;
  /**
   * Each packet's delay is drawn uniformly from delayMs ± jitterMs (netem's `delay D J` with no
   * distribution table), so packets can overtake each other, as under netem. At most delayMs.
   * @default 0
   */
  readonly jitterMs?: number;
}

/** An impairment of the link between two instances, applied with `impairLink`. */
export interface LinkImpairment extends LinkProfile {
  /** `both`, or only packets from `a` to `b`. @default "both" */
  readonly direction?: "both" | "a-to-b";
  /**
   * Seed of the drops and delays: the same seed and the same packets, in the same order, give the
   * same drops and the same delays. Each direction draws from its own sequence. @default 1
   */
  readonly seed?: number;
}

/** The two instances of a link, by id. */
export interface InstancePair {
  readonly a: string;
  readonly b: string;
}

/** The longest delay (plus jitter) a profile may ask for: one minute is longer than any drill needs. */
export const MAX_LINK_DELAY_MS = 60_000;

/** Why an impairment cannot be applied as written (empty when it can), each naming its field under `path`. */
export function linkImpairmentProblems(impairment: LinkImpairment, path = "impairment"): string[] {
  const problems: string[] = [];
  const number = (field: keyof LinkImpairment, value: unknown, rule: string, ok: (value: number) => boolean) => {
    if (value === undefined) return;
    if (typeof value !== "number" || !Number.isFinite(value) || !ok(value)) problems.push(`${path}.${field} ${String(value)} ${rule}`);
  };
  number("lossPercent", impairment.lossPercent, "is not a percentage from 0 to 100", (value) => value >= 0 && value <= 100);
  number(
    "delayMs",
    impairment.delayMs,
    `is not a number of milliseconds from 0 to ${MAX_LINK_DELAY_MS}`,
    (value) => value >= 0 && value <= MAX_LINK_DELAY_MS,
  );
  number(
    "jitterMs",
    impairment.jitterMs,
    `is not from 0 to delayMs (${impairment.delayMs ?? 0}): delayMs ± jitterMs must not go below 0`,
    (value) => value >= 0 && value <= (impairment.delayMs ?? 0),
  );
  number("seed", impairment.seed, "is not an integer", Number.isSafeInteger);
  if (impairment.direction !== undefined && impairment.direction !== "both" && impairment.direction !== "a-to-b")
    problems.push(`${path}.direction ${String(impairment.direction)} is not "both" or "a-to-b"`);
  return problems;
}

/** Everything one impaired direction owns in the router's namespace, named after its two ports. */
export interface ImpairedDirection {
  /** The router port packets arrive on (the sender's). */
  readonly fromPort: string;
  /** The router port they are routed to (the receiver's). */
  readonly toPort: string;
  /** The TUN device, created by the program and gone with it (so are its routes). */
  readonly device: string;
  /** The packet mark that diverts the direction's packets, and the number of the routing table that sends them into the TUN. */
  readonly mark: number;
  /** The nftables table that sets the mark. */
  readonly nftTable: string;
}

/** Priority of the `ip rule` that sends marked packets to their direction's table: before `main` (32766). */
export const IMPAIRMENT_RULE_PRIORITY = 100;

/**
 * The names of the direction from one port to another. Interface names have 15 characters and two
 * port names do not fit, so they come from a hash of the pair; the mark (= table number) is kept
 * clear of the reserved tables (253–255) and of 0.
 */
export function impairedDirection(fromPort: string, toPort: string): ImpairedDirection {
  const digest = createHash("sha256").update(`${fromPort}>${toPort}`).digest("hex").slice(0, 6);
  return { fromPort, toPort, device: `imp${digest}`, mark: 0x1000000 + parseInt(digest, 16), nftTable: `havip_imp${digest}` };
}

/** The direction's nftables table, replaced as a whole (created empty first so the delete never fails). */
export function renderImpairmentRuleset(direction: ImpairedDirection): string {
  return [
    `table ip ${direction.nftTable} {}`,
    `delete table ip ${direction.nftTable}`,
    `table ip ${direction.nftTable} {`,
    "  chain prerouting {",
    `    type filter hook prerouting priority ${AFTER_DNAT}; policy accept;`,
    `    iifname ${JSON.stringify(direction.fromPort)} fib daddr oif ${JSON.stringify(direction.toPort)} meta mark set 0x${direction.mark.toString(16)}`,
    "  }",
    "}",
    "",
  ].join("\n");
}

/** The program's argv (run inside the router's namespace): device, seed, loss %, delay ms, jitter ms. */
export function impairmentProgramArgv(direction: ImpairedDirection, profile: LinkProfile, seed: number): string[] {
  return [
    PACKAGE_SERVER_PYTHON,
    "-c",
    LINK_IMPAIRMENT_PROGRAM,
    direction.device,
    `${seed}:${direction.fromPort}>${direction.toPort}`,
    String(profile.lossPercent ?? 0),
    String(profile.delayMs ?? 0),
    String(profile.jitterMs ?? 0),
  ];
}

/**
 * The userspace netem: creates the TUN device (not persistent: it goes when the program does, and
 * with it the route into it, so a killed program leaves the link as it was), prints `ready`, then
 * reads every packet routed into the device, drops it with the loss probability or holds it for
 * its drawn delay (a heap of release times), and writes it back into the device with its TTL
 * restored. Each packet takes exactly two draws from a generator seeded with argv[2], so a run can
 * be repeated. netem runs in the kernel's softirqs, ahead of every process; the program asks for
 * the lowest real-time priority (SCHED_FIFO 1) so that the machine's load does not add to its
 * delays (it sleeps in select() whenever nothing is due; the kernel's RT throttling bounds it
 * anyway), and where that is refused, a timer slack of 1 µs instead of 50. It closes every
 * inherited descriptor first: it outlives its starter, and must not keep, say, the lab lock a
 * test runner holds.
 */
export const LINK_IMPAIRMENT_PROGRAM = `
import ctypes, fcntl, heapq, os, random, select, struct, sys, time

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
PR_SET_TIMERSLACK = 29


def release_delay(rng, loss_percent, delay_ms, jitter_ms):
    """Seconds to hold a packet, or None to drop it: two draws per packet, always."""
    lost = rng.random() * 100 < loss_percent
    delay = delay_ms + rng.uniform(-jitter_ms, jitter_ms)
    return None if lost else max(0.0, delay) / 1000


def restore_ttl(packet):
    """An IPv4 packet with one more TTL and its header checksum recomputed; anything else as it is."""
    if len(packet) < 20 or packet[0] >> 4 != 4 or packet[8] == 255:
        return packet
    length = (packet[0] & 15) * 4
    header = bytearray(packet[:length])
    header[8] += 1
    header[10:12] = b"\\0\\0"
    total = sum(struct.unpack("!%dH" % (length // 2), header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    header[10:12] = struct.pack("!H", ~total & 0xFFFF)
    return bytes(header) + packet[length:]


def main(device, seed, loss_percent, delay_ms, jitter_ms):
    os.closerange(3, 65536)
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))
    except OSError:
        ctypes.CDLL(None).prctl(PR_SET_TIMERSLACK, 1000, 0, 0, 0)
    tun = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tun, TUNSETIFF, struct.pack("16sH", device.encode(), IFF_TUN | IFF_NO_PI))
    os.set_blocking(tun, False)
    rng = random.Random(seed)
    held, order = [], 0
    print("ready", flush=True)
    while True:
        timeout = max(0.0, held[0][0] - time.monotonic()) if held else None
        if select.select([tun], [], [], timeout)[0]:
            while True:
                try:
                    packet = os.read(tun, 65536)
                except BlockingIOError:
                    break
                arrived = time.monotonic()
                delay = release_delay(rng, loss_percent, delay_ms, jitter_ms)
                if delay is not None:
                    heapq.heappush(held, (arrived + delay, order, packet))
                    order += 1
        now = time.monotonic()
        while held and held[0][0] <= now:
            os.write(tun, restore_ttl(heapq.heappop(held)[2]))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]))
`;
