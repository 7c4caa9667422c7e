import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommonClient } from "tencentcloud-sdk-nodejs-common";
import { type BootableImage, InMemoryHost, type LocalCloud, startLocalCloud } from "../../../local-cloud";
import { LoopbackAgent } from "../../fixtures/fake-vpc-api";
import { tc3Signature } from "../../fixtures/tc3-signature";

export const TEST_SECRET_ID = "AKIDlocalcloudtest000000000000000000";
export const TEST_SECRET_KEY = "local-cloud-test-secret-key-0123456";
export const REGION = "ap-guangzhou";
export const ZONE = "ap-guangzhou-3";
export const TEST_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGr9e+0cWm0ObE1dpJ6xTZpG1Vi4j5c9+Tj7rMnx1Tr2 test@local-cloud";

const VERSIONS: Readonly<Record<string, string>> = { vpc: "2017-03-12", cvm: "2017-03-12", cbs: "2017-03-12", tag: "2018-08-13" };

export function debianImage(osVersion: string, createdTime: string): BootableImage {
  return { key: `debian-${osVersion}`, platform: "Debian", osVersion, architecture: "x86_64", createdTime, sizeGiB: 20 };
}

export const DEFAULT_IMAGES = [debianImage("12.8", "2025-01-01T00:00:00Z"), debianImage("11.11", "2024-09-01T00:00:00Z")];

/** An API answer: JSON whose shape each test asserts with matchers. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- read field by field like the SDK's callers do, checked by the assertions
export type ApiAnswer = Record<string, any>;

/** An error answer of the API, as the Node SDK reports it. */
export interface ApiFailure {
  readonly code: string;
  readonly message: string;
}

export interface TestCloud {
  readonly cloud: LocalCloud;
  readonly host: InMemoryHost;
  readonly stateFile: string;
  readonly port: number;
  /** Calls an action, signed by the Node SDK as any client would; resolves to `Response` without `RequestId`. */
  call(service: string, action: string, params?: object, credentials?: { secretId: string; secretKey: string }): Promise<ApiAnswer>;
  /** The API's error for a call that must fail. */
  failure(service: string, action: string, params?: object): Promise<ApiFailure>;
  /** Polls DescribeInstances until the instance is in `state` with no operation running. */
  waitForInstance(instanceId: string, state: string): Promise<ApiAnswer>;
  restart(options?: { waitForOperations?: boolean; host?: InMemoryHost }): Promise<void>;
  close(): Promise<void>;
}

/** A local cloud on 127.0.0.1 over plain HTTP, with the in-memory host and a fresh state file. */
export async function startTestCloud(
  options: { operationDelayMs?: number; images?: readonly BootableImage[]; stateDir?: string; havipSwitchDelayMs?: number } = {},
): Promise<TestCloud> {
  const dir = options.stateDir ?? mkdtempSync(join(tmpdir(), "local-cloud-test-"));
  const stateFile = join(dir, "state.json");
  let host = new InMemoryHost({ images: options.images ?? DEFAULT_IMAGES, operationDelayMs: options.operationDelayMs ?? 20 });
  const start = (withHost: InMemoryHost) =>
    startLocalCloud({
      stateFile,
      host: withHost,
      listen: { host: "127.0.0.1", port: 0 },
      credentials: [{ secretId: TEST_SECRET_ID, secretKey: TEST_SECRET_KEY }],
      region: REGION,
      zones: [ZONE, "ap-guangzhou-4"],
      requestLogFile: join(dir, "requests.log"),
      havipSwitchDelayMs: options.havipSwitchDelayMs ?? 20,
    });
  let cloud = await start(host);
  const portOf = (url: string) => Number(new URL(url).port);

  const call: TestCloud["call"] = async (
    service,
    action,
    params = {},
    credentials = { secretId: TEST_SECRET_ID, secretKey: TEST_SECRET_KEY },
  ) => {
    const port = portOf(cloud.url);
    const agent = new LoopbackAgent(port);
    const client = new CommonClient(`${service}.localhost:${port}`, VERSIONS[service], {
      credential: credentials,
      region: REGION,
      profile: { httpProfile: { protocol: "http://", reqTimeout: 10, agent } },
    });
    try {
      const response = (await client.request(action, params)) as ApiAnswer;
      const { RequestId: _requestId, ...rest } = response;
      return rest;
    } finally {
      agent.destroy();
    }
  };

  const fixture: TestCloud = {
    get cloud() {
      return cloud;
    },
    get host() {
      return host;
    },
    stateFile,
    get port() {
      return portOf(cloud.url);
    },
    call,
    async failure(service, action, params = {}) {
      try {
        await call(service, action, params);
      } catch (error) {
        const { code, message } = error as { code?: string; message?: string };
        if (code === undefined) throw error;
        return { code, message: message ?? "" };
      }
      throw new Error(`${service}.${action} succeeded, but the test expected it to fail`);
    },
    async waitForInstance(instanceId, state) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { InstanceSet } = await call("cvm", "DescribeInstances", { InstanceIds: [instanceId] });
        const instance = InstanceSet[0] as ApiAnswer | undefined;
        if (instance?.InstanceState === state && instance.LatestOperationState !== "OPERATING") return instance;
        if (Date.now() > deadline)
          throw new Error(`${instanceId} is ${String(instance?.InstanceState)}/${String(instance?.LatestOperationState)}, not ${state}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async restart({ waitForOperations = true, host: nextHost } = {}) {
      await cloud.close({ waitForOperations });
      if (nextHost) host = nextHost;
      cloud = await start(host);
    },
    async close() {
      await cloud.close();
      if (options.stateDir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** A VPC 172.16.0.0/16 with the subnet 172.16.16.0/24 in ZONE, a security group and a key pair. */
export async function createNetwork(test: TestCloud): Promise<{ vpcId: string; subnetId: string; securityGroupId: string; keyId: string }> {
  const { Vpc } = await test.call("vpc", "CreateVpc", { VpcName: "test-vpc", CidrBlock: "172.16.0.0/16" });
  const { Subnet } = await test.call("vpc", "CreateSubnet", {
    VpcId: Vpc.VpcId,
    SubnetName: "test-subnet",
    CidrBlock: "172.16.16.0/24",
    Zone: ZONE,
  });
  const { SecurityGroup } = await test.call("vpc", "CreateSecurityGroup", { GroupName: "test-sg", GroupDescription: "test" });
  const { KeyId } = await test.call("cvm", "ImportKeyPair", { KeyName: "test_key", ProjectId: 0, PublicKey: TEST_PUBLIC_KEY });
  return { vpcId: Vpc.VpcId, subnetId: Subnet.SubnetId, securityGroupId: SecurityGroup.SecurityGroupId, keyId: KeyId };
}

/** RunInstances of one instance in the network (at `privateIp` when given); resolves to its id once RUNNING. */
export async function runInstance(
  test: TestCloud,
  network: Awaited<ReturnType<typeof createNetwork>>,
  extra: { privateIp?: string; publicIp?: boolean } = {},
): Promise<string> {
  const { ImageSet } = await test.call("cvm", "DescribeImages", { Filters: [{ Name: "image-type", Values: ["PUBLIC_IMAGE"] }] });
  const { InstanceIdSet } = await test.call("cvm", "RunInstances", runInstancesParams(network, ImageSet[0].ImageId, extra));
  await test.waitForInstance(InstanceIdSet[0], "RUNNING");
  return InstanceIdSet[0] as string;
}

export function runInstancesParams(
  network: Awaited<ReturnType<typeof createNetwork>>,
  imageId: string,
  extra: { privateIp?: string; publicIp?: boolean } = {},
): object {
  return {
    Placement: { Zone: ZONE, ProjectId: 0 },
    InstanceType: "S5.MEDIUM2",
    ImageId: imageId,
    SystemDisk: { DiskType: "CLOUD_PREMIUM", DiskSize: 50 },
    VirtualPrivateCloud: {
      VpcId: network.vpcId,
      SubnetId: network.subnetId,
      ...(extra.privateIp ? { PrivateIpAddresses: [extra.privateIp] } : {}),
    },
    InternetAccessible: extra.publicIp
      ? { InternetChargeType: "TRAFFIC_POSTPAID_BY_HOUR", InternetMaxBandwidthOut: 1, PublicIpAssigned: true }
      : { PublicIpAssigned: false },
    SecurityGroupIds: [network.securityGroupId],
    LoginSettings: { KeyIds: [network.keyId] },
    InstanceName: "test-node",
  };
}

/** The TC3 Authorization header of this test suite's own signer (not the SDK's), for `body` sent to `host`. */
export function tc3Authorization(options: {
  body: string;
  host: string;
  service?: string;
  timestamp?: number;
  secretId?: string;
  secretKey?: string;
}): string {
  const service = options.service ?? options.host.split(".")[0];
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = tc3Signature({
    method: "POST",
    path: "/",
    query: "",
    signedHeaders: ["content-type", "host"],
    headerValues: { "content-type": "application/json", host: options.host },
    body: options.body,
    service,
    timestamp,
    secretKey: options.secretKey ?? TEST_SECRET_KEY,
  });
  const date = new Date(timestamp * 1000).toISOString().slice(0, 10);
  return `TC3-HMAC-SHA256 Credential=${options.secretId ?? TEST_SECRET_ID}/${date}/${service}/tc3_request, SignedHeaders=content-type;host, Signature=${signature}`;
}

export interface SignedCallOptions {
  /** 127.0.0.1:port, or a Unix socket. */
  readonly target: { readonly port: number } | { readonly socketPath: string };
  readonly action?: string;
  readonly version?: string;
  readonly region?: string;
  readonly body?: string;
  readonly timestamp?: number;
  readonly secretId?: string;
  readonly secretKey?: string;
  readonly service?: string;
  /** Sent instead of the signed one. */
  readonly authorization?: string;
}

/** A hand-made request signed by `tc3Authorization`, to reach what an SDK never sends. */
export async function signedCall(options: SignedCallOptions): Promise<{ status: number; json: ApiAnswer }> {
  const service = options.service ?? "vpc";
  const body = options.body ?? "{}";
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const host = "port" in options.target ? `${service}.localhost:${options.target.port}` : `${service}.tencentcloudapi.com`;
  const authorization =
    options.authorization ?? tc3Authorization({ body, host, service, timestamp, secretId: options.secretId, secretKey: options.secretKey });
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        ...("port" in options.target ? { host: "127.0.0.1", port: options.target.port } : { socketPath: options.target.socketPath }),
        method: "POST",
        path: "/",
        headers: {
          Host: host,
          "Content-Type": "application/json",
          Authorization: authorization,
          "X-TC-Action": options.action ?? "DescribeVpcs",
          "X-TC-Version": options.version ?? "2017-03-12",
          "X-TC-Region": options.region ?? REGION,
          "X-TC-Timestamp": String(timestamp),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString("utf8")) as ApiAnswer }),
        );
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}
