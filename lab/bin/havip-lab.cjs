#!/usr/bin/env node
// The lab's command (`npm run lab -- up|status|drill|shell|down`, and the outage probe the drills
// start in the operator namespace): the TypeScript sources through tsx, in one process, so that a
// signal to this process reaches the command itself. The lab is not part of the package.
"use strict";
const path = require("node:path");

require("tsx/cjs");
require(path.join(__dirname, "..", "cli.ts")).runLabCli(process.argv);
