/**
 * A failed Tencent Cloud API call, with what the API said and what to do about the usual causes.
 * Messages come from the API or the HTTP layer; they never contain the secret key.
 */
export class TencentCloudApiError extends Error {
  /** e.g. `DescribeHaVips`. */
  public readonly action: string;
  /** The API's error code, e.g. `AuthFailure.SignatureFailure`; undefined for network failures. */
  public readonly code?: string;
  public readonly requestId?: string;
  /** Set when the endpoint answered with a status other than 200. */
  public readonly httpStatus?: number;

  constructor(details: { action: string; detail: string; code?: string; requestId?: string; httpStatus?: number }) {
    const parts = [`Tencent Cloud ${details.action} failed`];
    if (details.code) parts.push(details.code);
    if (details.httpStatus !== undefined) parts.push(`HTTP ${details.httpStatus}`);
    let message = `${parts.join(": ")}: ${details.detail}`;
    if (details.requestId) message += ` (RequestId ${details.requestId})`;
    const hint = hintFor(details.action, details.code);
    if (hint) message += `. ${hint}`;
    super(message);
    this.name = "TencentCloudApiError";
    this.action = details.action;
    this.code = details.code || undefined;
    this.requestId = details.requestId || undefined;
    this.httpStatus = details.httpStatus;
  }
}

/** Turns whatever the SDK threw (TencentCloudSDKHttpException or a plain Error) into a TencentCloudApiError. */
export function toTencentCloudApiError(action: string, thrown: unknown): TencentCloudApiError {
  if (thrown instanceof TencentCloudApiError) return thrown;
  const fields = (typeof thrown === "object" && thrown !== null ? thrown : {}) as {
    message?: unknown;
    code?: unknown;
    requestId?: unknown;
    httpCode?: unknown;
  };
  const detail = typeof fields.message === "string" && fields.message !== "" ? fields.message : String(thrown);
  return new TencentCloudApiError({
    action,
    detail,
    code: typeof fields.code === "string" ? fields.code : undefined,
    requestId: typeof fields.requestId === "string" ? fields.requestId : undefined,
    httpStatus: typeof fields.httpCode === "number" ? fields.httpCode : undefined,
  });
}

function hintFor(action: string, code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  if (code.startsWith("AuthFailure")) {
    return "Check TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY (and TENCENTCLOUD_SESSION_TOKEN for temporary credentials) and the machine's clock";
  }
  if (code.startsWith("UnauthorizedOperation")) {
    return `The CAM policy of these credentials must allow vpc:${action}`;
  }
  if (code === "InvalidParameterValue.Region" || code === "UnsupportedRegion") {
    return "Check TENCENTCLOUD_REGION";
  }
  return undefined;
}
