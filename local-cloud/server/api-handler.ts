import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServiceDefinition } from "../api/action";
import type { CloudContext } from "../api/cloud-context";
import { Params } from "../api/params";
import { ApiError, errorResponse } from "./api-error";
import type { RequestLog } from "./request-log";
import { verifyTc3Signature } from "./tc3-signature";

/** Tencent takes request bodies of up to 10 MB. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface ApiHandlerOptions {
  readonly cloud: CloudContext;
  readonly services: Readonly<Record<string, ServiceDefinition>>;
  /** SecretId -> SecretKey of the callers this endpoint accepts. */
  readonly secretKeys: ReadonlyMap<string, string>;
  readonly log: RequestLog;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError("InvalidParameter", `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The HTTP handler of the API: POST with a JSON body, the service named by the Host header's
 * first label, `X-TC-Action`/`X-TC-Version`/`X-TC-Region`, a TC3-HMAC-SHA256 signature; the
 * answer is always HTTP 200 with Tencent's `Response` object. Calls run one at a time, so each
 * sees the state the previous one left (the background work of instance operations goes on
 * between them).
 */
export function createApiHandler(options: ApiHandlerOptions): (request: IncomingMessage, response: ServerResponse) => void {
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work, work);
    queue = result.catch(() => undefined);
    return result;
  };

  return (request, response) => {
    const started = Date.now();
    const requestId = randomUUID();
    const action = header(request, "x-tc-action") ?? "";
    const region = header(request, "x-tc-region") ?? "";
    const service = (header(request, "host") ?? "").split(":")[0].split(".")[0].toLowerCase();
    void (async () => {
      let body: object;
      try {
        body = await serialized(() => handle(options, request, { requestId, action, region, service }));
        options.log({ time: new Date().toISOString(), requestId, service, action, region, durationMs: Date.now() - started });
      } catch (error) {
        const apiError =
          error instanceof ApiError
            ? error
            : new ApiError("InternalError", `The local cloud failed: ${error instanceof Error ? error.message : String(error)}`);
        body = errorResponse(apiError, requestId);
        options.log({
          time: new Date().toISOString(),
          requestId,
          service,
          action,
          region,
          durationMs: Date.now() - started,
          error: apiError.code,
        });
      }
      const text = JSON.stringify(body);
      response.writeHead(200, {
        "Content-Type": "application/json",
        "Content-Length": Buffer.byteLength(text),
        "X-TC-RequestId": requestId,
      });
      response.end(text);
    })();
  };
}

async function handle(
  options: ApiHandlerOptions,
  request: IncomingMessage,
  call: { requestId: string; action: string; region: string; service: string },
): Promise<object> {
  const body = await readBody(request);
  const definition = options.services[call.service];
  if (!definition)
    throw new ApiError(
      "UnsupportedOperation",
      `The service \`${call.service}\` (from the Host header) is not served by this local cloud; it serves ${Object.keys(options.services).join(", ")}.`,
    );
  if (request.method !== "POST")
    throw new ApiError("UnsupportedProtocol", `This endpoint takes POST requests with a JSON body, not ${request.method ?? "?"}.`);
  const contentType = header(request, "content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("application/json"))
    throw new ApiError("InvalidParameter", `The Content-Type must be application/json, got ${JSON.stringify(contentType)}.`);
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]),
  );
  verifyTc3Signature(
    { method: "POST", url: request.url ?? "/", headers, body, service: call.service },
    options.secretKeys,
    Math.floor(Date.now() / 1000),
  );
  if (call.action === "") throw new ApiError("MissingParameter", "The request is missing the header X-TC-Action.");
  const version = header(request, "x-tc-version") ?? "";
  if (version !== definition.version)
    throw new ApiError(
      "NoSuchVersion",
      `The ${call.service} API is served in version ${definition.version}, not ${JSON.stringify(version)}.`,
    );
  if (call.region === "" && call.service !== "tag")
    throw new ApiError("MissingParameter", "The request is missing the header X-TC-Region.");
  if (call.region !== "" && call.region !== options.cloud.config.region) {
    throw new ApiError("UnsupportedRegion", `This endpoint serves the region ${options.cloud.config.region}, not ${call.region}.`);
  }
  const actionDefinition = Object.hasOwn(definition.actions, call.action) ? definition.actions[call.action] : undefined;
  if (!actionDefinition)
    throw new ApiError(
      "UnsupportedOperation",
      `The action ${call.action} of the ${call.service} API is not implemented by this local cloud.`,
    );
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
  } catch {
    throw new ApiError("InvalidParameter", "The request body is not valid JSON.");
  }
  const params = Params.of(parsed, actionDefinition.parameters);
  const result = await actionDefinition.handle({ cloud: options.cloud, params, requestId: call.requestId });
  return { Response: { ...result, RequestId: call.requestId } };
}
