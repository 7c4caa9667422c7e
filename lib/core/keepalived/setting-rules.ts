import { MAX_INTERFACE_NAME_LENGTH, MAX_SCRIPT_USER_LENGTH } from "./keepalived-limits";

/**
 * Absolute paths made of letters, digits and `._+@:-`: safe unquoted in keepalived.conf (which
 * splits on spaces) and in a logrotate rule (which has no escape for a newline).
 */
const SAFE_ABSOLUTE_PATH = /^(\/[A-Za-z0-9._+@:-]+)+$/;

export function isSafeAbsolutePath(path: string): boolean {
  return SAFE_ABSOLUTE_PATH.test(path) && !path.split("/").some((segment) => segment === "." || segment === "..");
}

export const SAFE_ABSOLUTE_PATH_RULE =
  "must be an absolute path of letters, digits and . _ + @ : - (no spaces, quotes, . or .. segments, or trailing /)";

const INTERFACE_NAME = new RegExp(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,${MAX_INTERFACE_NAME_LENGTH - 1}}$`);

export function isInterfaceName(name: string): boolean {
  return INTERFACE_NAME.test(name);
}

export const INTERFACE_NAME_RULE = `must be a Linux interface name: 1-${MAX_INTERFACE_NAME_LENGTH} letters, digits, _ . - (e.g. eth0, ens5, eth0.100)`;

const SCRIPT_USER = new RegExp(`^[a-z_][a-z0-9_-]{0,${MAX_SCRIPT_USER_LENGTH - 1}}$`);

export function isScriptUser(user: string): boolean {
  return SCRIPT_USER.test(user);
}

export const SCRIPT_USER_RULE = `must be a user name: lower-case letter or _ then up to ${MAX_SCRIPT_USER_LENGTH - 1} of a-z 0-9 _ -`;

/** A DNS name (letters, digits, hyphens, dots); IPv4 literals are checked separately. */
export function isHostName(host: string): boolean {
  return host.length <= 253 && host.split(".").every((label) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label));
}

/** Control characters (including newline and NUL) have no place in a one-line setting. */
export function hasControlCharacter(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(text);
}
