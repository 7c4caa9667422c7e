import ipaddr from "ipaddr.js";
import type { ClusterSpec, HealthCheck, HealthCheckTiming, KeepalivedSettings } from "./cluster-settings";
import {
  MAX_AUTH_PASS_LENGTH,
  MAX_VIPS_PER_ENI,
  PRIORITY_MAX,
  PRIORITY_MIN,
  VIRTUAL_ROUTER_ID_MAX,
  VIRTUAL_ROUTER_ID_MIN,
} from "./limits";
import { DEFAULT_HEALTH_CHECK, resolveHealthCheck } from "./resolve-keepalived-settings";
import type { SettingsProblem } from "./settings-error";
import { validateAdvertInt, validateServiceSettings } from "./validate-service-settings";
import { AUTH_PASS_PATTERN, AUTH_PASS_RULE_TEXT } from "./keepalived/auth-pass";
import { MAX_PROCESS_NAME_LENGTH } from "./keepalived/keepalived-limits";
import {
  INTERFACE_NAME_RULE,
  SAFE_ABSOLUTE_PATH_RULE,
  SCRIPT_USER_RULE,
  hasControlCharacter,
  isHostName,
  isInterfaceName,
  isSafeAbsolutePath,
  isScriptUser,
  showValue,
} from "./keepalived/setting-rules";

type Problems = SettingsProblem[];

function problem(field: string, value: unknown, rule: string): SettingsProblem {
  return { field, value: showValue(value), rule };
}

/** A whole number from `min` to `max`; `why` is appended to the rule. */
export function validateWholeNumber(value: unknown, field: string, min: number, max: number, why = ""): SettingsProblem[] {
  const ok = typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
  return ok ? [] : [problem(field, value, `must be a whole number from ${min} to ${max}${why}`)];
}

function checkInteger(problems: Problems, field: string, value: unknown, min: number, max: number, why = ""): void {
  problems.push(...validateWholeNumber(value, field, min, max, why));
}

function checkOptionalInteger(problems: Problems, field: string, value: unknown, min: number, max: number, why = ""): void {
  if (value !== undefined) checkInteger(problems, field, value, min, max, why);
}

function checkPath(problems: Problems, field: string, value: unknown): void {
  if (typeof value !== "string" || !isSafeAbsolutePath(value)) problems.push(problem(field, value, SAFE_ABSOLUTE_PATH_RULE));
}

function checkOptionalPath(problems: Problems, field: string, value: unknown): void {
  if (value !== undefined) checkPath(problems, field, value);
}

/** The VRRP PASS password; its value never appears in a message, only its length. */
export function validateAuthPass(authPass: unknown, field: string): SettingsProblem[] {
  if (typeof authPass !== "string") return [problem(field, typeof authPass, "must be a string")];
  const shown = `(${authPass.length} characters)`;
  if (authPass.length === 0) return [{ field, value: shown, rule: "must not be empty (leave it out to have one generated)" }];
  if (authPass.length > MAX_AUTH_PASS_LENGTH) {
    return [{ field, value: shown, rule: `is too long: Keepalived uses at most ${MAX_AUTH_PASS_LENGTH} characters and silently drops the rest` }];
  }
  if (!AUTH_PASS_PATTERN.test(authPass)) return [{ field, value: shown, rule: AUTH_PASS_RULE_TEXT }];
  return [];
}

const HEALTH_CHECK_KINDS: readonly HealthCheck["kind"][] = ["maintenance-flag", "process", "tcp-port", "http", "command"];
const HEALTH_CHECK_TIMINGS = ["intervalSeconds", "timeoutSeconds", "fall", "rise"] as const satisfies readonly (keyof HealthCheckTiming)[];
type TimingName = (typeof HEALTH_CHECK_TIMINGS)[number];

const SLOW_CHECK_OVERLAPS = "otherwise a slow check is still running when the next one starts";

/**
 * intervalSeconds > timeoutSeconds, reported on the field the user wrote and naming the other
 * value as the default when it was filled in.
 */
function checkTimingOrder(problems: Problems, field: string, interval: number, timeout: number, defaulted: ReadonlySet<TimingName>): void {
  if (interval > timeout) return;
  const shown = (name: TimingName, value: number) => (defaulted.has(name) ? `${value} (the default)` : `${value}`);
  if (defaulted.has("intervalSeconds") && !defaulted.has("timeoutSeconds")) {
    problems.push({
      field: `${field}.timeoutSeconds`,
      value: shown("timeoutSeconds", timeout),
      rule: `must be smaller than intervalSeconds ${shown("intervalSeconds", interval)}: ${SLOW_CHECK_OVERLAPS}`,
    });
    return;
  }
  problems.push({
    field: `${field}.intervalSeconds`,
    value: shown("intervalSeconds", interval),
    rule: `must be larger than timeoutSeconds ${shown("timeoutSeconds", timeout)}: ${SLOW_CHECK_OVERLAPS}`,
  });
}

/**
 * A health check as written by a user (timings optional) or resolved (timings present).
 * `requireTimings` makes missing timings a problem, for a resolved spec.
 */
export function validateHealthCheck(check: unknown, field: string, requireTimings = false): SettingsProblem[] {
  return healthCheckProblems(check, field, requireTimings, new Set());
}

/**
 * The health check Keepalived will run: the user's check with the timing defaults filled in, so
 * a timeout that only clashes with the default interval (or the reverse) is caught here too.
 */
function validateWrittenHealthCheck(check: HealthCheck | undefined, field: string): SettingsProblem[] {
  const written: unknown = check === undefined ? DEFAULT_HEALTH_CHECK : check;
  if (typeof written !== "object" || written === null) return validateHealthCheck(written, field);
  const defaulted = new Set(HEALTH_CHECK_TIMINGS.filter((name) => (written as Record<string, unknown>)[name] === undefined));
  return healthCheckProblems(resolveHealthCheck(written as HealthCheck), field, true, defaulted);
}

function healthCheckProblems(check: unknown, field: string, requireTimings: boolean, defaulted: ReadonlySet<TimingName>): SettingsProblem[] {
  const problems: Problems = [];
  if (typeof check !== "object" || check === null) return [problem(field, check, "must be an object with a kind")];
  const c = check as Record<string, unknown>;
  if (!HEALTH_CHECK_KINDS.includes(c.kind as HealthCheck["kind"])) {
    return [problem(`${field}.kind`, c.kind, `must be one of ${HEALTH_CHECK_KINDS.join(", ")}`)];
  }
  for (const name of HEALTH_CHECK_TIMINGS) {
    const value = c[name];
    if (value === undefined) {
      if (requireTimings) problems.push(problem(`${field}.${name}`, value, "is required in a resolved spec"));
      continue;
    }
    checkInteger(problems, `${field}.${name}`, value, 1, name === "fall" || name === "rise" ? 255 : 3600);
  }
  const interval = c.intervalSeconds;
  const timeout = c.timeoutSeconds;
  if (typeof interval === "number" && typeof timeout === "number") checkTimingOrder(problems, field, interval, timeout, defaulted);
  switch (c.kind) {
    case "maintenance-flag":
      checkOptionalPath(problems, `${field}.flagPath`, c.flagPath);
      break;
    case "process": {
      const name = c.processName;
      if (typeof name !== "string" || name.length === 0 || hasControlCharacter(name) || name.includes("/")) {
        problems.push(problem(`${field}.processName`, name, "must be a non-empty process name without control characters or /"));
      } else if (name.length > MAX_PROCESS_NAME_LENGTH) {
        problems.push(
          problem(
            `${field}.processName`,
            name,
            `is longer than ${MAX_PROCESS_NAME_LENGTH} characters: Linux keeps only the first ${MAX_PROCESS_NAME_LENGTH} of a process name, so it would never match (use a command check with pgrep -f instead)`,
          ),
        );
      }
      break;
    }
    case "tcp-port":
      checkInteger(problems, `${field}.port`, c.port, 1, 65535);
      if (c.host !== undefined && (typeof c.host !== "string" || !(ipaddr.IPv4.isValidFourPartDecimal(c.host) || isHostName(c.host)))) {
        problems.push(problem(`${field}.host`, c.host, "must be an IPv4 address or a host name"));
      }
      break;
    case "http":
      if (typeof c.url !== "string" || !isHttpUrl(c.url)) {
        problems.push(problem(`${field}.url`, c.url, "must be an http:// or https:// URL without spaces or control characters"));
      }
      break;
    case "command":
      if (typeof c.command !== "string" || c.command.trim().length === 0 || hasControlCharacter(c.command)) {
        problems.push(problem(`${field}.command`, c.command, "must be a non-empty one-line shell command"));
      }
      break;
  }
  return problems;
}

function isHttpUrl(text: string): boolean {
  if (!/^https?:\/\/\S+$/i.test(text) || hasControlCharacter(text)) return false;
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Every rule a user's KeepalivedSettings must meet; field names start with `field`. */
export function validateKeepalivedSettings(settings: KeepalivedSettings, field = "keepalived"): SettingsProblem[] {
  const problems: Problems = [];
  checkInteger(problems, `${field}.virtualRouterId`, settings.virtualRouterId, VIRTUAL_ROUTER_ID_MIN, VIRTUAL_ROUTER_ID_MAX, " (VRRP router id, unique per cluster in the VPC)");
  problems.push(...validateAdvertInt(settings.advertIntSeconds, `${field}.advertIntSeconds`));
  checkOptionalInteger(problems, `${field}.priority`, settings.priority, PRIORITY_MIN, PRIORITY_MAX, " (255 is reserved for an address owner)");
  if (settings.authPass !== undefined) problems.push(...validateAuthPass(settings.authPass, `${field}.authPass`));
  if (settings.interfaceName !== undefined && (typeof settings.interfaceName !== "string" || !isInterfaceName(settings.interfaceName))) {
    problems.push(problem(`${field}.interfaceName`, settings.interfaceName, INTERFACE_NAME_RULE));
  }
  problems.push(...validateWrittenHealthCheck(settings.healthCheck, `${field}.healthCheck`));
  checkOptionalPath(problems, `${field}.notifyLogPath`, settings.notifyLogPath);
  if (settings.scriptUser !== undefined && (typeof settings.scriptUser !== "string" || !isScriptUser(settings.scriptUser))) {
    problems.push(problem(`${field}.scriptUser`, settings.scriptUser, SCRIPT_USER_RULE));
  }
  problems.push(...validateServiceSettings(settings as unknown as Record<string, unknown>, field));
  return problems;
}

function parseIpv4(text: unknown): ipaddr.IPv4 | undefined {
  return typeof text === "string" && ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text) : undefined;
}

/**
 * A resolved ClusterSpec (e.g. read back from a stack output): the Keepalived rules above with
 * every field required, plus 1..MAX_VIPS_PER_ENI distinct IPv4 VIPs, two nodes with distinct
 * private IPs that are not VIPs, and all of them inside one subnet of subnetPrefixLength.
 */
export function validateClusterSpec(spec: ClusterSpec, field = "spec"): SettingsProblem[] {
  const problems: Problems = [];
  const s = spec as unknown as Record<string, unknown>;
  if (s.specVersion !== 1) problems.push(problem(`${field}.specVersion`, s.specVersion, "must be 1"));
  if (typeof s.clusterName !== "string" || s.clusterName.length === 0 || hasControlCharacter(s.clusterName)) {
    problems.push(problem(`${field}.clusterName`, s.clusterName, "must be a non-empty name"));
  }
  checkInteger(problems, `${field}.virtualRouterId`, s.virtualRouterId, VIRTUAL_ROUTER_ID_MIN, VIRTUAL_ROUTER_ID_MAX, " (VRRP router id, unique per cluster in the VPC)");
  problems.push(...validateAdvertInt(s.advertIntSeconds, `${field}.advertIntSeconds`, true));
  checkInteger(problems, `${field}.priority`, s.priority, PRIORITY_MIN, PRIORITY_MAX, " (255 is reserved for an address owner)");
  if (typeof s.interfaceName !== "string" || !isInterfaceName(s.interfaceName)) {
    problems.push(problem(`${field}.interfaceName`, s.interfaceName, INTERFACE_NAME_RULE));
  }
  problems.push(...validateHealthCheck(s.healthCheck, `${field}.healthCheck`, true));
  checkPath(problems, `${field}.notifyLogPath`, s.notifyLogPath);
  if (typeof s.scriptUser !== "string" || !isScriptUser(s.scriptUser)) {
    problems.push(problem(`${field}.scriptUser`, s.scriptUser, SCRIPT_USER_RULE));
  }
  if (s.authPass !== undefined) problems.push(...validateAuthPass(s.authPass, `${field}.authPass`));
  problems.push(...validateServiceSettings(s, field, true));

  const prefixLength = s.subnetPrefixLength;
  checkInteger(problems, `${field}.subnetPrefixLength`, prefixLength, 1, 32);
  const prefixOk = typeof prefixLength === "number" && Number.isInteger(prefixLength) && prefixLength >= 1 && prefixLength <= 32;

  const vips = Array.isArray(s.vips) ? (s.vips as unknown[]) : undefined;
  if (!vips || vips.length < 1 || vips.length > MAX_VIPS_PER_ENI) {
    problems.push({
      field: `${field}.vips`,
      value: vips ? `(${vips.length} addresses)` : showValue(s.vips),
      rule: `must hold 1 to ${MAX_VIPS_PER_ENI} addresses (Tencent Cloud binds at most ${MAX_VIPS_PER_ENI} HAVIPs to one ENI)`,
    });
  }
  const parsedVips: { index: number; text: string; address: ipaddr.IPv4 }[] = [];
  (vips ?? []).forEach((vip, index) => {
    const address = parseIpv4(vip);
    if (!address) {
      problems.push(problem(`${field}.vips[${index}]`, vip, "must be an IPv4 address in dotted decimal"));
      return;
    }
    const earlier = parsedVips.find((other) => other.text === address.toString());
    if (earlier) problems.push(problem(`${field}.vips[${index}]`, vip, `repeats vips[${earlier.index}]`));
    parsedVips.push({ index, text: address.toString(), address });
  });

  const nodes = Array.isArray(s.nodes) ? (s.nodes as unknown[]) : undefined;
  if (!nodes || nodes.length !== 2) {
    problems.push({ field: `${field}.nodes`, value: nodes ? `(${nodes.length} nodes)` : showValue(s.nodes), rule: "must hold exactly two nodes" });
  }
  const nodeAddresses: { index: number; address: ipaddr.IPv4 }[] = [];
  const nodeNames: string[] = [];
  (nodes ?? []).forEach((node, index) => {
    const n = (typeof node === "object" && node !== null ? node : {}) as Record<string, unknown>;
    const nodeField = `${field}.nodes[${index}]`;
    if (typeof n.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(n.name)) {
      problems.push(problem(`${nodeField}.name`, n.name, "must be a name of letters, digits, _ and - (e.g. primary)"));
    } else if (nodeNames.includes(n.name)) {
      problems.push(problem(`${nodeField}.name`, n.name, "repeats the other node's name"));
    } else {
      nodeNames.push(n.name);
    }
    if (typeof n.sshHost !== "string" || !/^[A-Za-z0-9.:_-]+$/.test(n.sshHost)) {
      problems.push(problem(`${nodeField}.sshHost`, n.sshHost, "must be a host name or IP address the provisioner can reach over SSH"));
    }
    if (n.sshPort !== undefined) checkInteger(problems, `${nodeField}.sshPort`, n.sshPort, 1, 65535);
    const address = parseIpv4(n.privateIp);
    if (!address) {
      problems.push(problem(`${nodeField}.privateIp`, n.privateIp, "must be an IPv4 address in dotted decimal"));
      return;
    }
    if (nodeAddresses.some((other) => other.address.toString() === address.toString())) {
      problems.push(problem(`${nodeField}.privateIp`, n.privateIp, "is the other node's address too: the two nodes need distinct private IPs"));
    }
    if (parsedVips.some((vip) => vip.text === address.toString())) {
      problems.push(problem(`${nodeField}.privateIp`, n.privateIp, "is also a VIP: a node's own address cannot float"));
    }
    nodeAddresses.push({ index, address });
  });

  problems.push(...validateSshSettings(s.ssh, `${field}.ssh`), ...validateKeepalivedSource(s.keepalivedSource, `${field}.keepalivedSource`));

  if (prefixOk && nodeAddresses.length > 0) {
    const anchor = nodeAddresses[0].address;
    const subnet = `${ipaddr.IPv4.networkAddressFromCIDR(`${anchor.toString()}/${prefixLength}`).toString()}/${prefixLength}`;
    nodeAddresses.slice(1).forEach(({ index, address }) => {
      if (!address.match(anchor, prefixLength)) {
        problems.push(problem(`${field}.nodes[${index}].privateIp`, address.toString(), `is outside subnet ${subnet} of nodes[${nodeAddresses[0].index}]`));
      }
    });
    parsedVips.forEach((vip) => {
      if (!vip.address.match(anchor, prefixLength)) {
        problems.push(problem(`${field}.vips[${vip.index}]`, vip.text, `is outside subnet ${subnet} of the nodes`));
      }
    });
  }
  return problems;
}

/** How the provisioner reaches the nodes: a user name, non-empty paths, and trust-on-first-use only with a known_hosts file. */
export function validateSshSettings(ssh: unknown, field: string): SettingsProblem[] {
  if (typeof ssh !== "object" || ssh === null) return [problem(field, ssh, "must be an object (use {} for the defaults)")];
  const settings = ssh as Record<string, unknown>;
  const problems: Problems = [];
  if (settings.user !== undefined && (typeof settings.user !== "string" || !/^[a-z_][a-z0-9_-]*$/i.test(settings.user))) {
    problems.push(problem(`${field}.user`, settings.user, "must be a user name"));
  }
  for (const key of ["privateKeyPath", "knownHostsPath"]) {
    if (settings[key] !== undefined && (typeof settings[key] !== "string" || (settings[key] as string).length === 0)) {
      problems.push(problem(`${field}.${key}`, settings[key], "must be a file path"));
    }
  }
  if (settings.trustOnFirstUse !== undefined && typeof settings.trustOnFirstUse !== "boolean") {
    problems.push(problem(`${field}.trustOnFirstUse`, settings.trustOnFirstUse, "must be true or false"));
  }
  // The provisioner only trusts a first-seen key it can record; without a file it would silently refuse.
  if (settings.trustOnFirstUse === true && settings.knownHostsPath === undefined) {
    problems.push(problem(`${field}.trustOnFirstUse`, true, `needs ${field}.knownHostsPath: the first-seen host keys are recorded there`));
  }
  problems.push(...validateHostKeyFingerprints(settings.hostKeyFingerprints, `${field}.hostKeyFingerprints`));
  problems.push(...validateJumpHost(settings.jumpHost, `${field}.jumpHost`));
  return problems;
}

/** `SHA256:` and 43 base64 characters, as `ssh-keygen -lf` prints a fingerprint. */
const SHA256_FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

function validateHostKeyFingerprints(fingerprints: unknown, field: string): SettingsProblem[] {
  if (fingerprints === undefined) return [];
  if (typeof fingerprints !== "object" || fingerprints === null) return [problem(field, fingerprints, "must map SSH hosts to fingerprints")];
  return Object.entries(fingerprints as Record<string, unknown>)
    .filter(([, fingerprint]) => typeof fingerprint !== "string" || !SHA256_FINGERPRINT.test(fingerprint))
    .map(([host, fingerprint]) => problem(`${field}["${host}"]`, fingerprint, "must be a SHA256:... fingerprint as `ssh-keygen -lf` prints it"));
}

function validateJumpHost(jumpHost: unknown, field: string): SettingsProblem[] {
  if (jumpHost === undefined) return [];
  if (typeof jumpHost !== "object" || jumpHost === null) return [problem(field, jumpHost, "must be { host, port?, user? }")];
  const jump = jumpHost as Record<string, unknown>;
  const problems: Problems = [];
  if (typeof jump.host !== "string" || !/^[A-Za-z0-9.:_-]+$/.test(jump.host)) {
    problems.push(problem(`${field}.host`, jump.host, "must be a host name or IP address"));
  }
  if (jump.port !== undefined) problems.push(...validateWholeNumber(jump.port, `${field}.port`, 1, 65535));
  if (jump.user !== undefined && (typeof jump.user !== "string" || !/^[a-z_][a-z0-9_-]*$/i.test(jump.user))) {
    problems.push(problem(`${field}.user`, jump.user, "must be a user name"));
  }
  return problems;
}

/**
 * The source tarball fallback: an https URL and its SHA-256 for `sha256sum -c`. One spelling,
 * lowercase as `sha256sum` prints it, for the construct and a spec read back alike.
 */
export function validateKeepalivedSource(source: unknown, field: string): SettingsProblem[] {
  if (source === undefined) return [];
  const s = (typeof source === "object" && source !== null ? source : {}) as Record<string, unknown>;
  const problems: Problems = [];
  if (typeof s.url !== "string" || !/^https:\/\/[^\s]+$/.test(s.url)) problems.push(problem(`${field}.url`, s.url, "must be an https:// URL"));
  if (typeof s.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(s.sha256)) {
    problems.push(problem(`${field}.sha256`, s.sha256, "must be 64 lowercase hex digits (the tarball's SHA-256 as sha256sum prints it)"));
  }
  return problems;
}
