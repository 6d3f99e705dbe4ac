/** Python's method resolution order (C3), over classes of any representation that carry a unique key. */
import { projectFile } from "./functions";
import type { SyntaxNode } from "./parser";
import type { RuleContext } from "./rule";
import { baseNames, definitionAt, field, nodeText } from "./syntax";

/**
 * The C3 merge of `self` with its bases' linearizations (`seqs`, each starting with that base) and the list of
 * direct bases: `self` followed by the classes in method resolution order, or null when they cannot be ordered
 * (Python raises TypeError there). The lists in `seqs` are consumed.
 */
export function c3Merge<T extends { key: string }>(self: T, seqs: T[][], direct: T[]): T[] | null {
  const lists = [...seqs, [...direct]];
  const out: T[] = [self];
  for (;;) {
    const rest = lists.filter((q) => q.length);
    if (!rest.length) return out;
    const head = rest.map((q) => q[0]).find((h) => !rest.some((q) => q.slice(1).some((x) => x.key === h.key)));
    if (!head) return null;
    out.push(head);
    for (const q of rest) if (q[0].key === head.key) q.shift();
  }
}

/**
 * A class along a method resolution order read from source: a class of the workspace, with its parsed definition,
 * or a base the workspace does not hold, by the full dotted name its file imports it as (`django.views.generic.ListView`).
 */
export type SourceClass =
  | { k: "project"; file: string; text: string; root: SyntaxNode; node: SyntaxNode; key: string }
  | { k: "external"; name: string; key: string };

/** The class_definition a class's facts were read from. */
function classNodeAt(root: SyntaxNode, start: number, end: number): SyntaxNode | null {
  const n = definitionAt(root, "class_definition", start);
  return n && n.end === end ? n : null;
}

/**
 * A class of the analyzed file (`node`, its class_definition) and the classes it inherits from, in Python's method
 * resolution order (C3): classes of the workspace with their source, other bases by name. Null when a base cannot be
 * named, a workspace class's source cannot be read, or the bases cannot be ordered.
 */
export function sourceMro(ctx: RuleContext, node: SyntaxNode): SourceClass[] | null {
  return mroOf(ctx, { k: "project", file: ctx.file, text: ctx.text, root: ctx.syntax.root, node, key: `${ctx.file}:${node.start}` }, 0);
}

function mroOf(ctx: RuleContext, c: SourceClass, depth: number): SourceClass[] | null {
  if (c.k === "external") return [c];
  if (depth > 8) return null;
  const seqs: SourceClass[][] = [];
  const direct: SourceClass[] = [];
  for (const b of baseNames(c.text, c.node)) {
    const base = b ? sourceClass(ctx, c.file, b) : null;
    const lin = base ? mroOf(ctx, base, depth + 1) : null;
    if (!base || !lin) return null;
    direct.push(base);
    seqs.push(lin);
  }
  return c3Merge(c, seqs, direct);
}

/** A base as the file that names it sees it. */
function sourceClass(ctx: RuleContext, file: string, name: string): SourceClass | null {
  const c = ctx.index.resolveClass(file, name);
  if (!c) {
    const head = name.split(".")[0];
    const imported = ctx.index.factsOf(file)?.imports[head];
    const full = imported ? `${imported}${name.slice(head.length)}` : name;
    return { k: "external", name: full, key: `ext:${full}` };
  }
  const m = c.file === ctx.file ? { text: ctx.text, root: ctx.syntax.root } : projectFile(ctx, c.file);
  const node = m ? classNodeAt(m.root, c.start, c.end) : null;
  return m && node ? { k: "project", file: c.file, text: m.text, root: m.root, node, key: `${c.file}:${c.start}` } : null;
}

/** The method a class's own body defines under `name`, or null. */
export function methodIn(c: SourceClass & { k: "project" }, name: string): SyntaxNode | null {
  for (const s of field(c.node, "body")?.children ?? []) {
    const d = s.type === "decorated_definition" ? field(s, "definition") : s;
    if (d?.type === "function_definition" && nodeText(c.text, field(d, "name")!) === name) return d;
  }
  return null;
}

/** The value of the last class-level `name = ...` in a class's own body, or null. */
export function assignIn(c: SourceClass & { k: "project" }, name: string): SyntaxNode | null {
  let out: SyntaxNode | null = null;
  for (const s of field(c.node, "body")?.children ?? []) {
    const a = s.type === "expression_statement" ? s.children[0] : undefined;
    const l = a?.type === "assignment" ? field(a, "left") : undefined;
    if (l?.type === "identifier" && nodeText(c.text, l) === name) out = field(a!, "right") ?? null;
  }
  return out;
}
