import { addToEachOrigin, withChunkSize } from "../../server/src/engine/fixes";
import { childLoaded, type InstVal, type NodeValues, type Origin, type Val } from "../../server/src/engine/flow";
import type { Model, ModelField } from "../../server/src/engine/models";
import type { SyntaxNode } from "../../server/src/engine/parser";
import type { OffsetFix, Rule, RuleContext } from "../../server/src/engine/rule";
import { callParts, enclosingScope, field, methodCall, nodeText, walk } from "../../server/src/engine/syntax";

const SINGLE = new Set(["fk", "o2o", "reverse-o2o"]);
/** Methods of a related manager or queryset that run a query when called synchronously. */
const SYNC_QUERIES = new Set([
  "get", "first", "last", "latest", "earliest", "count", "exists", "aggregate", "in_bulk", "create", "get_or_create",
  "update_or_create", "update", "delete", "add", "remove", "clear", "set", "bulk_create", "bulk_update", "contains",
]);
/** Of those, the ones a prefetched relation answers from its cache. */
const CACHED = new Set(["count", "exists"]);
const EVALUATORS = new Set(["list", "len", "tuple", "set", "sorted", "bool", "sum", "max", "min", "any", "all", "reversed", "enumerate"]);
const GET_ONE = new Set(["get", "first", "last", "latest", "earliest", "aget", "afirst", "alast", "alatest", "aearliest"]);

function isAsync(ctx: RuleContext, n: SyntaxNode): boolean {
  return /^async\b/.test(nodeText(ctx.text, n));
}

/** Is the node run directly by an `async def` body (not by a nested sync def or a lambda)? */
function inAsyncBody(ctx: RuleContext, node: SyntaxNode): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === "lambda" || p.type === "class_definition") return false;
    if (p.type === "function_definition") return isAsync(ctx, p);
  }
  return false;
}

function strip(n: SyntaxNode): SyntaxNode {
  let x = n;
  while ((x.type === "parenthesized_expression" || x.type === "await") && x.children.length === 1) x = x.children[0];
  return x;
}

/** Is a related queryset's value evaluated synchronously right here (iterated, listed, tested, indexed)? */
function syncEvaluation(ctx: RuleContext, node: SyntaxNode): boolean {
  let x = node;
  while (x.parent?.type === "parenthesized_expression") x = x.parent;
  const p = x.parent;
  if (!p) return false;
  if (p.type === "for_statement" && field(p, "right") === x) return !isAsync(ctx, p);
  if (p.type === "for_in_clause" && field(p, "right") === x) return !isAsync(ctx, p);
  if (p.type === "subscript" && field(p, "value") === x) {
    const subs = p.children.filter((c) => c !== x);
    return !(subs.length === 1 && subs[0].type === "slice");
  }
  if (p.type === "not_operator") return true;
  if ((p.type === "if_statement" || p.type === "elif_clause" || p.type === "while_statement") && field(p, "condition") === x) return true;
  if (p.type === "argument_list" && p.parent?.type === "call") {
    const f = field(p.parent, "function");
    return !!f && f.type === "identifier" && EVALUATORS.has(nodeText(ctx.text, f)) && p.children[0] === x;
  }
  return false;
}

/** Where the instance at the root of an attribute chain was fetched: a loop's queryset, or `x = await Book.objects.aget(...)`. */
function originOf(ctx: RuleContext, inst: InstVal, expr: SyntaxNode): { origin: Origin; model: Model } | null {
  if (inst.row) return inst.row.origin ? { origin: inst.row.origin, model: inst.row.model } : null;
  let root = strip(expr);
  for (let i = 0; i < inst.path.length; i++) {
    if (root.type !== "attribute") return null;
    root = strip(field(root, "object")!);
  }
  let source: SyntaxNode | null = null;
  if (root.type === "identifier") {
    const name = nodeText(ctx.text, root);
    const rhs: SyntaxNode[] = [];
    let other = false;
    walk(enclosingScope(root), (n) => {
      if (n.type === "identifier" && nodeText(ctx.text, n) === name && n.parent) {
        const p = n.parent;
        if (p.type === "assignment" && field(p, "left") === n) {
          // (`user: User` alone binds no value: the name's value is unknown.)
          const right = field(p, "right");
          if (right) rhs.push(right);
          else other = true;
        }
        else if (/pattern|for_statement|for_in_clause|named_expression|augmented_assignment|parameters/.test(p.type)) other = true;
      }
      return true;
    });
    if (other || rhs.length !== 1) return null;
    source = strip(rhs[0]);
  } else if (root.type === "call") source = root;
  if (!source || source.type !== "call") return null;
  const values = ctx.flow().values;
  const mc = methodCall(ctx.text, source);
  let qs: Val | undefined;
  if (mc && GET_ONE.has(mc.method)) qs = values.get(mc.receiver);
  else {
    const parts = callParts(ctx.text, source);
    const fname = parts ? nodeText(ctx.text, parts.func) : "";
    if (parts && /^a?get_object_or_404$/.test(fname) && parts.args[0]) qs = values.get(parts.args[0]);
  }
  if (!qs || (qs.k !== "qs" && qs.k !== "manager") || !qs.origin) return null;
  // The path from the fetched model must lead to the instance's model.
  let m: Model | undefined = qs.model;
  for (const seg of inst.path) m = m ? ctx.index.attribute(m, seg)?.target : undefined;
  return m === inst.model ? { origin: qs.origin, model: qs.model } : null;
}

function describe(f: ModelField): string {
  const t = f.target?.name ?? "?";
  return f.kind === "fk" ? `ForeignKey to ${t}` : f.kind === "o2o" ? `OneToOneField to ${t}` : f.kind === "reverse-o2o" ? `reverse OneToOneField from ${t}` : f.kind === "m2m" ? `ManyToManyField to ${t}` : f.kind === "reverse-fk" ? `reverse ForeignKey from ${t}` : `reverse ManyToManyField from ${t}`;
}

interface FixInfo {
  fixes: OffsetFix[];
  related: { file: string; start: number; end: number; message: string }[];
  method: "select_related" | "prefetch_related";
}

function fixFor(ctx: RuleContext, inst: InstVal, expr: SyntaxNode | null, name: string, single: boolean): FixInfo {
  const path = [...inst.path, name];
  const found = expr ? originOf(ctx, inst, expr) : null;
  let method: FixInfo["method"] = single ? "select_related" : "prefetch_related";
  if (found && single) {
    let m: Model | undefined = found.model;
    for (const seg of path) {
      const f: ModelField | undefined = m ? ctx.index.attribute(m, seg) : undefined;
      if (!f || !SINGLE.has(f.kind)) method = "prefetch_related";
      m = f?.target;
    }
  } else if (single && inst.path.length) method = "prefetch_related";
  if (found && ctx.index.joinsPolymorphic(found.model, path)) method = "prefetch_related";
  if (!found) return { fixes: [], related: [], method };
  const { origin } = found;
  const lookup = path.join("__");
  const edits = addToEachOrigin(origin, method, lookup, (file) => (file === ctx.file ? ctx.text : ctx.project.textOf(file)));
  return {
    fixes: edits.length ? [{ title: `Add ${method}("${lookup}") to the queryset`, ...withChunkSize(origin, edits, method === "prefetch_related") }] : [],
    related: [{ file: origin.file, start: origin.start, end: origin.end, message: `${found.model.name} fetched here` }],
    method,
  };
}

/** `book.author` on an instance that did not join author. */
function singleRead(ctx: RuleContext, node: SyntaxNode, values: NodeValues): void {
  const objNode = field(node, "object");
  const attrNode = field(node, "attribute");
  if (!objNode || !attrNode) return;
  const obj = values.get(objNode);
  if (!obj || obj.k !== "inst" || obj.tainted || obj.loaded.all) return;
  const name = nodeText(ctx.text, attrNode);
  const f = ctx.index.attribute(obj.model, name);
  if (!f || !SINGLE.has(f.kind) || !f.target) return;
  if (childLoaded(obj.loaded, name, true)) return;
  const p = node.parent;
  if (p && (p.type === "assignment" || p.type === "augmented_assignment") && field(p, "left") === node) return;
  if (p?.type === "delete_statement") return;
  if (!inAsyncBody(ctx, node)) return;
  const { fixes, related, method } = fixFor(ctx, obj, objNode, name, true);
  ctx.report({
    start: node.start,
    end: node.end,
    message: `Lazy load in async code: reading ${obj.model.name}.${name} (${describe(f)}) runs a query synchronously and raises SynchronousOnlyOperation; add ${method}("${[...obj.path, name].join("__")}") where it is fetched`,
    related,
    fixes,
  });
}

function check(ctx: RuleContext): void {
  if (!ctx.mentions(/\basync\s+def\b/)) return;
  const values = ctx.flow().values;
  for (const [node, v] of values) ctx.examine(node, () => checkValue(ctx, node, v, values));
}

function checkValue(ctx: RuleContext, node: SyntaxNode, v: Val, values: NodeValues): void {
  if (node.type === "attribute" && v.k !== "manager") {
    singleRead(ctx, node, values);
    return;
  }
  // Related managers and querysets: `obj.tags.count()`, `for t in obj.tags.all()`, `list(obj.tags.all())`.
  if ((v.k !== "manager" && v.k !== "qs") || !v.base || !v.field) return;
  const base = v.base;
  if (base.tainted || base.loaded.all) return;
  const prefetched = !(v.k === "qs" && v.fresh) && !!childLoaded(base.loaded, v.field.name, false);
  let runs: string | null = null;
  const p = node.parent;
  const call = p?.type === "attribute" && field(p, "object") === node && p.parent?.type === "call" && field(p.parent, "function") === p ? p.parent : null;
  if (call) {
    const method = nodeText(ctx.text, field(p!, "attribute")!);
    if (SYNC_QUERIES.has(method) && !(prefetched && CACHED.has(method))) runs = `${method}()`;
    // `book.tags.filter(...)` is only built here; its evaluation is reported where it happens.
    if (runs && !inAsyncBody(ctx, call)) runs = null;
    if (runs) {
      const helps = !prefetched && CACHED.has(method) && !(v.k === "qs" && v.fresh);
      const { fixes, related } = fixFor(ctx, base, v.access ? field(v.access, "object") ?? null : null, v.field.name, false);
      report(ctx, call, base, v.field, runs, helps ? fixes : [], related, helps);
    }
    return;
  }
  if (v.k !== "qs" || prefetched) return;
  if (!syncEvaluation(ctx, node) || !inAsyncBody(ctx, node)) return;
  const { fixes, related } = fixFor(ctx, base, v.access ? field(v.access, "object") ?? null : null, v.field.name, false);
  report(ctx, node, base, v.field, "evaluating the related queryset", v.fresh ? [] : fixes, related, !v.fresh);
}

function report(ctx: RuleContext, node: SyntaxNode, base: InstVal, f: ModelField, runs: string, fixes: OffsetFix[], related: FixInfo["related"], prefetchHelps: boolean): void {
  const lookup = [...base.path, f.name].join("__");
  const advice = prefetchHelps
    ? `prefetch_related("${lookup}") where the ${base.model.name} is fetched, or use the async form (async for, acount(), aexists())`
    : `use the async form (async for, acount(), aexists(), afirst(), aget(), acreate()) or wrap it in sync_to_async`;
  ctx.report({
    start: node.start,
    end: node.end,
    message: `Lazy load in async code: ${runs} on ${base.model.name}.${f.name} (${describe(f)}) runs a query synchronously and raises SynchronousOnlyOperation; ${advice}`,
    related,
    fixes,
  });
}

export const rule: Rule = {
  meta: { id: "async-lazy-load", summary: "A relation loaded lazily inside async code (SynchronousOnlyOperation)", defaultSeverity: "error", fixable: true },
  check,
};
