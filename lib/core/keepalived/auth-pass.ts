import { MAX_AUTH_PASS_LENGTH } from "../limits";
import { AUTH_PASS_ALPHABET } from "./keepalived-limits";

/**
 * A random VRRP password of MAX_AUTH_PASS_LENGTH characters from AUTH_PASS_ALPHABET.
 * Pure: the caller passes the random source (e.g. `crypto.randomBytes`).
 * Bytes that would bias the choice (>= 248 with 62 letters) are drawn again.
 */
export function generateAuthPass(randomBytes: (n: number) => Uint8Array): string {
  const alphabetSize = AUTH_PASS_ALPHABET.length;
  const unbiasedLimit = 256 - (256 % alphabetSize);
  let password = "";
  for (let round = 0; password.length < MAX_AUTH_PASS_LENGTH; round++) {
    if (round > 1000) throw new Error("generateAuthPass: the random source keeps returning unusable bytes");
    for (const byte of randomBytes(MAX_AUTH_PASS_LENGTH)) {
      if (byte < unbiasedLimit && password.length < MAX_AUTH_PASS_LENGTH) password += AUTH_PASS_ALPHABET[byte % alphabetSize];
    }
  }
  return password;
}

/**
 * keepalived.conf splits words on whitespace, reads `#` and `!` as comment starts, `$` as a
 * parameter, `{` `}` as block marks and quotes as string delimiters, so a password holds none of them.
 */
export const AUTH_PASS_PATTERN = /^[A-Za-z0-9%&()*+,\-./:;<=>?@[\]^_|~]+$/;

export const AUTH_PASS_RULE_TEXT =
  "must be printable ASCII without whitespace, quotes, backslash or any of # ! $ { } (keepalived.conf reads them as comment, parameter or block syntax)";
