#!/usr/bin/env node
// Runs every compiled test file (out/test/**/*.test.js) with node's test runner. Node 20 has no glob support in
// `node --test`, so the files are listed here. Extra arguments are passed to node (e.g. --test-name-pattern).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dir = path.join(root, "out", "test");
const files = [];
const walk = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith(".test.js")) files.push(p);
  }
};
walk(dir);
files.sort();
const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", ...process.argv.slice(2), ...files], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, DJANGO_ORM_HINTS_DEBUG: "1" },
});
process.exit(r.status ?? 1);
