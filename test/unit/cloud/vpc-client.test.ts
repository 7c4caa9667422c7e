import { createServer } from "http";
import { AddressInfo } from "net";
import { afterEach, describe, expect, it } from "vitest";
import { createVpcClient, describeHaVipBindings, TencentCloudApiError, TencentCloudCredentials } from "../../../lib/cloud";
import { readTencentCloudCredentials } from "../../../lib/cloud/credentials";
import {
  errorAnswer,
  FakeAnswer,
  FakeVpcApi,
  haVipRecord,
  haVipsAnswer,
  LoopbackAgent,
  RecordedRequest,
  startFakeVpcApi,
} from "../../fixtures/fake-vpc-api";
import { tc3Signature } from "../../fixtures/tc3-signature";

const SECRET_ID = "AKIDtestonly0000000000000000000000";
const SECRET_KEY = "test-secret-key-never-printed-1234";

function testCredentials(extra: NodeJS.ProcessEnv = {}): TencentCloudCredentials {
  const credentials = readTencentCloudCredentials({
    TENCENTCLOUD_SECRET_ID: SECRET_ID,
    TENCENTCLOUD_SECRET_KEY: SECRET_KEY,
    TENCENTCLOUD_REGION: "ap-guangzhou",
    ...extra,
  });
  if (credentials === undefined) throw new Error("test credentials missing");
  return credentials;
}

let api: FakeVpcApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function describeThroughFakeApi(
  answer: (request: RecordedRequest) => FakeAnswer,
  credentials = testCredentials(),
  query: Parameters<typeof describeHaVipBindings>[1] = { vips: ["172.16.16.12"], vpcId: "vpc-1" },
) {
  api = await startFakeVpcApi(answer);
  const client = createVpcClient(credentials, { endpoint: api.endpoint, protocol: "http", agent: api.agent });
  const bindings = await describeHaVipBindings(client, query);
  return { bindings, request: api.requests[0] };
}

function header(request: RecordedRequest, name: string): string {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(",") : (value ?? "");
}

const AUTHORIZATION_PATTERN =
  /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/vpc\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

describe("createVpcClient against a local DescribeHaVips endpoint", () => {
  it("POSTs DescribeHaVips with the action, version, region and a current timestamp", async () => {
    const before = Math.floor(Date.now() / 1000);
    const { request } = await describeThroughFakeApi(() => haVipsAnswer([haVipRecord()]));
    const after = Math.ceil(Date.now() / 1000);

    expect(request.method).toBe("POST");
    expect(request.path).toBe("/");
    expect(header(request, "x-tc-action")).toBe("DescribeHaVips");
    expect(header(request, "x-tc-version")).toBe("2017-03-12");
    expect(header(request, "x-tc-region")).toBe("ap-guangzhou");
    expect(header(request, "content-type")).toBe("application/json");
    const timestamp = Number(header(request, "x-tc-timestamp"));
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(after);
    expect(request.headers["x-tc-token"]).toBeUndefined();
  });

  it("signs with TC3-HMAC-SHA256 so that the signature recomputed from the request matches", async () => {
    const { request } = await describeThroughFakeApi(() => haVipsAnswer([haVipRecord()]));

    const match = AUTHORIZATION_PATTERN.exec(header(request, "authorization"));
    expect(match).not.toBeNull();
    const [, credentialId, date, signedHeaderList, signature] = match as RegExpExecArray;
    expect(credentialId).toBe(SECRET_ID);
    const timestamp = Number(header(request, "x-tc-timestamp"));
    expect(date).toBe(new Date(timestamp * 1000).toISOString().slice(0, 10));
    const signedHeaders = signedHeaderList.split(";");
    expect(signedHeaders.slice(0, 2)).toEqual(["content-type", "host"]);

    const headerValues: Record<string, string> = {};
    for (const name of signedHeaders) headerValues[name] = header(request, name);
    // The SDK signs the host name without the port (only local endpoints carry one).
    headerValues.host = headerValues.host.replace(/:\d+$/, "");
    const recompute = (secretKey: string) =>
      tc3Signature({
        method: request.method,
        path: "/",
        query: "",
        signedHeaders,
        headerValues,
        body: request.body,
        service: "vpc",
        timestamp,
        secretKey,
      });
    expect(signature).toBe(recompute(SECRET_KEY));
    expect(signature).not.toBe(recompute("another-secret-key"));
  });

  it("sends the session token as X-TC-Token for temporary credentials", async () => {
    const { request } = await describeThroughFakeApi(
      () => haVipsAnswer([]),
      testCredentials({ TENCENTCLOUD_SESSION_TOKEN: "session-token-for-test" }),
    );
    expect(header(request, "x-tc-token")).toBe("session-token-for-test");
  });

  it("sends the vip and vpc-id Filters with the first page's Offset and Limit", async () => {
    const { request } = await describeThroughFakeApi(() => haVipsAnswer([]));
    expect(JSON.parse(request.body)).toEqual({
      Filters: [
        { Name: "vip", Values: ["172.16.16.12"] },
        { Name: "vpc-id", Values: ["vpc-1"] },
      ],
      Offset: 0,
      Limit: 100,
    });
  });

  it("maps the documented response to bindings", async () => {
    const { bindings } = await describeThroughFakeApi(() =>
      haVipsAnswer([haVipRecord({ HaVipAssociationSet: [{ InstanceId: "ins-1", HaVipId: "havip-abc", InstanceType: "CVM" }] })]),
    );
    expect(bindings).toEqual([
      {
        havipId: "havip-abc",
        address: "172.16.16.12",
        state: "AVAILABLE",
        boundInstanceId: "ins-1",
        boundNetworkInterfaceId: "eni-1",
        addressIp: "203.0.113.10",
        vpcId: "vpc-1",
        subnetId: "subnet-1",
        name: "demo-havip",
        business: undefined,
        allowedInstanceIds: ["ins-1"],
        flushedTime: "2025-01-02 03:04:05",
      },
    ]);
  });

  it("turns an API error into a TencentCloudApiError with code, request id and a hint, without the secret", async () => {
    const failure = describeThroughFakeApi(() =>
      errorAnswer("AuthFailure.SignatureFailure", "The provided credentials could not be validated."),
    );
    const error = await failure.catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TencentCloudApiError);
    const apiError = error as TencentCloudApiError;
    expect(apiError.code).toBe("AuthFailure.SignatureFailure");
    expect(apiError.requestId).toBe("66666666-7777-8888-9999-000000000000");
    expect(apiError.message).toBe(
      "Tencent Cloud DescribeHaVips failed: AuthFailure.SignatureFailure: The provided credentials could not be validated. " +
        "(RequestId 66666666-7777-8888-9999-000000000000). Check TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY " +
        "(and TENCENTCLOUD_SESSION_TOKEN for temporary credentials) and the machine's clock",
    );
    expect(apiError.message).not.toContain(SECRET_KEY);
  });

  it("names the CAM action when the credentials lack permission", async () => {
    const error = await describeThroughFakeApi(() =>
      errorAnswer("UnauthorizedOperation", "you are not authorized to perform operation (vpc:DescribeHaVips)"),
    ).catch((thrown: unknown) => thrown);
    expect((error as Error).message).toContain("The CAM policy of these credentials must allow vpc:DescribeHaVips");
  });

  it("reports an HTTP status other than 200", async () => {
    const error = await describeThroughFakeApi(() => ({ status: 502, json: {} })).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TencentCloudApiError);
    expect((error as TencentCloudApiError).httpStatus).toBe(502);
    expect((error as Error).message).toMatch(/^Tencent Cloud DescribeHaVips failed: HTTP 502: /);
  });

  it("reports an endpoint that refuses the connection", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const agent = new LoopbackAgent(port);
    const client = createVpcClient(testCredentials(), { endpoint: `vpc.localhost:${port}`, protocol: "http", agent });

    const error = await describeHaVipBindings(client, {}).catch((thrown: unknown) => thrown);
    agent.destroy();

    expect(error).toBeInstanceOf(TencentCloudApiError);
    expect((error as TencentCloudApiError).code).toBeUndefined();
    expect((error as Error).message).toMatch(/^Tencent Cloud DescribeHaVips failed: .*ECONNREFUSED/);
  });

  it("rejects an endpoint whose first label is not vpc", () => {
    expect(() => createVpcClient(testCredentials(), { endpoint: "127.0.0.1:8080" })).toThrow(
      'Tencent Cloud VPC client: endpoint "127.0.0.1:8080" must start with vpc. (the SDK signs for the service named by the first label)',
    );
  });

  it("rejects an endpoint with a path", () => {
    expect(() => createVpcClient(testCredentials(), { endpoint: "vpc.example.test/path" })).toThrow(
      "must be a host name with an optional :port, without scheme or path",
    );
  });
});
