import { execFile } from "node:child_process";
import { createServer, type AddressInfo, type Server } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliArgv } from "../../lib/handoff/provision-invocation";
import { formatProbeSample, parseProbeOutput } from "../../lib/probe/outage-summary";
import { startTcpProbe } from "../../lib/probe/tcp-reachability-probe";

describe("the TCP reachability probe (loopback only)", () => {
  let server: Server;
  let openPort: number;

  beforeAll(async () => {
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    openPort = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("counts an accepted and a refused connection as answers, and stops at maxProbes", async () => {
    for (const port of [openPort, 9]) {
      const seen: number[] = [];
      const probe = startTcpProbe({ host: "127.0.0.1", port, intervalMs: 10, maxProbes: 5, onSample: (s) => seen.push(s.seq) });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const samples = await probe.stop();
      expect(samples.map((s) => s.seq)).toEqual([0, 1, 2, 3, 4]);
      expect(samples.every((s) => s.answered)).toBe(true);
      expect(seen.sort()).toEqual([0, 1, 2, 3, 4]);
    }
  });

  it("prints samples in the line format the lab parses back", () => {
    const sample = { seq: 7, sentAtMs: 700.04, answered: false };
    expect(formatProbeSample(sample)).toBe("7 700.0 0");
    expect(parseProbeOutput(`${formatProbeSample(sample)}\n`)).toEqual([{ seq: 7, sentAtMs: 700, answered: false }]);
  });

  it("runs as `havip-cluster probe` and exits after --count probes", async () => {
    const [node, bin] = cliArgv("probe");
    const { stdout } = await promisify(execFile)(node, [bin, "probe", "--host", "127.0.0.1", "--port", String(openPort), "--count", "3", "--interval", "20"]);
    const samples = parseProbeOutput(stdout);
    expect(samples.map((s) => s.seq).sort()).toEqual([0, 1, 2]);
    expect(samples.every((s) => s.answered)).toBe(true);
  });
});
