import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { SettingsError } from "../lib/core/settings-error";
import { sshKeyFileProblems } from "../lib/spec/ssh-key-file";
import { type ExampleAppConfig, parseExampleConfig } from "./example-config";
import { DEFAULT_KNOWN_HOSTS_FILE } from "./example-stack";

export const DEFAULT_CONFIG_FILE = "havip-cluster.config.json";

/** `~/x` -> `$HOME/x`; other paths are resolved against `baseDir`. */
export function expandPath(path: string, baseDir: string): string {
  return path === "~" || path.startsWith("~/") ? resolve(homedir(), path.slice(2)) : resolve(baseDir, path);
}

/** `keys/id (/srv/app/keys/id)`: a path as written in the config file, and the file it names when that reads differently. */
function bothForms(written: string, resolved: string): string {
  return written === resolved ? written : `${written} (${resolved})`;
}

/**
 * A path of the config file as the cluster's spec should carry it: the same for every operator's
 * checkout, so Terraform never sees a difference between their deploys. `~/` stays (each operator's
 * own home, expanded where the provisioner runs); a relative path, relative to the config file's
 * folder, becomes relative to `workDir` (where cdktf runs, and where its local-execs run) when the
 * file lies below it, else absolute.
 */
export function portablePath(written: string, configDir: string, workDir: string): string {
  if (written === "~" || written.startsWith("~/") || isAbsolute(written)) return written;
  const absolute = resolve(configDir, written);
  const fromWorkDir = relative(workDir, absolute);
  return fromWorkDir !== "" && !fromWorkDir.startsWith("..") && !isAbsolute(fromWorkDir) ? fromWorkDir : absolute;
}

export interface ExampleConfigOptions {
  /** The config file; relative to `baseDir`. @default havip-cluster.config.json, when it exists */
  readonly path?: string;
  /** Where cdktf runs (the working directory). */
  readonly baseDir: string;
}

/**
 * Reads the config file when it exists (an explicitly named one must exist), inlines the public
 * key from `sshPublicKeyFile`, and resolves its paths against the file's own folder. No file: the
 * empty config, i.e. the guide's defaults.
 */
export function loadExampleConfig(options: ExampleConfigOptions): ExampleAppConfig {
  const path = expandPath(options.path ?? DEFAULT_CONFIG_FILE, options.baseDir);
  if (!existsSync(path)) {
    if (options.path === undefined) return withPortableSshPaths({}, options.baseDir, options.baseDir);
    throw new SettingsError("example app", [{ field: "config file", value: bothForms(options.path, path), rule: "does not exist" }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new SettingsError(path, [{ field: "(config file)", value: path, rule: `is not valid JSON: ${(error as Error).message}` }]);
  }
  const configDir = dirname(path);
  const config = withPortableSshPaths(parseExampleConfig(raw, path), configDir, options.baseDir);
  checkPrivateKeyFile(config, raw, configDir, path);
  if (config.sshPublicKeyFile === undefined) return config;
  const keyPath = expandPath(config.sshPublicKeyFile, configDir);
  if (!existsSync(keyPath)) {
    throw new SettingsError(path, [
      {
        field: "sshPublicKeyFile",
        value: bothForms(config.sshPublicKeyFile, keyPath),
        rule: "does not exist (relative paths are read from the config file's folder)",
      },
    ]);
  }
  return { ...config, sshPublicKey: readFileSync(keyPath, "utf8").trim() };
}

/**
 * The SSH paths of the config made portable (see portablePath); the known_hosts file defaults to
 * `.havip/known_hosts` beside the config file.
 */
export function withPortableSshPaths(config: ExampleAppConfig, configDir: string, workDir: string): ExampleAppConfig {
  const ssh = config.ssh ?? {};
  return {
    ...config,
    ssh: {
      ...ssh,
      ...(ssh.privateKeyPath !== undefined ? { privateKeyPath: portablePath(ssh.privateKeyPath, configDir, workDir) } : {}),
      knownHostsPath: portablePath(ssh.knownHostsPath ?? DEFAULT_KNOWN_HOSTS_FILE, configDir, workDir),
    },
  };
}

/** The construct checks the key file too, but only the config knows the path as written in it. */
function checkPrivateKeyFile(config: ExampleAppConfig, raw: unknown, configDir: string, source: string): void {
  const written = (raw as { ssh?: { privateKeyPath?: string } }).ssh?.privateKeyPath;
  if (config.provisionOnDeploy === false || written === undefined) return;
  const resolved = expandPath(written, configDir);
  const problems = sshKeyFileProblems({ privateKeyPath: resolved }, "ssh").map((problem) => ({
    ...problem,
    value: bothForms(written, resolved),
  }));
  if (problems.length > 0) throw new SettingsError(source, problems);
}
