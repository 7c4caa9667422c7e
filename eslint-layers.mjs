/**
 * Which folders of lib/ each folder may import. Dependencies point down: core (pure) <- spec (the
 * spec contract) <- provisioner, cloud, probe <- operations, construct <- cli. lib/ is the npm package:
 * it imports nothing outside itself (OUTSIDE_PACKAGE). The tools around it — the lab, the bench,
 * the example app — import lib/, never the other way round (TOOL_IMPORTS). An import of a folder
 * not listed fails `npm run lint`.
 */
export const LAYER_IMPORTS = {
  core: [],
  spec: ["core"],
  provisioner: ["core", "spec"],
  cloud: ["core"],
  probe: ["core"],
  operations: ["core", "spec", "provisioner", "cloud", "probe"],
  construct: ["core", "spec"],
  cli: ["core", "spec", "provisioner", "cloud", "probe", "operations"],
};

/** lib/index.ts, the package entry, re-exports every layer but the CLI (the binary is not the API). */
export const ENTRY_IMPORTS = Object.keys(LAYER_IMPORTS).filter((layer) => layer !== "cli");

/** Top-level folders that are not the package: lib/ must not import them. */
export const OUTSIDE_PACKAGE = ["lab", "app", "bench", "local-cloud", "scripts", "test"];

/** Top-level tool folders and the other top-level folders (besides lib/) each may import. */
export const TOOL_IMPORTS = {
  app: [],
  lab: ["local-cloud"],
  bench: ["lab"],
};

/** Packages that do I/O or belong to an outer layer: the core renders, validates and plans only. */
const IMPURE_PACKAGES = [
  "node:fs",
  "node:fs/promises",
  "fs",
  "node:child_process",
  "child_process",
  "node:net",
  "net",
  "http",
  "node:http",
  "node:timers/promises",
  "timers/promises",
  "cdktf",
  "constructs",
  "node-ssh",
  "listr2",
  "commander",
  "tencentcloud-sdk-nodejs-common",
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const outsidePackagePattern = {
  // From any depth of lib/: "../../lab/lab-up", "../lab" (there is no lib/lab), "../../../test/x".
  regex: `^(\\.\\./)+(${OUTSIDE_PACKAGE.map(escape).join("|")})(/|$)`,
  message: `lib/ is the package: it must not import ${OUTSIDE_PACKAGE.map((name) => `${name}/`).join(", ")} (see eslint-layers.mjs).`,
};

function layerRule(layer, allowed) {
  const forbidden = Object.keys(LAYER_IMPORTS).filter((other) => other !== layer && !allowed.includes(other));
  const patterns = [
    {
      // A relative import that climbs out of the layer into a forbidden one, e.g. "../../cli/main".
      regex: `^(\\.\\./)+(${forbidden.map(escape).join("|")})(/|$)`,
      message: `lib/${layer} may import only ${allowed.length > 0 ? allowed.map((name) => `lib/${name}`).join(", ") : "itself"} (layers point down; see eslint-layers.mjs).`,
    },
    outsidePackagePattern,
  ];
  if (layer !== "construct") {
    patterns.push({
      regex: "(^|/)\\.gen(/|$)",
      message: `lib/${layer} must not import the provider bindings (.gen): only the construct declares resources.`,
    });
  }
  if (layer !== "cli") {
    patterns.push({
      regex: "^(listr2|commander)(/|$)",
      message: `lib/${layer} must not import listr2 or commander: progress leaves it as events, and only lib/cli parses commands or draws task lists.`,
    });
  }
  if (layer === "core") {
    patterns.push({
      regex: `^(${IMPURE_PACKAGES.map(escape).join("|")})(/|$)`,
      message: "lib/core is pure: no I/O, no cdktf, no SSH, no CLI packages.",
    });
  }
  return { files: [`lib/${layer}/**/*.ts`], rules: { "no-restricted-imports": ["error", { patterns }] } };
}

function toolRule(tool, allowed) {
  const forbidden = [...Object.keys(TOOL_IMPORTS), ...OUTSIDE_PACKAGE].filter(
    (other, index, all) => other !== tool && !allowed.includes(other) && all.indexOf(other) === index,
  );
  const pattern = {
    // From the tool's folder, a climb to the repository root and into another top-level folder, e.g. "../../test/x".
    regex: `^(\\.\\./)+(${forbidden.map(escape).join("|")})(/|$)`,
    message: `${tool}/ may import only lib/${allowed.map((name) => `, ${name}/`).join("")} (see eslint-layers.mjs).`,
  };
  return { files: [`${tool}/**/*.ts`], rules: { "no-restricted-imports": ["error", { patterns: [pattern] }] } };
}

function entryRule() {
  const patterns = [
    {
      regex: "^\\./cli(/|$)",
      message: `lib/index.ts may import only ${ENTRY_IMPORTS.map((name) => `lib/${name}`).join(", ")} and the provider bindings: the CLI is not the API.`,
    },
    outsidePackagePattern,
  ];
  return { files: ["lib/index.ts"], rules: { "no-restricted-imports": ["error", { patterns }] } };
}

/** Files at lib/'s top, outside every layer, keep to the package too (lib/index.ts has entryRule, last). */
const libRootRule = { files: ["lib/*.ts"], rules: { "no-restricted-imports": ["error", { patterns: [outsidePackagePattern] }] } };

/**
 * local-cloud/ is an independent implementation of Tencent Cloud's API, a test double of the cloud
 * and never of the project: it imports nothing of the project (lib/, the tools, test/, scripts/,
 * the provider bindings, the package by name), so it cannot take the project's view of the API.
 */
const localCloudRule = {
  files: ["local-cloud/**/*.ts"],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          {
            regex: `^(\\.\\./)+(lib|examples|\\.gen|${[...Object.keys(TOOL_IMPORTS), ...OUTSIDE_PACKAGE]
              .filter((name) => name !== "local-cloud")
              .map(escape)
              .join("|")})(/|$)|^tencentcloud-havip-cluster(/|$)`,
            message:
              "local-cloud/ must not import the project (lib/, the tools, test/, scripts/, the provider bindings): it implements Tencent Cloud's API on its own.",
          },
        ],
      },
    ],
  },
};

export const layerRules = [
  ...Object.entries(LAYER_IMPORTS).map(([layer, allowed]) => layerRule(layer, allowed)),
  ...Object.entries(TOOL_IMPORTS).map(([tool, allowed]) => toolRule(tool, allowed)),
  libRootRule,
  localCloudRule,
  // After libRootRule: for the same file the later rule's options win, and the entry's include the package's.
  entryRule(),
];
