/** Edits shared by rules: adding to a queryset where it is built, suppression comments. */
import type { Origin } from "./flow";
import type { OffsetEdit } from "./rule";
import type { SyntaxNode } from "./parser";
import { appendItem, eolAt, exclusiveBranches, preferredQuote } from "./syntax";

/** Where a queryset is used (a loop, a read), for fixes made where it was built. */
export interface UseSite {
  file: string;
  root: SyntaxNode;
  node: SyntaxNode;
}

/**
 * Adds lookup paths to select_related / prefetch_related where the queryset is built: merged into an existing call
 * of that method in the chain, else inserted right after the manager (`Book.objects.select_related("author")`).
 */
export function addToQueryset(origin: Origin, method: "select_related" | "prefetch_related", paths: string | string[], text: string): OffsetEdit | null {
  if (method === "select_related" && origin.bareSelect) return null;
  const q = preferredQuote(text);
  const existing = method === "select_related" ? origin.selectCall : origin.prefetchCall;
  const list = (Array.isArray(paths) ? paths : [paths]).filter((p) => !existing?.strings.includes(p));
  if (!list.length) return null;
  const args = list.map((p) => `${q}${p}${q}`).join(", ");
  if (existing) {
    const e = appendItem(text, existing.lastArg ?? null, existing.argsEnd, args)!;
    return { file: origin.file, start: e.at, end: e.at, newText: e.newText };
  }
  if (origin.insertAt === null) return null;
  return { file: origin.file, start: origin.insertAt, end: origin.insertAt, newText: `.${method}(${args})` };
}

/** select_related and prefetch_related additions for one queryset, as non-overlapping edits. */
export function joinEdits(origin: Origin, select: string[], prefetch: string[], text: string): OffsetEdit[] {
  const edits: OffsetEdit[] = [];
  if (select.length && origin.bareSelect) return edits;
  const a = select.length ? addToQueryset(origin, "select_related", select, text) : null;
  const b = prefetch.length ? addToQueryset(origin, "prefetch_related", prefetch, text) : null;
  if (a && b && a.start === b.start && a.end === b.end) return [{ ...a, newText: a.newText + b.newText }];
  if (a) edits.push(a);
  if (b) edits.push(b);
  return edits;
}

/**
 * The edits of a fix made at every place the queryset may have been built (`Origin.also`): all of them, or none
 * when one place cannot take the edit (a partial fix would leave the other path's queries). `edit` answers null
 * for a place that cannot take it, and no edits for one that needs none.
 */
export function atEachOrigin(origin: Origin, edit: (o: Origin) => OffsetEdit[] | null, use?: UseSite): OffsetEdit[] {
  const out: OffsetEdit[] = [];
  // A place in another branch of an if/elif chain than the use does not reach it (the analysis merges what
  // sibling branches assign).
  const reaching = (origin.also ?? []).filter((o) => !use || o.file !== use.file || !exclusiveBranches(use.root, o.start, use.node));
  for (const o of [origin, ...reaching]) {
    const e = edit(o);
    if (!e) return [];
    out.push(...e);
  }
  return out;
}

/** addToQueryset at every place the queryset may have been built; `textOf` reads each place's file. */
export function addToEachOrigin(origin: Origin, method: "select_related" | "prefetch_related", paths: string | string[], textOf: (file: string) => string | null, use?: UseSite): OffsetEdit[] {
  return atEachOrigin(origin, (o) => {
    const text = textOf(o.file);
    if (text === null) return null;
    const existing = method === "select_related" ? o.selectCall : o.prefetchCall;
    if ((Array.isArray(paths) ? paths : [paths]).every((p) => existing?.strings.includes(p))) return [];
    const e = addToQueryset(o, method, paths, text);
    return e ? [e] : null;
  }, use);
}

/** joinEdits at every place the queryset may have been built. */
export function joinAtEachOrigin(origin: Origin, select: string[], prefetch: string[], textOf: (file: string) => string | null, use?: UseSite): OffsetEdit[] {
  return atEachOrigin(origin, (o) => {
    const text = textOf(o.file);
    if (text === null) return null;
    const e = joinEdits(o, select, prefetch, text);
    const needed = [...select.filter((p) => !o.selectCall?.strings.includes(p)), ...prefetch.filter((p) => !o.prefetchCall?.strings.includes(p))];
    return e.length || !needed.length ? e : null;
  }, use);
}

/**
 * A prefetch fix's edits and safety on a queryset read with `.iterator()`: prefetch_related needs chunk_size there
 * (Django 5 raises ValueError without it, Django 4 ignores the prefetch), so the fix also writes `chunk_size=2000`
 * (iterator()'s own default) into the call. Where that call cannot be edited, the fix is not safe.
 */
export function withChunkSize(origin: Origin, edits: OffsetEdit[], prefetching: boolean): { edits: OffsetEdit[]; safe: boolean } {
  if (!prefetching || !origin.iterator) return { edits, safe: true };
  if (!origin.iteratorAt) return { edits, safe: false };
  const { file, offset } = origin.iteratorAt;
  return { edits: [...edits, { file, start: offset, end: offset, newText: "chunk_size=2000" }], safe: true };
}

/** Drops paths that a longer path in the list already implies ("author" when "author__publisher" is there). */
export function longestPaths(paths: string[]): string[] {
  const uniq = [...new Set(paths)];
  return uniq.filter((p) => !uniq.some((q) => q !== p && q.startsWith(`${p}__`)));
}

/**
 * `from module import name` lines for the names a file does not import yet, after its last top-level import (or
 * its docstring, or at the top).
 */
export function importEdits(file: string, text: string, root: SyntaxNode, needs: { module: string; name: string }[]): OffsetEdit[] {
  const eol = eolAt(text);
  const missing = needs.filter((n) => !new RegExp(`^\\s*from\\s+${n.module.replace(/\./g, "\\.")}\\s+import\\s+[^\\n]*\\b${n.name}\\b`, "m").test(text));
  if (!missing.length) return [];
  let at = 0;
  for (const stmt of root.children) {
    if (stmt.type === "import_statement" || stmt.type === "import_from_statement" || stmt.type === "future_import_statement") at = stmt.end;
    else if (at === 0 && stmt.type === "expression_statement" && stmt.children[0]?.type === "string") at = stmt.end;
  }
  const lines = missing.map((n) => `from ${n.module} import ${n.name}`).join(eol);
  return at === 0 ? [{ file, start: 0, end: 0, newText: `${lines}${eol}` }] : [{ file, start: at, end: at, newText: `${eol}${lines}` }];
}

const SUPPRESS = /#\s*orm-hints:\s*ignore(?:\[([^\]]*)\])?/;
/** Text every suppression comment contains. */
export const SUPPRESSION_MARK = "orm-hints:";

/** Is a hint with this code suppressed by a comment on its line? */
export function isSuppressed(lineText: string, code: string): boolean {
  const m = SUPPRESS.exec(lineText);
  if (!m) return false;
  if (m[1] === undefined) return true;
  return m[1].split(",").map((s) => s.trim()).includes(code);
}

/** The edit that suppresses `code` on a line: appends to an existing ignore list or adds a comment. */
export function suppressionEdit(lineText: string, lineEndOffset: number, lineStartOffset: number, code: string): { start: number; end: number; newText: string } {
  const m = SUPPRESS.exec(lineText);
  if (m && m[1] !== undefined) {
    const codes = m[1].split(",").map((s) => s.trim()).filter(Boolean);
    if (!codes.includes(code)) codes.push(code);
    const start = lineStartOffset + m.index;
    return { start, end: start + m[0].length, newText: `# orm-hints: ignore[${codes.join(", ")}]` };
  }
  if (m) return { start: lineEndOffset, end: lineEndOffset, newText: "" };
  const trimmed = lineText.replace(/\s+$/, "");
  const start = lineStartOffset + trimmed.length;
  return { start, end: lineEndOffset, newText: `  # orm-hints: ignore[${code}]` };
}
