import { App } from "cdktf";
import { SettingsError } from "./lib/core/settings-error";

type ExampleApp = typeof import("./app");

/** The generated provider bindings are missing or half there: `npm ci --ignore-scripts`, or an install cut short. */
function isMissingProviderBindings(error: unknown): boolean {
  const failure = error as NodeJS.ErrnoException | undefined;
  return failure?.code === "MODULE_NOT_FOUND" && /[\\/]\.gen[\\/]/.test(failure.message);
}

// The config file: cdktf context `havipClusterConfig` (cdktf.json "context"), else
// HAVIP_CLUSTER_CONFIG, else ./havip-cluster.config.json when it exists.
try {
  // Loaded here, so missing provider bindings are caught below like any other mistake.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { HaVipExampleStack, loadExampleConfig } = require("./app") as ExampleApp;
  const app = new App();
  const configPath = (app.node.tryGetContext("havipClusterConfig") as string | undefined) ?? process.env.HAVIP_CLUSTER_CONFIG;
  new HaVipExampleStack(app, "havip-cluster", loadExampleConfig({ path: configPath, baseDir: process.cwd() }));
  app.synth();
} catch (error) {
  // Bad settings are the user's to fix: one message, no stack trace (HAVIP_DEBUG=1 shows it).
  if (process.env.HAVIP_DEBUG === "1") throw error;
  if (error instanceof SettingsError) {
    process.stderr.write(`${error.message}\n`);
  } else if (isMissingProviderBindings(error)) {
    process.stderr.write(
      "The Tencent provider bindings in .gen/ are missing or incomplete (`npm ci --ignore-scripts`, or an install that was cut short, skips generating them): run `npm run get`, then synth again.\n",
    );
  } else {
    throw error;
  }
  process.exitCode = 1;
}
