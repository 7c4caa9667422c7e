import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { type CommandResult } from "../host/host-command";
import { providerCliConfig } from "./provider-mirror";
import { operatorNamespaceProblems } from "../cloud-network";
import { type CloudLabLayout, LAB_AUTH_PASS_VARIABLE, LAB_REGION } from "./cloud-lab-layout";

/** The checkout the lab runs from: its main.ts is the example app, its node_modules has cdktf and tsx. */
export const CHECKOUT_DIR = path.resolve(__dirname, "../..");

/**
 * What every tool the operator runs in the lab gets, exactly as against Tencent Cloud: the API key
 * pair and region in the provider's variables, the lab CA trusted (Go: SSL_CERT_FILE, Node:
 * NODE_EXTRA_CA_CERTS), Terraform's provider from the local mirror, no update checks.
 */
export function operatorEnvironment(layout: CloudLabLayout, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const credentials = JSON.parse(fs.readFileSync(layout.credentialsPath, "utf8")) as { secretId: string; secretKey: string };
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(base).filter(([key]) => !key.startsWith("TENCENTCLOUD_") && !key.startsWith("TF_VAR_"))),
    TENCENTCLOUD_SECRET_ID: credentials.secretId,
    TENCENTCLOUD_SECRET_KEY: credentials.secretKey,
    TENCENTCLOUD_REGION: LAB_REGION,
    SSL_CERT_FILE: layout.caCertPath,
    NODE_EXTRA_CA_CERTS: layout.caCertPath,
    TF_CLI_CONFIG_FILE: providerCliConfig(),
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    HAVIP_CLUSTER_CONFIG: layout.configPath,
  };
  // The VRRP password as a user passes it: a sensitive variable, never written in the config file.
  if (fs.existsSync(layout.authPassPath)) env[`TF_VAR_${LAB_AUTH_PASS_VARIABLE}`] = fs.readFileSync(layout.authPassPath, "utf8").trim();
  delete env.HAVIP_CLUSTER_SPEC;
  return env;
}

export interface OperatorRunOptions {
  readonly cwd?: string;
  /** Each line of output as it comes (stdout and stderr alike). */
  readonly onLine?: (line: string) => void;
  /** Also appended to this file. */
  readonly logPath?: string;
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs argv in the operator namespace (`ip netns exec`, which also puts the lab's hosts file over
 * /etc/hosts) with the operator's environment; collects the output and streams it line by line.
 */
export async function runAsOperator(
  layout: CloudLabLayout,
  argv: readonly string[],
  options: OperatorRunOptions = {},
): Promise<CommandResult> {
  await assertOperatorIsolated(layout);
  return new Promise((resolve, reject) => {
    const child = spawn("ip", ["netns", "exec", layout.network.operatorNamespace, ...argv], {
      cwd: options.cwd ?? layout.projectDir,
      env: options.env ?? operatorEnvironment(layout),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const log = options.logPath ? fs.openSync(options.logPath, "a", 0o600) : undefined;
    let stdout = "";
    let stderr = "";
    let pending = "";
    const take = (chunk: string) => {
      if (log !== undefined) fs.writeSync(log, chunk);
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) options.onLine?.(line);
    };
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => ((stdout += chunk), take(chunk)));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => ((stderr += chunk), take(chunk)));
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      },
      options.timeoutMs ?? 30 * 60_000,
    );
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${argv[0]} in ${layout.network.operatorNamespace}: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (pending) options.onLine?.(pending);
      if (log !== undefined) fs.closeSync(log);
      resolve({ code: timedOut ? 124 : (code ?? (signal ? 128 : 1)), stdout, stderr });
    });
  });
}

/** Refuses (throws) unless the operator namespace reaches nothing but the lab's internet segment. */
export async function assertOperatorIsolated(layout: CloudLabLayout): Promise<void> {
  const problems = await operatorNamespaceProblems(layout.network);
  if (problems.length > 0) {
    throw new Error(
      `refusing to run anything in the lab's operator namespace (is the lab up? \`npm run lab -- up\`):\n  - ${problems.join("\n  - ")}`,
    );
  }
}

/** `cdktf <args>` of the lab's project, from the checkout's own cdktf. */
export function cdktfArgv(args: readonly string[]): string[] {
  return [path.join(CHECKOUT_DIR, "node_modules/.bin/cdktf"), ...args];
}

/** The project's cdktf.json: the checkout's unmodified main.ts (the example app), with the lab's config file. */
export function renderCdktfJson(configPath: string): string {
  const tsx = path.join(CHECKOUT_DIR, "node_modules/.bin/tsx");
  const main = path.join(CHECKOUT_DIR, "main.ts");
  return `${JSON.stringify(
    {
      language: "typescript",
      app: `${JSON.stringify(tsx)} ${JSON.stringify(main)}`,
      output: "cdktf.out",
      projectId: "havip-cluster-lab",
      sendCrashReports: "false",
      context: { havipClusterConfig: configPath },
    },
    null,
    2,
  )}\n`;
}

/** The example app's stack (main.ts names it). */
export const EXAMPLE_STACK = "havip-cluster";

/** The stack's Terraform working directory, once synthesized. */
export function stackDir(layout: CloudLabLayout): string {
  return path.join(layout.projectDir, "cdktf.out", "stacks", EXAMPLE_STACK);
}

/** The stack's state file: cdktf's default local backend keeps it in the project directory. */
export function stackStatePath(layout: CloudLabLayout): string {
  return path.join(layout.projectDir, `terraform.${EXAMPLE_STACK}.tfstate`);
}

/** One API call made as the operator (in the operator namespace, signed with the lab's key pair): the Response as JSON. */
export async function operatorApiCall<T = Record<string, unknown>>(
  layout: CloudLabLayout,
  service: string,
  action: string,
  params: object = {},
): Promise<T> {
  const result = await runAsOperator(layout, [
    process.execPath,
    "--require",
    require.resolve("tsx/cjs"),
    path.join(__dirname, "api-call.ts"),
    service,
    action,
    JSON.stringify(params),
  ]);
  if (result.code !== 0) throw new Error(`${service} ${action}: ${result.stderr.trim() || `exit ${result.code}`}`);
  return JSON.parse(result.stdout) as T;
}
