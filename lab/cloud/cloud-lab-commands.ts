import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { nsenterArgv, serverInitPid } from "../servers/lab-server";
import { installLabInterruptCleanup } from "../lab-up";
import { serverPowerState } from "../servers/server-lifecycle";
import { type ServerLayout, serverLayout } from "../servers/server-layout";
import { LAB_RELEASES, type LabRelease, isLabRelease } from "../roots/release-roots";
import { LAB_SERVICES, isLabService } from "../lab-cluster-spec";
import { instanceNamespace } from "../cloud-network";
import { CLUSTER_SPEC_ENV, cliArgv } from "../../lib/spec/provision-invocation";
import {
  type CloudLab,
  cloudLabDown,
  cloudLabUp,
  deployExample,
  destroyExample,
  loadCloudLab,
  restartCloudDaemon,
  writeOutputs,
} from "./cloud-lab";
import type { HostModel } from "./host-model";
import { publishImage } from "./lab-images";
import { assertOperatorIsolated, operatorApiCall, operatorEnvironment, runAsOperator, stackDir } from "./operator-tools";

const SERVER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface CloudLabCommandContext {
  /** The lab's prefix (`--name`). */
  readonly prefix: () => string;
  /** An error for bad input (exit 2). */
  readonly badInput: (message: string) => Error;
}

function requireCloudLab(prefix: string): CloudLab {
  const lab = loadCloudLab(prefix);
  if (!lab) throw new Error(`lab ${prefix} is not up; run \`npm run lab -- up\` first`);
  return lab;
}

/** The cluster's nodes as the deployed spec names them (primary, secondary) with their instance ids. */
function deployedNodes(lab: CloudLab): { name: string; instanceId: string }[] {
  try {
    const outputs = JSON.parse(fs.readFileSync(lab.outputsPath, "utf8")) as Record<string, Record<string, unknown>>;
    const values = Object.values(outputs)[0] ?? {};
    const spec = JSON.parse(String(values["cluster-spec"] ?? "{}")) as { nodes?: { name: string; instanceId: string }[] };
    return spec.nodes ?? [];
  } catch {
    return [];
  }
}

function hostModel(lab: CloudLab): HostModel | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(lab.hostDir, "host-model.json"), "utf8")) as HostModel;
  } catch {
    return undefined;
  }
}

/** The server a machine of the lab runs as (the layout the lab's host gave it). */
function machineServer(lab: CloudLab, instance: HostModel["instances"][string]): ServerLayout {
  return serverLayout({
    name: instance.instanceId,
    machineName: `${lab.prefix}-${instance.instanceId}`,
    namespace: instanceNamespace(lab.network, instance.instanceId),
    ip: instance.privateIp,
    prefixLength: instance.prefixLength,
    gateway: instance.gateway,
    hostname: instance.hostName,
    dir: path.join(lab.hostDir, "machines", instance.instanceId),
  });
}

/** The lab's machines: instance id, node name (when the deployed spec names it), addresses, power. */
export function machineTable(lab: CloudLab): string {
  const model = hostModel(lab);
  const nodes = deployedNodes(lab);
  const rows = Object.values(model?.instances ?? {}).map((instance) => {
    const publicIp = Object.entries(model?.publicAddresses ?? {}).find(([, target]) => target.address === instance.privateIp)?.[0] ?? "-";
    const server = machineServer(lab, instance);
    const node = nodes.find((candidate) => candidate.instanceId === instance.instanceId)?.name ?? "-";
    return `${instance.instanceId}  ${node.padEnd(9)}  ${instance.privateIp.padEnd(13)}  ${publicIp.padEnd(15)}  ${serverPowerState(server)}`;
  });
  return [`machine       node       private IP     public IP        power`, ...rows].join("\n");
}

/** Resolves a node name (primary, secondary) or an instance id to the instance id. */
function instanceOf(lab: CloudLab, node: string): string {
  const found = deployedNodes(lab).find((candidate) => candidate.name === node || candidate.instanceId === node);
  if (found) return found.instanceId;
  if (hostModel(lab)?.instances[node]) return node;
  throw new Error(`no node or machine ${JSON.stringify(node)} in lab ${lab.prefix}`);
}

async function runInherited(argv: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<number> {
  const [file, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: "inherit", env, cwd });
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

/** `lab up|down|status|run|deploy|destroy|plan|image|cloud|shell`: the local Tencent Cloud and the example app deployed on it. */
export function registerCloudLabCommands(program: Command, context: CloudLabCommandContext): void {
  const say = (line: string) => process.stdout.write(`lab: ${line}\n`);
  const release = (text: string): LabRelease => {
    if (!isLabRelease(text)) throw context.badInput(`--release ${JSON.stringify(text)}: the lab's images are ${LAB_RELEASES.join(", ")}`);
    return text;
  };

  program
    .command("up")
    .description("start the local Tencent Cloud and deploy the example app (main.ts) on it with cdktf deploy and the real provider")
    .option("--release <release>", `Debian release of the nodes' image (${LAB_RELEASES.join(", ")})`, "bookworm")
    .option("--no-deploy", "only start the local cloud (deploy later with `lab deploy`)")
    .option("--switch-delay-ms <ms>", "how long the cloud takes to move an HAVIP after a gratuitous ARP (default: the local cloud's)")
    .option(
      "--service <name>",
      `a service behind the VIP (${LAB_SERVICES.join(", ")}): serviceSetup, an http health check and port 80 open`,
    )
    .action(async (options: { release: string; deploy: boolean; switchDelayMs?: string; service?: string }) => {
      if (options.service !== undefined && !isLabService(options.service)) {
        throw context.badInput(`--service ${JSON.stringify(options.service)}: the lab offers ${LAB_SERVICES.join(", ")}`);
      }
      const delay = options.switchDelayMs === undefined ? undefined : Number(options.switchDelayMs);
      if (delay !== undefined && !(Number.isFinite(delay) && delay >= 0))
        throw context.badInput(`--switch-delay-ms ${options.switchDelayMs} is not a number of milliseconds`);
      // Ctrl-C during up removes what was built (cdktf and Terraform stop with the same signal).
      const removeCleanup = installLabInterruptCleanup({
        prefix: context.prefix(),
        teardown: (down) => cloudLabDown({ ...down, destroy: false }),
      });
      const lab = await cloudLabUp({
        prefix: context.prefix(),
        release: release(options.release),
        deploy: options.deploy,
        ...(options.service ? { service: options.service } : {}),
        onStep: say,
        ...(delay === undefined ? {} : { havipSwitchDelayMs: delay }),
      }).finally(removeCleanup);
      say(`up: state in ${lab.stateDir}; \`npm run lab -- run -- npx havip-cluster status --outputs-file ${lab.outputsPath}\``);
      if (options.deploy) process.stdout.write(`${machineTable(lab)}\n`);
    });

  program
    .command("down")
    .description("cdktf destroy the example app, then remove the local cloud and everything the lab made (safe to run twice)")
    .action(async () => {
      await cloudLabDown({ prefix: context.prefix(), onStep: say });
      say(`${context.prefix()}: down`);
    });

  program
    .command("status")
    .description("the lab's machines, and `havip-cluster status` of the deployed cluster (with the cloud's view of the HAVIP)")
    .action(async () => {
      const lab = requireCloudLab(context.prefix());
      process.stdout.write(`${machineTable(lab)}\n\n`);
      if (!fs.existsSync(lab.outputsPath)) {
        say("nothing deployed (`npm run lab -- deploy`)");
        return;
      }
      await assertOperatorIsolated(lab);
      process.exitCode = await runInherited(
        ["ip", "netns", "exec", lab.network.operatorNamespace, ...cliArgv("status"), "--outputs-file", lab.outputsPath],
        operatorEnvironment(lab),
        lab.projectDir,
      );
    });

  program
    .command("run")
    .description(
      "run a command as the operator: in the lab's operator namespace, with its API keys, CA and provider mirror (`lab run -- npx cdktf diff`)",
    )
    .argument("<command...>")
    .action(async (command: string[]) => {
      const lab = requireCloudLab(context.prefix());
      await assertOperatorIsolated(lab);
      const env = { ...operatorEnvironment(lab) };
      delete env[CLUSTER_SPEC_ENV];
      process.exitCode = await runInherited(["ip", "netns", "exec", lab.network.operatorNamespace, ...command], env, lab.projectDir);
    });

  program
    .command("deploy")
    .description("cdktf deploy the example app again (after changing the lab's config file, or a published image)")
    .action(async () => {
      const lab = requireCloudLab(context.prefix());
      await deployExample(lab, { onStep: say });
      process.stdout.write(`${machineTable(lab)}\n`);
    });

  program
    .command("destroy")
    .description("cdktf destroy the example app (the local cloud stays up)")
    .action(async () => {
      const lab = requireCloudLab(context.prefix());
      await destroyExample(lab, { onStep: say });
      fs.rmSync(lab.outputsPath, { force: true });
    });

  program
    .command("plan")
    .description("terraform plan of the deployed example app (exit 0: no changes, 2: changes)")
    .action(async () => {
      const lab = requireCloudLab(context.prefix());
      const result = await runAsOperator(lab, ["terraform", `-chdir=${stackDir(lab)}`, "plan", "-detailed-exitcode", "-input=false"], {
        onLine: (line) => process.stdout.write(`${line}\n`),
      });
      process.exitCode = result.code;
    });

  const image = program.command("image").description("the images the local cloud publishes");
  image
    .command("publish")
    .description("publish a newer image of a release (the same root under a new id): a deploy keeps running nodes on theirs")
    .argument("<release>", LAB_RELEASES.join(", "))
    .action((text: string) => {
      const lab = requireCloudLab(context.prefix());
      say(`published image ${publishImage(lab.publishedImagesPath, release(text))}`);
    });

  const cloud = program.command("cloud").description("the local cloud's endpoint process");
  cloud
    .command("restart")
    .description("stop and start the API endpoint on its state (machines keep running; unfinished operations are carried on)")
    .action(async () => {
      await restartCloudDaemon(requireCloudLab(context.prefix()));
      say("the local cloud is listening again");
    });

  program
    .command("shell")
    .description("a root shell (or a command) inside a node, through nsenter: no SSH needed")
    .argument("<node>", "primary, secondary, or an instance id")
    .argument("[command...]", "command to run instead of a login shell")
    .action(async (node: string, command: string[]) => {
      const lab = requireCloudLab(context.prefix());
      const instanceId = instanceOf(lab, node);
      const instance = hostModel(lab)?.instances[instanceId];
      if (!instance) throw new Error(`machine ${instanceId} is not in the lab's model`);
      const pid = await serverInitPid(machineServer(lab, instance));
      if (pid === undefined) throw new Error(`machine ${instanceId} is not running`);
      process.exitCode = await runInherited([...nsenterArgv(pid), ...(command.length > 0 ? command : ["/bin/bash", "-l"])], {
        TERM: process.env.TERM ?? "xterm",
        PATH: SERVER_PATH,
        HOME: "/root",
      });
    });

  program
    .command("api")
    .description("one API call to the local cloud as the operator, as tccli would make it (`lab api vpc DescribeHaVips '{}'`)")
    .argument("<service>", "vpc, cvm, cbs or tag")
    .argument("<action>", "e.g. DescribeInstances")
    .argument("[params]", "the request as JSON", "{}")
    .action(async (service: string, action: string, params: string) => {
      let request: object;
      try {
        request = JSON.parse(params) as object;
      } catch (error) {
        throw context.badInput(`params ${JSON.stringify(params)} is not JSON: ${(error as Error).message}`);
      }
      const response = await operatorApiCall(requireCloudLab(context.prefix()), service, action, request);
      process.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
    });

  program
    .command("outputs")
    .description("write the deployed stack's outputs (sensitive ones too) to the lab's outputs file and print its path")
    .action(async () => {
      const lab = requireCloudLab(context.prefix());
      await writeOutputs(lab);
      process.stdout.write(`${lab.outputsPath}\n`);
    });
}
