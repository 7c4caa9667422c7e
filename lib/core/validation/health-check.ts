import ipaddr from "ipaddr.js";
import type { HealthCheck, HealthCheckTiming } from "../cluster-settings";
import type { SettingsProblem } from "../settings-error";
import { MAX_PROCESS_NAME_LENGTH } from "../keepalived/keepalived-limits";
import { SAFE_ABSOLUTE_PATH_RULE, hasControlCharacter, isHostName, isSafeAbsolutePath } from "../keepalived/setting-rules";
import { DEFAULT_HEALTH_CHECK, resolveHealthCheck } from "../resolve-keepalived-settings";
import { type FieldRule, type RuleTable, checkFields, checkRequired, oneOfRule, problem, textRule, wholeNumberRule } from "./field-rule";
import { PORT_RULE } from "./network-rules";
import { isPlainObject } from "./show-value";
import { unknownKeyProblems } from "./unknown-keys";

const HEALTH_CHECK_KINDS: readonly HealthCheck["kind"][] = ["maintenance-flag", "process", "tcp-port", "http", "command"];
const KIND_RULE = oneOfRule(HEALTH_CHECK_KINDS);

const TIMING_RULES = {
  intervalSeconds: wholeNumberRule(1, 3600),
  timeoutSeconds: wholeNumberRule(1, 3600),
  fall: wholeNumberRule(1, 255),
  rise: wholeNumberRule(1, 255),
} as const satisfies RuleTable<keyof HealthCheckTiming>;
type TimingName = keyof typeof TIMING_RULES;
const TIMING_NAMES = Object.keys(TIMING_RULES) as TimingName[];

const PROCESS_NAME_RULE = "must be a non-empty process name without control characters or /";
const PROCESS_NAME: FieldRule = {
  rule: PROCESS_NAME_RULE,
  check(name, field) {
    if (typeof name !== "string" || name.length === 0 || hasControlCharacter(name) || name.includes("/"))
      return [problem(field, name, PROCESS_NAME_RULE)];
    if (name.length <= MAX_PROCESS_NAME_LENGTH) return [];
    return [
      problem(
        field,
        name,
        `is longer than ${MAX_PROCESS_NAME_LENGTH} characters: Linux keeps only the first ${MAX_PROCESS_NAME_LENGTH} of a process name, so it would never match (use a command check with pgrep -f instead)`,
      ),
    ];
  },
};

function isHttpUrl(text: string): boolean {
  if (!/^https?:\/\/\S+$/i.test(text) || hasControlCharacter(text)) return false;
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** The keys one kind of health check adds to `kind` and the timings. */
type KindKeys<K extends HealthCheck["kind"]> = Exclude<keyof Extract<HealthCheck, { kind: K }>, "kind" | keyof HealthCheckTiming> & string;

/**
 * The fields each kind adds to the timings, one rule each (the compiler refuses a kind's table that
 * misses one of its type's keys or names another); required ones are listed in `required`.
 */
const KIND_RULES: {
  readonly [kind in HealthCheck["kind"]]: { readonly table: RuleTable<KindKeys<kind>>; readonly required: readonly KindKeys<kind>[] };
} = {
  "maintenance-flag": { table: { flagPath: textRule(SAFE_ABSOLUTE_PATH_RULE, isSafeAbsolutePath) }, required: [] },
  process: { table: { processName: PROCESS_NAME }, required: ["processName"] },
  "tcp-port": {
    table: {
      port: PORT_RULE,
      host: textRule("must be an IPv4 address or a host name", (host) => ipaddr.IPv4.isValidFourPartDecimal(host) || isHostName(host)),
    },
    required: ["port"],
  },
  http: {
    table: { url: textRule("must be an http:// or https:// URL without spaces or control characters", isHttpUrl) },
    required: ["url"],
  },
  command: {
    table: {
      command: textRule(
        "must be a non-empty one-line shell command",
        (command) => command.trim().length > 0 && !hasControlCharacter(command),
      ),
    },
    required: ["command"],
  },
};

const SLOW_CHECK_OVERLAPS = "otherwise a slow check is still running when the next one starts";

/**
 * intervalSeconds > timeoutSeconds, reported on the field the user wrote and naming the other
 * value as the default when it was filled in.
 */
function timingOrderProblems(field: string, interval: number, timeout: number, defaulted: ReadonlySet<TimingName>): SettingsProblem[] {
  if (interval > timeout) return [];
  const shown = (name: TimingName, value: number) => (defaulted.has(name) ? `${value} (the default)` : `${value}`);
  if (defaulted.has("intervalSeconds") && !defaulted.has("timeoutSeconds")) {
    return [
      {
        field: `${field}.timeoutSeconds`,
        value: shown("timeoutSeconds", timeout),
        rule: `must be smaller than intervalSeconds ${shown("intervalSeconds", interval)}: ${SLOW_CHECK_OVERLAPS}`,
      },
    ];
  }
  return [
    {
      field: `${field}.intervalSeconds`,
      value: shown("intervalSeconds", interval),
      rule: `must be larger than timeoutSeconds ${shown("timeoutSeconds", timeout)}: ${SLOW_CHECK_OVERLAPS}`,
    },
  ];
}

function healthCheckProblems(
  check: unknown,
  field: string,
  requireTimings: boolean,
  defaulted: ReadonlySet<TimingName>,
): SettingsProblem[] {
  if (!isPlainObject(check)) return [problem(field, check, "must be an object with a kind")];
  const kindProblems = checkRequired(KIND_RULE, check.kind, `${field}.kind`);
  if (kindProblems.length > 0) return kindProblems;
  const kind = KIND_RULES[check.kind as HealthCheck["kind"]] as { readonly table: RuleTable; readonly required: readonly string[] };
  const problems = [
    ...unknownKeyProblems(check, ["kind", ...TIMING_NAMES, ...Object.keys(kind.table)], field),
    ...(requireTimings
      ? TIMING_NAMES.flatMap((name) =>
          check[name] === undefined ? [problem(`${field}.${name}`, undefined, "is required in a resolved spec")] : [],
        )
      : []),
    ...checkFields(check, TIMING_RULES, field),
  ];
  const { intervalSeconds: interval, timeoutSeconds: timeout } = check;
  if (typeof interval === "number" && typeof timeout === "number")
    problems.push(...timingOrderProblems(field, interval, timeout, defaulted));
  return [...problems, ...checkFields(check, kind.table, field, kind.required)];
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
export function validateWrittenHealthCheck(check: unknown, field: string): SettingsProblem[] {
  const written: unknown = check === undefined ? DEFAULT_HEALTH_CHECK : check;
  if (!isPlainObject(written) || !HEALTH_CHECK_KINDS.includes(written.kind as HealthCheck["kind"]))
    return validateHealthCheck(written, field);
  const defaulted = new Set(TIMING_NAMES.filter((name) => written[name] === undefined));
  return healthCheckProblems(resolveHealthCheck(written as unknown as HealthCheck), field, true, defaulted);
}
