#!/usr/bin/env node
// Generates the tencentcloud provider bindings into .gen/providers/tencentcloud from the
// schema committed in provider-schema/, without Terraform and without network: the same
// files and class names that `cdktf get` would produce for tencentcloudstack/tencentcloud.
"use strict";
process.env.CHECKPOINT_DISABLE = "1";

const fs = require("node:fs");
const path = require("node:path");

const projectRoot = path.resolve(__dirname, "..");
const schemaPath = path.join(projectRoot, "provider-schema", "tencentcloud.schema.json");
const outputDir = path.join(projectRoot, ".gen");
const PROVIDER_FQPN = "registry.terraform.io/tencentcloudstack/tencentcloud";
const PROVIDER_CONSTRAINT = "tencentcloudstack/tencentcloud@~> 1.83";
const PROVIDER_VERSION = "1.83.25";

function loadGeneratorModules() {
  try {
    return {
      // The package index pulls in jsii-pacmak; the generator module alone does not.
      TerraformProviderGenerator: require("@cdktf/provider-generator/lib/get/generator/provider-generator").TerraformProviderGenerator,
      CodeMaker: require("codemaker").CodeMaker,
      commons: require("@cdktf/commons"),
    };
  } catch (error) {
    if (error && error.code === "MODULE_NOT_FOUND") return undefined;
    throw error;
  }
}

async function main() {
  const modules = loadGeneratorModules();
  if (!modules) {
    // Installed as a dependency of another project: the compiled bindings ship in dist/.
    console.log("provider bindings: generator not installed, skipping (dist/ carries compiled bindings)");
    return;
  }
  const { TerraformProviderGenerator, CodeMaker, commons } = modules;
  const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
  if (!schema.provider_schemas || !schema.provider_schemas[PROVIDER_FQPN]) {
    throw new Error(`${schemaPath} has no provider schema for ${PROVIDER_FQPN}`);
  }
  schema.provider_versions = { [PROVIDER_FQPN]: PROVIDER_VERSION };

  const code = new CodeMaker();
  code.indentation = 2;
  const generator = new TerraformProviderGenerator(code, schema);
  const target = new commons.ConstructsMakerProviderTarget(
    new commons.TerraformProviderConstraint(PROVIDER_CONSTRAINT),
    commons.LANGUAGES[0],
  );
  generator.generate(target);
  // Written beside .gen and moved into place in one rename: an interrupted run leaves the old
  // bindings or none, never half of them (synth then says which command brings them).
  const staging = fs.mkdtempSync(path.join(projectRoot, ".gen-partial-"));
  try {
    await code.save(staging);
    const destination = path.join(outputDir, "providers", "tencentcloud");
    fs.mkdirSync(path.dirname(destination), { recursive: true });
    fs.rmSync(destination, { recursive: true, force: true });
    fs.renameSync(path.join(staging, "providers", "tencentcloud"), destination);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  console.log(`provider bindings: tencentcloud ${PROVIDER_VERSION} generated in .gen/providers/tencentcloud`);
}

main().catch((error) => {
  console.error(`provider bindings: generation failed: ${error instanceof Error ? error.stack : error}`);
  process.exit(1);
});
