import { MIN_KEEPALIVED_VERSION } from "../limits";

/**
 * Reads the version from `keepalived --version` output (Keepalived prints it to stderr).
 * 1.x: `Keepalived v1.3.5 (03/19,2017), git commit v1.3.5-6-g6fa32f2`; 2.x: `Keepalived v2.2.7 (01/16,2022)`.
 * @returns e.g. "1.3.5", or undefined when the output holds no version.
 */
export function parseKeepalivedVersion(output: string): string | undefined {
  const match = /Keepalived v(\d+)\.(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  return `${Number(match[1])}.${Number(match[2])}.${Number(match[3] ?? "0")}`;
}

function versionParts(version: string): [number, number, number] {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(version.trim());
  if (!match) throw new Error(`Keepalived version ${JSON.stringify(version)} is not of the form MAJOR.MINOR.PATCH`);
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? "0")];
}

export function isKeepalivedVersion(version: string): boolean {
  return /^\d+\.\d+(?:\.\d+)?$/.test(version.trim());
}

/** Negative when a is older than b, 0 when equal, positive when newer. Throws on a malformed version. */
export function compareKeepalivedVersions(a: string, b: string): number {
  const left = versionParts(a);
  const right = versionParts(b);
  for (let i = 0; i < 3; i++) {
    if (left[i] !== right[i]) return left[i] - right[i];
  }
  return 0;
}

/** True for a well-formed version at or after MIN_KEEPALIVED_VERSION. */
export function isSupportedKeepalivedVersion(version: string): boolean {
  return isKeepalivedVersion(version) && compareKeepalivedVersions(version, MIN_KEEPALIVED_VERSION) >= 0;
}

/**
 * The first Keepalived release that knows each optional keyword we emit, from the upstream ChangeLog.
 * A running Keepalived logs an unknown keyword and ignores it (the setting silently does not
 * apply); only the config test fails on it. So a keyword older targets lack is left out.
 */
export const KEEPALIVED_KEYWORD_SINCE = {
  /** "Make running scripts more secure" (1.3.0). */
  enable_script_security: "1.3.0",
  script_user: "1.3.0",
  /** "Allow gratuitous ARP parameters to be configured globally" (1.2.20). */
  vrrp_garp_master_repeat: "1.2.20",
  /** "Create configuration alias for unicast_src_ip keyword" (1.2.10); unicast_peer is from 1.2.8. */
  unicast_src_ip: "1.2.10",
  /** "periodic gratuitous ARP ... keyword garp_master_refresh" (1.2.10). */
  garp_master_refresh: "1.2.10",
  /** "Added a separate timeout parameter for vrrp_script checks" (1.2.6). */
  vrrp_script_timeout: "1.2.6",
  /** notify_stop exists since 1.1.13. */
  notify_stop: "1.1.13",
} as const;

export type KeepalivedKeyword = keyof typeof KEEPALIVED_KEYWORD_SINCE;

export function keepalivedSupports(version: string, keyword: KeepalivedKeyword): boolean {
  return compareKeepalivedVersions(version, KEEPALIVED_KEYWORD_SINCE[keyword]) >= 0;
}
