#!/usr/bin/env node
// Bundles the client and the CLI/server with esbuild into dist/, and copies the tree-sitter WASM files beside them.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const dist = path.join(root, "dist");
mkdirSync(dist, { recursive: true });
const production = process.argv.includes("--production");
// web-tree-sitter is an ES module that reads import.meta.url; the bundles are CommonJS.
const importMetaShim = { define: { "import.meta.url": "__import_meta_url" }, banner: { js: 'const __import_meta_url = require("url").pathToFileURL(__filename).href;' } };
const common = { ...importMetaShim, bundle: true, platform: "node", target: "node18", format: "cjs", sourcemap: !production, minify: production, logLevel: "warning" };
await Promise.all([
  build({ ...common, entryPoints: [path.join(root, "client/src/extension.ts")], outfile: path.join(dist, "client.js"), external: ["vscode"] }),
  build({ ...common, entryPoints: [path.join(root, "server/src/cli/main.ts")], outfile: path.join(dist, "cli.js") }),
]);
copyFileSync(require.resolve("web-tree-sitter/tree-sitter.wasm"), path.join(dist, "tree-sitter.wasm"));
copyFileSync(path.join(path.dirname(require.resolve("tree-sitter-python/package.json")), "tree-sitter-python.wasm"), path.join(dist, "tree-sitter-python.wasm"));
console.log(`built dist/ (${production ? "production" : "development"})`);
