import { enclosingLoop } from "../../server/src/engine/flow";
import type { SyntaxNode } from "../../server/src/engine/parser";
import type { OffsetFix, Rule, RuleContext } from "../../server/src/engine/rule";
import { callParts, caughtBy, enclosingScope, field, methodCall, nodeText, strip, walk, walkExamined } from "../../server/src/engine/syntax";
import { handledGet, isSimpleChain, lazyQuerysetAt, rowsUsedElsewhere, uniqueLookupSets } from "../../server/src/engine/rows";

interface Candidate {
  /** What gets reported and replaced. */
  node: SyntaxNode;
  /** The queryset expression. */
  qs: SyntaxNode;
  negated: boolean;
  /**
   * "if": the queryset itself is tested (the replacement keeps a surrounding `not`); "bool": `bool(qs)`; "count":
   * a comparison of `qs.count()` that means exists() or its negation; "count-test": `qs.count()` itself is tested
   * (`if qs.count():`, `bool(qs.count())`; a surrounding `not` stays).
   */
  how: "if" | "bool" | "count" | "count-test";
}

/** `qs.count()` without arguments: the receiver, or null. */
function countReceiver(ctx: RuleContext, n: SyntaxNode): SyntaxNode | null {
  const mc = n.type === "call" ? methodCall(ctx.text, n) : null;
  if (!mc || mc.method !== "count") return null;
  const parts = callParts(ctx.text, n);
  return parts && !parts.args.length && !parts.kwargs.size ? mc.receiver : null;
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

/**
 * The operands whose truth value a test uses: through parentheses, `not` and `and`/`or`, down from the test.
 * `negated`: a `not` applies to the operand itself (`not qs`), so the message says `not qs.exists()`; under an
 * `and`/`or` the operand is replaced alone (`not (a.count() or b.count())` keeps its `not` outside).
 */
function testedOperands(test: SyntaxNode, negated: boolean, out: { node: SyntaxNode; negated: boolean }[]): void {
  if (test.type === "parenthesized_expression") for (const c of test.children) testedOperands(c, negated, out);
  else if (test.type === "boolean_operator") for (const c of test.children) testedOperands(c, false, out);
  else if (test.type === "not_operator") for (const c of test.children) testedOperands(c, !negated, out);
  else out.push({ node: test, negated });
}

/** The tests in a node: if/elif/while conditions, `x if test else y`, comprehension ifs and asserts. */
function testsOf(n: SyntaxNode): SyntaxNode[] {
  switch (n.type) {
    case "if_statement":
    case "elif_clause":
    case "while_statement": {
      const c = field(n, "condition");
      return c ? [c] : [];
    }
    case "conditional_expression":
      return n.children[1] ? [n.children[1]] : [];
    case "if_clause":
      return n.children;
    case "assert_statement":
      return n.children[0] ? [n.children[0]] : [];
    default:
      return [];
  }
}

function candidates(ctx: RuleContext): Candidate[] {
  const out: Candidate[] = [];
  const tests: Candidate[] = [];
  walkExamined(ctx, (n) => {
    // Plain tests: `if qs:`, `if not qs:`, `if qs and ...:`, `x if qs else y`.
    for (const test of testsOf(n)) {
      const operands: { node: SyntaxNode; negated: boolean }[] = [];
      testedOperands(test, false, operands);
      for (const o of operands) {
        const counted = countReceiver(ctx, strip(o.node));
        if (counted) out.push({ node: strip(o.node), qs: counted, negated: o.negated, how: "count-test" });
        else tests.push({ node: o.node, qs: o.node, negated: o.negated, how: "if" });
      }
    }
    if (n.type === "call") {
      const parts = callParts(ctx.text, n);
      if (parts && parts.func.type === "identifier" && nodeText(ctx.text, parts.func) === "bool" && parts.args.length === 1 && !parts.kwargs.size) {
        const counted = countReceiver(ctx, strip(parts.args[0]));
        out.push(counted ? { node: n, qs: counted, negated: false, how: "count-test" } : { node: n, qs: parts.args[0], negated: false, how: "bool" });
      }
      return;
    }
    if (n.type === "comparison_operator") {
      const c = countComparison(ctx, n);
      if (c) out.push({ node: n, qs: field(c.call, "function")!.children.find((x) => x.field === "object")!, negated: c.negated, how: "count" });
    }
  });
  return [...out, ...tests];
}

/** The node is (part of) a while loop's condition: a count that changes as the loop works is not a plain test. */
function inWhileCondition(n: SyntaxNode): boolean {
  for (let x: SyntaxNode | null = n; x?.parent; x = x.parent) {
    if (x.parent.type === "while_statement") return x.field === "condition";
    if (x.parent.type.endsWith("statement") || x.parent.type === "block") return false;
  }
  return false;
}

/**
 * `try: Order.objects.get(number=n)` with the result thrown away and `except Order.DoesNotExist`: a whole row
 * fetched only to learn whether it exists.
 */
function discardedGets(ctx: RuleContext): void {
  if (!ctx.mentions(/DoesNotExist/)) return;
  const flow = ctx.flow();
  walkExamined(ctx, (n) => {
    if (n.type !== "expression_statement" || n.children.length !== 1) return;
    let call = n.children[0];
    if (call.type === "await") call = call.children[0];
    // queryset-in-loop reports a get() per iteration.
    if (!call || call.type !== "call" || enclosingLoop(flow.loops, call)) return;
    const got = handledGet(ctx, call);
    if (!got) return;
    // `except X.MultipleObjectsReturned:` too: the get() also checks that the row is unique, which exists() cannot.
    for (let p = call.parent; p && p.type !== "function_definition"; p = p.parent) {
      if (p.type === "try_statement" && p.children.some((c) => c.type === "except_clause" && catches(ctx, c, /MultipleObjectsReturned/))) return;
    }
    const mc = methodCall(ctx.text, call)!;
    const recv = nodeText(ctx.text, mc.receiver);
    const args = nodeText(ctx.text, field(call, "arguments")!);
    const exists = `${isSimpleChain(mc.receiver) ? recv : `(${recv})`}.filter${args}.${mc.method === "aget" ? "aexists" : "exists"}()`;
    ctx.report({
      start: call.start,
      end: call.end,
      message: `${mc.method}() fetches a whole ${got.model} row only to learn whether it exists (the result is not used); test ${exists.length > 80 ? `filter(...).exists()` : exists} instead, which fetches no row`,
    });
  });
}

/** A queryset chain filtered on a unique column or the primary key: at most one row. */
function uniqueProbe(ctx: RuleContext, chain: SyntaxNode): boolean {
  const v = ctx.flow().values.get(chain);
  return !!v && v.k === "qs" && uniqueLookupSets(ctx, v.model, chain).length > 0;
}

/** The except clause names an exception matching `re` (a bare `except:` names none). */
function catches(ctx: RuleContext, clause: SyntaxNode, re: RegExp): boolean {
  const caught = caughtBy(clause);
  return !!caught && re.test(nodeText(ctx.text, caught));
}

function check(ctx: RuleContext): void {
  discardedGets(ctx);
  if (!ctx.mentions(/\bif\b|\bbool\(|\.count\(\)|\bassert\b|\bwhile\b/)) return;
  const seen = new Set<SyntaxNode>();
  for (const c of candidates(ctx)) {
    ctx.examine(c.node, () => {
      if (seen.has(c.node)) return;
      seen.add(c.node);
      const inner = strip(c.qs);
      if (c.how === "if" && c.node.parent?.type === "while_statement") return;
      if ((c.how === "count-test" || c.how === "count") && inWhileCondition(c.node)) return;
      const counted = c.how === "count" || c.how === "count-test";
      const q = lazyQuerysetAt(ctx, c.qs, counted);
      if (!q) return;
      if (rowsUsedElsewhere(ctx, c.qs, c.node)) return;
      const recv = nodeText(ctx.text, inner);
      const simple = isSimpleChain(inner);
      const target = simple ? recv : `(${recv})`;
      const fixes: OffsetFix[] = [];
      let message: string;
      const what = q.what;
      // The message names the queryset on one line, shortened when long; the fix keeps the code as written.
      const said = brief(target);
      const again = inner.type === "identifier" ? countedAgain(ctx, inner, c.node) : null;
      if (again && counted) {
        // The count is needed anyway: exists() would add a query, not save one.
        message = `${recv}.count() runs again in this function: COUNT(*) twice for the same rows; count once (n = ${recv}.count()) and test n`;
      } else if (again) {
        // `if data: n = data.count()`: the count reads the rows the test fetched (no query of its own), so exists()
        // would add a query. One COUNT answers both.
        message = `Testing the ${what} for truth fetches every ${q.model} row with all its columns, and ${recv}.count() then only counts them; count once (n = ${recv}.count()) and test n`;
      } else if (counted && inner.type === "call" && uniqueProbe(ctx, inner)) {
        // At most one row (a unique or primary-key filter): COUNT and EXISTS are the same single index probe.
        return;
      } else if (counted) {
        const shown = `${c.negated ? "not " : ""}${said}.exists()`;
        // `if not qs.count():` keeps its `not`; a comparison is replaced whole.
        const newText = c.how === "count" ? `${c.negated ? "not " : ""}${target}.exists()` : `${target}.exists()`;
        fixes.push({ title: `Replace with ${c.how === "count" && c.negated ? "not " : ""}${said}.exists()`, safe: simple && q.certain, edits: [{ file: ctx.file, start: c.node.start, end: c.node.end, newText }] });
        message = `Counting the ${what} only to test for rows: COUNT(*) visits every matching row; use ${shown}, which stops at the first`;
      } else {
        const newText = `${target}.exists()`;
        const replaced = c.how === "bool" ? c.node : c.qs;
        fixes.push({ title: `Replace with ${c.negated && c.how === "if" ? "not " : ""}${said}.exists()`, safe: simple, edits: [{ file: ctx.file, start: replaced.start, end: replaced.end, newText }] });
        // A unique or primary-key filter: one row at most, fetched whole and built into an instance nobody uses (as a
        // discarded get() is).
        const rows = inner.type === "call" && uniqueProbe(ctx, inner) ? `the matching ${q.model} row (a unique filter: one at most)` : `every ${q.model} row`;
        message = `Testing the ${what} for truth fetches ${rows} with all its columns, and the rows are not used afterwards; use ${c.negated ? "not " : ""}${said}.exists()`;
      }
      const related = again ? [{ file: ctx.file, start: again.start, end: again.end, message: `${recv} counted again here` }] : undefined;
      ctx.report({ start: c.node.start, end: c.node.end, message, fixes, related });
    });
  }
}

/**
 * Another `name.count()` in the same function, with no rebinding of `name` between the two: the same COUNT runs
 * twice (`"failed": bool(hosts.count()), "n_failed": hosts.count()`).
 */
function countedAgain(ctx: RuleContext, name: SyntaxNode, at: SyntaxNode): SyntaxNode | null {
  const scope = enclosingScope(at);
  const text = nodeText(ctx.text, name);
  let other: SyntaxNode | null = null;
  const binds: number[] = [];
  walk(scope, (n) => {
    if (n !== scope && (n.type === "function_definition" || n.type === "class_definition" || n.type === "lambda")) return false;
    if ((n.type === "assignment" || n.type === "augmented_assignment") && field(n, "left")?.type === "identifier" && nodeText(ctx.text, field(n, "left")!) === text) binds.push(n.start);
    // Not the tested expression's own count (`qs.count() > 0`), nor a call around it.
    if (!other && n.type === "call" && !(n.start <= at.start && at.end <= n.end) && !(at.start <= n.start && n.end <= at.end)) {
      const r = countReceiver(ctx, n);
      if (r && r.type === "identifier" && nodeText(ctx.text, r) === text) other = n;
    }
    return true;
  });
  if (!other) return null;
  const [lo, hi] = [Math.min((other as SyntaxNode).start, at.start), Math.max((other as SyntaxNode).start, at.start)];
  return binds.some((b) => b > lo && b < hi) ? null : other;
}

/** Code for a message: on one line, and with the arguments elided when long (`Book.objects.filter(...)`). */
function brief(code: string): string {
  const one = code.replace(/\s+/g, " ").replace(/([([]) /g, "$1").replace(/ ([)\]])/g, "$1").replace(/,([)\]])/g, "$1");
  return one.length <= 80 ? one : one.replace(/\((.*)\)/s, "(...)");
}

export const rule: Rule = {
  meta: { id: "queryset-truthiness", summary: "A queryset tested for truth (or counted) only to know whether it has rows", defaultSeverity: "warning", fixable: true },
  check,
};
