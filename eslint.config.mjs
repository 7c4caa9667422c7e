import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { importGraphPlugin } from "./eslint-import-graph.mjs";
import { layerRules } from "./eslint-layers.mjs";

export default tseslint.config(
  { ignores: ["node_modules/", ".gen/", ".gen-partial-*/", "dist/", "cdktf.out/", "examples/**/cdktf.out/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", module: "writable", process: "readonly", console: "readonly", __dirname: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  ...layerRules,
  {
    files: ["lib/**/*.ts", "lab/**/*.ts", "app/**/*.ts", "bench/**/*.ts", "local-cloud/**/*.ts", "main.ts"],
    plugins: { local: importGraphPlugin },
    rules: { "local/no-import-cycle": "error" },
  },
);
