import { KEEPALIVED_CONFIG_TEST_SINCE } from "../limits";
import { quoteShellWord } from "../shell-word";
import { compareKeepalivedVersions } from "./keepalived-version";

/**
 * How `keepalived -t` behaves differs by release; every fact below was measured on Debian's
 * builds (bullseye 2.1.5, bookworm 2.2.7, trixie 2.3.3) with this project's renderings, or taken
 * from the upstream ChangeLog where noted.
 */

/** `-e` (`--config-fail`: a missing file is an error) is an option from 2.2.0; 2.1.5 answers "Unknown option -e", exit 1. */
export const CONFIG_FAIL_OPTION_SINCE = "2.2.0";

/**
 * Before 2.2.0 `-t` exits 0 for almost every error it prints (2.1.5: unknown keyword,
 * `vrrp_garp_interval '0' is invalid`, an insecure script, a missing script_security), so the
 * verdict reads its output there; a good configuration prints nothing on every release.
 */
export const CONFIG_TEST_EXIT_STATUS_RELIABLE_SINCE = CONFIG_FAIL_OPTION_SINCE;

/**
 * 2.2.5 to 2.2.7: `-t` kills itself (SIGTERM, exit 143) when it drops to a non-root `script_user`
 * to check the scripts (acassen/keepalived#2587; introduced in 2.2.5, fixed in 2.2.8; 2.1.5 and
 * 2.3.3 measured fine).
 */
export const CONFIG_TEST_SCRIPT_USER_BUG = { since: "2.2.5", fixedIn: "2.2.8" } as const;

/** What each `keepalived -t` exit status means, by release range. */
const EXIT_MEANINGS_BEFORE_2_2: Readonly<Record<number, string>> = {
  3: "the configuration file was not found",
  4: "the configuration has errors",
  5: "a script security violation",
};
const EXIT_MEANINGS_FROM_2_2: Readonly<Record<number, string>> = {
  4: "the configuration file was not found",
  5: "the configuration has errors or warnings",
  6: "a script security violation",
};
/** Exit status the command's own existence check uses where Keepalived cannot be asked (< 2.2.0). */
const MISSING_FILE_EXIT_BEFORE_2_2 = 3;

function atLeast(version: string, since: string): boolean {
  return compareKeepalivedVersions(version, since) >= 0;
}

/** Whether this Keepalived can check a configuration without running it (`-t` reports errors from 2.0.5). */
export function keepalivedHasConfigTest(version: string): boolean {
  return atLeast(version, KEEPALIVED_CONFIG_TEST_SINCE);
}

/** Whether this release's `-t` dies on a non-root `script_user`, so the check must render the scripts for root. */
export function configTestNeedsRootScriptUser(version: string): boolean {
  return atLeast(version, CONFIG_TEST_SCRIPT_USER_BUG.since) && !atLeast(version, CONFIG_TEST_SCRIPT_USER_BUG.fixedIn);
}

/**
 * The shell command that checks `configPath` with the node's Keepalived, its output (stdout and
 * stderr) on stdout. From 2.2.0 `-e` makes a missing file an error (without it: exit 0); before,
 * the command checks that the file exists itself.
 */
export function configTestCommand(version: string, configPath: string): string {
  if (!keepalivedHasConfigTest(version)) {
    throw new Error(`Keepalived ${version} has no config test (keepalived -t reports errors from ${KEEPALIVED_CONFIG_TEST_SINCE})`);
  }
  const path = quoteShellWord(configPath);
  if (atLeast(version, CONFIG_FAIL_OPTION_SINCE)) return `keepalived -t -e -l -f ${path} </dev/null 2>&1`;
  return (
    `if [ ! -f ${path} ]; then echo "Configuration file "${path}" does not exist"; exit ${MISSING_FILE_EXIT_BEFORE_2_2}; fi; ` +
    `keepalived -t -l -f ${path} </dev/null 2>&1`
  );
}

export interface ConfigTestRun {
  /** Exit status; null when the command did not finish (signal, lost connection). */
  readonly code: number | null;
  /** Everything the command printed. */
  readonly output: string;
}

export type ConfigTestVerdict =
  { readonly accepted: true } | { readonly accepted: false; readonly reason: string; readonly output: string };

const SIGNAL_NAMES: Readonly<Record<number, string>> = {
  1: "SIGHUP",
  2: "SIGINT",
  6: "SIGABRT",
  9: "SIGKILL",
  11: "SIGSEGV",
  15: "SIGTERM",
};

function exitMeaning(version: string, code: number): string {
  const known = (atLeast(version, CONFIG_FAIL_OPTION_SINCE) ? EXIT_MEANINGS_FROM_2_2 : EXIT_MEANINGS_BEFORE_2_2)[code];
  if (known) return known;
  if (code === 1) return "Keepalived refused the command line";
  if (code === 124) return "keepalived -t did not finish in time";
  if (code > 128 && code < 160) {
    const signal = code - 128;
    return `keepalived -t was killed by ${SIGNAL_NAMES[signal] ?? `signal ${signal}`}`;
  }
  return "keepalived -t failed";
}

/** Reads the result of `configTestCommand(version, …)` as Keepalived `version` means it. */
export function configTestVerdict(version: string, run: ConfigTestRun): ConfigTestVerdict {
  const output = run.output.trim();
  if (run.code === null) return { accepted: false, reason: "keepalived -t did not finish (no exit status)", output };
  if (run.code !== 0) return { accepted: false, reason: `${exitMeaning(version, run.code)} (exit ${run.code})`, output };
  if (output !== "" && !atLeast(version, CONFIG_TEST_EXIT_STATUS_RELIABLE_SINCE)) {
    return {
      accepted: false,
      reason: `Keepalived ${version} reported problems (before ${CONFIG_TEST_EXIT_STATUS_RELIABLE_SINCE} keepalived -t exits 0 for most errors, so any output rejects)`,
      output,
    };
  }
  return { accepted: true };
}
