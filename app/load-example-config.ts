import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { resolve } from "node:path";
import { SettingsError } from "../lib/core/settings-error";
import { type ExampleAppConfig, parseExampleConfig } from "./example-config";

export const DEFAULT_CONFIG_FILE = "havip-cluster.config.json";
/** Where the provisioner pins the nodes' host keys unless the config names another file. */
export const DEFAULT_KNOWN_HOSTS_FILE = ".havip/known_hosts";

/** `~/x` -> `$HOME/x`; other paths are resolved against `baseDir`. */
export function expandPath(path: string, baseDir: string): string {
  return path === "~" || path.startsWith("~/") ? resolve(homedir(), path.slice(2)) : resolve(baseDir, path);
}

/**
 * Reads the config file when it exists (an explicitly named one must exist) and inlines the
 * public key from `sshPublicKeyFile`. No file: the empty config, i.e. the guide's defaults.
 */
export function loadExampleConfig(options: { readonly path?: string; readonly baseDir: string }): ExampleAppConfig {
  return withAbsoluteSshPaths(readExampleConfig(options), options.baseDir);
}

/**
 * cdktf's local-exec runs the provisioner inside cdktf.out/stacks/<stack>, so key and
 * known_hosts paths in the spec must be absolute.
 */
export function withAbsoluteSshPaths(config: ExampleAppConfig, baseDir: string): ExampleAppConfig {
  const ssh = config.ssh ?? {};
  return {
    ...config,
    ssh: {
      ...ssh,
      ...(ssh.privateKeyPath !== undefined ? { privateKeyPath: expandPath(ssh.privateKeyPath, baseDir) } : {}),
      knownHostsPath: expandPath(ssh.knownHostsPath ?? DEFAULT_KNOWN_HOSTS_FILE, baseDir),
    },
  };
}

function readExampleConfig(options: { readonly path?: string; readonly baseDir: string }): ExampleAppConfig {
  const path = expandPath(options.path ?? DEFAULT_CONFIG_FILE, options.baseDir);
  if (!existsSync(path)) {
    if (options.path === undefined) return {};
    throw new SettingsError("example app", [{ field: "config file", value: path, rule: "does not exist" }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new SettingsError(path, [{ field: "(config file)", value: path, rule: `is not valid JSON: ${(error as Error).message}` }]);
  }
  const config = parseExampleConfig(raw, path);
  if (config.sshPublicKeyFile === undefined) return config;
  const keyPath = expandPath(config.sshPublicKeyFile, options.baseDir);
  if (!existsSync(keyPath)) {
    throw new SettingsError(path, [{ field: "sshPublicKeyFile", value: config.sshPublicKeyFile, rule: "does not exist" }]);
  }
  return { ...config, sshPublicKey: readFileSync(keyPath, "utf8").trim() };
}
