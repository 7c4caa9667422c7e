import { App } from "cdktf";
import { HaVipExampleStack } from "./app/example-stack";
import { loadExampleConfig } from "./app/load-example-config";

// The config file: cdktf context `havipClusterConfig` (cdktf.json "context"), else
// HAVIP_CLUSTER_CONFIG, else ./havip-cluster.config.json when it exists.
const app = new App();
const configPath = (app.node.tryGetContext("havipClusterConfig") as string | undefined) ?? process.env.HAVIP_CLUSTER_CONFIG;
new HaVipExampleStack(app, "havip-cluster", loadExampleConfig({ path: configPath, baseDir: process.cwd() }));
app.synth();
