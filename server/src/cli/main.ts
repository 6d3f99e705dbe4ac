/** The command line: `django-orm-hints check ...` and `django-orm-hints lsp --stdio`. */
import * as fs from "fs";
import * as path from "path";
import { RULE_IDS, RULES } from "../../../rules";
import { initParser } from "../engine/parser";
import { listWorkspace } from "../engine/files";
import { Project } from "../engine/project";
import type { Hint } from "../engine/types";

export const VERSION = "0.1.0";

const USAGE = `Usage:
  django-orm-hints check [--root DIR] [--format text|json] [PATH...]
  django-orm-hints lsp --stdio
  django-orm-hints --version

check: reports Django ORM performance hints for the Python files in PATHs (files or folders; default: the
current folder). The model index is built from --root, which defaults to the common folder of the PATHs.
Exit codes: 0 no hints, 1 hints found, 2 usage or configuration error.
Rules: ${RULE_IDS.join(", ")}`;

export class UsageError extends Error {}

export interface CheckOptions {
  root?: string;
  format: "text" | "json";
  paths: string[];
}

export function parseCheckArgs(args: string[]): CheckOptions {
  const opts: CheckOptions = { format: "text", paths: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string => {
      const eq = a.indexOf("=");
      if (eq > 0) return a.slice(eq + 1);
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === "--root" || a.startsWith("--root=")) opts.root = value();
    else if (a === "--format" || a.startsWith("--format=")) {
      const f = value();
      if (f !== "text" && f !== "json") throw new UsageError(`--format must be text or json, not ${JSON.stringify(f)}`);
      opts.format = f;
    } else if (a === "--") {
      opts.paths.push(...args.slice(i + 1));
      break;
    } else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else opts.paths.push(a);
  }
  return opts;
}

function commonDir(paths: string[]): string {
  const dirs = paths.map((p) => (fs.statSync(p).isDirectory() ? p : path.dirname(p)));
  let common = dirs[0].split(path.sep);
  for (const d of dirs.slice(1)) {
    const parts = d.split(path.sep);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.join(path.sep) || path.sep;
}

export interface CheckResult {
  hints: Hint[];
  notices: { file?: string; message: string }[];
  files: number;
  root: string;
}

export async function runCheck(opts: CheckOptions, cwd = process.cwd()): Promise<CheckResult> {
  const paths = (opts.paths.length ? opts.paths : ["."]).map((p) => path.resolve(cwd, p));
  for (const p of paths) if (!fs.existsSync(p)) throw new UsageError(`no such file or folder: ${p}`);
  const root = opts.root ? path.resolve(cwd, opts.root) : commonDir(paths);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UsageError(`--root is not a folder: ${root}`);
  await initParser();
  const project = new Project([root], RULES);
  project.scan();
  const targets = new Set<string>();
  for (const p of paths) {
    if (fs.statSync(p).isDirectory()) for (const f of listWorkspace(p).python) targets.add(f);
    else targets.add(p);
  }
  const hints: Hint[] = [];
  for (const file of [...targets].sort()) {
    const text = project.textOf(file);
    if (text === null) continue;
    try {
      hints.push(...project.analyze(file, text));
    } catch (e) {
      project.notice(`analysis failed: ${(e as Error).message}`, file);
    }
  }
  return { hints, notices: project.notices, files: targets.size, root };
}

function formatText(result: CheckResult, cwd: string): string {
  const lines: string[] = [];
  for (const h of result.hints) {
    const rel = path.relative(cwd, h.file) || h.file;
    lines.push(`${rel}:${h.range.start.line + 1}:${h.range.start.character + 1}: ${h.severity} [${h.code}] ${h.message}`);
  }
  const files = new Set(result.hints.map((h) => h.file)).size;
  lines.push(result.hints.length ? `Found ${result.hints.length} hint${result.hints.length === 1 ? "" : "s"} in ${files} file${files === 1 ? "" : "s"} (${result.files} checked).` : `No hints in ${result.files} file${result.files === 1 ? "" : "s"}.`);
  return lines.join("\n") + "\n";
}

export function toJson(hints: Hint[]): unknown[] {
  return hints.map((h) => ({
    file: h.file,
    range: h.range,
    code: h.code,
    severity: h.severity,
    message: h.message,
    fixes: h.fixes.map((f) => ({ title: f.title, edits: f.edits.map((e) => ({ file: e.file, range: e.range, newText: e.newText })) })),
  }));
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "--help" || cmd === "-h" || cmd === "help") {
    process.stdout.write(USAGE + "\n");
    return cmd ? 0 : 2;
  }
  if (cmd === "--version" || cmd === "-V") {
    process.stdout.write(`django-orm-hints ${VERSION}\n`);
    return 0;
  }
  if (cmd === "lsp") {
    const { startServer } = await import("../lsp/server");
    startServer();
    return -1; // keeps running
  }
  if (cmd !== "check") {
    process.stderr.write(`django-orm-hints: unknown command ${JSON.stringify(cmd)}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const opts = parseCheckArgs(rest);
    const cwd = process.cwd();
    const result = await runCheck(opts, cwd);
    for (const n of result.notices) process.stderr.write(`django-orm-hints: ${n.file ? `${path.relative(cwd, n.file) || n.file}: ` : ""}${n.message}\n`);
    if (opts.format === "json") process.stdout.write(JSON.stringify(toJson(result.hints), null, 2) + "\n");
    else process.stdout.write(formatText(result, cwd));
    return result.hints.length ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`django-orm-hints: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`django-orm-hints: internal error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 2;
    },
  );
}
