import type { Agent } from "http";
import { CommonClient } from "tencentcloud-sdk-nodejs-common";
import { TENCENT_CLOUD_API_TIMEOUT_SECONDS } from "../core/limits";
import { throwIfProblems } from "../core/settings-error";
import type { TencentCloudCredentials } from "./credentials";
import type { DescribeHaVipsRequest, DescribeHaVipsResponse } from "./vpc-models";

/** The one VPC call this package makes; `VpcClient` satisfies it, and so can a test double. */
export interface HaVipApi {
  DescribeHaVips(request: DescribeHaVipsRequest): Promise<DescribeHaVipsResponse>;
}

const VPC_API_VERSION = "2017-03-12";
const VPC_DEFAULT_ENDPOINT = "vpc.tencentcloudapi.com";

/** The VPC API through Tencent's own generic client (signing, errors, proxies), typed for the calls this package makes. */
export class VpcClient implements HaVipApi {
  constructor(private readonly client: CommonClient) {}

  DescribeHaVips(request: DescribeHaVipsRequest): Promise<DescribeHaVipsResponse> {
    return this.client.request("DescribeHaVips", request) as Promise<DescribeHaVipsResponse>;
  }
}

export interface VpcClientOptions {
  /**
   * Host (and port) of the VPC API. Must start with `vpc.`: the SDK takes the first label of
   * the endpoint as the service name in the signature's credential scope.
   * @default "vpc.tencentcloudapi.com" (the international site uses "vpc.intl.tencentcloudapi.com")
   */
  readonly endpoint?: string;
  /** @default "https" */
  readonly protocol?: "https" | "http";
  /** @default 10 */
  readonly timeoutSeconds?: number;
  /**
   * HTTP agent for every request (tests pass one that only connects to loopback). When set,
   * the SDK ignores the `http_proxy` environment variable.
   * @default - Node's global agent, or a proxy agent when `http_proxy` is set
   */
  readonly agent?: Agent;
}

/** Builds a VPC (2017-03-12) client on Tencent's common SDK client, signing with TC3-HMAC-SHA256. */
export function createVpcClient(credentials: TencentCloudCredentials, options: VpcClientOptions = {}): VpcClient {
  const endpoint = options.endpoint;
  if (endpoint !== undefined) {
    throwIfProblems("Tencent Cloud VPC client", [
      ...(endpoint.split(".")[0] === "vpc"
        ? []
        : [
            {
              field: "endpoint",
              value: JSON.stringify(endpoint),
              rule: "must start with vpc. (the SDK signs for the service named by the first label)",
            },
          ]),
      ...(/^[A-Za-z0-9.-]+(:\d+)?$/.test(endpoint)
        ? []
        : [
            {
              field: "endpoint",
              value: JSON.stringify(endpoint),
              rule: "must be a host name with an optional :port, without scheme or path",
            },
          ]),
    ]);
  }
  const client = new CommonClient(VPC_DEFAULT_ENDPOINT, VPC_API_VERSION, {
    credential: {
      secretId: credentials.secretId,
      secretKey: credentials.secretKey,
      token: credentials.sessionToken,
    },
    region: credentials.region,
    profile: {
      signMethod: "TC3-HMAC-SHA256",
      httpProfile: {
        reqMethod: "POST",
        reqTimeout: options.timeoutSeconds ?? TENCENT_CLOUD_API_TIMEOUT_SECONDS,
        protocol: `${options.protocol ?? "https"}://`,
        ...(endpoint === undefined ? {} : { endpoint }),
        ...(options.agent === undefined ? {} : { agent: options.agent }),
      },
    },
  });
  return new VpcClient(client);
}
