import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { CloudState } from "../../../local-cloud";
import { findProviderArchive, providerCliConfig, providerMirrorInstalled } from "../../../lab/cloud/provider-mirror";

export { PROVIDER_VERSION } from "../../../lab/cloud/provider-mirror";

export const REPO_ROOT = resolve(__dirname, "../../..");
const SERVICE_HOSTS = ["vpc", "cvm", "cbs", "tag"].map((service) => `${service}.tencentcloudapi.com`);
export const SECRET_ID = "AKIDlocalcloudprovidertest0000000000";
export const SECRET_KEY = "local-cloud-provider-test-key-01234";

const runs = (command: string, args: string[]) =>
  spawnSync(command, args, { stdio: "ignore", env: { ...process.env, CHECKPOINT_DISABLE: "1" } }).status === 0;

/** Why these tests cannot run here, or undefined when they can. */
export function missingPrerequisite(): string | undefined {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return "they need root on Linux (network namespaces)";
  if (!runs("ip", ["-V"])) return "iproute2 (ip) is missing";
  if (!runs("openssl", ["version"])) return "openssl is missing";
  if (!runs("terraform", ["version"])) return "terraform is not on PATH";
  if (!findProviderArchive() && !providerMirrorInstalled())
    return "the provider archive (shared/terraform-providers/install-mirror.sh) is not found";
  return undefined;
}

export interface TerraformResult {
  readonly status: number;
  readonly output: string;
}

/**
 * A network namespace with only loopback, whose hosts file sends Tencent's API host names to
 * 127.0.0.1, where a local cloud listens (HTTPS with a throwaway CA, or plain HTTP). Terraform
 * and the provider run inside it, so nothing they send can leave the machine.
 */
export class ProviderLab {
  readonly namespace = `lc${process.pid % 100000}${randomBytes(2).toString("hex")}`;
  readonly dir = mkdtempSync(join(tmpdir(), "local-cloud-provider-"));
  readonly stateFile = join(this.dir, "cloud-state.json");
  readonly requestLog = join(this.dir, "requests.log");
  private server: ChildProcess | undefined;

  constructor(readonly protocol: "HTTPS" | "HTTP") {}

  async start(): Promise<void> {
    execFileSync("ip", ["netns", "add", this.namespace]);
    execFileSync("ip", ["-n", this.namespace, "link", "set", "lo", "up"]);
    mkdirSync(`/etc/netns/${this.namespace}`, { recursive: true });
    writeFileSync(`/etc/netns/${this.namespace}/hosts`, `127.0.0.1 localhost\n127.0.0.1 ${SERVICE_HOSTS.join(" ")}\n`);
    writeFileSync(join(this.dir, "credentials.json"), JSON.stringify({ secretId: SECRET_ID, secretKey: SECRET_KEY }), { mode: 0o600 });
    const tls = this.protocol === "HTTPS" ? this.makeCertificates() : [];
    this.server = spawn(
      "ip",
      [
        "netns",
        "exec",
        this.namespace,
        join(REPO_ROOT, "node_modules/.bin/tsx"),
        join(REPO_ROOT, "local-cloud/main.ts"),
        "--state",
        this.stateFile,
        "--listen",
        this.protocol === "HTTPS" ? "127.0.0.1:443" : "127.0.0.1:80",
        ...tls,
        "--credentials-file",
        join(this.dir, "credentials.json"),
        "--region",
        "ap-guangzhou",
        "--zone",
        "ap-guangzhou-3",
        "--request-log",
        this.requestLog,
        "--debian",
        "11.11",
        "--debian",
        "12.8",
        "--boot-delay-ms",
        "200",
      ],
      { stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    let output = "";
    await new Promise<void>((resolveStart, reject) => {
      const timer = setTimeout(() => reject(new Error(`the local cloud did not start in 30 s:\n${output}`)), 30_000);
      const collect = (chunk: Buffer) => {
        output += chunk.toString("utf8");
        if (output.includes("local cloud: ")) {
          clearTimeout(timer);
          resolveStart();
        }
      };
      this.server?.stdout?.on("data", collect);
      this.server?.stderr?.on("data", collect);
      this.server?.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the local cloud exited (${String(code)}):\n${output}`));
      });
    });
  }

  private makeCertificates(): string[] {
    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: this.dir, stdio: "pipe" });
    openssl(
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "1",
      "-subj",
      "/CN=local cloud test CA",
    );
    openssl(
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      "/CN=tencentcloudapi.com",
    );
    writeFileSync(
      join(this.dir, "server.ext"),
      `subjectAltName=${SERVICE_HOSTS.map((host) => `DNS:${host}`).join(",")}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
    );
    openssl(
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.pem",
      "-days",
      "1",
      "-extfile",
      "server.ext",
    );
    return ["--tls-cert", join(this.dir, "server.pem"), "--tls-key", join(this.dir, "server.key")];
  }

  /** What Terraform and the provider get: the mirror, the keys, the region, the lab CA (HTTPS) or plain HTTP. */
  terraformEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TF_CLI_CONFIG_FILE: providerCliConfig(),
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      TENCENTCLOUD_SECRET_ID: SECRET_ID,
      TENCENTCLOUD_SECRET_KEY: SECRET_KEY,
      TENCENTCLOUD_REGION: "ap-guangzhou",
    };
    if (this.protocol === "HTTPS") env.SSL_CERT_FILE = join(this.dir, "ca.pem");
    else env.TENCENTCLOUD_PROTOCOL = "HTTP";
    return env;
  }

  /** `terraform <args>` in `workdir`, inside the namespace. */
  terraform(workdir: string, args: readonly string[]): TerraformResult {
    const run = spawnSync("ip", ["netns", "exec", this.namespace, "terraform", `-chdir=${workdir}`, ...args, "-no-color"], {
      encoding: "utf8",
      env: this.terraformEnv(),
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
  }

  /** Like `terraform`, but a non-zero exit fails the test with Terraform's output. */
  terraformOk(workdir: string, args: readonly string[]): string {
    const result = this.terraform(workdir, args);
    if (result.status !== 0) throw new Error(`terraform ${args.join(" ")} failed (${result.status}):\n${result.output}`);
    return result.output;
  }

  cloudState(): CloudState {
    return JSON.parse(readFileSync(this.stateFile, "utf8")) as CloudState;
  }

  /** Error codes the local cloud answered, by action. */
  errorsAnswered(): string[] {
    if (!existsSync(this.requestLog)) return [];
    return readFileSync(this.requestLog, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { action: string; error?: string })
      .filter((entry) => entry.error !== undefined)
      .map((entry) => `${entry.action} ${entry.error}`);
  }

  async stop(): Promise<void> {
    if (this.server?.pid !== undefined && this.server.exitCode === null) {
      const exited = new Promise((resolveExit) => this.server?.once("exit", resolveExit));
      process.kill(-this.server.pid, "SIGTERM");
      await Promise.race([exited, new Promise((resolveWait) => setTimeout(resolveWait, 5_000))]);
    }
    spawnSync("ip", ["netns", "del", this.namespace], { stdio: "ignore" });
    rmSync(`/etc/netns/${this.namespace}`, { recursive: true, force: true });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Resource collections that must be empty once everything is destroyed (the image catalogue and task results are history). */
export function remainingResources(state: CloudState): Record<string, number> {
  const { images: _images, tasks: _tasks, nextTaskId: _next, formatVersion: _format, ...resources } = state;
  return Object.fromEntries(
    Object.entries(resources)
      .map(([kind, records]) => [kind, Object.keys(records as object).length])
      .filter(([, count]) => count !== 0),
  );
}
