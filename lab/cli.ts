import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Command } from "commander";
import {
  DEFAULT_LAB_PREFIX,
  assertOperatorNamespaceIsolated,
  installLabInterruptCleanup,
  labDown,
  labStatus,
  labUp,
  loadLab,
  type Lab,
  type LabLayout,
  type LabStatus,
} from ".";
import { drillPassed } from "./drills";
import { type LabReleaseChoice, parseLabReleaseOption } from "./lab-up";
import { LAB_SERVICES, type LabService, isLabService } from "./lab-cluster-spec";
import { nsenterArgv, serverInitPid } from "./servers/lab-server";
import { DEFAULT_LAB_RELEASE, LAB_RELEASES } from "./roots/release-roots";
import { EXIT_FAILURE } from "../lib/cli/exit-codes";
import { CLUSTER_SPEC_ENV, provisionArgv } from "../lib/spec/provision-invocation";
import { runProgram } from "../lib/cli/run-program";
import { registerProbeCommand } from "./probe/probe-command";
import { registerCloudLabCommands } from "./cloud/cloud-lab-commands";
import { runDrills, DRILL_NAMES, SERVICE_DRILL_NAMES, drillNamesFor, formatDrillReport } from "./drills";

const SERVER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** An option or argument the lab cannot use: bad input (exit 2), nothing was built. */
class LabInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LabInputError";
  }
}

function parseReleaseOrBadInput(text: string): LabReleaseChoice {
  try {
    return parseLabReleaseOption(text);
  } catch (error) {
    throw new LabInputError((error as Error).message);
  }
}

function parseServiceOrBadInput(text: string | undefined): LabService | undefined {
  if (text === undefined) return undefined;
  if (!isLabService(text)) throw new LabInputError(`--service ${JSON.stringify(text)}: the lab offers ${LAB_SERVICES.join(", ")}`);
  return text;
}

function requireLab(prefix: string): Lab {
  const lab = loadLab(prefix);
  if (!lab) throw new Error(`bare lab ${prefix} is not up; run \`npm run lab -- bare up\` first`);
  return lab;
}

/**
 * Runs the provisioner in the operator namespace exactly as cdktf's local-exec would: the same
 * argv, the spec in $HAVIP_CLUSTER_SPEC, progress streamed to this terminal.
 */
export async function provisionLab(lab: LabLayout, extraArgs: readonly string[] = []): Promise<number> {
  await assertOperatorNamespaceIsolated(lab);
  const [file, ...args] = ["ip", "netns", "exec", lab.operatorNamespace, ...provisionArgv(), ...extraArgs];
  const env = { ...process.env, [CLUSTER_SPEC_ENV]: readFileSync(lab.specPath, "utf8") };
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["ignore", "inherit", "inherit"], env });
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

export function formatLabStatus(status: LabStatus): string {
  const rows = status.servers.map(
    (s) =>
      `${s.name}  ${s.ip.padEnd(13)} system ${s.systemState.padEnd(8)} sshd ${s.sshdRunning ? "up  " : "down"}  keepalived ${s.keepalivedPid ? `pid ${s.keepalivedPid}`.padEnd(9) : "stopped  "}  state ${(s.vrrpState ?? "-").padEnd(7)} ${s.holdsVip ? `holds ${status.vip}` : ""}`,
  );
  const holders = status.vipHolders.length === 0 ? "nobody" : status.vipHolders.join(" and ");
  return [`lab ${status.prefix}: VIP ${status.vip} held by ${holders}`, ...rows].join("\n");
}

function buildLabProgram(): Command {
  const program = new Command()
    .exitOverride()
    .name("lab")
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) })
    .description(
      "a local Tencent Cloud (an API endpoint of the project's own whose CVMs are Debian servers booted with systemd-nspawn) and the example app deployed on it with cdktf (Linux, root)",
    )
    .option("--name <prefix>", "namespace prefix of the lab", DEFAULT_LAB_PREFIX);
  const prefixOf = () => program.opts<{ name: string }>().name;
  registerCloudLabCommands(program, { prefix: prefixOf, badInput: (message) => new LabInputError(message) });

  const lab = program
    .command("bare")
    .description(
      "the bare lab the provisioner's tests use: two Debian servers on one bridge, provisioned directly with a spec (no cloud), and its failover drills",
    );

  lab
    .command("up")
    .description("build the lab, then provision it with the same command cdktf deploy runs")
    .option("--no-provision", "only build the servers")
    .option(
      "--release <release>",
      `Debian release of the servers (${LAB_RELEASES.join(", ")}), or per server: a=bullseye,b=trixie`,
      DEFAULT_LAB_RELEASE,
    )
    .option(
      "--service <name>",
      `a service behind the VIP (${LAB_SERVICES.join(", ")}): installed from the lab's package source before Keepalived, with an http health check`,
    )
    .action(async (options: { provision: boolean; release: string; service?: string }) => {
      const prefix = prefixOf();
      const release = parseReleaseOrBadInput(options.release);
      const service = parseServiceOrBadInput(options.service);
      const removeCleanup = installLabInterruptCleanup({ prefix });
      try {
        const built = await labUp({ prefix, release, service, onStep: (step) => process.stdout.write(`lab: ${step}\n`) });
        process.stdout.write(
          `lab: servers up in ${(built.upDurationMs / 1000).toFixed(1)} s (a: ${built.releases.a}, b: ${built.releases.b}${service === undefined ? "" : `, service ${service}`}); spec in ${built.specPath}\n`,
        );
        if (options.provision) {
          process.stdout.write(`lab: provisioning: ip netns exec ${built.operatorNamespace} ${provisionArgv().join(" ")}\n`);
          const code = await provisionLab(built);
          if (code !== 0)
            throw new Error(
              `provisioning the lab failed (exit ${code}); the lab is still up: inspect it, then \`npm run lab -- bare down\``,
            );
          process.stdout.write(`${formatLabStatus(await labStatus(built))}\n`);
        }
      } finally {
        removeCleanup();
      }
    });

  lab
    .command("status")
    .description("each server's Keepalived state and the VIP holder")
    .option("--json", "machine-readable output")
    .action(async (options: { json?: boolean }) => {
      const status = await labStatus(requireLab(prefixOf()));
      process.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : `${formatLabStatus(status)}\n`);
    });

  lab
    .command("drill")
    .description(
      `run failover drills and print a table (${DRILL_NAMES.join(", ")}; with --service: ${SERVICE_DRILL_NAMES.join(", ")} instead of health-check-fails)`,
    )
    .option("--only <names>", "comma-separated drills to run")
    .option("--json", "machine-readable output")
    .action(async (options: { only?: string; json?: boolean }) => {
      const running = requireLab(prefixOf());
      const selected = options.only ? options.only.split(",").map((name) => name.trim()) : drillNamesFor(running);
      const results = await runDrills(running, selected, (line) => {
        if (!options.json) process.stdout.write(`drill: ${line}\n`);
      });
      process.stdout.write(options.json ? `${JSON.stringify(results, null, 2)}\n` : `${formatDrillReport(results)}\n`);
      if (results.some((result) => !drillPassed(result))) process.exitCode = EXIT_FAILURE;
    });

  lab
    .command("shell")
    .description("a root shell (or a command) inside a server, through nsenter: no SSH, works when sshd does not")
    .argument("<server>", "a or b")
    .argument("[command...]", "command to run instead of a login shell (after --: `lab shell a -- systemctl status keepalived`)")
    .action(async (server: string, command: string[]) => {
      if (server !== "a" && server !== "b") throw new LabInputError(`server ${JSON.stringify(server)}: the lab's servers are a and b`);
      const running = requireLab(prefixOf());
      const pid = await serverInitPid(running.servers[server]);
      if (pid === undefined) throw new Error(`lab server ${server} is not running`);
      const [file, ...args] = [...nsenterArgv(pid), ...(command.length > 0 ? command : ["/bin/bash", "-l"])];
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn(file, args, { stdio: "inherit", env: { TERM: process.env.TERM ?? "xterm", PATH: SERVER_PATH, HOME: "/root" } });
        child.on("error", reject);
        child.on("close", (exit) => resolve(exit ?? 1));
      });
      process.exitCode = code;
    });

  lab
    .command("down")
    .description("remove everything the lab created (safe to run twice, and after a failed up)")
    .action(async () => {
      await labDown({ prefix: prefixOf() });
      process.stdout.write(`lab ${prefixOf()}: down\n`);
    });

  registerProbeCommand(program);
  return program;
}

/** Entry point of `npm run lab --` (lab/bin/havip-lab.cjs). */
export async function runLabCli(argv: readonly string[]): Promise<void> {
  await runProgram(buildLabProgram(), argv, { name: "lab", isBadInput: (error) => error instanceof LabInputError });
}
