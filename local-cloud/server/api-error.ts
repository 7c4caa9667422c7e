/**
 * An error the API answers with, in Tencent Cloud's `Response.Error` shape. The code is one of
 * Tencent's documented error codes (common ones such as `InvalidParameterValue`, or an action's
 * own such as `VpcIpIsUsed`); the message says what was wrong, naming the parameter and value.
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** `Response` of a failed call: HTTP 200 with `Error` and `RequestId`, as Tencent answers. */
export function errorResponse(
  error: ApiError,
  requestId: string,
): { Response: { Error: { Code: string; Message: string }; RequestId: string } } {
  return { Response: { Error: { Code: error.code, Message: error.message }, RequestId: requestId } };
}

export const missingParameter = (name: string) =>
  new ApiError("MissingParameter", `The request is missing the required parameter \`${name}\`.`);

export const invalidParameterValue = (name: string, value: unknown, rule: string, code = "InvalidParameterValue") =>
  new ApiError(code, `The value ${JSON.stringify(value)} of parameter \`${name}\` is invalid: ${rule}.`);

export const notFound = (code: string, kind: string, id: string) => new ApiError(code, `The ${kind} \`${id}\` does not exist.`);
