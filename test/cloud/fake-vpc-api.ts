import { Agent, createServer, IncomingHttpHeaders, Server } from "http";
import { AddressInfo, createConnection, Socket } from "net";

/** One request as the fake API received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface FakeAnswer {
  readonly status?: number;
  /** Serialized as the response body. */
  readonly json: unknown;
}

export interface FakeVpcApi {
  /** `vpc.localhost:<port>`: the SDK takes the first label as the signing service name. */
  readonly endpoint: string;
  /** Connects every request to the fake server on 127.0.0.1, whatever the host name says. */
  readonly agent: Agent;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Always dials 127.0.0.1:port, so no test request can leave the machine. */
export class LoopbackAgent extends Agent {
  constructor(private readonly port: number) {
    super({ keepAlive: false });
  }

  override createConnection(): Socket {
    return createConnection({ host: "127.0.0.1", port: this.port });
  }
}

/** An HTTP server on 127.0.0.1 (port 0) that records requests and answers with `answer`. */
export async function startFakeVpcApi(answer: (request: RecordedRequest, index: number) => FakeAnswer): Promise<FakeVpcApi> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(recorded);
      const { status = 200, json } = answer(recorded, requests.length - 1);
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const agent = new LoopbackAgent(port);
  return {
    endpoint: `vpc.localhost:${port}`,
    agent,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        agent.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A successful DescribeHaVips answer in the documented shape. */
export function haVipsAnswer(haVipSet: readonly object[], totalCount = haVipSet.length): FakeAnswer {
  return { json: { Response: { HaVipSet: haVipSet, TotalCount: totalCount, RequestId: "11111111-2222-3333-4444-555555555555" } } };
}

/** A documented error answer. */
export function errorAnswer(code: string, message: string): FakeAnswer {
  return { json: { Response: { Error: { Code: code, Message: message }, RequestId: "66666666-7777-8888-9999-000000000000" } } };
}

/** One HAVIP as DescribeHaVips returns it. */
export function haVipRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    HaVipId: "havip-abc",
    HaVipName: "demo-havip",
    Vip: "172.16.16.12",
    VpcId: "vpc-1",
    SubnetId: "subnet-1",
    NetworkInterfaceId: "eni-1",
    InstanceId: "ins-1",
    AddressIp: "203.0.113.10",
    State: "AVAILABLE",
    CreatedTime: "2025-01-01 00:00:00",
    Business: "",
    HaVipAssociationSet: [],
    CheckAssociate: false,
    CdcId: "",
    FlushedTime: "2025-01-02 03:04:05",
    TagSet: [],
    ...overrides,
  };
}
