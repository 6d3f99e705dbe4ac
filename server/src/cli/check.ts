/**
 * `check`: which files (PATHs, or git's changed files), with which configuration (pyproject.toml, then flags),
 * and --fix (safe fixes, in fix-all rounds per file, written back).
 */
import * as fs from "fs";
import * as path from "path";
import { RULE_IDS, RULES } from "../../../rules";
import { applyFixRounds } from "../engine/fixall";
import { appendAll, decode, listWorkspace } from "../engine/files";
import { initParser } from "../engine/parser";
import { Project } from "../engine/project";
import { checkInParallel, workerCount } from "./parallel";
import { excludeMatcher, loadPyproject, settingsToConfig, type ProjectSettings } from "../engine/pyproject";
import type { Hint } from "../engine/types";
import type { Format } from "./format";
import { changedFiles, GitError } from "./git";

export class UsageError extends Error {}

export interface CheckOptions {
  root?: string;
  format: Format;
  paths: string[];
  /** --changed [BASE]: only files git reports changed since BASE. */
  changed?: string;
  /** --select: only these rules (replaces pyproject's select and ignore). */
  select?: string[];
  /** --ignore: also skip these rules (added to pyproject's ignore). */
  ignore?: string[];
  fix?: boolean;
  exitZero?: boolean;
}

export interface CheckResult {
  hints: Hint[];
  notices: { file?: string; message: string }[];
  files: number;
  root: string;
  /** Files changed by --fix and how many hints each lost. */
  fixed: { file: string; count: number }[];
  /** The pyproject.toml read, if any. */
  configFile: string | null;
  /** The project, for the text of checked files. */
  project: Project;
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

const real = (p: string) => {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
};

/** If file is inside dir (after resolving symlinks on both), the file's path spelled from dir; else null. */
function under(file: string, dir: string): string | null {
  const rel = path.relative(real(dir), real(file));
  if (rel === "") return dir;
  if (rel.startsWith("..") || path.isAbsolute(rel)) return null;
  return path.join(dir, rel);
}

/** Validates comma-separated rule ids of a flag. */
export function ruleIds(flag: string, value: string): string[] {
  const ids = value.split(",").map((s) => s.trim()).filter(Boolean);
  if (!ids.length) throw new UsageError(`${flag} needs at least one rule id (known: ${RULE_IDS.join(", ")})`);
  const unknown = ids.filter((id) => !RULE_IDS.includes(id));
  if (unknown.length) throw new UsageError(`${flag}: unknown rule id${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => JSON.stringify(u)).join(", ")} (known: ${RULE_IDS.join(", ")})`);
  return ids;
}

/** Writes fixed text back, keeping a byte-order mark. Files that were not valid UTF-8 are never rewritten. */
function fixFile(project: Project, file: string): number {
  // Templates are fixed through the view that renders them, when that view is checked.
  if (!file.endsWith(".py")) return 0;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return 0;
  }
  const d = decode(bytes);
  if (d.binary || d.replaced) {
    if (d.replaced) project.notice("not fixed: the file is not valid UTF-8", file);
    return 0;
  }
  if (bytes.length > project.config.maxFileBytes) return 0;
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  // Every hint of this analysis counts, including those it places in templates, when its safe fix edits this file.
  const result = applyFixRounds(d.text, (text) => project.analyze(file, text), file);
  if (!result.applied || result.text === d.text) {
    project.indexText(file, d.text);
    return 0;
  }
  fs.writeFileSync(file, (bom ? "\uFEFF" : "") + result.text);
  project.indexText(file, result.text);
  return result.applied;
}

export async function runCheck(opts: CheckOptions, cwd = process.cwd()): Promise<CheckResult> {
  const paths = (opts.paths.length ? opts.paths : ["."]).map((p) => path.resolve(cwd, p));
  for (const p of paths) if (!fs.existsSync(p)) throw new UsageError(`no such file or folder: ${p}`);
  const root = opts.root ? path.resolve(cwd, opts.root) : commonDir(paths);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UsageError(`--root is not a folder: ${root}`);

  // Configuration: pyproject.toml, then the flags.
  const py = loadPyproject(root, RULE_IDS);
  // Flags win: --select replaces the configured selection (its ignore list included), --ignore adds to it.
  const settings: ProjectSettings = opts.select
    ? { ...py.settings, select: opts.select, ignore: opts.ignore ?? [] }
    : { ...py.settings, ignore: [...py.settings.ignore, ...(opts.ignore ?? [])] };
  // A rule named by --select runs even if pyproject.toml turned it off by severity.
  if (opts.select) for (const id of opts.select) if (settings.severity[id] === "off") settings.severity = { ...settings.severity, [id]: "default" };
  const excluded = excludeMatcher(py.dir, settings.exclude);

  await initParser();
  const project = new Project([root], RULES);
  project.config = settingsToConfig(settings, RULE_IDS);
  for (const p of py.problems) project.notice(p);
  const files = project.list();

  // Which files.
  let candidates: string[];
  if (opts.changed !== undefined) {
    let changed: string[];
    try {
      changed = (await changedFiles(root, opts.changed, ".py")).files;
    } catch (e) {
      if (e instanceof GitError) throw new UsageError(`--changed: ${e.message}`);
      throw e;
    }
    candidates = changed.flatMap((f) => {
      for (const p of paths) {
        const inside = under(f, p);
        if (inside) return [inside];
      }
      return [];
    });
  } else {
    candidates = [];
    for (const p of paths) {
      if (fs.statSync(p).isDirectory()) appendAll(candidates, listWorkspace(p).python);
      else candidates.push(p);
    }
  }
  const targets = [...new Set(candidates)].filter((f) => !excluded(f)).sort();

  // Index the project, and analyze on several threads when it is big enough (--fix edits files: one thread).
  const threads = opts.fix ? 1 : workerCount(files.length);
  let analyzed: Map<string, Hint[]> | null = null;
  if (threads > 1) {
    analyzed = await checkInParallel(project, files, threads, targets.filter((f) => f.endsWith(".py")));
  } else {
    // The files to analyze are parsed once, while indexing.
    project.keepParses(targets);
    for (const f of files) project.indexFile(f);
    project.scanned();
  }

  const fixed: { file: string; count: number }[] = [];
  if (opts.fix) {
    for (const file of targets) {
      try {
        const count = fixFile(project, file);
        if (count) fixed.push({ file, count });
      } catch (e) {
        if (e instanceof UsageError) throw e;
        project.notice(`fix failed: ${(e as Error).message}`, file);
      }
    }
  }

  const hints: Hint[] = [];
  const foreignSeen = new Set<string>();
  for (const file of targets) {
    try {
      // A template is checked through the views that render it.
      if (!file.endsWith(".py")) {
        hints.push(...project.analyzeTemplate(file));
        continue;
      }
      let found: Hint[];
      if (analyzed) found = analyzed.get(file) ?? [];
      else {
        const text = project.textOf(file);
        if (text === null) continue;
        found = project.analyze(file, text);
      }
      // A template that several views render (a base.html they all extend) gets its hint once.
      for (const h of found) {
        if (h.file !== file) {
          const key = `${h.file}:${h.code}:${h.range.start.line}:${h.range.start.character}:${h.message}`;
          if (foreignSeen.has(key)) continue;
          foreignSeen.add(key);
        }
        hints.push(h);
      }
    } catch (e) {
      project.notice(`analysis failed: ${(e as Error).message}`, file);
    }
  }
  project.dropKeptParses();
  return { hints, notices: project.notices, files: targets.length, root, fixed, configFile: py.file, project };
}
