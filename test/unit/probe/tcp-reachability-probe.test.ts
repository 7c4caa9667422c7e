import { execFile } from "node:child_process";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type AddressInfo, type Server } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labCliArgv } from "../../../lab/lab-cli-argv";
import { summarizeOutage } from "../../../lib/probe/outage-summary";
import { formatProbeSample, parseProbeOutput } from "../../../lab/probe/probe-line";
import { startTcpProbe } from "../../../lib/probe/tcp-reachability-probe";

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

  it("runs as `lab probe` and exits after --count probes", async () => {
    const [node, bin] = labCliArgv("probe");
    const { stdout } = await promisify(execFile)(node, [
      bin,
      "probe",
      "--host",
      "127.0.0.1",
      "--port",
      String(openPort),
      "--count",
      "3",
      "--interval",
      "20",
    ]);
    const samples = parseProbeOutput(stdout);
    expect(samples.map((s) => s.seq).sort()).toEqual([0, 1, 2]);
    expect(samples.every((s) => s.answered)).toBe(true);
  });
});

describe("the probe's HTTP mode (loopback only)", () => {
  let server: HttpServer;
  let port: number;
  let page = "node-a\n";
  let status = 200;

  beforeAll(async () => {
    server = createHttpServer((request, response) => {
      response.statusCode = request.url === "/" ? status : 404;
      response.end(page);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function probeFor(count: number, path = "/") {
    const probe = startTcpProbe({ host: "127.0.0.1", port, httpPath: path, intervalMs: 10, maxProbes: count });
    await new Promise((resolve) => setTimeout(resolve, 20 * count + 200));
    return probe.stop();
  }

  it("records the first word of a 2xx page as the responder", async () => {
    page = "node-a\nserved by nginx\n";
    status = 200;
    const samples = await probeFor(3);
    expect(samples.map((s) => [s.answered, s.responder])).toEqual([
      [true, "node-a"],
      [true, "node-a"],
      [true, "node-a"],
    ]);
  });

  it("counts a non-2xx answer and a closed port as lost", async () => {
    status = 503;
    expect((await probeFor(2)).map((s) => s.answered)).toEqual([false, false]);
    status = 200;
    expect((await probeFor(2, "/missing")).map((s) => s.answered)).toEqual([false, false]);
    const closed = startTcpProbe({ host: "127.0.0.1", port: 9, httpPath: "/", intervalMs: 10, maxProbes: 2 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await closed.stop()).map((s) => s.answered)).toEqual([false, false]);
  });

  it("replaces a responder that is not one plain word with ?", async () => {
    page = "a;rm -rf /\n";
    status = 200;
    expect((await probeFor(1))[0].responder).toBe("?");
  });

  it("carries the responder through the line format, and the summary lists who answered in order", () => {
    const line = formatProbeSample({ seq: 3, sentAtMs: 150, answered: true, responder: "havip-lab-b" });
    expect(line).toBe("3 150.0 1 havip-lab-b");
    const samples = parseProbeOutput(["0 0.0 1 a", "1 50.0 1 a", "2 100.0 0", "3 150.0 1 b", line].join("\n"));
    expect(samples[3]).toEqual({ seq: 3, sentAtMs: 150, answered: true, responder: "b" });
    expect(summarizeOutage(samples, 50)).toEqual({ longestGapMs: 100, sent: 5, lost: 1, responders: ["a", "b", "havip-lab-b"] });
  });

  it("runs as `lab probe --http-path` and prints the responder", async () => {
    page = "node-b\n";
    const [node, bin] = labCliArgv("probe");
    const { stdout } = await promisify(execFile)(node, [
      bin,
      "probe",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--http-path",
      "/",
      "--count",
      "2",
      "--interval",
      "20",
    ]);
    expect(parseProbeOutput(stdout).map((s) => s.responder)).toEqual(["node-b", "node-b"]);
  });
});
