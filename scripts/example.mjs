#!/usr/bin/env node
// `npm start`: runs the CLI on the bundled example project. Hints found (exit 1) is the expected outcome here.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const r = spawnSync(process.execPath, [path.join(root, "bin/django-orm-hints.js"), "check", ...(process.argv.slice(2).length ? process.argv.slice(2) : ["example"])], { cwd: root, stdio: "inherit" });
process.exit(r.status === 1 ? 0 : r.status ?? 2);
