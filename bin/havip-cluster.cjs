#!/usr/bin/env node
// Runs the compiled CLI when the package is built (installed from a registry or after
// `npm run build`), or the TypeScript sources through tsx in a source checkout.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const compiled = path.join(root, "dist", "lib", "cli", "main.js");
const source = path.join(root, "lib", "cli", "main.ts");

if (fs.existsSync(source)) {
  require("tsx/cjs");
  require(source).runCli(process.argv);
} else {
  require(compiled).runCli(process.argv);
}
