import { App } from "cdktf";
import { SettingsError } from "./lib/core/settings-error";
import { HaVipExampleStack } from "./app/example-stack";
import { loadExampleConfig } from "./app/load-example-config";

// The config file: cdktf context `havipClusterConfig` (cdktf.json "context"), else
// HAVIP_CLUSTER_CONFIG, else ./havip-cluster.config.json when it exists.
try {
  const app = new App();
  const configPath = (app.node.tryGetContext("havipClusterConfig") as string | undefined) ?? process.env.HAVIP_CLUSTER_CONFIG;
  new HaVipExampleStack(app, "havip-cluster", loadExampleConfig({ path: configPath, baseDir: process.cwd() }));
  app.synth();
} catch (error) {
  // Bad settings are the user's to fix: one message, no stack trace (HAVIP_DEBUG=1 shows it).
  if (!(error instanceof SettingsError) || process.env.HAVIP_DEBUG === "1") throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
