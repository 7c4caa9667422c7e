import type { Agent } from "http";
// The narrow path loads only the VPC client (~60 ms) instead of all 260 services (~260 ms).
import { Client as VpcClient } from "tencentcloud-sdk-nodejs/tencentcloud/services/vpc/v20170312/vpc_client";
import type { DescribeHaVipsRequest, DescribeHaVipsResponse } from "tencentcloud-sdk-nodejs/tencentcloud/services/vpc/v20170312/vpc_models";
import { TENCENT_CLOUD_API_TIMEOUT_SECONDS } from "../core/limits";
import { throwIfProblems } from "../core/settings-error";
import type { TencentCloudCredentials } from "./credentials";

export { VpcClient };

/** The one VPC call this package makes; the SDK's `VpcClient` satisfies it, and so can a test double. */
export interface HaVipApi {
  DescribeHaVips(request: DescribeHaVipsRequest): Promise<DescribeHaVipsResponse>;
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

/** Builds the SDK's VPC v20170312 client, signing with TC3-HMAC-SHA256. */
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
  return new VpcClient({
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
}
