import { childLoaded } from "../../server/src/engine/flow";
import type { SyntaxNode } from "../../server/src/engine/parser";
import type { Model } from "../../server/src/engine/models";
import type { Rule, RuleContext } from "../../server/src/engine/rule";
import { enclosingScope, field, nodeText, walk, walkExamined } from "../../server/src/engine/syntax";

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const within = (outer: SyntaxNode | undefined, n: SyntaxNode): boolean => !!outer && outer.start <= n.start && n.end <= outer.end;
const CONDITIONAL = new Set(["lambda", "list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression"]);
const IN_ORDER = new Set(["binary_operator", "comparison_operator", "boolean_operator", "argument_list", "call", "list", "tuple", "set", "dictionary", "pair", "expression_list", "concatenated_string", "string", "interpolation", "parenthesized_expression", "subscript", "attribute", "keyword_argument", "conditional_expression"]);
const BINDS = new Set(["assignment", "augmented_assignment", "for_statement", "for_in_clause", "named_expression", "with_item", "as_pattern", "delete_statement", "global_statement", "nonlocal_statement"]);

/** Is `r` evaluated, unconditionally, before `n` on every path from the function start to `n`? */
function evaluatedBefore(r: SyntaxNode, n: SyntaxNode, scope: SyntaxNode): boolean {
  if (r.end > n.start) return false;
  let child = r;
  for (let a = r.parent; a && a !== scope; child = a, a = a.parent) {
    if (CONDITIONAL.has(a.type) || a.type === "function_definition" || a.type === "class_definition") return false;
    // `x and obj.fk`: the right operand may not run; `a if obj.fk else b`: only the condition always runs.
    if (a.type === "boolean_operator" && !within(field(a, "left"), r)) return false;
    if (a.type === "conditional_expression" && !within(a.children[1], r)) return false;
    // Both in one expression that evaluates its parts left to right: `str(ref.location) + str(ref.location.id)`,
    // `f(obj.fk, obj.fk.pk)`, an f-string's parts.
    if (within(a, n) && IN_ORDER.has(a.type)) return child.end <= n.start;
    if ((a.type === "if_statement" || a.type === "elif_clause" || a.type === "while_statement") && within(field(a, "condition"), r)) {
      // The condition ran before anything else of the statement.
      if (within(a, n)) return true;
      if (a.type === "elif_clause") return false;
      continue;
    }
    if (a.type === "block" || a.type === "module") {
      // A statement of a block that `n` comes later in; a block `n` is outside of may not run.
      return within(a, n) && child.end <= n.start;
    }
  }
  return false;
}

const EXITS = new Set(["return_statement", "raise_statement", "break_statement", "continue_statement"]);

/** The statement may leave before the next one runs (a return, raise, break or continue in its own code). */
function exits(n: SyntaxNode): boolean {
  let found = false;
  walk(n, (x) => {
    if (found || x.type === "function_definition" || x.type === "class_definition" || x.type === "lambda") return false;
    if (EXITS.has(x.type)) found = true;
    return !found;
  });
  return found;
}

/** Is `r` evaluated, unconditionally, after `n` whenever `n` is (same block or an enclosing one, nothing leaving between)? */
function evaluatedAfter(r: SyntaxNode, n: SyntaxNode, scope: SyntaxNode): boolean {
  if (r.start < n.end) return false;
  let child = r;
  for (let a = r.parent; a && a !== scope; child = a, a = a.parent) {
    if (CONDITIONAL.has(a.type) || a.type === "function_definition" || a.type === "class_definition") return false;
    if (a.type === "boolean_operator" && !within(field(a, "left"), r)) return false;
    if (a.type === "conditional_expression" && !within(a.children[1], r)) return false;
    if (within(a, n) && IN_ORDER.has(a.type)) return child.start >= n.end;
    if (a.type === "block" || a.type === "module") {
      if (!within(a, n)) return false;
      // The statements from the one holding `n` up to the one holding `r` must not leave.
      const from = a.children.findIndex((c) => within(c, n));
      const to = a.children.indexOf(child);
      if (from < 0 || to <= from) return false;
      return !a.children.slice(from, to).some(exits);
    }
  }
  return false;
}

/**
 * Was `obj.fk` read in full earlier on every path to `n` (`if request.user != routine.user:` then
 * `routine.user.pk` inside)? Django caches the loaded row on the instance, so the key read runs no query. Any
 * rebinding of `obj` (or its root name), a `del`, or a refresh_from_db() after the earlier read: unsure, report.
 */
function loadedOnThePath(ctx: RuleContext, n: SyntaxNode, objNode: SyntaxNode, name: string, model: Model): boolean {
  const scope = enclosingScope(n);
  const objText = nodeText(ctx.text, objNode);
  const root = objText.split(".")[0];
  const reads: SyntaxNode[] = [];
  /**
   * Every rebinding of obj (or refresh): one between an earlier read and `n` (or later in a loop around `n` that
   * the read is outside of) makes that read another object's, and so does one between `n` and a later read.
   */
  const rebinds: number[] = [];
  const stack = [scope];
  while (stack.length) {
    const x = stack.pop()!;
    if (x !== scope && (x.type === "function_definition" || x.type === "class_definition" || x.type === "lambda")) continue;
    if (BINDS.has(x.type)) {
      const target = x.type === "assignment" || x.type === "augmented_assignment" || x.type === "for_statement" || x.type === "for_in_clause" ? field(x, "left") : x.type === "named_expression" ? field(x, "name") : x;
      let hit = false;
      const look = (t: SyntaxNode) => {
        if ((t.type === "identifier" && nodeText(ctx.text, t) === root) || nodeText(ctx.text, t) === objText) hit = true;
        else if (!(t.type === "attribute" && x.type !== "delete_statement") && t.type !== "subscript") for (const c of t.children) look(c);
      };
      if (target) look(target);
      if (hit) {
        rebinds.push(x.start);
      }
    }
    if (x.type === "call") {
      const f = field(x, "function");
      if (f && nodeText(ctx.text, f) === `${objText}.refresh_from_db`) {
        rebinds.push(x.start);
      }
      // `obj.save()`, `obj.mark_as_spam()`: a method of the model that reads `self.<name>` loads it.
      const o = f?.type === "attribute" ? field(f, "object") : undefined;
      const m = f?.type === "attribute" ? field(f, "attribute") : undefined;
      if (o && m && nodeText(ctx.text, o) === objText && methodReads(ctx, model, nodeText(ctx.text, m), name, 0, new Set())) reads.push(x);
    }
    if (x.type === "attribute" && x !== n.children[0]) {
      const o = field(x, "object");
      const a = field(x, "attribute");
      const p = x.parent;
      const keyOnly = p?.type === "attribute" && field(p, "object") === x && /^(id|pk)$/.test(nodeText(ctx.text, field(p, "attribute")!));
      const target = (p?.type === "assignment" || p?.type === "augmented_assignment") && field(p, "left") === x;
      if (o && a && nodeText(ctx.text, o) === objText && !keyOnly && !target) {
        const attr = nodeText(ctx.text, a);
        // `form.connection`: a property of the model that reads `self.<name>` loads it too.
        if (attr === name || (ctx.index.selfReads(model, attr) && methodReads(ctx, model, attr, name, 0, new Set()))) reads.push(x);
      }
    }
    for (const c of x.children) stack.push(c);
  }
  // The loops around `n` in the function: a rebinding later in one of them comes before `n` on the next pass.
  const loops: SyntaxNode[] = [];
  for (let a = n.parent; a && a !== scope; a = a.parent) if (a.type === "for_statement" || a.type === "while_statement") loops.push(a);
  const staleBefore = (r: SyntaxNode) => rebinds.some((b) => (b > r.end && b < n.start) || (b > n.end && loops.some((l) => l.start <= b && b < l.end && !within(l, r))));
  return reads.some((r) => (!staleBefore(r) && evaluatedBefore(r, n, scope)) || (!rebinds.some((b) => b > n.end && b < r.start) && evaluatedAfter(r, n, scope)));
}

/**
 * `obj.fk.id if obj.fk else None` (or `... if obj.fk is not None else X`) around the key read `n`: the expression
 * and its alternative's text.
 */
function whole(ctx: RuleContext, n: SyntaxNode, objText: string, name: string): { node: SyntaxNode; alternative: string } | null {
  const c = n.parent;
  if (c?.type !== "conditional_expression" || c.children[0] !== n || c.children.length !== 3) return null;
  const test = nodeText(ctx.text, c.children[1]).replace(/\s+/g, " ").trim();
  const rel = `${objText}.${name}`;
  if (test !== rel && test !== `${rel} is not None`) return null;
  const alternative = nodeText(ctx.text, c.children[2]);
  // The alternative must not read the relation itself.
  if (alternative.includes(rel) || /\n/.test(alternative)) return null;
  return { node: c, alternative };
}

/** Does a method (or property) of `model` read `self.<name>`, directly or through another method of self it calls? */
function methodReads(ctx: RuleContext, model: Model, method: string, name: string, depth: number, seen: Set<string>): boolean {
  if (depth > 3 || seen.has(method)) return false;
  seen.add(method);
  const m = ctx.index.methodOf(model, method);
  for (const r of m?.reads[0] ?? []) {
    const first = r.chain[0];
    if (first === name) return true;
    if (first?.endsWith("()") && methodReads(ctx, model, first.slice(0, -2), name, depth + 1, seen)) return true;
    if (first && ctx.index.selfReads(model, first) && methodReads(ctx, model, first, name, depth + 1, seen)) return true;
  }
  return false;
}

function check(ctx: RuleContext): void {
  if (!ctx.mentions(/\.(id|pk)\b/)) return;
  const values = ctx.flow().values;
  walkExamined(ctx, (n) => {
    if (n.type !== "attribute") return;
    const key = field(n, "attribute");
    const rel = field(n, "object");
    if (!key || !rel || rel.type !== "attribute") return;
    const keyName = nodeText(ctx.text, key);
    if (keyName !== "id" && keyName !== "pk") return;
    const p = n.parent;
    if (p && (p.type === "assignment" || p.type === "augmented_assignment") && field(p, "left") === n) return;
    if (p?.type === "delete_statement") return;
    const objNode = field(rel, "object");
    const relName = field(rel, "attribute");
    if (!objNode || !relName) return;
    const obj = values.get(objNode);
    if (!obj || obj.k !== "inst") return;
    const name = nodeText(ctx.text, relName);
    const f = ctx.index.attribute(obj.model, name);
    if (!f || (f.kind !== "fk" && f.kind !== "o2o")) return;
    // The key column holds the target's primary key only without to_field.
    if (f.assign?.kwargs["to_field"]) return;
    if (keyName === "id") {
      const idField = f.target ? ctx.index.attribute(f.target, "id") : undefined;
      if (!idField || !idField.primaryKey) return;
    }
    // Joined (select_related), or an origin the flow cannot see: no extra query to save.
    if (childLoaded(obj.loaded, name, true)) return;
    // The related object was assigned in this function: it is cached on the instance.
    const objText = nodeText(ctx.text, objNode);
    const scope = nodeText(ctx.text, enclosingScope(n));
    if (new RegExp(`(^|[^\\w.])${escapeRe(objText)}\\.${name}\\s*=(?!=)`).test(scope)) return;
    // `obj.fk.id if obj.fk else None`: the condition loads the row; the whole expression is the key column.
    const cond = whole(ctx, n, objText, name);
    if (cond) {
      const alt = cond.alternative;
      const newText = alt === "None" ? `${objText}.${name}_id` : `${objText}.${name}_id if ${objText}.${name}_id is not None else ${alt}`;
      ctx.report({
        start: cond.node.start,
        end: cond.node.end,
        message: `${obj.model.name}.${name} loads ${f.target ? `the ${f.target.name}` : "the related"} row (one extra query) only to test it and read its key, which ${obj.model.name} already holds in ${name}_id; use ${newText}`,
        fixes: [{ title: `Replace with ${newText}`, safe: true, edits: [{ file: ctx.file, start: cond.node.start, end: cond.node.end, newText }] }],
      });
      return;
    }
    // The related object is read for more than its key elsewhere in the function: it is loaded anyway.
    const other = new RegExp(`(^|[^\\w.])${escapeRe(objText)}\\.${name}\\.(?!(id|pk)\\b)\\w`);
    if (other.test(scope)) return;
    // Read in full earlier on every path here (`if user != obj.user:` then `obj.user.pk`): cached on the instance.
    // Or on every path after it (`obj.user` handed on, a `obj.save()` whose override reads `self.user`): the key read
    // only moves that load earlier.
    if (loadedOnThePath(ctx, n, objNode, name, obj.model)) return;
    const attname = `${name}_id`;
    const target = f.target ? `the ${f.target.name}` : "the related";
    ctx.report({
      start: n.start,
      end: n.end,
      message: `${obj.model.name}.${name}.${keyName} loads ${target} row (one extra query) only to read its key, which ${obj.model.name} already holds in ${attname}; use ${objText}.${attname}`,
      fixes: [{
        title: `Replace with ${objText}.${attname}`,
        // A null relation raised AttributeError before; the key column gives None instead.
        safe: !f.null,
        edits: [{ file: ctx.file, start: n.start, end: n.end, newText: `${objText}.${attname}` }],
      }],
    });
  });
}

export const rule: Rule = {
  meta: { id: "fk-id", summary: "obj.fk.id loads the related row to read a key the row already holds", defaultSeverity: "warning", fixable: true },
  check,
};
