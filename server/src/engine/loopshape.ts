/**
 * What a loop iterates, as the loop rules (queryset-in-loop, save-in-loop) need to know it: a query run on each
 * iteration of a loop over a handful of constants, of a polling loop, or of a loop over batches is not the per-row
 * query those rules are about.
 */
import type { FileFlow, LoopCtx } from "./flow";
import type { Syntax, SyntaxNode } from "./parser";
import { type Binding, caughtBy, enclosingScope, enclosingStatement, field, nameBindings, nodeText, operatorOf, strip, targetNames, walk } from "./syntax";

interface Ctx {
  text: string;
  syntax: Syntax;
  flow?(): FileFlow;
  file?: string;
  index?: { resolveClass(file: string, name: string): { file: string; bases: string[] } | undefined };
}

/** The bases that make a class an enumeration: iterating it gives its few members. */
export const ENUM_BASES = /^(?:Enum|IntEnum|StrEnum|Flag|IntFlag|Choices|TextChoices|IntegerChoices)$/;

/** `name` (as seen from the file) is an enum.Enum or a Django Choices class of the workspace, or one of those bases. */
function enumClass(ctx: Ctx, name: string, depth = 0): boolean {
  if (!ctx.index || !ctx.file || depth > 6) return false;
  const c = ctx.index.resolveClass(ctx.file, name);
  if (!c) return false;
  return c.bases.some((b) => ENUM_BASES.test(b.split(".").pop()!) || enumClass({ ...ctx, file: c.file }, b, depth + 1));
}

/**
 * The dotted name (`integrations.github.constants.GitHubTag`) a function binds `name` to with an import of its
 * own (`from ... import GitHubTag`, or `as` it), when that is the only thing that binds it there; else null.
 */
function localImport(ctx: Ctx, fn: SyntaxNode, name: string): string | null {
  let found: string | null = null;
  let other = false;
  walk(field(fn, "body") ?? fn, (n) => {
    if (n.type === "function_definition" || n.type === "class_definition" || n.type === "lambda") return false;
    if (n.type !== "import_from_statement") return true;
    const mod = field(n, "module_name");
    for (const c of n.children) {
      if (c === mod) continue;
      const orig = c.type === "aliased_import" ? field(c, "name") : c.type === "dotted_name" ? c : undefined;
      const local = c.type === "aliased_import" ? field(c, "alias") : c;
      if (!orig || !local || nodeText(ctx.text, local) !== name) continue;
      if (found) other = true;
      found = `${mod ? nodeText(ctx.text, mod).replace(/^\.+/, "") : ""}.${nodeText(ctx.text, orig)}`.replace(/^\./, "");
    }
    return false;
  });
  if (!found || other) return null;
  // Nothing else binds it (an assignment, a loop target): the import is what the name is.
  let rebound = false;
  walk(field(fn, "body") ?? fn, (n) => {
    if (n.type === "function_definition" || n.type === "class_definition" || n.type === "lambda") return false;
    if ((n.type === "assignment" || n.type === "for_statement" || n.type === "for_in_clause") && field(n, "left") && nodeText(ctx.text, field(n, "left")!).split(/[\s,()]+/).includes(name)) rebound = true;
    return !rebound;
  });
  return rebound ? null : found;
}

/** `settings`, `conf.settings`, `django.conf.settings`: Django's settings object. */
const SETTINGS = /^(?:(?:django\.)?conf\.)?settings$/;
/** A value built by a query (at import time, a module-level name can hold a queryset). */
const QUERY_TEXT = /\.objects\b|\.(?:filter|exclude|all|values_list|values|order_by|select_related|prefetch_related|annotate|iterator)\(/;

const NESTED_SCOPES = new Set(["function_definition", "class_definition", "lambda"]);

const names = (ctx: Pick<Ctx, "text">, target: SyntaxNode, into: Set<string>): Set<string> => targetNames(ctx.text, target, into);

/** The iterables of a for loop or a comprehension (every `for ... in X` clause); none for a while loop. */
function iterables(loop: LoopCtx): SyntaxNode[] {
  if (loop.kind === "for") {
    const right = field(loop.node, "right");
    return right ? [right] : [];
  }
  if (loop.kind === "comprehension") return loop.node.children.filter((c) => c.type === "for_in_clause").map((c) => field(c, "right")).filter((c): c is SyntaxNode => !!c);
  return [];
}

/** The names the loop itself binds (`for a, b in ...`, every clause of a comprehension). */
export function loopTargets(ctx: Ctx, loop: LoopCtx): Set<string> {
  const out = new Set<string>();
  if (loop.kind === "for") {
    const left = field(loop.node, "left");
    if (left) names(ctx, left, out);
  } else if (loop.kind === "comprehension") {
    for (const c of loop.node.children) if (c.type === "for_in_clause") {
      const left = field(c, "left");
      if (left) names(ctx, left, out);
    }
  }
  return out;
}

const ALL_CAPS = /^_*[A-Z][A-Z0-9]*(?:_+[A-Z0-9]+)*_*$/;
function allCaps(name: string): boolean {
  return ALL_CAPS.test(name) && name.replace(/_/g, "").length >= 2;
}

/** Calls that keep a collection's size bounded by their argument's, and give its items (`enumerate(rows)`). */
export const WRAPPERS = new Set(["set", "frozenset", "list", "tuple", "sorted", "reversed", "enumerate", "dict", "iter"]);
const bindings = (ctx: Ctx, scope: SyntaxNode, name: string): Binding[] | null => nameBindings(ctx.text, scope, name);

/**
 * The expression is a small collection fixed by the code, not rows: a literal list / tuple / set / dict / string,
 * `settings.X`, an ALL_CAPS constant (`CHECKSUMS`, `constants.KNOWN`, `self.FIELDS`), a model's metadata
 * (`Book._meta.unique_together`, `Book._meta.get_fields()`), a module-level name bound
 * only to such values, or a local name assigned only from them, also through `set()` / `sorted()` / `enumerate()`
 * ..., set operations that cannot add rows (`A - {"x"}`, `A.difference(B)`, `A & rows`) and comprehensions over
 * them.
 */
export function fixedCollection(ctx: Ctx, expr: SyntaxNode, depth = 0, seen: Set<string> = new Set()): boolean {
  if (depth > 8) return false;
  const fixed = (n: SyntaxNode | undefined): boolean => !!n && fixedCollection(ctx, n, depth + 1, seen);
  switch (expr.type) {
    case "parenthesized_expression":
      return expr.children.length === 1 && fixed(expr.children[0]);
    case "string":
    case "concatenated_string":
      return true;
    case "list":
    case "tuple":
    case "set":
    case "dictionary":
      return expr.children.every((c) => c.type === "comment" || ((c.type === "list_splat" || c.type === "dictionary_splat") ? fixed(c.children[0]) : true));
    case "list_comprehension":
    case "set_comprehension":
    case "generator_expression":
    case "dictionary_comprehension": {
      const clauses = expr.children.filter((c) => c.type === "for_in_clause");
      return clauses.length > 0 && clauses.every((c) => fixed(field(c, "right")));
    }
    case "binary_operator": {
      const [a, b] = [field(expr, "left"), field(expr, "right")];
      const op = operatorOf(ctx.text, expr);
      if (op === "-") return fixed(a);
      if (op === "&") return fixed(a) || fixed(b);
      if (op === "|" || op === "+" || op === "^") return fixed(a) && fixed(b);
      return false;
    }
    case "conditional_expression":
      return expr.children.length === 3 && fixed(expr.children[0]) && fixed(expr.children[2]);
    case "attribute": {
      const attr = field(expr, "attribute");
      const obj = field(expr, "object");
      if (!attr || !obj) return false;
      if (allCaps(nodeText(ctx.text, attr))) return true;
      // A model's metadata: `Book._meta.unique_together`, `self._meta.fields`, written in the code.
      if (/(^|\.)_meta$/.test(nodeText(ctx.text, obj).replace(/\s+/g, ""))) return true;
      if (/^[A-Z]/.test(nodeText(ctx.text, attr)) && enumClass(ctx, nodeText(ctx.text, expr).replace(/\s+/g, ""))) return true;
      // settings.X, django.conf.settings.X
      return (obj.type === "identifier" || obj.type === "attribute") && SETTINGS.test(nodeText(ctx.text, obj).replace(/\s+/g, ""));
    }
    case "identifier":
      return fixedName(ctx, expr, depth, seen);
    case "call": {
      const f = field(expr, "function");
      const args = (field(expr, "arguments")?.children ?? []).filter((c) => c.type !== "comment");
      if (!f || args.some((a) => a.type === "keyword_argument" && !/^(key|reverse|start)$/.test(nodeText(ctx.text, field(a, "name") ?? a)))) return false;
      const positional = args.filter((a) => a.type !== "keyword_argument");
      if (positional.some((a) => a.type === "list_splat" || a.type === "dictionary_splat")) return false;
      if (f.type === "identifier") {
        const fn = nodeText(ctx.text, f);
        if (WRAPPERS.has(fn)) return positional.length === 1 && fixed(positional[0]);
        if (fn === "zip") return positional.some((a) => fixed(a));
        if (fn === "getattr") return positional.length >= 2 && SETTINGS.test(nodeText(ctx.text, positional[0]).replace(/\s+/g, ""));
        return false;
      }
      if (f.type !== "attribute") return false;
      const recv = field(f, "object");
      const method = nodeText(ctx.text, field(f, "attribute") ?? f);
      if (/^(keys|values|items|copy)$/.test(method)) return positional.length === 0 && fixed(recv);
      if (method === "get_fields" && !!recv && /(^|\.)_meta$/.test(nodeText(ctx.text, recv).replace(/\s+/g, ""))) return true;
      if (method === "difference") return fixed(recv);
      if (method === "intersection") return fixed(recv) || positional.some((a) => fixed(a));
      if (method === "union" || method === "symmetric_difference") return fixed(recv) && positional.every((a) => fixed(a));
      return false;
    }
    default:
      return false;
  }
}

function fixedName(ctx: Ctx, id: SyntaxNode, depth: number, seen: Set<string>): boolean {
  const name = nodeText(ctx.text, id);
  const fixedBindings = (s: SyntaxNode, bs: Binding[]): boolean => {
    const key = `${s.start}:${name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    const ok = bs.every((b) => {
      if (!b.value) return false;
      if (b.op === "-=" || b.op === "&=") return true;
      if (b.op !== "=" && b.op !== "|=" && b.op !== "+=" && b.op !== "^=") return false;
      return fixedCollection(ctx, b.value, depth + 1, seen);
    });
    seen.delete(key);
    return ok;
  };
  // The function the name is read in: its own bindings decide (a parameter is not fixed).
  let scope: SyntaxNode | null = id.parent;
  while (scope && scope.type !== "function_definition" && scope.type !== "module") scope = scope.parent;
  if (scope && scope.type === "function_definition") {
    const bs = bindings(ctx, scope, name);
    // Bound by an import inside the function (`from integrations.constants import GitHubTag`): an enumeration
    // of the workspace there, as at the module's top.
    if (bs === null) {
      const imported = localImport(ctx, scope, name);
      return !!imported && /^[A-Z]/.test(name) && enumClass(ctx, imported);
    }
    if (bs.length) return fixedBindings(scope, bs);
  }
  // A name the function does not bind: a module-level name bound only to fixed collections, or a module's
  // constant (ALL_CAPS, imported or not) unless this module binds it to a queryset.
  const bs = bindings(ctx, ctx.syntax.root, name);
  if (bs && bs.length && fixedBindings(ctx.syntax.root, bs)) return true;
  if (allCaps(name)) return !(bs ?? []).some((b) => !b.value || QUERY_TEXT.test(nodeText(ctx.text, b.value)));
  // An enumeration (`for role in OrgRole`): its members, fixed by the code.
  return /^[A-Z]/.test(name) && !bs?.length && enumClass(ctx, name);
}

/** A for loop or comprehension whose every iterable is a fixed collection (see fixedCollection). */
export function overFixedCollection(ctx: Ctx, loop: LoopCtx): boolean {
  const its = iterables(loop);
  const values = ctx.flow?.().values;
  return its.length > 0 && its.every((it) => {
    // Whatever its name, a queryset the analysis followed is rows.
    const v = values?.get(it);
    if (v && (v.k === "qs" || v.k === "manager" || v.k === "rows")) return false;
    return fixedCollection(ctx, it);
  });
}

/** How a node's value depends on a loop: not at all, only through the keys of a `**{...}` lookup, or otherwise. */
export type Dep = 0 | 1 | 2;
export const Dep = { None: 0, Keys: 1, Value: 2 } as const;

/**
 * How `node` depends on the names the loop binds. A dict whose keys (only) read the loop, handed over as
 * `**kwargs` (`filter(**{checksum: None})`, `params = {f"{c}__isnull": True}; filter(**params)`), is `Keys`:
 * each iteration queries a different column. Names assigned in the loop are followed to their values.
 */
export function loopDependence(ctx: Ctx, node: SyntaxNode, loop: LoopCtx, following: Set<string> = new Set()): Dep {
  const dep = (n: SyntaxNode | undefined): Dep => (n ? loopDependence(ctx, n, loop, following) : Dep.None);
  const value = (d: Dep): Dep => (d === Dep.None ? Dep.None : Dep.Value);
  switch (node.type) {
    case "identifier": {
      const name = nodeText(ctx.text, node);
      if (!loop.bound.has(name)) return Dep.None;
      if (following.has(name)) return Dep.Value;
      const values = assignedInLoop(ctx, loop, name);
      if (!values) return Dep.Value;
      following.add(name);
      let d: Dep = Dep.None;
      for (const v of values) d = Math.max(d, dep(v)) as Dep;
      following.delete(name);
      return d;
    }
    case "parenthesized_expression":
    case "await":
      return node.children.reduce<Dep>((d, c) => Math.max(d, dep(c)) as Dep, Dep.None);
    case "dictionary": {
      let d: Dep = Dep.None;
      for (const c of node.children) {
        if (c.type === "pair") {
          if (dep(field(c, "key")) !== Dep.None) d = Math.max(d, Dep.Keys) as Dep;
          d = Math.max(d, value(dep(field(c, "value")))) as Dep;
        } else if (c.type === "dictionary_splat") d = Math.max(d, dep(c.children[0])) as Dep;
        else d = Math.max(d, value(dep(c))) as Dep;
      }
      return d;
    }
    case "attribute": {
      // `self.database` where the loop assigns only other attributes of self (`self.count += 1`): the object is the
      // same on every pass, and so is this attribute unless the loop assigns it (or a path through it).
      let root: SyntaxNode | undefined = node;
      while (root?.type === "attribute") root = field(root, "object");
      const binds = root?.type === "identifier" && loop.bound.has(nodeText(ctx.text, root)) ? loopBinds(ctx, loop) : null;
      if (binds && !binds.names.has(nodeText(ctx.text, root!))) {
        const path = nodeText(ctx.text, node).replace(/\s+/g, "");
        return binds.attributes.some((t) => t === path || t.startsWith(`${path}.`) || path.startsWith(`${t}.`)) ? Dep.Value : Dep.None;
      }
      // `qs.filter` keeps what qs depends on; the attribute's name is no read.
      return dep(field(node, "object"));
    }
    case "call": {
      const f = field(node, "function");
      let d: Dep = f?.type === "attribute" ? dep(f) : value(f ? dep(f) : Dep.None);
      const isQ = f?.type === "identifier" && nodeText(ctx.text, f) === "Q";
      for (const a of field(node, "arguments")?.children ?? []) {
        if (a.type === "dictionary_splat") d = Math.max(d, dep(a.children[0])) as Dep;
        else if (a.type === "keyword_argument") d = Math.max(d, value(dep(field(a, "value")))) as Dep;
        else if (a.type === "comment") continue;
        else d = Math.max(d, isQ ? dep(a) : value(dep(a))) as Dep;
      }
      return d;
    }
    default: {
      let d: Dep = Dep.None;
      for (const c of node.children) {
        if (c.type === "keyword_argument") d = Math.max(d, value(dep(field(c, "value")))) as Dep;
        else d = Math.max(d, value(dep(c))) as Dep;
        if (d === Dep.Value) break;
      }
      return d;
    }
  }
}

/**
 * What the loop's own code binds: the names it binds themselves (as a target, by assignment, `:=` or `as`), and the
 * attribute paths it assigns without spaces (`self.count`, `obj.parent.name`), which bind no name. (LoopCtx.bound
 * holds every identifier of a target: `self` for `self.count += 1`.) Scanned once per loop.
 */
const loopBindsCache = new WeakMap<SyntaxNode, { names: Set<string>; attributes: string[] }>();
function loopBinds(ctx: Pick<Ctx, "text">, loop: Pick<LoopCtx, "node">): { names: Set<string>; attributes: string[] } {
  const hit = loopBindsCache.get(loop.node);
  if (hit) return hit;
  const out = { names: new Set<string>(), attributes: [] as string[] };
  const collect = (t: SyntaxNode) => {
    if (t.type === "identifier") out.names.add(nodeText(ctx.text, t));
    else if (t.type === "attribute") out.attributes.push(nodeText(ctx.text, t).replace(/\s+/g, ""));
    else if (t.type !== "subscript") for (const c of t.children) collect(c);
  };
  walk(loop.node, (n) => {
    if (NESTED_SCOPES.has(n.type)) return false;
    const target =
      n.type === "for_statement" || n.type === "for_in_clause" || n.type === "assignment" || n.type === "augmented_assignment" ? field(n, "left")
      : n.type === "named_expression" ? field(n, "name")
      : n.type === "as_pattern" ? field(n, "alias")
      : undefined;
    if (target) collect(target);
    return true;
  });
  loopBindsCache.set(loop.node, out);
  return out;
}

/**
 * The values assigned to a name in the loop, when every binding of it there is a plain `name = value`; null when
 * the loop binds it otherwise (as a loop target, by unpacking, `+=`, `with ... as`, ...).
 */
export function assignedInLoop(ctx: Pick<Ctx, "text">, loop: Pick<LoopCtx, "node">, name: string, unpackedCalls = false): SyntaxNode[] | null {
  const out: SyntaxNode[] = [];
  let ok = true;
  walk(loop.node, (n) => {
    if (!ok) return false;
    if (NESTED_SCOPES.has(n.type)) return false;
    if (n.type === "for_statement" || n.type === "for_in_clause") {
      const left = field(n, "left");
      if (left && names(ctx, left, new Set()).has(name)) ok = false;
    } else if (n.type === "assignment") {
      const left = field(n, "left");
      const right = field(n, "right");
      if (left?.type === "identifier" && nodeText(ctx.text, left) === name) {
        if (right) out.push(right.type === "assignment" ? innermostValue(right) : right);
        else ok = false;
      } else if (left && left.type !== "identifier" && left.type !== "subscript" && left.type !== "attribute" && names(ctx, left, new Set()).has(name)) {
        // `a, b = f(batch)`: with unpackedCalls, each name takes the call as its value (what it is derived from).
        if (unpackedCalls && right?.type === "call" && (left.type === "pattern_list" || left.type === "tuple_pattern") && left.children.every((c) => c.type === "identifier")) out.push(right);
        else ok = false;
      }
    } else if (n.type === "augmented_assignment") {
      const left = field(n, "left");
      if (left && names(ctx, left, new Set()).has(name) && left.type === "identifier") ok = false;
    } else if (n.type === "named_expression") {
      const nm = field(n, "name");
      const v = field(n, "value");
      if (nm && nodeText(ctx.text, nm) === name) {
        if (v) out.push(v);
        else ok = false;
      }
    } else if (n.type === "as_pattern") {
      const alias = field(n, "alias");
      if (alias && names(ctx, alias, new Set()).has(name)) ok = false;
    }
    return true;
  });
  return ok && out.length ? out : null;
}

function innermostValue(a: SyntaxNode): SyntaxNode {
  let r = a;
  while (r.type === "assignment") {
    const next = field(r, "right");
    if (!next) return r;
    r = next;
  }
  return r;
}

/** A `while` loop whose body sleeps (`time.sleep(2)`, `await asyncio.sleep(1)`): polling, meant to re-read. */
export function pollingLoop(ctx: Ctx, loop: LoopCtx): boolean {
  if (loop.kind !== "while") return false;
  const body = field(loop.node, "body");
  if (!body) return false;
  let found = false;
  walk(body, (n) => {
    if (found || NESTED_SCOPES.has(n.type)) return false;
    if (n.type === "call") {
      const f = field(n, "function");
      if (f && /^(?:(?:time|asyncio|gevent|trio|anyio)\.)?sleep$/.test(nodeText(ctx.text, f))) found = true;
    }
    return !found;
  });
  return found;
}

/**
 * A race-retry loop: `while True:` around a `try` that catches IntegrityError, and left on the success path (a
 * `break` or `return` ending the try's body or its `else`, or ending the loop's body after the try). It goes round
 * again only when another request won the race, and must then re-read what it reads (`Max("virtual") + 1`, the
 * row that got in first): the queries in it are per attempt, not per row.
 */
export function raceRetryLoop(ctx: Ctx, loop: LoopCtx): boolean {
  if (loop.kind !== "while") return false;
  const cond = field(loop.node, "condition");
  const body = field(loop.node, "body");
  if (!cond || !body || !/^(True|1)$/.test(nodeText(ctx.text, cond))) return false;
  const stmts = body.children.filter((c) => c.type !== "comment");
  const exits = (block: SyntaxNode | undefined): boolean => {
    const last = block?.children.filter((c) => c.type !== "comment").pop();
    return last?.type === "break_statement" || last?.type === "return_statement";
  };
  return stmts.some((s, i) => {
    if (s.type !== "try_statement") return false;
    if (!s.children.some((c) => c.type === "except_clause" && /\bIntegrityError\b/.test(nodeText(ctx.text, caughtBy(c) ?? c)))) return false;
    const elseClause = s.children.find((c) => c.type === "else_clause");
    return exits(field(s, "body")) || (!!elseClause && exits(field(elseClause, "body"))) || (i < stmts.length - 1 && exits(body));
  });
}

/**
 * Every loop from `loop` out to the function's outermost runs only a few times, or does not make the query a
 * per-row one: it iterates a fixed collection (overFixedCollection), the query reads its variable only in the
 * keys of a `**{...}` lookup (a different column each time), or it is a polling `while` loop or a race-retry one.
 */
export function fewIterations(ctx: Ctx, node: SyntaxNode, loop: LoopCtx): boolean {
  for (let l: LoopCtx | null = loop; l; l = l.parent) {
    if (overFixedCollection(ctx, l) || pollingLoop(ctx, l) || raceRetryLoop(ctx, l)) continue;
    if (l.kind !== "while" && loopDependence(ctx, node, l) === Dep.Keys) continue;
    return false;
  }
  return true;
}

const BATCH_WRAPPERS = new Set(["set", "frozenset", "list", "tuple", "sorted"]);
const SET_METHODS = new Set(["intersection", "difference", "union", "symmetric_difference", "keys", "values", "copy"]);
const QS_METHODS = new Set(["filter", "exclude", "values_list", "values", "only", "defer", "order_by", "distinct", "using", "annotate", "select_related", "prefetch_related", "all", "iterator"]);

/** A method chain that ends in a queryset method (`qs.values_list("pk", flat=True)`, `X.objects.filter(...)`). */
function querysetChain(ctx: Ctx, n: SyntaxNode | undefined): boolean {
  if (n?.type !== "call") return false;
  const f = field(n, "function");
  return f?.type === "attribute" && QS_METHODS.has(nodeText(ctx.text, field(f, "attribute") ?? f));
}

/**
 * `pages[i]` with `i` a name the loop binds and `pages` bound once, in the function, to a comprehension of slices
 * (`pages = [ids[i : i + 100] for i in range(0, len(ids), 100)]`): one page of keys per pass.
 */
function chunkOfPages(ctx: Ctx, v: SyntaxNode, loop: LoopCtx): boolean {
  const value = field(v, "value");
  const index = v.children.find((c) => c !== value && c.type !== "comment");
  if (value?.type !== "identifier" || index?.type !== "identifier" || !loop.bound.has(nodeText(ctx.text, index))) return false;
  const bs = nameBindings(ctx.text, enclosingScope(v), nodeText(ctx.text, value));
  const made = bs?.length === 1 && bs[0].op === "=" ? strip(bs[0].value ?? v) : null;
  if (made?.type !== "list_comprehension") return false;
  const body = field(made, "body");
  return body?.type === "subscript" && body.children.some((c) => c.type === "slice");
}

/**
 * The value given to an `__in` lookup is a batch the loop produces: the loop variable itself (`for batch in
 * chunks(pks)`), a slice whose bounds the loop computes (`pks[i:i + 1000]`), in a while loop a slice of a queryset
 * (`qs.values_list("pk", flat=True)[:1000]`), or a collection computed from one of those (`to_add.intersection(set(batch))`), also through names assigned in the loop.
 */
function batchValue(ctx: Ctx, v: SyntaxNode, loop: LoopCtx, targets: Set<string>, depth: number, following: Set<string> = new Set()): boolean {
  if (depth > 16) return false;
  const batch = (n: SyntaxNode | undefined): boolean => !!n && batchValue(ctx, n, loop, targets, depth + 1, following);
  switch (v.type) {
    case "parenthesized_expression":
    case "await":
      return v.children.some((c) => batch(c));
    case "identifier": {
      const name = nodeText(ctx.text, v);
      if (targets.has(name)) return true;
      if (!loop.bound.has(name) || following.has(name)) return false;
      const values = assignedInLoop(ctx, loop, name, true);
      following.add(name);
      const ok = !!values && values.every((x) => batch(x));
      following.delete(name);
      return ok;
    }
    case "subscript": {
      const sl = v.children.find((c) => c.type === "slice");
      if (sl) {
        let reads = false;
        walk(sl, (n) => {
          if (n.type === "identifier" && loop.bound.has(nodeText(ctx.text, n))) reads = true;
          return !reads;
        });
        if (reads) return true;
        // In a while loop, at most N rows of a queryset (`list(pending.values_list("pk", flat=True)[:1000])`): the
        // loop goes batch by batch over rows its own writes change.
        if (loop.kind === "while" && sl.children.length > 0 && querysetChain(ctx, field(v, "value"))) return true;
      }
      if (!sl) return chunkOfPages(ctx, v, loop);
      return batch(field(v, "value"));
    }
    case "call": {
      // set(batch), keys.intersection(batch), Model.objects.filter(pk__in=batch).values_list(...). Not any call
      // given the loop variable: `pods_of(group)` in a loop over groups is a collection per row.
      const f = field(v, "function");
      // `set(o.pk for o in batch)`: the generator is the call's whole argument list.
      const argList = field(v, "arguments");
      const args = argList?.type === "generator_expression" ? [argList] : (argList?.children ?? []).filter((a) => a.type !== "comment");
      const positional = args.filter((a) => a.type !== "keyword_argument").map((a) => (a.type === "list_splat" ? a.children[0] : a));
      // Any other call given a batch that is one by more than being the loop variable (a slice of a queryset, a list
      // built from one): `changed = self._convert(batch)` derives its result from the batch.
      const ofBatch = () => positional.some((a) => batchValue(ctx, a, loop, new Set(), depth + 1, following));
      if (f?.type === "identifier") return (BATCH_WRAPPERS.has(nodeText(ctx.text, f)) && positional.length === 1 && batch(positional[0])) || ofBatch();
      if (f?.type !== "attribute") return false;
      const method = nodeText(ctx.text, field(f, "attribute") ?? f);
      if (SET_METHODS.has(method)) return batch(field(f, "object")) || positional.some((a) => batch(a));
      if (QS_METHODS.has(method)) {
        return batch(field(f, "object")) || args.some((a) => a.type === "keyword_argument" && /__in$/.test(nodeText(ctx.text, field(a, "name") ?? a)) && batch(field(a, "value")));
      }
      return ofBatch();
    }
    case "binary_operator":
      return batch(field(v, "left")) || batch(field(v, "right"));
    case "list_comprehension":
    case "set_comprehension":
    case "generator_expression":
    case "dictionary_comprehension": {
      const first = v.children.find((c) => c.type === "for_in_clause");
      return !!first && batch(field(first, "right"));
    }
    default:
      return false;
  }
}

/**
 * The query filters with `x__in=<a batch the loop produces>` (see batchValue): in its own text, or where a
 * queryset it is built from was assigned in the loop (`batch = Model.objects.filter(pk__in=pks[i:i + n])`, then
 * `for row in batch.iterator()`). One set-based query per batch, not per row.
 */
export function batchedLookup(ctx: Ctx, node: SyntaxNode, loop: LoopCtx): boolean {
  return flushedBuffer(ctx, node, loop) || inLookup(ctx, node, loop, loopTargets(ctx, loop), new Set(), 0);
}

/**
 * An accumulate-and-flush batch: the query sits under `if len(buf) >= n:` (or `>`, `==`, or `n <= len(buf)`) in
 * the loop, with `n` a name or a number of at least 10, where `buf` is a collection the function starts empty
 * (`buf = []`, `set()`, `{}`, `list()`, `dict()`) and the loop adds to (`buf.append(x)`, `.extend()`, `.add()`,
 * `buf += [...]`, or `.update()` of a set or dict). One query per `n` items, not per row.
 */
function flushedBuffer(ctx: Ctx, node: SyntaxNode, loop: LoopCtx): boolean {
  for (let n = node.parent; n && n !== loop.node; n = n.parent) {
    if (n.type !== "if_statement") continue;
    const cond = field(n, "condition");
    const cons = field(n, "consequence");
    if (!cond || !cons || node.start < cons.start || node.end > cons.end) continue;
    const c = nodeText(ctx.text, cond).replace(/\s+/g, " ").trim();
    const m = /^len\( ?([\w.]+) ?\) ?(?:>=|>|==) ?([\w.]+)$/.exec(c) ?? /^([\w.]+) ?(?:<=|<|==) ?len\( ?([\w.]+) ?\)$/.exec(c);
    if (!m) continue;
    const [buf, size] = m[0].startsWith("len") ? [m[1], m[2]] : [m[2], m[1]];
    if (/^\d+$/.test(size) ? Number(size) < 10 : !/^[A-Za-z_]/.test(size)) continue;
    // The function (or module) the loop is in: where the buffer starts empty.
    const scope = enclosingScope(loop.node);
    const b = buf.replace(/\./g, "\\.");
    const scopeText = nodeText(ctx.text, scope);
    const empty = new RegExp(`(^|[^\\w.])${b}\\s*=\\s*(\\[\\s*\\]|\\{\\s*\\}|(set|list|dict)\\(\\s*\\))`).exec(scopeText);
    if (!empty) continue;
    const keyed = /^\{|^(set|dict)/.test(empty[2]);
    const grows = new RegExp(`(^|[^\\w.])${b}\\s*(\\.(append|extend|add${keyed ? "|update" : ""})\\(|\\+=)`);
    if (grows.test(nodeText(ctx.text, loop.node))) return true;
  }
  return false;
}

/** A `x__in=<batch>` in the expression, or in the in-loop values of the names it is built from. */
function inLookup(ctx: Ctx, node: SyntaxNode, loop: LoopCtx, targets: Set<string>, following: Set<string>, depth: number): boolean {
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (NESTED_SCOPES.has(n.type) || n.type === "slice") continue;
    if (n.type === "call") {
      // `in_bulk(<batch>)`: the same query as `filter(pk__in=<batch>)`.
      const f = field(n, "function");
      const first = field(n, "arguments")?.children.find((a) => a.type !== "comment");
      if (f?.type === "attribute" && nodeText(ctx.text, field(f, "attribute") ?? f) === "in_bulk" && first && first.type !== "keyword_argument" && batchValue(ctx, first, loop, targets, depth + 1, following)) return true;
    }
    if (n.type === "argument_list" && windowLookup(ctx, n, loop)) return true;
    if (n.type === "keyword_argument") {
      // Only the lookup itself: the names in other arguments are values, not what the query is built from.
      const name = field(n, "name");
      const value = field(n, "value");
      if (name && value && /__in$/.test(nodeText(ctx.text, name)) && batchValue(ctx, value, loop, targets, depth + 1, following)) return true;
      continue;
    }
    if (n.type === "identifier") {
      const name = nodeText(ctx.text, n);
      const p = n.parent;
      if ((p?.type === "attribute" && field(p, "attribute") === n) || !loop.bound.has(name) || following.has(name) || depth > 8) continue;
      following.add(name);
      const found = (assignedInLoop(ctx, loop, name) ?? []).some((v) => inLookup(ctx, v, loop, targets, following, depth + 1));
      following.delete(name);
      if (found) return true;
      continue;
    }
    for (const c of n.children) stack.push(c);
  }
  return false;
}

/**
 * A window of rows per iteration: a lower and an upper bound on the same column (`id__gte=start, id__lt=start +
 * size`, or `__range=(start, end)`) whose values read what the loop binds, in a loop over a range() or a while
 * loop. One set-based query per window.
 */
function windowLookup(ctx: Ctx, args: SyntaxNode, loop: LoopCtx): boolean {
  // The loop steps through the key space (`for start in range(lo, hi, size)`, or a while loop), not over rows
  // whose own bounds could be anything.
  const steps = loop.kind === "while" || iterables(loop).some((it) => it.type === "call" && nodeText(ctx.text, field(it, "function") ?? it) === "range");
  if (!steps) return false;
  const readsLoop = (v: SyntaxNode | undefined): boolean => {
    let found = false;
    if (v) walk(v, (x) => {
      if (x.type === "identifier" && loop.bound.has(nodeText(ctx.text, x)) && !(x.parent?.type === "attribute" && field(x.parent, "attribute") === x)) found = true;
      return !found;
    });
    return found;
  };
  const lower = new Set<string>();
  const upper = new Set<string>();
  for (const a of args.children) {
    if (a.type !== "keyword_argument") continue;
    const m = /^(\w+?)__(gte|gt|lte|lt|range)$/.exec(nodeText(ctx.text, field(a, "name") ?? a));
    if (!m || !readsLoop(field(a, "value"))) continue;
    if (m[2] === "range") return true;
    (m[2].startsWith("g") ? lower : upper).add(m[1]);
  }
  for (const f of lower) if (upper.has(f)) return true;
  return false;
}

/**
 * The query (or write) goes to a database the loop picks (`for db in scenarios: User.objects.using(db).get(...)`,
 * `obj.save(using=db)`, `X.objects.db_manager(db)`): one per database, which no batching across iterations can
 * join. Through the chain of the call, and a name the loop binds it to.
 */
export function perDatabase(ctx: Ctx, node: SyntaxNode, loop: LoopCtx): boolean {
  const picks = (arg: SyntaxNode | undefined) => !!arg && loopDependence(ctx, arg, loop) !== Dep.None;
  const seen = new Set<string>();
  const chain = (n: SyntaxNode | undefined, depth: number): boolean => {
    for (let x = n ? strip(n) : undefined; x && depth < 8; ) {
      if (x.type === "call") {
        const f = field(x, "function");
        const args = field(x, "arguments");
        const kw = args?.children.find((a) => a.type === "keyword_argument" && nodeText(ctx.text, field(a, "name") ?? a) === "using");
        if (kw && picks(field(kw, "value"))) return true;
        const method = f?.type === "attribute" ? nodeText(ctx.text, field(f, "attribute") ?? f) : null;
        if ((method === "using" || method === "db_manager") && picks(args?.children.find((a) => a.type !== "comment" && a.type !== "keyword_argument"))) return true;
        x = f?.type === "attribute" ? field(f, "object") : undefined;
      } else if (x.type === "attribute" || x.type === "subscript") x = field(x, x.type === "attribute" ? "object" : "value");
      else if (x.type === "identifier") {
        const name = nodeText(ctx.text, x);
        if (seen.has(name) || !loop.bound.has(name)) return false;
        seen.add(name);
        return (assignedInLoop(ctx, loop, name) ?? []).some((v) => chain(v, depth + 1));
      } else return false;
    }
    return false;
  };
  return chain(node, 0);
}

/** Statements whose own loop or scope a `break`/`continue`/`return` inside them acts on, not the one around them. */
const EXIT_SCOPES = new Set(["for_statement", "while_statement", "function_definition", "lambda", "class_definition"]);

/**
 * Does `n` hold a statement of one of `kinds` (`break_statement`, `continue_statement`, `return_statement`) that acts
 * on the loop around `n`: not one inside a loop or function nested in it (nor in `n` itself, when it is one)?
 */
export function loopExitIn(n: SyntaxNode, kinds: ReadonlySet<string>): boolean {
  let found = false;
  walk(n, (x) => {
    if (found || EXIT_SCOPES.has(x.type)) return false;
    if (kinds.has(x.type)) found = true;
    return !found;
  });
  return found;
}

/** Exceptions a lookup raises, by the names an except clause gives them. */
const LOOKUP_ERRORS = /\b(DoesNotExist|MultipleObjectsReturned|ObjectDoesNotExist|Exception|BaseException)\b/;

/** An except clause that catches what a lookup raises (or everything: a bare `except:`). */
function catchesLookupErrors(ctx: Ctx, clause: SyntaxNode): boolean {
  const caught = caughtBy(clause);
  return !caught || LOOKUP_ERRORS.test(nodeText(ctx.text, caught));
}

const CONTINUES = new Set(["continue_statement"]);
const RETURNS = new Set(["return_statement", "raise_statement"]);
const RETURNS_OR_BREAKS = new Set(["return_statement", "raise_statement", "break_statement"]);

/**
 * Every way on from the statement holding `node` reaches `return` or `raise`, or a `break` out of `loop` when no
 * loop encloses it (`if cls.identifier == wanted: obj, _ = X.objects.get_or_create(...); return obj`): it runs
 * once, not once per item. The statement that leaves may follow in the statement's own block or, once that block
 * ends, after the `if`/`with`/`try` holding it, up to the loop's body (`try: job = X.objects.get(...) except
 * X.DoesNotExist: break` then `...; break` after the `try`). Not when a block on the way belongs to a loop nested
 * in `loop` (its break leaves only the inner loop), nor when the statement, a statement before the one that
 * leaves, or a handler of a `try` it is in may `continue` first. The statement may also be a `with` whose header
 * holds the node and whose body leaves. `raises`: the node raises when it finds nothing (a lookup), so a `try`
 * around it whose handler goes on makes it run per item until found; false for a read that raises nothing (a
 * foreign key), which the handler of the code after it does not retry.
 */
export function leavesLoopAfter(ctx: Ctx, node: SyntaxNode, loop: LoopCtx, raises = true): boolean {
  if (loop.kind === "comprehension") return false;
  const stmt = enclosingStatement(node);
  const first = stmt.parent;
  if (!first || first.type !== "block") return false;
  // The block is the loop's own body, or an if's (try's, with's) within it.
  for (let p: SyntaxNode | null = first.parent; p !== loop.node; p = p.parent) {
    if (!p || p.type === "for_statement" || p.type === "while_statement" || p.type === "function_definition" || p.type === "lambda") return false;
  }
  if (loopExitIn(stmt, CONTINUES)) return false;
  const leaves = (x: SyntaxNode) => x.type === "return_statement" || x.type === "raise_statement" || (x.type === "break_statement" && !loop.parent);
  // Every way on from statement `s`, when it completes, reaches a statement that leaves.
  const leavesFrom = (start: SyntaxNode): boolean => {
    for (let s = start; ; ) {
      const block = s.parent;
      if (!block || block.type !== "block") return false;
      for (const x of block.children.slice(block.children.indexOf(s) + 1)) {
        if (leaves(x)) return true;
        if (loopExitIn(x, CONTINUES)) return false;
      }
      // The block ends: on to what follows the compound statement that holds it.
      let owner = block.parent;
      if (!owner || owner === loop.node) return false;
      if (/^(elif_clause|else_clause|except_clause|except_group_clause|finally_clause)$/.test(owner.type)) owner = owner.parent;
      if (!owner || !/^(if_statement|with_statement|try_statement)$/.test(owner.type)) return false;
      // An exception raised in a try's body (the query's DoesNotExist) goes to a handler first.
      if (owner.type === "try_statement" && owner.children.some((c) => c !== block && c.type !== "block" && loopExitIn(c, CONTINUES))) return false;
      s = owner;
    }
  };
  // The body of a `with` whose header holds the node runs next: it leaves when its own statements do
  // (`with role_map.connection as conn: return counts(conn)`).
  const withLeaves = (): boolean => {
    const body = stmt.type === "with_statement" ? field(stmt, "body") : undefined;
    if (!body || node.start >= body.start) return false;
    for (const x of body.children) {
      if (leaves(x)) return true;
      if (loopExitIn(x, CONTINUES)) return false;
    }
    return false;
  };
  // The query is in the statement that leaves (`return await candidates.afirst()`), or what follows it leaves.
  if (!(leaves(stmt) || withLeaves() || leavesFrom(stmt))) return false;
  // A read that raises nothing when it finds nothing (a foreign key) is not retried by a handler: a `try` around it
  // catches what the code after it raises, and the loop stops at the first row that gets through.
  if (!raises) return true;
  // When the lookup raises, a `try` around it whose handler does not leave goes on after the `try`: that must leave
  // too (`try: return [X.objects.get(email=e)] except X.DoesNotExist: pass` in a loop is one query per item until
  // one is found; `try: X.objects.get(...).add(user) except X.DoesNotExist: pass` then `return True` runs once).
  // (A handler leaves as `leaves` says: a `break` only out of the only loop.)
  const handlerLeaves = loop.parent ? RETURNS : RETURNS_OR_BREAKS;
  for (let p: SyntaxNode = stmt, up = stmt.parent; up && up !== loop.node; p = up, up = up.parent) {
    if (up.type === "try_statement" && p.type === "block" && up.children.some((c) => /^except/.test(c.type) && catchesLookupErrors(ctx, c) && !loopExitIn(c, handlerLeaves)) && !leavesFrom(up)) return false;
  }
  return true;
}

function forTargets(ctx: Ctx, loop: SyntaxNode): Set<string> {
  const out = new Set<string>();
  if (loop.type !== "for_statement") return out;
  const stack = [field(loop, "left")];
  while (stack.length) {
    const n = stack.pop();
    if (!n) continue;
    if (n.type === "identifier") out.add(nodeText(ctx.text, n));
    else for (const c of n.children) stack.push(c);
  }
  return out;
}

/**
 * `kind == "issue"`, `"issue" == kind`, `kind in ("a", "b")`, `kind == Event.DELETE` (an ALL_CAPS constant), also as
 * one operand of an `and`: a test of a loop target against literals. A derived name (see derivedNames) may be
 * tested through an index (`parts[0] == "project_id"`).
 */
function dispatchesOn(ctx: Ctx, cond: SyntaxNode, targets: Set<string>, derived: Set<string> = new Set()): boolean {
  if (cond.type === "parenthesized_expression" && cond.children.length === 1) return dispatchesOn(ctx, cond.children[0], targets, derived);
  if (cond.type === "boolean_operator" && operatorOf(ctx.text, cond) === "and") {
    return cond.children.some((c) => dispatchesOn(ctx, c, targets, derived));
  }
  if (cond.type !== "comparison_operator" || cond.children.length !== 2) return false;
  const op = operatorOf(ctx.text, cond);
  const [a, b] = cond.children;
  const constant = (n: SyntaxNode) => n.type === "string" || n.type === "integer" || (n.type === "identifier" && allCaps(nodeText(ctx.text, n))) || (n.type === "attribute" && allCaps(nodeText(ctx.text, field(n, "attribute") ?? n)));
  const literal = (n: SyntaxNode) => constant(n) || ((n.type === "tuple" || n.type === "list" || n.type === "set") && n.children.every((c) => c.type === "string" || c.type === "integer"));
  const target = (n: SyntaxNode): boolean => {
    if (n.type === "identifier") return targets.has(nodeText(ctx.text, n)) || derived.has(nodeText(ctx.text, n));
    // `parts[0]` of a derived `parts = key.split("__")`.
    const value = n.type === "subscript" ? field(n, "value") : undefined;
    return value?.type === "identifier" && derived.has(nodeText(ctx.text, value)) && field(n, "subscript")?.type === "integer";
  };
  if (op === "==") return (target(a) && literal(b)) || (literal(a) && target(b));
  return op === "in" && target(a) && literal(b) && b.type !== "string";
}

/** String methods whose result is a function of the string alone (a derived key stays one per key). */
const STRING_METHODS = /^(split|rsplit|partition|rpartition|replace|strip|lstrip|rstrip|lower|upper|casefold|removeprefix|removesuffix)$/;

/**
 * Names a loop's body assigns, at its top level, from one of the loop's targets through string methods
 * (`parts = key.split("__")`, `short_id = long_id.replace(PREFIX, "")`): each holds one value per key.
 */
function derivedNames(ctx: Ctx, body: SyntaxNode | undefined, targets: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const st of body?.children ?? []) {
    const a = st.type === "expression_statement" ? st.children[0] : null;
    const left = a?.type === "assignment" ? field(a, "left") : undefined;
    let v = a?.type === "assignment" ? field(a, "right") : undefined;
    if (left?.type !== "identifier" || !v) continue;
    let ok = false;
    while (v?.type === "call") {
      const f: SyntaxNode | undefined = field(v, "function");
      if (f?.type !== "attribute" || !STRING_METHODS.test(nodeText(ctx.text, field(f, "attribute") ?? f))) break;
      v = field(f, "object");
      ok = true;
    }
    if (ok && v?.type === "identifier" && targets.has(nodeText(ctx.text, v))) out.add(nodeText(ctx.text, left));
  }
  return out;
}

/**
 * The item a work-queue loop takes on each pass (`while stack: label = stack.pop()`), as the first statement of its
 * body: one pass per item, like a for loop's target.
 */
function queueItems(ctx: Ctx, loop: SyntaxNode): Set<string> {
  const out = new Set<string>();
  const cond = field(loop, "condition");
  const first = field(loop, "body")?.children[0];
  const a = first?.type === "expression_statement" ? first.children[0] : null;
  const left = a?.type === "assignment" ? field(a, "left") : undefined;
  const right = a?.type === "assignment" ? field(a, "right") : undefined;
  const f = right?.type === "call" ? field(right, "function") : undefined;
  if (cond?.type === "identifier" && left?.type === "identifier" && f?.type === "attribute" && /^(pop|popleft)$/.test(nodeText(ctx.text, field(f, "attribute") ?? f)) && nodeText(ctx.text, field(f, "object") ?? f) === nodeText(ctx.text, cond)) {
    out.add(nodeText(ctx.text, left));
  }
  return out;
}

/**
 * `match kind:` with `case "issue":` (literals, `|` alternatives of literals, or ALL_CAPS constants) on a loop target:
 * the case's body runs once per value.
 */
function matchDispatch(ctx: Ctx, clause: SyntaxNode, targets: Set<string>, derived: Set<string>): boolean {
  const match = clause.parent?.parent;
  const subject = match?.type === "match_statement" ? field(match, "subject") : undefined;
  if (subject?.type !== "identifier" || !(targets.has(nodeText(ctx.text, subject)) || derived.has(nodeText(ctx.text, subject)))) return false;
  const pattern = clause.children.find((c) => c.type === "case_pattern");
  if (!pattern || clause.children.some((c) => c.field === "guard")) return false;
  let ok = true;
  let any = false;
  walk(pattern, (n) => {
    if (n === pattern || n.type === "union_pattern") return true;
    if (n.type === "string" || n.type === "integer" || (n.type === "dotted_name" && allCaps(nodeText(ctx.text, n).replace(/^.*\./, "")))) any = true;
    else ok = false;
    return false;
  });
  return ok && any;
}

/**
 * A query (or write) in the branch of an if/elif (or a `case` of a match) that picks one case of a loop variable
 * (`for kind in kinds: if kind == "issue": ... elif kind == "project": ...`): each branch runs once per distinct
 * value, not once per row. The loop may be any enclosing `for` (a comprehension inside the branch still sits in
 * it), or a work-queue `while stack: kind = stack.pop()`. A name derived from the target by string methods
 * (`parts = key.split("__")`, then `parts[0] == "project_id"`) dispatches too.
 */
export function inDispatchBranch(ctx: Ctx, node: SyntaxNode): boolean {
  const conditions: SyntaxNode[] = [];
  const cases: SyntaxNode[] = [];
  for (let p: SyntaxNode | null = node; p && p.parent; p = p.parent) {
    const parent: SyntaxNode = p.parent;
    if (parent.type === "function_definition" || parent.type === "class_definition") break;
    if ((parent.type === "if_statement" || parent.type === "elif_clause") && field(parent, "consequence") === p) {
      const cond = field(parent, "condition");
      if (cond) conditions.push(cond);
    }
    if (parent.type === "case_clause" && p.type === "block") cases.push(parent);
    if (!conditions.length && !cases.length) continue;
    if (parent.type === "for_statement" && field(parent, "body") === p) {
      const targets = forTargets(ctx, parent);
      const derived = derivedNames(ctx, p, targets);
      if (targets.size && (conditions.some((c) => dispatchesOn(ctx, c, targets, derived)) || cases.some((c) => matchDispatch(ctx, c, targets, derived)))) return true;
    }
    if (parent.type === "while_statement" && field(parent, "body") === p) {
      // `while n < 10: n += 1 ... if n == 0:`: a counter holds each value for one pass.
      const counters = risingCounters(ctx, parent, (name) => testedValue(ctx, conditions, name));
      if (counters.size && conditions.some((c) => dispatchesOn(ctx, c, counters))) return true;
      const items = queueItems(ctx, parent);
      const derived = derivedNames(ctx, p, items);
      if (items.size && (conditions.some((c) => dispatchesOn(ctx, c, items, derived)) || cases.some((c) => matchDispatch(ctx, c, items, derived)))) return true;
    }
  }
  return false;
}

/**
 * Names a `while` loop only counts up: every assignment of the name in the loop is `name += <positive integer>`
 * (one of them at the top of the loop's body, so each pass counts), or `name = <integer>` above every value `literal`
 * may test (a jump forward). Such a name holds each value for one pass at most.
 */
function risingCounters(ctx: Ctx, loop: SyntaxNode, tested: (name: string) => number | null): Set<string> {
  const out = new Set<string>();
  const body = field(loop, "body");
  if (loop.type !== "while_statement" || !body) return out;
  for (const st of body.children) {
    const a = st.type === "expression_statement" ? st.children[0] : null;
    if (a?.type !== "augmented_assignment" || field(a, "left")?.type !== "identifier") continue;
    const name = nodeText(ctx.text, field(a, "left")!);
    const limit = tested(name);
    // Every binding in the loop (another kind, a for target or a walrus, is none of these: null).
    const bs = limit === null ? null : bindings(ctx, loop, name);
    const k = (b: Binding) => (b.value?.type === "integer" ? Number(nodeText(ctx.text, b.value)) : NaN);
    if (bs?.every((b) => (b.op === "+=" && k(b) > 0) || (b.op === "=" && k(b) > limit!))) out.add(name);
  }
  return out;
}

/** The highest integer a dispatch test compares `name` with (`name == 0`, `name in (1, 2)`), or null. */
function testedValue(ctx: Ctx, conds: SyntaxNode[], name: string): number | null {
  let max: number | null = null;
  for (let c of conds) {
    while (c.type === "parenthesized_expression" && c.children.length === 1) c = c.children[0];
    if (c.type !== "comparison_operator" || c.children.length !== 2) continue;
    const [a, b] = c.children;
    const lit = a.type === "identifier" && nodeText(ctx.text, a) === name ? b : b.type === "identifier" && nodeText(ctx.text, b) === name ? a : null;
    if (!lit) continue;
    const ints = lit.type === "integer" ? [lit] : lit.children.filter((x) => x.type === "integer");
    for (const i of ints) max = Math.max(max ?? -Infinity, Number(nodeText(ctx.text, i)));
  }
  return max;
}

/** Enough of a file to read its expressions. */
type TextCtx = Pick<Ctx, "text">;

/** Whitespace-free text, to compare two spellings of the same expression. */
function squeezed(ctx: TextCtx, n: SyntaxNode): string {
  return nodeText(ctx.text, n).replace(/\s+/g, "");
}

/** Without its parentheses, for a node that may be missing. */
const unparen = (n: SyntaxNode | undefined): SyntaxNode | undefined => n && strip(n);

/** `D.get(K)` (or `D.get(K, None)`): the dict and key texts. */
function dictGet(ctx: TextCtx, n: SyntaxNode | undefined): { dict: string; key: string } | null {
  n = unparen(n);
  if (n?.type !== "call") return null;
  const f = field(n, "function");
  const args = (field(n, "arguments")?.children ?? []).filter((c) => c.type !== "comment");
  if (f?.type !== "attribute" || nodeText(ctx.text, field(f, "attribute") ?? f) !== "get" || !args.length || args.length > 2) return null;
  if (args.length === 2 && args[1].type !== "none") return null;
  if (args[0].type === "keyword_argument" || args[0].type.endsWith("splat")) return null;
  return { dict: squeezed(ctx, field(f, "object")!), key: squeezed(ctx, args[0]) };
}

/**
 * What a condition says about a cache entry: `K not in D`, `D.get(K) is None`, `not D.get(K)` (absent) or `K in D`,
 * `D.get(K)`, `D.get(K) is not None` (present); also through a name assigned `N = D.get(K)` just before the `if`.
 */
function cacheTest(ctx: TextCtx, cond: SyntaxNode | undefined, ifStmt: SyntaxNode): { dict: string; key: string; present: boolean } | null {
  cond = unparen(cond);
  if (!cond) return null;
  const viaName = (n: SyntaxNode | undefined): { dict: string; key: string } | null => {
    n = unparen(n);
    if (n?.type !== "identifier") return dictGet(ctx, n);
    // `entry = cache.get(key)` as the statement right before the if.
    const block = ifStmt.parent;
    if (!block) return null;
    const prev = block.children[block.children.indexOf(ifStmt) - 1];
    const a = prev?.type === "expression_statement" ? prev.children[0] : undefined;
    if (a?.type !== "assignment" || field(a, "left")?.type !== "identifier" || nodeText(ctx.text, field(a, "left")!) !== nodeText(ctx.text, n)) return null;
    return dictGet(ctx, field(a, "right"));
  };
  if (cond.type === "not_operator") {
    // `not K in D` is `not (K in D)`: the membership test, flipped.
    const arg = unparen(field(cond, "argument"));
    if (arg?.type === "comparison_operator") {
      const inner = cacheTest(ctx, arg, ifStmt);
      return inner && { ...inner, present: !inner.present };
    }
    const g = viaName(arg);
    return g && { ...g, present: false };
  }
  if (cond.type === "comparison_operator" && cond.children.length === 2) {
    const [a, b] = cond.children;
    const op = operatorOf(ctx.text, cond);
    if (op === "not in" || op === "in") {
      let d: SyntaxNode | undefined = unparen(b);
      // `K in D.keys()`
      if (d?.type === "call" && field(d, "function")?.type === "attribute" && nodeText(ctx.text, field(field(d, "function")!, "attribute")!) === "keys") d = field(field(d, "function")!, "object");
      return d ? { dict: squeezed(ctx, d), key: squeezed(ctx, a), present: op === "in" } : null;
    }
    if ((op === "is" || op === "is not") && b.type === "none") {
      const g = viaName(a);
      return g && { ...g, present: op === "is not" };
    }
    return null;
  }
  const g = viaName(cond);
  return g && { ...g, present: true };
}

/** The block stores into `D[K]` (`D[K] = value`, `D[K] = x = value`). */
function storesInto(ctx: TextCtx, block: SyntaxNode, dict: string, key: string): boolean {
  let found = false;
  walk(block, (n) => {
    if (found || n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition") return false;
    if (n.type === "assignment") {
      const left = field(n, "left");
      // `D[K] = ...`, or one target of an unpacking: `D[K], created = Model.objects.get_or_create(...)`.
      const targets = left && /^(pattern_list|tuple_pattern|list_pattern)$/.test(left.type) ? left.children : [left];
      found = targets.some((t) => t?.type === "subscript" && squeezed(ctx, field(t, "value") ?? t) === dict && squeezed(ctx, field(t, "subscript") ?? t) === key);
    }
    return !found;
  });
  return found;
}

/**
 * `if not node: node = Node.objects.get(pk=nodeid)` (or `if node is None:`): the query fills the name it tests, which
 * the loop binds nowhere else, so it runs once, the first time (a lazy initialization, not a query per item).
 */
function lazyInit(ctx: TextCtx, cond: SyntaxNode | undefined, block: SyntaxNode, query: SyntaxNode, loop: SyntaxNode | undefined): boolean {
  // Without the loop, whether the name keeps its value between passes is not known (a helper's parameter default
  // is reset on every call).
  const c = unparen(cond);
  if (!c || !loop) return false;
  let name: string | null = null;
  if (c.type === "not_operator") {
    const arg = unparen(field(c, "argument"));
    if (arg?.type === "identifier") name = nodeText(ctx.text, arg);
  } else if (c.type === "comparison_operator" && /^\s*\w+\s+is\s+None\s*$/.test(nodeText(ctx.text, c))) {
    name = nodeText(ctx.text, c).trim().split(/\s+/)[0];
  }
  if (!name) return false;
  // The query's own statement assigns the name (`node = <chain>` with the query in its value), and nothing else in
  // the loop does.
  let stmt: SyntaxNode | null = query;
  while (stmt && stmt.parent !== block) stmt = stmt.parent;
  const a = stmt?.type === "expression_statement" ? stmt.children[0] : undefined;
  if (a?.type !== "assignment" || field(a, "left")?.type !== "identifier" || nodeText(ctx.text, field(a, "left")!) !== name) return false;
  const values = assignedInLoop(ctx, { node: loop }, name);
  return values?.length === 1 && values[0] === innermostValue(a);
}

/**
 * `try: x = D[K] except KeyError: <query>`: the query runs for a key the dict lacks, when the handler stores it
 * (`D[K] = ...`, a memo) or the dict is an object's (`data.attachments_by_id`, filled for the page beforehand): a
 * fallback for the few keys missing, not a query per item.
 */
function missedKey(ctx: TextCtx, clause: SyntaxNode): boolean {
  const caught = caughtBy(clause);
  if (caught && !/^\(?\s*(KeyError|LookupError)\b/.test(nodeText(ctx.text, caught))) return false;
  const body = field(clause.parent!, "body");
  const stmts = body?.children.filter((c) => c.type !== "comment") ?? [];
  if (stmts.length !== 1) return false;
  let read: { dict: string; key: string } | null = null;
  walk(stmts[0], (n) => {
    if (read) return false;
    if (n.type === "subscript" && !(n.parent?.type === "assignment" && field(n.parent, "left") === n)) {
      const value = field(n, "value");
      const key = field(n, "subscript");
      if (value && key && (value.type === "identifier" || value.type === "attribute")) read = { dict: squeezed(ctx, value), key: squeezed(ctx, key) };
    }
    return !read;
  });
  if (!read) return false;
  const r = read as { dict: string; key: string };
  return r.dict.includes(".") || storesInto(ctx, clause, r.dict, r.key);
}

/**
 * A memoized lookup: the query runs under `if K not in D:` (or `D.get(K) is None`, or in the `else` of `if K in
 * D:`) whose block stores `D[K] = ...`: one query per distinct key, which the cache (often an instance's, kept
 * across calls) exists to bound. (`D.setdefault(K, query)` is not one: its argument runs every time.) With `loop`,
 * only an `if` inside that loop counts: one around the loop runs the whole loop for each key.
 */
export function memoized(ctx: TextCtx, node: SyntaxNode, loop?: SyntaxNode): boolean {
  for (let child: SyntaxNode = node, p = node.parent; p; child = p, p = p.parent) {
    if (p === loop || p.type === "function_definition" || p.type === "lambda" || p.type === "class_definition") return false;
    let ifStmt: SyntaxNode | null = null;
    let block: SyntaxNode | undefined;
    let present = false;
    if ((p.type === "if_statement" || p.type === "elif_clause") && field(p, "consequence") === child) {
      ifStmt = p.type === "if_statement" ? p : p.parent;
      block = child;
      present = false;
      const t = ifStmt && cacheTest(ctx, field(p, "condition"), ifStmt);
      if (t && t.present === present && storesInto(ctx, block, t.dict, t.key)) return true;
      if (lazyInit(ctx, field(p, "condition"), child, node, loop)) return true;
    } else if (p.type === "else_clause" && p.parent?.type === "if_statement" && !p.parent.children.some((c) => c.type === "elif_clause")) {
      ifStmt = p.parent;
      block = field(p, "body") ?? p;
      const t = cacheTest(ctx, field(ifStmt, "condition"), ifStmt);
      if (t && t.present && storesInto(ctx, block, t.dict, t.key)) return true;
    } else if (p.type === "except_clause" && p.parent?.type === "try_statement" && missedKey(ctx, p)) {
      return true;
    }
  }
  return false;
}
