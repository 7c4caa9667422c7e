import { Command } from "commander";
import { SettingsError } from "../core/settings-error";
import { SpecSourceError } from "../spec/load-cluster-spec";
import { packageVersion } from "../spec/provision-invocation";
import { registerFailoverTestCommand } from "./commands/failover-test-command";
import { registerPreflightCommand } from "./commands/preflight-command";
import { registerProvisionCommand } from "./commands/provision-command";
import { registerStatusCommand } from "./commands/status-command";
import { runProgram } from "./run-program";

function buildProgram(): Command {
  const program = new Command()
    .exitOverride()
    .name("havip-cluster")
    .description("Provision, inspect and drill a Tencent Cloud HAVIP + Keepalived pair")
    .version(packageVersion(), "-V, --version", "print the package version")
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });

  registerPreflightCommand(program);
  registerProvisionCommand(program);
  registerStatusCommand(program);
  registerFailoverTestCommand(program);
  return program;
}

/** Entry point of the `havip-cluster` binary. */
export async function runCli(argv: readonly string[]): Promise<void> {
  await runProgram(buildProgram(), argv, {
    name: "havip-cluster",
    isBadInput: (error) => error instanceof SettingsError || error instanceof SpecSourceError,
  });
}
