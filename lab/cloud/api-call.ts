/**
 * One Tencent Cloud API call, signed with the credentials in the environment (TENCENTCLOUD_*), as
 * tccli would make it: `node <tsx> lab/cloud/api-call.ts <service> <Action> [json]`. The lab runs
 * it in its operator namespace, where the API's names resolve to the local cloud; it prints the
 * `Response` (without RequestId) as JSON, or the error's code and message on stderr (exit 1).
 */
import { CommonClient } from "tencentcloud-sdk-nodejs-common";
import { readTencentCloudCredentials } from "../../lib/cloud/credentials";

/** API versions of the services the project's stacks use. */
export const API_VERSIONS: Readonly<Record<string, string>> = {
  vpc: "2017-03-12",
  cvm: "2017-03-12",
  cbs: "2017-03-12",
  tag: "2018-08-13",
};

export async function callApi(service: string, action: string, params: object, env: NodeJS.ProcessEnv = process.env): Promise<unknown> {
  const version = API_VERSIONS[service];
  if (!version) throw new Error(`service ${JSON.stringify(service)}: one of ${Object.keys(API_VERSIONS).join(", ")}`);
  const credentials = readTencentCloudCredentials(env);
  if (!credentials) throw new Error("no TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY in the environment");
  const client = new CommonClient(`${service}.tencentcloudapi.com`, version, {
    credential: { secretId: credentials.secretId, secretKey: credentials.secretKey },
    region: credentials.region,
    profile: { signMethod: "TC3-HMAC-SHA256", httpProfile: { reqMethod: "POST", reqTimeout: 30 } },
  });
  const { RequestId: _requestId, ...response } = (await client.request(action, params)) as Record<string, unknown>;
  return response;
}

if (require.main === module) {
  const [service = "", action = "", json = "{}"] = process.argv.slice(2);
  callApi(service, action, JSON.parse(json) as object).then(
    (response) => process.stdout.write(`${JSON.stringify(response)}\n`),
    (error: { code?: string; message?: string }) => {
      process.stderr.write(`${error.code ?? "Error"}: ${error.message ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
