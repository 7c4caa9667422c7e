import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { ApiError } from "./api-error";

/** Tencent accepts a request signed at most five minutes before or after its own clock. */
export const SIGNATURE_MAX_SKEW_SECONDS = 300;

export interface SignedRequest {
  readonly method: string;
  /** Path and query as received, e.g. `/`. */
  readonly url: string;
  /** Header values by lower-case name. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
  /** The service the Host header names (`vpc`, `cvm`, ...). */
  readonly service: string;
}

export interface VerifiedCaller {
  readonly secretId: string;
}

/** What the request claims in its Authorization header, before anything is checked against a key. */
interface Authorization {
  readonly secretId: string;
  readonly date: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const AUTHORIZATION =
  /^TC3-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{4}-\d{2}-\d{2})\/([a-z0-9]+)\/tc3_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

function parseAuthorization(value: string | undefined): Authorization {
  if (value === undefined || value === "")
    throw new ApiError("AuthFailure.InvalidAuthorization", "The request has no Authorization header.");
  const match = AUTHORIZATION.exec(value.trim());
  if (!match) {
    throw new ApiError(
      "AuthFailure.InvalidAuthorization",
      "The Authorization header does not have the form `TC3-HMAC-SHA256 Credential=<SecretId>/<date>/<service>/tc3_request, SignedHeaders=<names>, Signature=<hex>`.",
    );
  }
  const [, secretId, date, service, signedHeaders, signature] = match;
  return { secretId, date, service, signedHeaders: signedHeaders.split(";"), signature };
}

const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, message: string) => createHmac("sha256", key).update(message, "utf8").digest();

/** TC3-HMAC-SHA256 as Tencent's "Signature v3" documents it: canonical request, string to sign, the HMAC chain. */
export function tc3Signature(
  request: SignedRequest,
  signedHeaders: readonly string[],
  timestamp: number,
  date: string,
  secretKey: string,
): string {
  const [path, query = ""] = request.url.split("?", 2);
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${(request.headers[name] ?? "").trim().toLowerCase()}\n`).join("");
  const payloadHash =
    request.headers["x-tc-content-sha256"] === "UNSIGNED-PAYLOAD" ? sha256Hex("UNSIGNED-PAYLOAD") : sha256Hex(request.body);
  const canonicalRequest = [request.method, path, query, canonicalHeaders, signedHeaders.join(";"), payloadHash].join("\n");
  const stringToSign = ["TC3-HMAC-SHA256", String(timestamp), `${date}/${request.service}/tc3_request`, sha256Hex(canonicalRequest)].join(
    "\n",
  );
  const signingKey = hmac(hmac(hmac(`TC3${secretKey}`, date), request.service), "tc3_request");
  return createHmac("sha256", signingKey).update(stringToSign, "utf8").digest("hex");
}

/**
 * Checks a request's TC3 signature against the accepted keys (SecretId -> SecretKey) and the
 * clock; throws the AuthFailure Tencent answers with. The payload unsigned
 * (`X-TC-Content-SHA256: UNSIGNED-PAYLOAD`) is accepted as Tencent accepts it.
 */
export function verifyTc3Signature(request: SignedRequest, secretKeys: ReadonlyMap<string, string>, nowSeconds: number): VerifiedCaller {
  const authorization = parseAuthorization(request.headers["authorization"]);
  const timestampText = request.headers["x-tc-timestamp"] ?? "";
  if (!/^\d+$/.test(timestampText)) {
    throw new ApiError("MissingParameter", "The request is missing the header X-TC-Timestamp (seconds since the epoch).");
  }
  const timestamp = Number(timestampText);
  if (Math.abs(nowSeconds - timestamp) > SIGNATURE_MAX_SKEW_SECONDS) {
    throw new ApiError(
      "AuthFailure.SignatureExpire",
      `The request was signed at ${timestamp}, more than ${SIGNATURE_MAX_SKEW_SECONDS} s from the server time ${nowSeconds}.`,
    );
  }
  if (!authorization.signedHeaders.includes("host") || !authorization.signedHeaders.includes("content-type")) {
    throw new ApiError("AuthFailure.InvalidAuthorization", "SignedHeaders must include content-type and host.");
  }
  if (authorization.service !== request.service) {
    throw new ApiError(
      "AuthFailure.SignatureFailure",
      `The credential scope names the service \`${authorization.service}\`, the Host header \`${request.service}\`.`,
    );
  }
  if (authorization.date !== new Date(timestamp * 1000).toISOString().slice(0, 10)) {
    throw new ApiError(
      "AuthFailure.SignatureFailure",
      `The credential scope date ${authorization.date} is not the UTC date of X-TC-Timestamp.`,
    );
  }
  const secretKey = secretKeys.get(authorization.secretId);
  if (secretKey === undefined)
    throw new ApiError("AuthFailure.SecretIdNotFound", "The SecretId of the request is not known to this endpoint.");
  const given = Buffer.from(authorization.signature, "hex");
  const matches = (signed: SignedRequest) =>
    timingSafeEqual(Buffer.from(tc3Signature(signed, authorization.signedHeaders, timestamp, authorization.date, secretKey), "hex"), given);
  // The Go SDK signs the Host header as sent; the Node SDK signs it without the port.
  const host = request.headers["host"] ?? "";
  const withoutPort = host.replace(/:\d+$/, "");
  if (!matches(request) && (withoutPort === host || !matches({ ...request, headers: { ...request.headers, host: withoutPort } }))) {
    throw new ApiError(
      "AuthFailure.SignatureFailure",
      "The request signature does not match the one computed with the SecretKey of this SecretId.",
    );
  }
  return { secretId: authorization.secretId };
}
