/**
 * Reading the workspace: which Python files and templates there are (respecting .gitignore, skipping virtualenvs
 * and node_modules), and decoding their bytes. Only reads below the roots it is given; never runs anything.
 */
import * as fs from "fs";
import * as path from "path";
import ignore, { type Ignore } from "ignore";

const SKIP_DIRS = new Set([
  ".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox", ".mypy_cache",
  ".pytest_cache", ".ruff_cache", "site-packages", ".eggs", "htmlcov", ".idea", ".vscode", ".vscode-test",
]);

export interface DecodedText {
  text: string;
  /** The bytes were not valid UTF-8 and were decoded with replacement characters. */
  replaced: boolean;
  /** Looks binary (NUL bytes): not analyzed. */
  binary: boolean;
}

const strict = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder("utf-8", { fatal: false });

export function decode(bytes: Uint8Array): DecodedText {
  const sample = bytes.subarray(0, Math.min(bytes.length, 8192));
  if (sample.includes(0)) return { text: "", replaced: false, binary: true };
  let text: string;
  let replaced = false;
  try {
    text = strict.decode(bytes);
  } catch {
    text = lenient.decode(bytes);
    replaced = true;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, replaced, binary: false };
}

export interface WorkspaceListing {
  python: string[];
  /** Folders named "templates". */
  templateDirs: string[];
  /** Problems met while listing (unreadable folders, ...), one line each. */
  problems: string[];
}

function isVirtualenv(dir: string): boolean {
  return fs.existsSync(path.join(dir, "pyvenv.cfg"));
}

/**
 * Appends `items` to `target` one by one: `target.push(...items)` passes every item as an argument, and a listing of
 * some 120,000 files overflows the call stack.
 */
export function appendAll<T>(target: T[], items: readonly T[]): T[] {
  for (const x of items) target.push(x);
  return target;
}

/** Lists Python files and template folders below root; follows no symlinked folders (no loops). */
export function listWorkspace(root: string, limit = 200000): WorkspaceListing {
  const out: WorkspaceListing = { python: [], templateDirs: [], problems: [] };
  const stack: { dir: string; ig: { base: string; ig: Ignore }[] }[] = [{ dir: root, ig: [] }];
  while (stack.length) {
    const { dir, ig } = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      out.problems.push(`cannot read folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      continue;
    }
    let rules = ig;
    if (entries.some((e) => e.name === ".gitignore" && e.isFile())) {
      try {
        rules = [...ig, { base: dir, ig: ignore().add(fs.readFileSync(path.join(dir, ".gitignore"), "utf8")) }];
      } catch {
        // an unreadable .gitignore ignores nothing
      }
    }
    const ignored = (full: string, isDir: boolean) =>
      rules.some((r) => {
        const rel = path.relative(r.base, full).split(path.sep).join("/");
        return rel && !rel.startsWith("..") && r.ig.ignores(isDir ? `${rel}/` : rel);
      });
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (SKIP_DIRS.has(e.name) || ignored(full, true) || isVirtualenv(full)) continue;
        if (e.name === "templates") out.templateDirs.push(full);
        stack.push({ dir: full, ig: rules });
      } else if (e.isFile() && e.name.endsWith(".py")) {
        if (ignored(full, false)) continue;
        out.python.push(full);
        if (out.python.length >= limit) {
          out.problems.push(`stopped listing after ${limit} Python files`);
          return out;
        }
      }
    }
  }
  out.python.sort();
  return out;
}
