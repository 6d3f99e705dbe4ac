import type { SyntaxNode } from "../../server/src/engine/parser";
import type { OffsetFix, Rule, RuleContext } from "../../server/src/engine/rule";
import { callParts, field, methodCall, nodeText, walk } from "../../server/src/engine/syntax";
import { isSimpleChain, lazyQuerysetAt, rowsUsedElsewhere, strip } from "../../server/src/engine/rows";

interface Candidate {
  /** What gets reported and replaced. */
  node: SyntaxNode;
  /** The queryset expression. */
  qs: SyntaxNode;
  negated: boolean;
  /** The replacement keeps a surrounding `not` (only the queryset is replaced). */
  how: "if" | "bool" | "count";
}

/** Walks up from an operand through parentheses, `not` and `and`/`or`: is its truth value all that is used? */
function boolContext(n: SyntaxNode): { negated: boolean } | null {
  let x = n;
  let negated = false;
  for (;;) {
    const p = x.parent;
    if (!p) return null;
    if (p.type === "parenthesized_expression") {
      x = p;
      continue;
    }
    if (p.type === "not_operator") {
      negated = !negated;
      x = p;
      continue;
    }
    if (p.type === "boolean_operator") {
      // `a or b` yields an operand, so only the left side of a boolean operator inside a test is a pure test;
      // the right side is too when the whole operator is itself tested.
      x = p;
      continue;
    }
    if ((p.type === "if_statement" || p.type === "elif_clause" || p.type === "while_statement") && field(p, "condition") === x) return { negated };
    if (p.type === "conditional_expression" && p.children[1] === x) return { negated };
    if (p.type === "if_clause") return { negated };
    if (p.type === "assert_statement" && p.children[0] === x) return { negated };
    return null;
  }
}

/** `qs.count() > 0` and friends: the comparison means exists() (or its negation when `negated`). */
function countComparison(ctx: RuleContext, cmp: SyntaxNode): { call: SyntaxNode; negated: boolean } | null {
  if (cmp.type !== "comparison_operator" || cmp.children.length !== 2) return null;
  const op = nodeText(ctx.text, cmp).slice(cmp.children[0].end - cmp.start, cmp.children[1].start - cmp.start).trim();
  const [l, r] = cmp.children.map(strip);
  const isCount = (n: SyntaxNode) => {
    const mc = n.type === "call" ? methodCall(ctx.text, n) : null;
    return !!mc && mc.method === "count" && !(callParts(ctx.text, n)?.args.length);
  };
  const num = (n: SyntaxNode) => (n.type === "integer" ? nodeText(ctx.text, n) : null);
  let call: SyntaxNode;
  let k: string | null;
  let o = op;
  if (isCount(l)) {
    call = l;
    k = num(r);
  } else if (isCount(r)) {
    call = r;
    k = num(l);
    o = ({ ">": "<", "<": ">", ">=": "<=", "<=": ">=", "==": "==", "!=": "!=" } as Record<string, string>)[op] ?? "";
  } else return null;
  const key = `${o} ${k}`;
  if (key === "> 0" || key === "!= 0" || key === ">= 1") return { call, negated: false };
  if (key === "== 0" || key === "< 1" || key === "<= 0") return { call, negated: true };
  return null;
}

function candidates(ctx: RuleContext): Candidate[] {
  const out: Candidate[] = [];
  walk(ctx.syntax.root, (n) => {
    if (n.type === "call") {
      const parts = callParts(ctx.text, n);
      if (parts && parts.func.type === "identifier" && nodeText(ctx.text, parts.func) === "bool" && parts.args.length === 1 && !parts.kwargs.size) {
        out.push({ node: n, qs: parts.args[0], negated: false, how: "bool" });
      }
      return;
    }
    if (n.type === "comparison_operator") {
      const c = countComparison(ctx, n);
      if (c) out.push({ node: n, qs: field(c.call, "function")!.children.find((x) => x.field === "object")!, negated: c.negated, how: "count" });
    }
  });
  // Plain tests: `if qs:`, `if not qs:`, `if qs and ...:`, `x if qs else y`.
  for (const [node] of ctx.flow().values) {
    if (node.type === "parenthesized_expression" || node.type === "not_operator" || node.type === "boolean_operator") continue;
    const b = boolContext(node);
    if (!b) continue;
    out.push({ node, qs: node, negated: b.negated, how: "if" });
  }
  return out;
}

function check(ctx: RuleContext): void {
  if (!/\bif\b|\bbool\(|\.count\(\)|\bassert\b|\bwhile\b/.test(ctx.text)) return;
  const seen = new Set<SyntaxNode>();
  for (const c of candidates(ctx)) {
    if (seen.has(c.node)) continue;
    seen.add(c.node);
    const inner = strip(c.qs);
    if (c.how === "if" && c.node.parent?.type === "while_statement") continue;
    const q = lazyQuerysetAt(ctx, c.qs, c.how === "count");
    if (!q) continue;
    if (rowsUsedElsewhere(ctx, c.qs, c.node)) continue;
    const recv = nodeText(ctx.text, inner);
    const simple = isSimpleChain(inner);
    const target = simple ? recv : `(${recv})`;
    const fixes: OffsetFix[] = [];
    let message: string;
    const what = q.what;
    if (c.how === "count") {
      const newText = `${c.negated ? "not " : ""}${target}.exists()`;
      fixes.push({ title: `Replace with ${newText}`, safe: simple, edits: [{ file: ctx.file, start: c.node.start, end: c.node.end, newText }] });
      message = `Counting the ${what} only to test for rows: COUNT(*) visits every matching row; use ${newText}, which stops at the first`;
    } else {
      const newText = `${target}.exists()`;
      const replaced = c.how === "bool" ? c.node : c.qs;
      fixes.push({ title: `Replace with ${c.negated && c.how === "if" ? "not " : ""}${newText}`, safe: simple, edits: [{ file: ctx.file, start: replaced.start, end: replaced.end, newText }] });
      message = `Testing the ${what} for truth fetches every ${q.model} row with all its columns, and the rows are not used afterwards; use ${c.negated ? "not " : ""}${newText}`;
    }
    ctx.report({ start: c.node.start, end: c.node.end, message, fixes });
  }
}

export const rule: Rule = {
  meta: { id: "queryset-truthiness", summary: "A queryset tested for truth (or counted) only to know whether it has rows", defaultSeverity: "warning", fixable: true },
  check,
};
