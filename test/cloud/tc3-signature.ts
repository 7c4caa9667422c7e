import { createHash, createHmac } from "crypto";

/**
 * Tencent Cloud API signature v3 (TC3-HMAC-SHA256), written from Tencent's documentation,
 * independently of the SDK: canonical request -> string to sign -> HMAC chain.
 */
export function tc3Signature(input: {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  /** Lower-case names of the signed headers, in SignedHeaders order. */
  readonly signedHeaders: readonly string[];
  /** Values of the signed headers by lower-case name. */
  readonly headerValues: Readonly<Record<string, string>>;
  readonly body: string;
  readonly service: string;
  readonly timestamp: number;
  readonly secretKey: string;
}): string {
  const canonicalHeaders = input.signedHeaders.map((name) => `${name}:${input.headerValues[name].trim().toLowerCase()}\n`).join("");
  const canonicalRequest = [
    input.method,
    input.path,
    input.query,
    canonicalHeaders,
    input.signedHeaders.join(";"),
    sha256Hex(input.body),
  ].join("\n");
  const date = new Date(input.timestamp * 1000).toISOString().slice(0, 10);
  const stringToSign = [
    "TC3-HMAC-SHA256",
    String(input.timestamp),
    `${date}/${input.service}/tc3_request`,
    sha256Hex(canonicalRequest),
  ].join("\n");
  const secretDate = hmac(`TC3${input.secretKey}`, date);
  const secretService = hmac(secretDate, input.service);
  const secretSigning = hmac(secretService, "tc3_request");
  return createHmac("sha256", secretSigning).update(stringToSign).digest("hex");
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function hmac(key: string | Buffer, message: string): Buffer {
  return createHmac("sha256", key).update(message, "utf8").digest();
}
