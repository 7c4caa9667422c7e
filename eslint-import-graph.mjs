/**
 * The import graph of the repository's own TypeScript, for a lint rule that refuses an import
 * cycle and for tests that check what the package entry pulls in. Edges are runtime imports:
 * `import type`/`export type` (and imports whose every name is `type`) vanish when compiled, so
 * they close no cycle. Only relative specifiers are followed (packages are not ours).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

const EXTENSIONS = [".ts", ".mts", ".cts"];
const cache = new Map();

function resolveRelative(fromFile, specifier) {
  const base = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [base, ...EXTENSIONS.map((ext) => base + ext), ...EXTENSIONS.map((ext) => path.join(base, `index${ext}`))];
  return candidates.find(
    (candidate) => EXTENSIONS.some((ext) => candidate.endsWith(ext)) && existsSync(candidate) && statSync(candidate).isFile(),
  );
}

function typeOnly(node) {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (!clause) return false; // `import "./x"` runs the module
    if (clause.isTypeOnly) return true;
    const named = clause.namedBindings;
    return (
      clause.name === undefined &&
      named !== undefined &&
      ts.isNamedImports(named) &&
      named.elements.length > 0 &&
      named.elements.every((e) => e.isTypeOnly)
    );
  }
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    const clause = node.exportClause;
    return clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
  }
  return false;
}

/** The files `file` imports at run time (relative imports only), resolved to absolute paths. */
export function runtimeImports(file, text) {
  const source = ts.createSourceFile(file, text ?? readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  const found = [];
  const visit = (node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      if (!typeOnly(node)) found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === "require"))
        found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((specifier) => specifier.startsWith(".")).flatMap((specifier) => resolveRelative(file, specifier) ?? []);
}

function importsOf(file) {
  const mtime = statSync(file).mtimeMs;
  const cached = cache.get(file);
  if (cached && cached.mtime === mtime) return cached.imports;
  const imports = runtimeImports(file);
  cache.set(file, { mtime, imports });
  return imports;
}

/** Every file reachable from `entry` through runtime imports, `entry` included. */
export function importClosure(entry) {
  const seen = new Set([path.resolve(entry)]);
  const queue = [path.resolve(entry)];
  while (queue.length > 0) {
    for (const next of importsOf(queue.shift())) {
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return seen;
}

/** A chain of imports from one of `starts` back to `target` (the cycle through `target`), or undefined. */
export function cycleThrough(target, starts) {
  const parent = new Map(starts.map((start) => [start, undefined]));
  const queue = [...starts];
  while (queue.length > 0) {
    const file = queue.shift();
    if (file === target) {
      const chain = [];
      for (let at = file; at !== undefined; at = parent.get(at)) chain.unshift(at);
      return [target, ...chain];
    }
    for (const next of importsOf(file)) {
      if (!parent.has(next)) {
        parent.set(next, file);
        queue.push(next);
      }
    }
  }
  return undefined;
}

/** `no-import-cycle`: a file whose runtime imports lead back to itself. */
const noImportCycle = {
  meta: { type: "problem", schema: [], messages: { cycle: "import cycle: {{chain}}" } },
  create(context) {
    return {
      Program() {
        const file = path.resolve(context.filename);
        const starts = runtimeImports(file, context.sourceCode.text);
        const chain = cycleThrough(file, starts);
        if (!chain) return;
        const cwd = context.cwd;
        context.report({
          loc: { line: 1, column: 0 },
          messageId: "cycle",
          data: { chain: chain.map((f) => path.relative(cwd, f)).join(" -> ") },
        });
      },
    };
  },
};

export const importGraphPlugin = { rules: { "no-import-cycle": noImportCycle } };
