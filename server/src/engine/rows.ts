/**
 * How a queryset is used, for the rules that ask (queryset-len, queryset-truthiness, save-in-loop): is an
 * expression certainly a lazy queryset (not a list made from one), and are its rows used anywhere else in the
 * function?
 */
import { childLoaded, type QsVal, type Val } from "./flow";
import type { Model } from "./models";
import type { SyntaxNode } from "./parser";
import type { RuleContext } from "./rule";
import { callParts, dotted, enclosingScope, field, methodCall, nameBindings, nodeText, strip, targetNames } from "./syntax";

/** Methods that return a new, unevaluated queryset. */
const LAZY_METHODS = new Set([
  "all", "filter", "exclude", "order_by", "distinct", "reverse", "using", "select_for_update", "none", "extra",
  "complex_filter", "alias", "defer", "only", "select_related", "prefetch_related", "annotate", "values",
  "values_list", "fetch_mode",
]);
/** Methods called on the queryset variable that do not read its rows (they run their own query). */
const OWN_QUERY_METHODS = new Set([
  ...LAZY_METHODS, "count", "exists", "aggregate", "update", "delete", "acount", "aexists", "aaggregate", "aupdate",
  "adelete", "explain", "query",
]);



/** Every identifier node named `name` inside `root`, nested functions included. */
/** Identifier uses below a node, bucketed by name once per node (rules ask about many names in one scope). */
const identifierIndex = new WeakMap<SyntaxNode, { syntax: object; byName: Map<string, SyntaxNode[]> }>();

function occurrences(ctx: RuleContext, root: SyntaxNode, name: string): SyntaxNode[] {
  let idx = identifierIndex.get(root);
  if (!idx || idx.syntax !== ctx.syntax) {
    const byName = new Map<string, SyntaxNode[]>();
    const stack = [root];
    const found: SyntaxNode[] = [];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === "identifier") {
        const p = n.parent;
        const isAttrName = p?.type === "attribute" && field(p, "attribute") === n;
        const isKwName = p?.type === "keyword_argument" && field(p, "name") === n;
        if (!isAttrName && !isKwName) found.push(n);
        continue;
      }
      for (const c of n.children) stack.push(c);
    }
    // Document order, as the walk above would give it for one name.
    for (const n of found) {
      const k = nodeText(ctx.text, n);
      const list = byName.get(k) ?? [];
      list.push(n);
      byName.set(k, list);
    }
    idx = { syntax: ctx.syntax, byName };
    identifierIndex.set(root, idx);
  }
  return idx.byName.get(name) ?? [];
}

function isAssignTarget(n: SyntaxNode): boolean {
  const p = n.parent;
  return !!p && (p.type === "assignment" || p.type === "augmented_assignment") && field(p, "left") === n;
}

/** Right-hand sides of `name = ...` in a scope, or null when the name is bound some other way there. */
function assignments(ctx: RuleContext, scope: SyntaxNode, name: string): SyntaxNode[] | null {
  const out: SyntaxNode[] = [];
  if (scope.type === "function_definition") {
    const params = field(scope, "parameters");
    if (params && occurrences(ctx, params, name).length) return null;
  }
  for (const n of occurrences(ctx, scope, name)) {
    const p = n.parent!;
    if (isAssignTarget(n)) {
      if (p.type !== "assignment") return null;
      const r = field(p, "right");
      if (!r) return null;
      out.push(r);
    } else if (p.type === "pattern_list" || p.type === "tuple_pattern" || p.type === "for_statement" || p.type === "for_in_clause" || p.type === "as_pattern" || p.type === "named_expression" || p.type === "global_statement" || p.type === "nonlocal_statement") {
      return null;
    }
  }
  return out;
}

/**
 * The expression certainly evaluates to an unevaluated queryset: a chain of lazy methods on a manager, a
 * variable only ever assigned such a chain, a slice of one, or a same-file function returning one.
 * `list(qs)`, `get_list_or_404()` and anything not followed give false.
 */
const lazyMemo = new WeakMap<SyntaxNode, { syntax: object; value: boolean }>();

export function isLazyQueryset(ctx: RuleContext, node: SyntaxNode, depth = 0, visiting: Set<string> = new Set()): boolean {
  if (depth === 0 && visiting.size === 0) {
    const m = lazyMemo.get(node);
    if (m && m.syntax === ctx.syntax) return m.value;
    const value = isLazyQuerysetUncached(ctx, node, depth, visiting);
    lazyMemo.set(node, { syntax: ctx.syntax, value });
    return value;
  }
  return isLazyQuerysetUncached(ctx, node, depth, visiting);
}

function isLazyQuerysetUncached(ctx: RuleContext, node: SyntaxNode, depth: number, visiting: Set<string>): boolean {
  if (depth > 6) return false;
  const values = ctx.flow().values;
  const n = strip(node);
  const v = values.get(n) ?? values.get(node);
  if (!v || (v.k !== "qs" && v.k !== "manager")) return false;
  switch (n.type) {
    case "attribute":
      return v.k === "manager";
    case "identifier": {
      if (v.k === "manager") return true;
      const name = nodeText(ctx.text, n);
      // `qs = qs.filter(...)`: the other assignments decide.
      if (visiting.has(name)) return true;
      const rhs = assignments(ctx, enclosingScope(n), name);
      if (!rhs || !rhs.length) return false;
      const inner = new Set(visiting).add(name);
      return rhs.every((r) => isLazyQueryset(ctx, r, depth + 1, inner));
    }
    case "subscript": {
      const value = field(n, "value");
      const subs = n.children.filter((c) => c !== value);
      return !!value && subs.length === 1 && subs[0].type === "slice" && isLazyQueryset(ctx, value, depth + 1, visiting);
    }
    case "call": {
      const mc = methodCall(ctx.text, n);
      if (mc) {
        if (mc.method === "iterator") return false;
        const recv = values.get(strip(mc.receiver));
        if (LAZY_METHODS.has(mc.method)) return isLazyQueryset(ctx, mc.receiver, depth + 1, visiting);
        // A custom manager or queryset method: the flow only gives it a queryset value when it returns a chain.
        return !!recv && (recv.k === "manager" || recv.k === "qs") && v.k === "qs" && isLazyQueryset(ctx, mc.receiver, depth + 1, visiting);
      }
      const parts = callParts(ctx.text, n);
      if (!parts || parts.func.type !== "identifier") return false;
      const fname = nodeText(ctx.text, parts.func);
      const def = topLevelFunction(ctx, fname);
      if (!def) return false;
      const returns = returnValues(def);
      return returns.length > 0 && returns.every((r) => isLazyQueryset(ctx, r, depth + 1));
    }
    default:
      return false;
  }
}

function topLevelFunction(ctx: RuleContext, name: string): SyntaxNode | null {
  let found: SyntaxNode | null = null;
  for (const stmt of ctx.syntax.root.children) {
    const def = stmt.type === "decorated_definition" ? field(stmt, "definition") : stmt;
    if (def?.type === "function_definition" && nodeText(ctx.text, field(def, "name")!) === name) {
      if (found || def !== stmt) return null;
      found = def;
    }
  }
  return found;
}

function returnValues(def: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const stack = [field(def, "body")!];
  while (stack.length) {
    const n = stack.pop()!;
    if (!n || n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition") continue;
    if (n.type === "return_statement") {
      if (!n.children[0]) return [];
      out.push(n.children[0]);
      continue;
    }
    if (n.type === "yield") return [];
    for (const c of n.children) stack.push(c);
  }
  return out;
}

/**
 * Does the function use the queryset's rows anywhere but at `use` (iterating, indexing, passing, returning,
 * putting it in a context...)? Calls that run their own query (`qs.filter()`, `qs.count()`) and reassignments
 * do not count. Only plain names can be followed; other expressions are used once by construction.
 */
export function rowsUsedElsewhere(ctx: RuleContext, expr: SyntaxNode, use: SyntaxNode): boolean {
  const n = strip(expr);
  if (n.type === "call" || n.type === "subscript") {
    // A chain ending in a call (`Book.objects.filter(...)`) is a fresh queryset used only here; a variable at
    // its root is not evaluated by it.
    return false;
  }
  if (n.type === "attribute") {
    // `self.books` and the like: used elsewhere if the same text appears again in the function.
    const text = nodeText(ctx.text, n);
    const scope = enclosingScope(n);
    const body = nodeText(ctx.text, scope);
    return body.split(text).length - 1 > 1 || /\blocals\(\)/.test(body);
  }
  if (n.type !== "identifier") return true;
  const name = nodeText(ctx.text, n);
  const scope = enclosingScope(n);
  if (/\b(locals|vars)\(\)/.test(nodeText(ctx.text, scope))) return true;
  for (const occ of occurrences(ctx, scope, name)) {
    if (occ === n || within(occ, use)) continue;
    if (isAssignTarget(occ)) continue;
    const p = occ.parent!;
    if (p.type === "attribute" && field(p, "object") === occ) {
      const attr = nodeText(ctx.text, field(p, "attribute")!);
      const gp = p.parent;
      if (gp?.type === "call" && field(gp, "function") === p && OWN_QUERY_METHODS.has(attr)) continue;
      if (attr === "query" || attr === "model" || attr === "db") continue;
    }
    return true;
  }
  return false;
}

function within(n: SyntaxNode, outer: SyntaxNode): boolean {
  for (let x: SyntaxNode | null = n; x; x = x.parent) if (x === outer) return true;
  return false;
}

/**
 * A related queryset (`author.book_set.all()`) whose relation was prefetched reads the prefetch cache, and one of
 * a loop row is the business of n-plus-one: skip both. Querysets whose origin is unknown are skipped too.
 * `counted`: the queryset is only counted. Then a relation of an instance loaded who knows how (`self.tags`) is
 * worth it too: were it prefetched, exists() would answer from the same cache as count().
 */
export function worthReporting(v: QsVal | Extract<Val, { k: "manager" }>, counted = false): boolean {
  if (v.base) {
    if (v.base.row) return false;
    if (v.base.loaded.all) return counted;
    return !(!(v.k === "qs" && v.fresh) && v.field && childLoaded(v.base.loaded, v.field.name, false));
  }
  return v.origin !== null;
}

/** A receiver text that can take `.count()` / `.exists()` without parentheses. */
export function isSimpleChain(node: SyntaxNode): boolean {
  const n = node;
  if (n.type === "identifier") return true;
  if (n.type === "attribute") return isSimpleChain(field(n, "object")!);
  if (n.type === "call") {
    const f = field(n, "function");
    return !!f && isSimpleChain(f);
  }
  return false;
}

/**
 * Is `name` a parameter of a function (or lambda) around `node`: whatever its callers pass, not the module's class
 * of that name? (A name the function assigns is left to its value: `Book = apps.get_model("shop", "Book")` is that
 * model.)
 */
function isParameter(text: string, node: SyntaxNode, name: string): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type !== "function_definition" && p.type !== "lambda") continue;
    const params = field(p, "parameters");
    if (params && targetNames(text, params, new Set()).has(name)) return true;
  }
  return false;
}

/**
 * A queryset the flow could not follow (an opaque custom manager) but whose syntax settles it:
 * `Model.<manager>` followed only by lazy methods (`filter`, `exclude`, ...), any slice of one, or a variable only
 * ever assigned one. Every Django manager returns a QuerySet from these methods.
 */
export function syntacticQueryset(ctx: RuleContext, node: SyntaxNode, depth = 0, visiting: Map<string, Model | null> = new Map()): { model: Model; values: boolean } | null {
  if (depth > 6) return null;
  const n = strip(node);
  switch (n.type) {
    case "call": {
      const mc = methodCall(ctx.text, n);
      if (!mc || !LAZY_METHODS.has(mc.method)) return null;
      const inner = syntacticQueryset(ctx, mc.receiver, depth + 1, visiting);
      return inner ? { model: inner.model, values: inner.values || mc.method === "values" || mc.method === "values_list" } : null;
    }
    case "attribute": {
      const obj = field(n, "object");
      const attr = field(n, "attribute");
      const d = obj ? dotted(ctx.text, obj) : null;
      // A parameter named like a model (`def merge(PermissionModel, keys)`, given a historical model by a
      // migration) is whatever the caller passes, not that class.
      const model = d && !isParameter(ctx.text, n, d.split(".")[0]) ? ctx.index.modelFromName(ctx.file, d) : undefined;
      if (!model || !attr) return null;
      return model.managers.has(nodeText(ctx.text, attr)) ? { model, values: false } : null;
    }
    case "subscript": {
      const value = field(n, "value");
      const subs = n.children.filter((c) => c !== value);
      return value && subs.length === 1 && subs[0].type === "slice" ? syntacticQueryset(ctx, value, depth + 1, visiting) : null;
    }
    case "identifier": {
      const name = nodeText(ctx.text, n);
      const rhs = assignments(ctx, enclosingScope(n), name);
      if (!rhs || !rhs.length) return null;
      // `qs = qs.filter(...)`: skip the self-reference, the first real assignment decides the model.
      if (visiting.has(name)) return null;
      let out: { model: Model; values: boolean } | null = null;
      const inner = new Map(visiting).set(name, null);
      const selfRefs: SyntaxNode[] = [];
      for (const r of rhs) {
        if (new RegExp(`^\\(*${name}\\b`).test(nodeText(ctx.text, r))) {
          selfRefs.push(r);
          continue;
        }
        const q = syntacticQueryset(ctx, r, depth + 1, inner);
        if (!q || (out && out.model !== q.model)) return null;
        out = out ? { model: q.model, values: out.values || q.values } : q;
      }
      if (!out) return null;
      // Self-references must stay lazy chains on the same name.
      for (const r of selfRefs) {
        let x = strip(r);
        while (x.type === "call") {
          const mc = methodCall(ctx.text, x);
          if (!mc || !LAZY_METHODS.has(mc.method)) return null;
          if (mc.method === "values" || mc.method === "values_list") out = { ...out, values: true };
          x = strip(mc.receiver);
        }
        if (x.type !== "identifier" || nodeText(ctx.text, x) !== name) return null;
      }
      return out;
    }
    default:
      return null;
  }
}

/**
 * The queryset a test or len() looks at, when it is certainly an unevaluated queryset worth a hint: what to call it
 * in a message and its model's name. `counted`: the expression is the receiver of a `count()` (a manager will do).
 * `certain` is false when only the syntax says so (a model class method's result that the flow could not follow).
 */
export function lazyQuerysetAt(ctx: RuleContext, node: SyntaxNode, counted: boolean): { what: string; model: string; certain: boolean } | null {
  const values = ctx.flow().values;
  const inner = strip(node);
  const v = values.get(inner) ?? values.get(node);
  if (v && (v.k === "qs" || (counted && v.k === "manager"))) {
    if (!worthReporting(v, counted) || !isLazyQueryset(ctx, node)) return null;
    const what = v.base && v.field ? `${v.base.model.name}.${v.field.name} queryset` : v.k === "manager" ? `${v.model.name} manager` : `${v.model.name} queryset`;
    return { what, model: v.model.name, certain: true };
  }
  if (v && v.k !== "unknown") return null;
  const s = syntacticQueryset(ctx, node);
  if (s) return { what: `${s.model.name} queryset`, model: s.model.name, certain: true };
  const m = counted ? modelRootedCall(ctx, node) : null;
  return m ? { what: `${m.model.name} queryset from ${m.method}()`, model: m.model.name, certain: false } : null;
}

/**
 * `Organization.accessible_objects(user, "read")`, `Book.objects.visible_to(user).filter(...)`: a call chain that
 * starts at a model class and that the flow could not follow (a class method, a custom manager method). Only
 * asked about the receiver of a `count()` without arguments: on such a chain that is a query (list and str
 * `count()` take an argument).
 */
function modelRootedCall(ctx: RuleContext, node: SyntaxNode): { model: Model; method: string } | null {
  let n = strip(node);
  if (n.type !== "call") return null;
  const mc = methodCall(ctx.text, n);
  if (!mc) return null;
  const method = mc.method;
  for (let depth = 0; depth < 12; depth++) {
    if (n.type === "call") n = strip(field(n, "function") ?? n);
    else if (n.type === "attribute") {
      const obj = field(n, "object");
      if (!obj) return null;
      const d = dotted(ctx.text, obj);
      const model = d && /(^|\.)[A-Z]\w*$/.test(d) ? ctx.index.modelFromName(ctx.file, d) : undefined;
      if (model) return model.abstract ? null : { model, method };
      n = strip(obj);
    } else return null;
  }
  return null;
}

/**
 * The node sits in the body of a `try` that catches `Model.DoesNotExist` (or `ObjectDoesNotExist`), within the same
 * function: the models named (empty for `ObjectDoesNotExist` alone), or null when there is no such handler.
 */
export function doesNotExistHandled(ctx: RuleContext, node: SyntaxNode): { models: Model[]; tryNode: SyntaxNode } | null {
  let child = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    if (p.type === "function_definition" || p.type === "lambda" || p.type === "class_definition") return null;
    if (p.type !== "try_statement" || child.field !== "body") continue;
    const models: Model[] = [];
    let caught = false;
    for (const clause of p.children) {
      if (clause.type !== "except_clause") continue;
      const stack = clause.children.filter((c) => c.type !== "block");
      while (stack.length) {
        const n = stack.pop()!;
        if (n.type === "as_pattern_target") continue;
        if (n.type === "attribute" && nodeText(ctx.text, field(n, "attribute")!) === "DoesNotExist") {
          const d = dotted(ctx.text, field(n, "object"));
          const m = d ? ctx.index.modelFromName(ctx.file, d) : undefined;
          if (m) models.push(m);
          caught = true;
          continue;
        }
        if (n.type === "identifier" && nodeText(ctx.text, n) === "ObjectDoesNotExist") caught = true;
        if (n.type === "attribute" && nodeText(ctx.text, n).endsWith(".ObjectDoesNotExist")) caught = true;
        for (const c of n.children) stack.push(c);
      }
    }
    if (caught) return { models, tryNode: p };
  }
  return null;
}

/**
 * `X.get(field=...)` in the body of a `try` that catches `Model.DoesNotExist`: a query on X's model when the flow
 * knows X (a queryset or manager), or on the one model the handler names when it does not (`getattr(obj, name)`,
 * a helper's result). Lookups must be keywords (Q objects allowed): `dict.get()` and friends take positional keys.
 */
export function handledGet(ctx: RuleContext, call: SyntaxNode): { model: string; known: boolean } | null {
  const mc = methodCall(ctx.text, call);
  if (!mc || (mc.method !== "get" && mc.method !== "aget")) return null;
  const parts = callParts(ctx.text, call);
  if (!parts || parts.splat || !parts.kwargs.size) return null;
  if (parts.args.some((a) => a.type !== "call" || !/^(\w+\.)*Q$/.test(dotted(ctx.text, field(a, "function")) ?? ""))) return null;
  const handled = doesNotExistHandled(ctx, call);
  if (!handled) return null;
  const v = ctx.flow().values.get(mc.receiver);
  if (v && (v.k === "qs" || v.k === "manager")) return { model: v.model.name, known: true };
  if (v && v.k !== "unknown") return null;
  return handled.models.length === 1 ? { model: handled.models[0].name, known: false } : null;
}

/**
 * The equalities of a chain's filter() calls that pin one row at most, as sets of the values compared: one value for
 * the primary key (by `pk`, or the implicit `id` of a model that declares none), a unique field or a one-to-one
 * (`user=...`, `user_id=...`), which alone selects at most one row (`filter(pk=task_id).update(...)`); one per column
 * for a set the model makes unique together (`unique_together = ("xform", "filename")`, a `UniqueConstraint` without a
 * condition), when the filters compare every column of it.
 */
export function uniqueLookupSets(ctx: Pick<RuleContext, "text" | "index">, model: Model, chain: SyntaxNode): SyntaxNode[][] {
  const out: SyntaxNode[][] = [];
  const equal = new Map<string, SyntaxNode>();
  for (const [key, value] of chainFilters(ctx.text, chain).kwargs) {
    const [name, ...rest] = key.split("__");
    if (rest.length && !(rest.length === 1 && rest[0] === "exact")) {
      // `xform__pk=...`, `xform__id=...`: the foreign key's column.
      const f = model.fields.get(name);
      if (f && (f.kind === "fk" || f.kind === "o2o") && rest.length === 1 && (rest[0] === "pk" || rest[0] === "id")) equal.set(name, value);
      continue;
    }
    const f = model.fields.get(name) ?? [...model.fields.values()].find((x) => (x.kind === "o2o" || x.kind === "fk") && `${x.name}_id` === name);
    // (By the name written when the field is not known: a package's abstract base declares it.)
    equal.set(f?.name ?? name, value);
    const unique = f ? f.kind === "o2o" || (f.kind === "concrete" && (f.unique || f.primaryKey)) : name === "pk" || (name === "id" && !ctx.index.concreteFields(model).some((x) => x.primaryKey));
    if (unique) out.push([value]);
  }
  for (const set of model.unique ?? []) if (set.every((c) => equal.has(c))) out.push(set.map((c) => equal.get(c)!));
  return out;
}

/**
 * The keyword conditions of every filter() along a method chain (`X.objects.filter(a=1).order_by("b").filter(c=2)`),
 * outermost call first, and the node the chain starts from (`X.objects`, `self.request.user.teams`).
 */
export function chainFilters(text: string, chain: SyntaxNode): { kwargs: [string, SyntaxNode][]; root: SyntaxNode } {
  const kwargs: [string, SyntaxNode][] = [];
  let n = chain;
  while (n.type === "call") {
    const mc = methodCall(text, n);
    if (!mc) break;
    if (mc.method === "filter") kwargs.push(...(callParts(text, n)?.kwargs ?? []));
    n = mc.receiver;
  }
  return { kwargs, root: n };
}

/**
 * The `for` loop iterates a queryset that an equality on its model's primary key or a unique column narrows to one
 * row at most (`for ng in NodeGroup.objects.filter(nodegroupid=pk)`, also through a name bound once to such a chain).
 */
export function iteratesOneRow(ctx: RuleContext, loop: SyntaxNode): boolean {
  if (loop.type !== "for_statement") return false;
  let iter = field(loop, "right");
  if (!iter) return false;
  const v = ctx.flow().values.get(iter);
  if (!v || v.k !== "qs") return false;
  if (iter.type === "identifier") {
    const bs = nameBindings(ctx.text, enclosingScope(loop), nodeText(ctx.text, iter));
    if (bs?.length !== 1 || bs[0].op !== "=" || !bs[0].value) return false;
    iter = strip(bs[0].value);
  }
  return iter.type === "call" && uniqueLookupSets(ctx, v.model, iter).length > 0;
}
