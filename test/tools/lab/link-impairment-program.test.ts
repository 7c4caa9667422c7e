import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { LINK_IMPAIRMENT_PROGRAM } from "../../../lab/cloud-network";
import { PACKAGE_SERVER_PYTHON } from "../../../lab/roots/lab-package-server";

const hasPython = spawnSync(PACKAGE_SERVER_PYTHON, ["-c", "pass"]).status === 0;

/** Runs `script` after the program's definitions (its main() does not run: __name__ is not "__main__"); prints JSON. */
function python(script: string): unknown {
  const result = spawnSync(
    PACKAGE_SERVER_PYTHON,
    [
      "-c",
      `import json, random\nprogram = {"__name__": "impairment"}\nexec(${JSON.stringify(LINK_IMPAIRMENT_PROGRAM)}, program)\nglobals().update(program)\n${script}`,
    ],
    {
      encoding: "utf8",
    },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

describe.skipIf(!hasPython && process.env.CI !== "true")("the impairment program's decisions", () => {
  it("gives a packet back the TTL its second routing pass took, with a valid header checksum, and leaves others alone", () => {
    // 20-byte IPv4 header, TTL 62, UDP, 10.0.0.5 -> 10.0.0.6, checksum filled in below; 4 bytes of payload.
    const header = Buffer.from("450000200001000040110000" + "0a000005" + "0a000006", "hex");
    header[8] = 62;
    header.writeUInt16BE(checksum(header), 10);
    const packet = Buffer.concat([header, Buffer.from("data")]);
    const [restored, atMax, notIpv4] = python(`
packet = bytes.fromhex("${packet.toString("hex")}")
top = bytearray(packet); top[8] = 255
print(json.dumps([restore_ttl(packet).hex(), restore_ttl(bytes(top)).hex(), restore_ttl(b"\\x60" + packet[1:]).hex()]))
`) as string[];
    const out = Buffer.from(restored, "hex");
    expect(out[8]).toBe(63);
    expect(checksum(out.subarray(0, 20))).toBe(0);
    expect(out.subarray(20).toString()).toBe("data");
    expect(Buffer.from(atMax, "hex")[8]).toBe(255);
    expect(notIpv4).toBe("60" + packet.toString("hex").slice(2));
  });

  it("drops with the loss probability and delays uniformly within delay ± jitter, the same way for the same seed", () => {
    // One program run for every sequence: [seed, loss %, delay ms, jitter ms] each, 10000 packets.
    const runs: [string, number, number, number][] = [
      ["1:pa>pb", 10, 50, 20],
      ["1:pa>pb", 10, 50, 20],
      ["2:pa>pb", 10, 50, 20],
      ["1:pa>pb", 10, 5, 0],
      ["1:pa>pb", 0, 0, 0],
    ];
    const [decided, again, otherSeed, otherDelay, unimpaired] = python(`
runs = json.loads(${JSON.stringify(JSON.stringify(runs))})
print(json.dumps([[release_delay(rng, loss, delay, jitter) for rng in [random.Random(seed)] for _ in range(10000)] for seed, loss, delay, jitter in runs]))
`) as (number | null)[][];
    const kept = decided.filter((delay): delay is number => delay !== null).sort((x, y) => x - y);
    // Binomial(10000, 0.1): standard deviation 30 packets; 5 of them either way.
    expect(decided.length - kept.length).toBeGreaterThan(1000 - 150);
    expect(decided.length - kept.length).toBeLessThan(1000 + 150);
    expect(kept[0]).toBeGreaterThanOrEqual(0.03);
    expect(kept.at(-1)).toBeLessThanOrEqual(0.07);
    // Uniform quartiles at 40, 50 and 60 ms; each within 1 ms (more than 5 standard errors).
    for (const [quantile, at] of [
      [0.25, 0.04],
      [0.5, 0.05],
      [0.75, 0.06],
    ])
      expect(Math.abs(kept[Math.floor(quantile * kept.length)] - at)).toBeLessThan(0.001);
    expect(again).toEqual(decided);
    expect(otherSeed).not.toEqual(decided);
    // Two draws per packet, whatever the profile: another delay does not move the drops.
    expect(otherDelay.map((delay) => delay === null)).toEqual(decided.map((delay) => delay === null));
    expect(unimpaired).toEqual(Array(10000).fill(0));
  });
});

/** The Internet checksum of a header (0 when its checksum field is right). */
function checksum(header: Buffer): number {
  let sum = 0;
  for (let offset = 0; offset < header.length; offset += 2) sum += header.readUInt16BE(offset);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}
