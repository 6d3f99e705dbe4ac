import { columnsRestricted, type Iteration } from "../../server/src/engine/flow";
import type { ModelField } from "../../server/src/engine/models";
import type { SyntaxNode } from "../../server/src/engine/parser";
import type { OffsetFix, Rule, RuleContext } from "../../server/src/engine/rule";
import { atEachOrigin } from "../../server/src/engine/fixes";
import { WRAPPERS } from "../../server/src/engine/loopshape";
import { enclosingScope, field, nodesAt, nodeText, preferredQuote } from "../../server/src/engine/syntax";

/**
 * `for other in instances[1:]`, `for row in rows.iterator()`: the name the iterated expression starts from.
 * `enumerate(articles)`, `sorted(articles, key=...)`: the rows of the argument.
 */
function iterRoot(ctx: RuleContext, it: Iteration): SyntaxNode | undefined {
  let root: SyntaxNode | undefined = it.iter;
  while (root && (root.type === "subscript" || root.type === "call" || root.type === "attribute")) {
    const fn: SyntaxNode | undefined = root.type === "call" ? field(root, "function") : undefined;
    const arg: SyntaxNode | undefined = fn?.type === "identifier" && WRAPPERS.has(nodeText(ctx.text, fn)) ? field(root, "arguments")?.children.find((c) => c.type !== "comment" && c.type !== "keyword_argument") : undefined;
    root = arg ?? (root.type === "subscript" ? field(root, "value") : root.type === "call" ? fn : field(root, "object"));
  }
  return root;
}

/**
 * Is the variable holding the queryset used anywhere but its own assignments and this loop's `in`
 * (`instance = instances[0]`, returned: a row read for other columns)?
 */
function queryVarEscapes(ctx: RuleContext, it: Iteration): boolean {
  const root = iterRoot(ctx, it);
  const scope = enclosingScope(it.loop.node);
  const rootVal = root && root !== it.iter ? ctx.flow().values.get(root) : undefined;
  const assigned = root?.type === "identifier" && rootVal?.k === "qs" ? assignmentsOf(ctx, scope, nodeText(ctx.text, root)) : [];
  const name = it.qsVar ?? (assigned.length ? nodeText(ctx.text, root!) : undefined);
  if (!name) return false;
  // Uses before the last binding ahead of the loop read the name's earlier queryset; rebound after the loop
  // (`qs = Other.objects.exclude(id__in=qs.values("id"))`), later uses are another queryset's.
  const bound = it.qsVar ? -1 : Math.max(-1, ...assigned.filter((a) => a.end <= it.loop.node.start).map((a) => a.end));
  const rebound = it.qsVar ? Infinity : Math.min(Infinity, ...assigned.filter((a) => a.start >= it.loop.node.end).map((a) => a.end));
  let escapes = false;
  const stack = [scope];
  while (stack.length && !escapes) {
    const n = stack.pop()!;
    if (n.type === "identifier" && nodeText(ctx.text, n) === name && n !== it.iter && n !== root) {
      const p = n.parent!;
      const isTarget = (p.type === "assignment" && field(p, "left") === n);
      // For a name the loop reaches through a chain (`qs.using(db)`), a use that reads no row's columns is no
      // escape: `qs.delete()`, `qs.values("id")`, `qs.count()`.
      const attr = p.type === "attribute" && field(p, "object") === n ? nodeText(ctx.text, field(p, "attribute") ?? p) : "";
      const columnless = !it.qsVar && ((COLUMNLESS.test(attr) && p.parent?.type === "call") || /^(db|model|query)$/.test(attr));
      if (!isTarget && !columnless && n.start < rebound && n.start >= bound) escapes = true;
      continue;
    }
    for (const c of n.children) stack.push(c);
  }
  return escapes;
}

/**
 * The queryset reaches the loop through another name (`practices = Practice.objects.filter(...)`, then
 * `pcn_practices = practices.filter(pcn=pcn)` looped over), which the function also reads elsewhere: only() where it
 * is built would narrow those other reads too (`for practice in practices: practice.name`).
 */
function sharedThroughName(ctx: RuleContext, it: Iteration, start: number): boolean {
  let a: SyntaxNode | null = nodesAt(ctx.syntax.root, start).pop()!;
  while (a && a.type !== "assignment" && a.type !== "expression_statement" && a.type !== "block") a = a.parent;
  // The assignment's value is the chain that builds the queryset (not a comprehension over it).
  const left = a?.type === "assignment" && field(a, "right")?.start === start ? field(a, "left") : undefined;
  if (left?.type !== "identifier") return false;
  const name = nodeText(ctx.text, left);
  // The loop's own name: queryVarEscapes reads its uses.
  const root = iterRoot(ctx, it);
  if (name === it.qsVar || (root?.type === "identifier" && nodeText(ctx.text, root) === name)) return false;
  // Reads that feed the loop's rows: refined into the same name or the loop's (`q = q.exclude(...)`,
  // `lines = all_lines.exclude(...)`), or returned to the caller that loops. Any other read is another consumer.
  const feeds = new Set([name, it.qsVar ?? "", root?.type === "identifier" ? nodeText(ctx.text, root) : ""]);
  let others = 0;
  const stack = [enclosingScope(a!)];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.type === "identifier" && nodeText(ctx.text, x) === name) {
      const p = x.parent;
      const target = (p?.type === "assignment" && field(p, "left") === x) || (p?.type === "attribute" && field(p, "attribute") === x) || (p?.type === "keyword_argument" && field(p, "name") === x);
      if (!target && !feedsLoop(ctx, x, feeds)) others++;
      continue;
    }
    for (const c of x.children) stack.push(c);
  }
  return others > 0;
}

/**
 * The chain from `x` is assigned to one of `names` or returned, or reads no column of the rows (`values_list()`,
 * `count()`, `exists()`: what only() leaves out does not matter there).
 */
function feedsLoop(ctx: RuleContext, x: SyntaxNode, names: Set<string>): boolean {
  let top = x;
  for (;;) {
    const p = top.parent;
    if (p?.type === "attribute" && field(p, "object") === top) {
      if (COLUMNLESS.test(nodeText(ctx.text, field(p, "attribute") ?? p)) && p.parent?.type === "call") return true;
      top = p;
    } else if ((p?.type === "call" && field(p, "function") === top) || p?.type === "parenthesized_expression") top = p;
    else break;
  }
  const p = top.parent;
  if (p?.type === "return_statement") return true;
  const left = p?.type === "assignment" && field(p, "right") === top ? field(p, "left") : undefined;
  return left?.type === "identifier" && names.has(nodeText(ctx.text, left));
}

const COLUMNLESS = /^(delete|_raw_delete|values|values_list|count|exists|update|aggregate)$/;

/** The `name = ...` statements of the scope (not of nested functions). */
function assignmentsOf(ctx: RuleContext, scope: SyntaxNode, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const stack = [scope];
  while (stack.length) {
    const n = stack.pop()!;
    if (n !== scope && (n.type === "function_definition" || n.type === "class_definition" || n.type === "lambda")) continue;
    if (n.type === "assignment") {
      const left = field(n, "left");
      if (left?.type === "identifier" && nodeText(ctx.text, left) === name) out.push(n);
    }
    for (const c of n.children) stack.push(c);
  }
  return out;
}

/** `sum(row.f for row in qs)`: the field a Python sum adds up over the rows, which the database can total. */
function pythonSum(ctx: RuleContext, it: Iteration): string | null {
  const clause = it.iter.parent;
  const gen = clause?.parent;
  if (clause?.type !== "for_in_clause" || gen?.type !== "generator_expression" || gen.parent?.type !== "call") return null;
  const fn = field(gen.parent, "function");
  const body = field(gen, "body");
  if (!fn || nodeText(ctx.text, fn) !== "sum" || body?.type !== "attribute") return null;
  const obj = field(body, "object");
  const attr = field(body, "attribute");
  return obj && attr && nodeText(ctx.text, obj) === it.target ? nodeText(ctx.text, attr) : null;
}

function check(ctx: RuleContext): void {
  for (const it of ctx.flow().iterations) ctx.examine(it.iter, () => checkIteration(ctx, it));
}

/**
 * Where the queryset is built, for the two places shared beyond the loop: a class attribute (a class body outside
 * any function: `queryset = X.objects.all()` on a view, which every action and method of the class shares), and
 * the method (a def right in a class body) that holds the offset.
 */
function placeOf(ctx: RuleContext, offset: number): { classAttribute: boolean; method: SyntaxNode | null } {
  let inClass = false;
  let inFunction = false;
  let method: SyntaxNode | null = null;
  let scope = ctx.syntax.root.type;
  for (const next of nodesAt(ctx.syntax.root, offset).slice(1)) {
    if (next.type === "function_definition" && scope === "class_definition") method = next;
    if (next.type === "function_definition" || next.type === "lambda") inFunction = true;
    if (next.type === "class_definition") inClass = true;
    if (next.type === "function_definition" || next.type === "class_definition" || next.type === "lambda") scope = next.type;
  }
  return { classAttribute: inClass && !inFunction, method };
}

/**
 * Is `method` another one than the one holding `loop`, one that others call too: `get_queryset()` (the framework
 * and base classes call it), or a method this file calls more than once?
 */
function sharedOtherMethod(ctx: RuleContext, method: SyntaxNode | null, loop: SyntaxNode): boolean {
  if (!method || (method.start <= loop.start && loop.end <= method.end)) return false;
  const name = nodeText(ctx.text, field(method, "name") ?? method);
  if (name === "get_queryset") return true;
  const calls = ctx.text.match(new RegExp(`\\.${name}\\(`, "g"));
  return (calls?.length ?? 0) > 1;
}

function checkIteration(ctx: RuleContext, it: Iteration): void {
  const threshold = ctx.options.wideModelThreshold;
  const qs = it.qs;
  const origin = qs.origin;
  if (!it.target || it.escapes || !origin || origin.insertAt === null || origin.file !== ctx.file) return;
  if (qs.values || qs.loaded.all || columnsRestricted(qs.loaded) || qs.base) return;
  if (!it.reads.size || queryVarEscapes(ctx, it) || sharedThroughName(ctx, it, origin.start)) return;
  // `"{row.name}".format(**locals())`: locals() hands every name, the rows among them, to code that reads attributes
  // the analysis does not see.
  if (/\blocals\(\s*\)/.test(nodeText(ctx.text, enclosingScope(it.loop.node)))) return;
  // A view's class-level queryset serves every action (list, detail, edit): narrowing it for one loop would defer
  // columns the others read.
  const place = placeOf(ctx, origin.start);
  if (place.classAttribute) return;
  // Nor does a shared method that builds it for the loop of another (`self.get_queryset()`): the framework, base
  // classes and the class's other methods call it too, and read other columns.
  if (sharedOtherMethod(ctx, place.method, it.loop.node)) return;
  const model = qs.model;
  if (!model.complete) return;
  // A model that overrides __init__ (or from_db) may read fields as each row is built: a deferred one would load
  // per row, and Django builds the instance for that load with __init__ again (RecursionError). The fields it reads
  // on self stay in only(); a read it hides (getattr, __dict__, _meta) leaves the rule silent.
  const builtReads = new Set<string>();
  for (const name of ["__init__", "from_db"]) {
    const found = ctx.index.methodWithFile(model, name);
    if (!found) continue;
    const meth = found.method;
    const text = found.file === ctx.file ? ctx.text : ctx.project.textOf(found.file);
    if (text === null || /\bgetattr\(|__dict__|\bvars\(|_meta\b|refresh_from_db|get_deferred_fields/.test(text.slice(meth.start, meth.end))) return;
    for (const r of meth.reads[name === "from_db" ? 1 : 0] ?? []) builtReads.add(r.chain[0]);
  }
  // Every relation the queryset follows must stay loaded: select_related() of a deferred field raises FieldError,
  // and a prefetch through a deferred foreign key loads it per row. A bare select_related() is left alone.
  if (qs.loaded.allSingles) return;
  const followed: ModelField[] = [];
  for (const name of qs.loaded.kids.keys()) {
    const f = ctx.index.attribute(model, name);
    if (f && (f.kind === "fk" || f.kind === "o2o")) followed.push(f);
  }
  for (const name of builtReads) {
    const f = ctx.index.attribute(model, name) ?? [...model.fields.values()].find((x) => (x.kind === "fk" || x.kind === "o2o") && `${x.name}_id` === name);
    if (f && (f.kind === "concrete" || f.kind === "fk" || f.kind === "o2o") && !followed.includes(f)) followed.push(f);
  }
  const concrete = ctx.index.concreteFields(model).filter((f) => !f.primaryKey);
  const big = concrete.filter((f) => f.big);
  if (concrete.length < threshold && !big.length) return;
  const used: ModelField[] = [];
  let unknown = false;
  const byPosition = [...it.reads.entries()].sort((a, b) => Math.min(...a[1].map((n) => n.start)) - Math.min(...b[1].map((n) => n.start)));
  for (const [name] of byPosition) {
    if (name === "pk" || name === "id") return;
    if (qs.loaded.annotations.has(name) || qs.loaded.toAttrs.has(name)) return;
    const f = ctx.index.attribute(model, name) ?? [...model.fields.values()].find((x) => (x.kind === "fk" || x.kind === "o2o") && `${x.name}_id` === name);
    if (!f) {
      unknown = true;
      break;
    }
    if (f.kind === "concrete" || f.kind === "fk" || f.kind === "o2o") {
      if (!used.includes(f)) used.push(f);
    } else if (f.kind === "gfk") {
      // A GenericForeignKey reads the content type and object id columns it names: only() without them would
      // cost two deferred loads per row. Which columns those are is left to the model: stay silent.
      unknown = true;
      break;
    }
  }
  if (unknown || !used.length) return;
  const skipped = concrete.filter((f) => !used.includes(f));
  const skippedBig = skipped.filter((f) => f.big);
  // A narrow model is worth narrowing only for a large column the loop leaves unread: loading its few small ones
  // costs next to nothing.
  if (concrete.length < threshold && !skippedBig.length) return;
  if (used.length > Math.max(3, Math.floor(threshold / 2)) || (skipped.length < 3 && !skippedBig.length)) return;
  const q = preferredQuote(ctx.text);
  const names = used.map((f) => f.name);
  const order = [...model.fields.values()];
  const kept = [...names, ...followed.filter((f) => !used.includes(f)).sort((a, b) => order.indexOf(a) - order.indexOf(b)).map((f) => f.name)];
  const only = `.only(${kept.map((n) => `${q}${n}${q}`).join(", ")})`;
  const onlyEdits = atEachOrigin(origin, (o) => (o.insertAt === null ? null : [{ file: o.file, start: o.insertAt, end: o.insertAt, newText: only }]), { file: ctx.file, root: ctx.syntax.root, node: it.iter });
  const fixes: OffsetFix[] = onlyEdits.length ? [{ title: `Add ${only.slice(1)}`, safe: true, edits: onlyEdits }] : [];
  // values_list() changes what the rows are: offered only for a queryset written in the for statement itself,
  // read through one concrete field, so every use of the row is rewritten with it.
  const inline = it.iter.start <= origin.start && origin.end <= it.iter.end && !it.qsVar && !origin.also;
  if (inline && used.length === 1 && used[0].kind === "concrete" && it.reads.size === 1) {
    const reads = [...it.reads.values()][0];
    fixes.push({
      title: `Use values_list(${q}${names[0]}${q}, flat=True)`,
      safe: false,
      edits: [
        { file: ctx.file, start: origin.insertAt, end: origin.insertAt, newText: `.values_list(${q}${names[0]}${q}, flat=True)` },
        ...reads.map((r) => ({ file: ctx.file, start: r.start, end: r.end, newText: it.target! })),
      ],
    });
  }
  const bigNote = skippedBig.length ? `, including ${skippedBig.map((f) => `${f.name} (${f.fieldClass.replace(/^.*\./, "")})`).join(", ")}` : "";
  const summed = used.length === 1 ? pythonSum(ctx, it) : null;
  ctx.report({
    start: origin.start,
    end: origin.end,
    message: summed
      ? `Over-fetching: sum() adds up ${summed} over every ${model.name} row in Python, loading all ${concrete.length + 1} columns${bigNote}; ` +
        `let the database total it with .aggregate(total=Sum("${summed}")), or at least add .only("${summed}")`
      : `Over-fetching: the loop reads ${names.join(", ")} of ${model.name} but the queryset loads all ${concrete.length + 1} columns${bigNote}; add .only(${kept.map((n) => `"${n}"`).join(", ")})`,
    related: [...it.reads.values()].flat().slice(0, 3).map((r) => ({ file: ctx.file, start: r.start, end: r.end, message: "read here" })),
    fixes,
  });
}

export const rule: Rule = {
  meta: { id: "missing-only", summary: "A wide model's rows are loaded whole but only a few fields are read", defaultSeverity: "information", fixable: true },
  check,
};
