#!/usr/bin/env node
// Runs the compiled CLI when the package is built (installed from a registry, or `npm run build`
// in a source checkout with no source file changed since), else the TypeScript sources through tsx.
// The compiled CLI starts about 0.15 s sooner: what the construct's local-exec and `lab up` run.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const compiled = path.join(root, "dist", "lib", "cli", "main.js");
const sources = path.join(root, "lib");

/** The newest modification time of a .ts file below `dir`. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(file));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(file).mtimeMs);
  }
  return newest;
}

function compiledIsCurrent() {
  if (!fs.existsSync(sources)) return true;
  try {
    return fs.statSync(compiled).mtimeMs >= newestSource(sources);
  } catch {
    return false;
  }
}

if (compiledIsCurrent()) {
  require(compiled).runCli(process.argv);
} else {
  require("tsx/cjs");
  require(path.join(sources, "cli", "main.ts")).runCli(process.argv);
}
