/** Shared test helpers: temporary workspaces, analysis of sources, applying fixes. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pathToFileURL } from "url";
import { RULES } from "../rules";
import { applyFixRounds } from "../server/src/engine/fixall";
import { initParser } from "../server/src/engine/parser";
import { LineIndex } from "../server/src/engine/positions";
import { Project } from "../server/src/engine/project";
import type { Hint } from "../server/src/engine/types";

export const REPO = path.resolve(__dirname, "..", "..");

/** The smallest pair of models most tests need: Book with a ForeignKey to Author. */
export const AUTHOR_BOOK_MODELS = `from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
`;
export const CLI = path.join(REPO, "bin", "django-orm-hints.js");
export const EXAMPLE = path.join(REPO, "example");

const madeDirs: string[] = [];

/**
 * A fresh folder under the system's temporary folder, removed when the test process exits (set
 * ORM_HINTS_KEEP_TEMP=1 to keep them for a look).
 */
export function tempDir(prefix = "orm-hints-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (!madeDirs.length && !process.env.ORM_HINTS_KEEP_TEMP) {
    process.on("exit", () => {
      for (const d of madeDirs) {
        try {
          fs.rmSync(d, { recursive: true, force: true });
        } catch {
          // a folder still in use is left for the system to clear
        }
      }
    });
  }
  madeDirs.push(dir);
  return dir;
}

/** Writes files (relative path -> text) into a fresh folder and returns its path. */
export function writeTree(files: Record<string, string>, dir = tempDir()): string {
  for (const [rel, text] of Object.entries(files)) {
    const full = path.join(dir, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
  }
  return dir;
}

export async function projectFor(dir: string): Promise<Project> {
  await initParser();
  const project = new Project([dir], RULES);
  project.scan();
  return project;
}

/** Analyzes one file of a tree of sources; returns its hints (optionally of one rule). */
export async function hintsFor(files: Record<string, string>, target: string, code?: string): Promise<Hint[]> {
  const dir = writeTree(files);
  const project = await projectFor(dir);
  const file = path.join(dir, target);
  return project.analyze(file, files[target]).filter((h) => !code || h.code === code);
}

/** 1-based lines of hints. */
export function lines(hints: Hint[]): number[] {
  return hints.map((h) => h.range.start.line + 1);
}

/** Applies one fix's edits (all in `file`) to text. */
export function applyFix(text: string, hint: Hint, index = 0): string {
  const fix = hint.fixes[index];
  if (!fix) throw new Error(`no fix ${index} on ${hint.code}: ${hint.message}`);
  const li = new LineIndex(text);
  const edits = fix.edits.map((e) => ({ start: li.offsetAt(e.range.start), end: li.offsetAt(e.range.end), newText: e.newText })).sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** Applies safe fixes of one rule until none are left. */
export function fixAll(project: Project, file: string, text: string, code?: string): string {
  return applyFixRounds(text, (t) => project.analyze(file, t).filter((h) => h.file === file && (!code || h.code === code)), file).text;
}

/** `# expect: rule-a, rule-b` annotations: line (1-based) -> rule ids. */
export function expectations(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    const m = /#\s*expect:\s*([\w-]+(?:\s*,\s*[\w-]+)*)\s*$/.exec(line);
    if (m) out.set(i + 1, m[1].split(",").map((s) => s.trim()));
  });
  return out;
}

export const uriOf = (file: string): string => (file.includes("://") ? file : pathToFileURL(file).toString());

/**
 * Polls until `get` returns something truthy (no fixed sleeps); fails after `timeout` ms naming what it waited for,
 * or at once when `alive` says the process being waited on has exited.
 */
export async function waitFor<T>(what: string, get: () => T | undefined | null | false, timeout = 15000, alive?: () => boolean): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = get();
    if (v) return v;
    if (alive && !alive()) throw new Error(`the server exited while waiting for ${what}`);
    if (Date.now() - start > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
