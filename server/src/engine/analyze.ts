/**
 * Runs the rules over one file and turns their offset reports into hints with UTF-16 line/character ranges.
 *
 * Re-analysis after an edit reuses the last analysis where it cannot have changed. A rule examines code through
 * `ctx.examine(node, ...)`: the reports made inside belong to the node's top-level statement. On the next analysis
 * (same index, config, rules and other files), a statement the edit did not touch, and that shares no name with a
 * touched one, keeps its reports from last time (their offsets moved with the statement) and is not examined
 * again. Reports made outside `examine` are recomputed every time. A file with parse errors is analyzed whole (error
 * recovery can give the same text another tree around it).
 */
import type { Config } from "./config";
import { severityFor } from "./config";
import { isSuppressed, SUPPRESSION_MARK } from "./fixes";
import { analyzeFlow, type FileFlow } from "./flow";
import { TEST_OR_MIGRATION, type ModelIndex } from "./models";
import type { Syntax, SyntaxNode } from "./parser";
import { LineIndex } from "./positions";
import type { ProjectView, Report, Rule } from "./rule";
import { preferredQuote } from "./syntax";
import { docsUrl, type Hint } from "./types";

export interface AnalyzeInput {
  file: string;
  /** The file's path relative to its workspace root (tests and migrations are recognized by it); default `file`. */
  relPath?: string;
  syntax: Syntax;
  index: ModelIndex;
  config: Config;
  project: ProjectView;
  rules: readonly Rule[];
  /**
   * The last analysis of this file, to reuse what an edit did not change; updated in place. `stamp` must change
   * whenever anything outside this file that rules read changes (other files, templates).
   */
  memo?: AnalysisMemo;
  stamp?: unknown;
}

/** What one analysis of a file leaves for the next. Opaque; create with `newAnalysisMemo()`. */
export interface AnalysisMemo {
  statements: SyntaxNode[];
  key: unknown[];
  byRule: Map<string, Map<SyntaxNode, Stored[]>>;
  /** What each rule declared with dependsOn. */
  deps: Map<string, string>;
  /**
   * For each regex a rule asked `mentions` about: the statement a match lay in, or null when the text of
   * analysis number `seq` had none.
   */
  mentions: Map<string, { node: SyntaxNode | null; seq: number }>;
  /** Counts analyses. */
  seq: number;
  /** How many top-level statements the last analysis examined, and how many kept their reports (for tests and the benchmark). */
  examined: number;
  reused: number;
}

export function newAnalysisMemo(): AnalysisMemo {
  return { statements: [], key: [], byRule: new Map(), deps: new Map(), mentions: new Map(), seq: 0, examined: 0, reused: 0 };
}

/** An offset in the analyzed file, relative to the top-level statement holding it, or to the gap it lies in. */
type Anchor = { node: SyntaxNode; delta: number } | { prev: SyntaxNode | null; next: SyntaxNode | null; delta: number; gap: number };

interface Stored {
  report: Report;
  anchors: Anchor[];
}

/** A module named for migrations (`utils/migrations.py`, `migration_helpers.py`) outside a migrations/ folder. */
const MIGRATION_MODULE = /(^|\/)[^/]*migrations?[^/]*\.py$/;
/** Historical models: `apps.get_model("ipam", "VRF")`, what a data migration's helpers work on. */
const HISTORICAL_MODELS = /\bapps\.get_model\s*\(/;
/**
 * Test code by its top-level imports: factory_boy (a module of test-data factories), pytest, a TestCase class
 * (a shared base such as `dojo_test_case.py`, kept next to the tests under any name), or a module of a tests package
 * (`from ralph.data_center.tests.factories import ...`, `from temba.tests.integration import Messenger`): test
 * tooling kept elsewhere, a demo-data generator or a developer console, run against a developer's database.
 */
const TEST_IMPORTS = /^(import factory\b|from factory(\.[\w.]+)? import\b|import pytest\b|from pytest\b|from \.*(?:\w+\.)*(?:tests|testing|test_?utils)(?:\.\w+)* import\b|import (?:\w+\.)+(?:tests|testing|test_?utils)\b|from (django\.test|rest_framework\.test|unittest) import (?:[^\n(]*|\([^)]*)\b(TestCase|TransactionTestCase|SimpleTestCase|LiveServerTestCase|StaticLiveServerTestCase|APITestCase|APITransactionTestCase|APISimpleTestCase)\b)/m;
/** The same test on one import statement's text. */
const TEST_IMPORT = new RegExp(TEST_IMPORTS.source);
/** A migration module wherever MIGRATION_MODULES puts it (`dojo/db_migrations/0001_initial.py`). */
const MIGRATION_CLASS = /^class Migration\((migrations\.)?Migration\)/m;
const MIGRATION_CLASS_HERE = new RegExp(MIGRATION_CLASS.source);

/**
 * Test code and migrations (a checkout under /tmp/tests/ is not a test): by the path relative to the workspace root,
 * and, when the text is given, by what the module is. Migration helpers kept outside migrations/ (a module named for
 * migrations that works on `apps.get_model()` models) run once, from `migrate`; factory_boy factories build test data.
 */
export function isTestOrMigration(relPath: string, text?: string, root?: SyntaxNode): boolean {
  const rel = relPath.replace(/\\/g, "/");
  if (TEST_OR_MIGRATION.test(rel)) return true;
  if (text === undefined) return false;
  if (MIGRATION_MODULE.test(rel) && HISTORICAL_MODELS.test(text)) return true;
  // With the tree, only the top-level imports are read: a scan of a large module's text on every keystroke is not
  // free (this runs for indexing and for analysis).
  if (!root) return TEST_IMPORTS.test(text) || MIGRATION_CLASS.test(text);
  const cs = root.children;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    if ((c.type === "import_statement" || c.type === "import_from_statement") && TEST_IMPORT.test(text.slice(c.start, c.end))) return true;
    if (c.type === "class_definition" && MIGRATION_CLASS_HERE.test(text.slice(c.start, c.start + 60))) return true;
  }
  return false;
}

export function analyzeFile(input: AnalyzeInput): Hint[] {
  const { file, syntax, index, config, project, rules } = input;
  // While the file does not parse, error recovery can give the same text other trees around it: analyze it whole,
  // and start afresh once it parses again.
  if (input.memo && syntax.hasErrors) Object.assign(input.memo, newAnalysisMemo());
  const memo = syntax.hasErrors ? undefined : input.memo;
  // Tests and migrations loop over queries on purpose (fixtures, query-count assertions, data migrations): their
  // hints would be noise, and their queries do not count for missing-index either.
  if (isTestOrMigration(input.relPath ?? file, syntax.text, syntax.root)) return [];
  const lines = new LineIndex(syntax.text);
  const statements = syntax.root.children;
  const key = [index, index.versionFor(file), config, rules, input.stamp, preferredQuote(syntax.text)];
  if (memo) for (const s of statements) namesOf(s, syntax.text);
  const dirty = memo ? dirtyStatements(memo, statements, key, file) : null;
  const enabled = rules.filter((r) => severityFor(config, r.meta.id, r.meta.defaultSeverity));
  // What each rule can reuse: the reports from last time that still stand, moved to where their statements are
  // now. A clean statement with nothing stored had nothing to report; one whose reports cannot be placed is
  // examined again.
  const prepared = new Map<Rule, { reuse: Map<SyntaxNode, Report[]>; unplaced: Set<SyntaxNode> }>();
  let flowFor: ((stmt: SyntaxNode) => boolean) | undefined;
  if (dirty) {
    const examinedSomewhere = new Set(dirty);
    let all = false;
    for (const rule of enabled) {
      const stored = memo!.byRule.get(rule.meta.id);
      if (!stored) all = true;
      const reuse = new Map<SyntaxNode, Report[]>();
      const unplaced = new Set<SyntaxNode>();
      for (const [s, prev] of stored ?? []) {
        if (s.parent !== syntax.root || dirty.has(s)) continue;
        const moved = relocate(prev, syntax, file);
        if (moved) reuse.set(s, moved);
        else {
          unplaced.add(s);
          examinedSomewhere.add(s);
        }
      }
      prepared.set(rule, { reuse, unplaced });
    }
    // The flow of definitions no rule examines is not needed.
    if (!all) flowFor = (s) => examinedSomewhere.has(s);
  }
  const flows = new Map<boolean, FileFlow>();
  const flowOf = (restricted: boolean) => {
    let f = flows.get(restricted);
    if (!f) flows.set(restricted, (f = analyzeFlow(syntax, file, index, restricted ? flowFor : undefined)));
    return f;
  };
  const raw: { rule: Rule; report: Report }[] = [];
  let examined = 0;
  // Statements new since the last analysis: the text changed only there (and in the whitespace between).
  const seq = (memo?.seq ?? 0) + 1;
  const previous = memo?.statements.length ? new Set(memo.statements) : null;
  const added = previous ? statements.filter((s) => !previous.has(s)) : null;
  const mentions = (re: RegExp): boolean => {
    const key = `${re.source}/${re.flags}`;
    const last = memo?.mentions.get(key);
    // A match inside a statement the edit left alone is still there.
    if (last?.node && last.node.parent === syntax.root) return true;
    // No match last time: look only at what changed.
    if (last && !last.node && last.seq === seq - 1 && added) {
      const hit = added.find((s) => re.test(syntax.text.slice(s.start, s.end)));
      memo!.mentions.set(key, { node: hit ?? null, seq });
      return !!hit;
    }
    const m = re.exec(syntax.text);
    if (memo) {
      const top = m ? statementAt(statements, m.index) : null;
      // A match across statements (or between them) is not kept: the next analysis scans again.
      if (!m || (top && m.index + m[0].length <= top.end)) memo.mentions.set(key, { node: m ? top : null, seq });
      else memo.mentions.delete(key);
    }
    return !!m;
  };
  const runRule = (rule: Rule, dirty: Set<SyntaxNode> | null) => {
    const stored = dirty ? memo!.byRule.get(rule.meta.id) : undefined;
    const reuse = (dirty && prepared.get(rule)?.reuse) || new Map<SyntaxNode, Report[]>();
    const unplaced = (dirty && prepared.get(rule)?.unplaced) || new Set<SyntaxNode>();
    const storedDeps = memo?.deps.get(rule.meta.id);
    let deps = "";
    const reusable = (s: SyntaxNode) => !!dirty && !!stored && !dirty.has(s) && !unplaced.has(s) && storedDeps !== undefined && storedDeps.startsWith(deps);
    const raw: { rule: Rule; report: Report }[] = [];
    const fresh = new Map<SyntaxNode, Report[]>();
    let current: SyntaxNode | null = null;
    let examined = 0;
    let reusedAny = false;
    const report = (r: Report) => {
      raw.push({ rule, report: r });
      if (current) fresh.get(current)!.push(r);
    };
    const examine = <T>(node: SyntaxNode, fn: () => T): T | undefined => {
      if (current) return fn();
      const top = topStatement(node, syntax.root);
      if (!top) return fn();
      if (reusable(top)) {
        reusedAny = true;
        return undefined;
      }
      if (!fresh.has(top)) {
        fresh.set(top, []);
        examined++;
      }
      current = top;
      try {
        return fn();
      } finally {
        current = null;
      }
    };
    let failed = false;
    try {
      rule.check({
        file, text: syntax.text, syntax, lines, index, project, options: { wideModelThreshold: config.wideModelThreshold },
        flow: () => flowOf(!!dirty && !!flowFor),
        report,
        examine,
        mentions,
        dependsOn: (key: string) => {
          deps += `${key}\0`;
        },
      });
    } catch (e) {
      // A rule that fails on odd code must not take the others down; it says nothing more for this file.
      if (process.env.DJANGO_ORM_HINTS_DEBUG) throw e;
      failed = true;
    }
    // Only statements with reports are stored.
    const next = new Map<SyntaxNode, Stored[]>();
    for (const [s, rs] of reuse) {
      if (fresh.has(s)) continue;
      for (const r of rs) raw.push({ rule, report: r });
      reusedAny = true;
      next.set(s, stored!.get(s)!);
    }
    if (memo) for (const [s, rs] of fresh) if (rs.length) next.set(s, rs.map((r) => ({ report: r, anchors: anchorsOf(r, file, syntax) })));
    return { raw, next, deps, failed, examined, reusedAny };
  };
  for (const rule of enabled) {
    let result = runRule(rule, dirty);
    // Reports were reused, but the rule declared different file-wide inputs than last time: examine everything.
    if (result.reusedAny && result.deps !== memo?.deps.get(rule.meta.id)) result = runRule(rule, null);
    raw.push(...result.raw);
    examined += result.examined;
    if (memo) {
      if (result.failed) memo.byRule.delete(rule.meta.id);
      else {
        memo.byRule.set(rule.meta.id, result.next);
        memo.deps.set(rule.meta.id, result.deps);
      }
    }
  }
  if (memo) {
    memo.seq = seq;
    memo.statements = statements;
    memo.key = key;
    memo.examined = examined;
    memo.reused = dirty ? statements.length - dirty.size : 0;
  }
  return toHints(raw, file, lines, project, config);
}

function toHints(raw: { rule: Rule; report: Report }[], file: string, lines: LineIndex, project: ProjectView, config: Config): Hint[] {
  const lineIndexes = new Map<string, LineIndex>([[file, lines]]);
  const linesOf = (f: string): LineIndex | null => {
    let li = lineIndexes.get(f);
    if (!li) {
      const t = project.textOf(f);
      if (t === null) return null;
      li = new LineIndex(t);
      lineIndexes.set(f, li);
    }
    return li;
  };
  const hints: Hint[] = [];
  // Suppression comments are rare: look for them per line only in files that have one.
  const mayIgnore = new Map<string, boolean>();
  for (const { rule, report: r } of raw) {
    const severity = severityFor(config, rule.meta.id, rule.meta.defaultSeverity)!;
    const target = r.file ?? file;
    const li = linesOf(target);
    if (!li) continue;
    const range = li.rangeAt(r.start, r.end);
    let ignores = mayIgnore.get(target);
    if (ignores === undefined) mayIgnore.set(target, (ignores = li.text.includes(SUPPRESSION_MARK)));
    if (ignores && isSuppressed(li.line(range.start.line), rule.meta.id)) continue;
    const related = (r.related ?? []).flatMap((x) => {
      const rl = linesOf(x.file);
      return rl ? [{ file: x.file, range: rl.rangeAt(x.start, x.end), message: x.message }] : [];
    });
    const fixes = (r.fixes ?? []).flatMap((fx) => {
      const edits = fx.edits.map((e) => {
        const el = linesOf(e.file);
        return el ? { file: e.file, range: el.rangeAt(e.start, e.end), newText: e.newText } : null;
      });
      if (!edits.length || edits.some((e) => e === null)) return [];
      return [{ title: fx.title, safe: fx.safe, edits: edits as NonNullable<(typeof edits)[number]>[] }];
    });
    hints.push({ file: target, range, code: rule.meta.id, severity, message: r.message, related, fixes, docsUrl: docsUrl(rule.meta.id) });
  }
  // A total order (two views rendering one template give two hints at the same place, told apart by where they
  // come from), so an analysis that reused reports lists them as a fresh one does.
  const ties = new Map<Hint, string>();
  const tie = (h: Hint) => {
    let t = ties.get(h);
    if (t === undefined) ties.set(h, (t = `${h.message}\0${JSON.stringify(h.related)}\0${JSON.stringify(h.fixes)}`));
    return t;
  };
  hints.sort((a, b) => (a.file === b.file ? 0 : a.file.localeCompare(b.file)) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code) || (tie(a) < tie(b) ? -1 : tie(a) > tie(b) ? 1 : 0));
  return hints;
}

function topStatement(node: SyntaxNode, root: SyntaxNode): SyntaxNode | null {
  let n = node;
  while (n.parent && n.parent !== root) n = n.parent;
  return n.parent === root ? n : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Which statements must be examined again

const IMPORTS = new Set(["import_statement", "import_from_statement", "future_import_statement"]);
/** Files whose own content other rules' lookups read (URLconfs, settings): always analyzed whole. */
const SHARED_FILE = /(?:^|[\\/])(?:urls|settings)(?:\.py$|[\\/])|settings[^\\/]*\.py$/;

interface Names {
  /** Every identifier in the statement. */
  ids: Set<string>;
  /** The module-level names it may bind. */
  defs: Set<string>;
}
const namesCache = new WeakMap<SyntaxNode, Names>();

/**
 * The statements to examine again, or null when nothing can be reused. A statement is examined again when it
 * changed, when it uses a name a changed statement binds (or, transitively, one that such a statement binds),
 * and when it binds a name one of those uses (a serializer's reports depend on the views using it).
 */
function dirtyStatements(memo: AnalysisMemo, statements: SyntaxNode[], key: unknown[], file: string): Set<SyntaxNode> | null {
  if (!memo.statements.length || key.length !== memo.key.length || key.some((k, i) => k !== memo.key[i])) return null;
  if (SHARED_FILE.test(file)) return null;
  const now = new Set(statements);
  const before = new Set(memo.statements);
  const changed = [...statements.filter((s) => !before.has(s)), ...memo.statements.filter((s) => !now.has(s))];
  if (changed.some((s) => IMPORTS.has(s.type))) return null;
  const names = statements.map((s) => namesCache.get(s)!);
  const dirty = new Set<SyntaxNode>(statements.filter((s) => !before.has(s)));
  // Statements whose content may matter to a changed one: users of what the changed ones bind, transitively.
  const changedNames = changed.map((s) => namesCache.get(s));
  if (changedNames.some((n) => !n)) return null;
  // (a copy: changedNames is used again below)
  const queue = [...(changedNames as Names[])];
  const affected = new Set<number>();
  while (queue.length) {
    const z = queue.pop()!;
    if (!z.defs.size) continue;
    for (let i = 0; i < statements.length; i++) {
      if (affected.has(i) || dirty.has(statements[i])) continue;
      if (intersects(names[i].ids, z.defs)) {
        affected.add(i);
        queue.push(names[i]);
      }
    }
  }
  for (const i of affected) dirty.add(statements[i]);
  // A statement that binds a name a changed or affected statement uses: its reports may depend on its users (a
  // serializer's on the views using it, a module-level loop's rows on a function that reads its variable).
  const users = [...(changedNames as Names[]), ...[...affected].map((i) => names[i])];
  for (let i = 0; i < statements.length; i++) {
    if (dirty.has(statements[i])) continue;
    if (users.some((u) => intersects(u.ids, names[i].defs))) dirty.add(statements[i]);
  }
  if (dirty.size * 2 > statements.length) return null;
  return dirty;
}

function intersects(a: Set<string>, b: Set<string>): boolean {
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) return true;
  return false;
}

/** The names a top-level statement uses and binds, computed once per statement node (reused nodes keep theirs). */
function namesOf(stmt: SyntaxNode, text: string): Names {
  let n = namesCache.get(stmt);
  if (n) return n;
  const ids = new Set<string>();
  const defs = new Set<string>();
  const stack = [stmt];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.type === "identifier") ids.add(text.slice(x.start, x.end));
    else if (x.type === "global_statement") for (const c of x.children) if (c.type === "identifier") defs.add(text.slice(c.start, c.end));
    for (let i = x.children.length - 1; i >= 0; i--) stack.push(x.children[i]);
  }
  const def = stmt.type === "decorated_definition" ? stmt.children.find((c) => c.field === "definition") : stmt;
  if (def && (def.type === "function_definition" || def.type === "class_definition")) {
    const name = def.children.find((c) => c.field === "name");
    if (name) defs.add(text.slice(name.start, name.end));
  } else if (stmt.type === "expression_statement") {
    // Module-level assignments bind their targets (and walrus names); a bare call binds nothing.
    const targets = [stmt];
    while (targets.length) {
      const x = targets.pop()!;
      if (x.type === "assignment" || x.type === "augmented_assignment") {
        for (const c of x.children) {
          if (c.field === "left") collectIds(c, text, defs);
          else if (c.field === "right") targets.push(c);
        }
      } else if (x.type === "named_expression") {
        const name = x.children.find((c) => c.field === "name");
        if (name) defs.add(text.slice(name.start, name.end));
      } else for (const c of x.children) targets.push(c);
    }
  } else if (stmt.type !== "comment") {
    for (const id of ids) defs.add(id);
  }
  n = { ids, defs };
  namesCache.set(stmt, n);
  return n;
}

function collectIds(node: SyntaxNode, text: string, into: Set<string>): void {
  const stack = [node];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.type === "identifier") into.add(text.slice(x.start, x.end));
    for (let i = 0; i < x.children.length; i++) stack.push(x.children[i]);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Report offsets that move with their statement

/** Every offset of a report that lies in the analyzed file, in a fixed order. */
function offsetsOf(r: Report, file: string): number[] {
  const out: number[] = [];
  if ((r.file ?? file) === file) out.push(r.start, r.end);
  for (const x of r.related ?? []) if (x.file === file) out.push(x.start, x.end);
  for (const fx of r.fixes ?? []) for (const e of fx.edits) if (e.file === file) out.push(e.start, e.end);
  return out;
}

function withOffsets(r: Report, file: string, offsets: number[]): Report {
  let i = 0;
  const next = () => offsets[i++];
  const out: Report = { ...r };
  if ((r.file ?? file) === file) {
    out.start = next();
    out.end = next();
  }
  if (r.related) out.related = r.related.map((x) => (x.file === file ? { ...x, start: next(), end: next() } : x));
  if (r.fixes) out.fixes = r.fixes.map((fx) => ({ ...fx, edits: fx.edits.map((e) => (e.file === file ? { ...e, start: next(), end: next() } : e)) }));
  return out;
}

/** The index of the last statement starting at or before `o`, or -1. */
function lastStartingAt(stmts: SyntaxNode[], o: number): number {
  let lo = 0;
  let hi = stmts.length - 1;
  let k = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (stmts[mid].start <= o) {
      k = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return k;
}

/** The top-level statement holding offset `o`, or null. */
function statementAt(stmts: SyntaxNode[], o: number): SyntaxNode | null {
  const k = lastStartingAt(stmts, o);
  return k >= 0 && o <= stmts[k].end ? stmts[k] : null;
}

function anchorsOf(r: Report, file: string, syntax: Syntax): Anchor[] {
  const stmts = syntax.root.children;
  return offsetsOf(r, file).map((o) => {
    const k = lastStartingAt(stmts, o);
    if (k >= 0 && o <= stmts[k].end) return { node: stmts[k], delta: o - stmts[k].start };
    const prev = k >= 0 ? stmts[k] : null;
    const next = k + 1 < stmts.length ? stmts[k + 1] : null;
    const from = prev ? prev.end : 0;
    return { prev, next, delta: o - from, gap: (next ? next.start : syntax.text.length) - from };
  });
}

/** The stored reports with their offsets where their statements are now, or null when one cannot be placed. */
function relocate(stored: Stored[], syntax: Syntax, file: string): Report[] | null {
  const live = (n: SyntaxNode | null) => n === null || n.parent === syntax.root;
  const out: Report[] = [];
  for (const s of stored) {
    const offsets: number[] = [];
    for (const a of s.anchors) {
      if ("node" in a) {
        if (!live(a.node)) return null;
        offsets.push(a.node.start + a.delta);
      } else {
        if (!live(a.prev) || !live(a.next)) return null;
        const from = a.prev ? a.prev.end : 0;
        if ((a.next ? a.next.start : syntax.text.length) - from !== a.gap) return null;
        offsets.push(from + a.delta);
      }
    }
    out.push(withOffsets(s.report, file, offsets));
  }
  return out;
}
