/**
 * Which folders of lib/ each folder may import. Dependencies point down:
 * core (pure) <- handoff, provisioner, cloud, probe <- construct, lab, cli <- app; scripts/ and
 * lib/index.ts may import anything. An import of a folder not listed fails `npm run lint`.
 */
export const LAYER_IMPORTS = {
  core: [],
  handoff: ["core"],
  provisioner: ["core"],
  cloud: ["core"],
  probe: ["core"],
  construct: ["core", "handoff"],
  lab: ["core", "handoff", "provisioner", "cloud", "probe"],
  cli: ["core", "handoff", "provisioner", "cloud", "probe", "lab"],
  app: ["core", "construct"],
};

const LOCAL_CLOUD_MESSAGE =
  "lib/ must not import local-cloud/: the local cloud is a test double of Tencent Cloud, and the library talks to it as to the real one.";

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
  "tencentcloud-sdk-nodejs",
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function layerRule(layer, allowed) {
  const forbidden = Object.keys(LAYER_IMPORTS).filter((other) => other !== layer && !allowed.includes(other));
  const patterns = [
    {
      // A relative import that climbs out of the layer into a forbidden one, e.g. "../../cli/main".
      regex: `^(\\.\\./)+(${forbidden.map(escape).join("|")})(/|$)`,
      message: `lib/${layer} may import only ${allowed.length > 0 ? allowed.map((name) => `lib/${name}`).join(", ") : "itself"} (layers point down; see eslint-layers.mjs).`,
    },
    { regex: "^(\\.\\./)+(scripts|test)(/|$)", message: "lib/ must not import scripts/ or test/." },
    { regex: "^(\\.\\./)+local-cloud(/|$)", message: LOCAL_CLOUD_MESSAGE },
  ];
  if (layer !== "construct" && layer !== "app") {
    patterns.push({
      regex: "(^|/)\\.gen(/|$)",
      message: `lib/${layer} must not import the provider bindings (.gen): only the construct and the app declare resources.`,
    });
  }
  if (!["cli", "lab", "app"].includes(layer)) {
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

/**
 * local-cloud/ is an independent implementation of Tencent Cloud's API: it imports nothing of the
 * project (lib/, test/, scripts/, the provider bindings), so it cannot take the project's view of the API.
 */
const localCloudRule = {
  files: ["local-cloud/**/*.ts"],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          {
            regex: "^(\\.\\./)+(lib|test|scripts|examples|\\.gen)(/|$)|^tencentcloud-havip-cluster(/|$)",
            message:
              "local-cloud/ must not import the project (lib/, test/, scripts/, the provider bindings): it implements Tencent Cloud's API on its own.",
          },
        ],
      },
    ],
  },
};

/** lib/index.ts, outside every layer, keeps out of local-cloud/ too. */
const libRootRule = {
  files: ["lib/*.ts"],
  rules: { "no-restricted-imports": ["error", { patterns: [{ regex: "^(\\.\\./)+local-cloud(/|$)", message: LOCAL_CLOUD_MESSAGE }] }] },
};

export const layerRules = [
  ...Object.entries(LAYER_IMPORTS).map(([layer, allowed]) => layerRule(layer, allowed)),
  libRootRule,
  localCloudRule,
];
