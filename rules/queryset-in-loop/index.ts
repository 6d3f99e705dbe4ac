import { enclosingLoop, type LoopCtx, type LoopQuery } from "../../server/src/engine/flow";
import { projectFunction } from "../../server/src/engine/functions";
import { assignedInLoop, batchedLookup, Dep, fewIterations, inDispatchBranch, leavesLoopAfter, loopDependence, loopExitIn, memoized, perDatabase } from "../../server/src/engine/loopshape";
import type { Model } from "../../server/src/engine/models";
import type { OffsetFix, Rule, RuleContext } from "../../server/src/engine/rule";
import { doesNotExistHandled, handledGet } from "../../server/src/engine/rows";
import { checkGraphqlQueries } from "./graphql";
import type { SyntaxNode } from "../../server/src/engine/parser";
import { enclosingScope, enclosingStatement, field, indentAt, lineStartAt, methodCall, nodeText, walk, walkExamined } from "../../server/src/engine/syntax";

const ADVICE: Record<string, string> = {
  get: "fetch them all before the loop with filter(pk__in=...) or in_bulk()",
  first: "fetch them all before the loop with filter(...__in=...) and pick from a dict",
  last: "fetch them all before the loop with filter(...__in=...) and pick from a dict",
  latest: "fetch them all before the loop and pick from a dict",
  earliest: "fetch them all before the loop and pick from a dict",
  count: "use annotate(Count(...)) on the outer queryset",
  exists: "fetch the matching keys once with values_list(...) and test membership in a set",
  aggregate: "use annotate(...) on the outer queryset",
  create: "collect the objects and save them with bulk_create()",
  get_or_create: "look up existing rows once with filter(...__in=...) and bulk_create() the missing ones",
  update_or_create: "look up existing rows once, then bulk_update() and bulk_create()",
  in_bulk: "call in_bulk() once before the loop",
  iteration: "prefetch_related() the relation on the outer queryset, or fetch once with filter(...__in=...)",
  list: "prefetch_related() the relation on the outer queryset, or fetch once with filter(...__in=...)",
  bool: "prefetch_related() the relation on the outer queryset, or fetch once with filter(...__in=...)",
  len: "prefetch_related() the relation on the outer queryset, or fetch once with filter(...__in=...)",
};
const HOISTABLE = new Set(["count", "exists", "aggregate", "first", "last", "acount", "aexists", "aaggregate", "afirst", "alast"]);

function outermost(loop: LoopCtx): LoopCtx {
  let l = loop;
  while (l.parent) l = l.parent;
  return l;
}

function hoistFix(ctx: RuleContext, q: LoopQuery): OffsetFix | null {
  if (!HOISTABLE.has(q.method) || q.loop.writes) return null;
  for (let l: LoopCtx | null = q.loop; l; l = l.parent) if (l.writes) return null;
  const loop = outermost(q.loop);
  const stmt = enclosingStatement(loop.node);
  const base = `${q.model.name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase()}_${q.method.replace(/^a(?=count|exists|aggregate|first|last)/, "")}`;
  // The new variable must not clash with a name the function uses. (At module level any statement could use it:
  // no fix there.)
  const scope = enclosingScope(loop.node);
  if (scope.type !== "function_definition") return null;
  const scopeText = nodeText(ctx.text, scope);
  let name = base;
  for (let i = 2; new RegExp(`\\b${name}\\b`).test(scopeText); i++) name = `${base}_${i}`;
  const callText = nodeText(ctx.text, q.node);
  if (/\n/.test(callText) || /\bawait\b/.test(callText)) return null;
  const indent = indentAt(ctx.text, stmt.start);
  const lineStart = lineStartAt(ctx.text, stmt.start);
  if (ctx.text.slice(lineStart, stmt.start).trim() !== "") return null;
  const eol = ctx.text.includes("\r\n") ? "\r\n" : "\n";
  return {
    title: `Hoist ${q.method}() out of the loop as ${name}`,
    safe: false,
    edits: [
      { file: ctx.file, start: stmt.start, end: stmt.start, newText: `${name} = ${callText}${eol}${indent}` },
      { file: ctx.file, start: q.node.start, end: q.node.end, newText: name },
    ],
  };
}

/** Calls a loop body may make and still be known not to change what a query returns. */
const PURE_CALLS = new Set([
  "print", "len", "str", "int", "float", "bool", "list", "dict", "set", "tuple", "sorted", "sum", "min", "max", "range",
  "enumerate", "zip", "isinstance", "getattr", "hasattr", "format", "append", "extend", "add", "setdefault", "get",
  "items", "keys", "values", "join", "split", "strip", "lower", "upper", "startswith", "endswith", "replace", "debug",
  "info", "warning", "error", "exception", "log", "abs", "round", "repr", "filter", "exclude", "first", "last", "count",
  "exists", "all", "values_list", "order_by", "select_related", "prefetch_related", "annotate", "aggregate", "only",
  "defer", "_", "gettext", "escape", "mark_safe", "reverse",
]);

/** The loop body calls only things that cannot write: a query that does not depend on the loop stays the same. */
const WRITES = /^a?(delete|update|save|create|bulk_create|bulk_update|get_or_create|update_or_create)$/;

/** The loop writes rows of the model somewhere in its body (a delete, an update, a save, a create). */
function writesModel(ctx: RuleContext, loop: LoopCtx, model: Model): boolean {
  const values = ctx.flow().values;
  let found = false;
  walk(loop.node, (n) => {
    if (found) return false;
    if (n.type !== "call") return true;
    const mc = methodCall(ctx.text, n);
    if (mc && WRITES.test(mc.method)) {
      const v = values.get(mc.receiver);
      if (v && (v.k === "qs" || v.k === "manager" || v.k === "inst") && v.model === model) found = true;
    }
    return !found;
  });
  return found;
}

/** Does the `while` loop's condition query `model`? */
function conditionQueries(ctx: RuleContext, loop: LoopCtx, model: Model): boolean {
  const cond = field(loop.node, "condition");
  const values = ctx.flow().values;
  let found = false;
  if (cond) walk(cond, (n) => {
    if (found) return false;
    const v = n.type === "call" ? values.get(n) : undefined;
    if (v && (v.k === "qs" || v.k === "manager") && v.model === model) found = true;
    const mc = !found && n.type === "call" ? methodCall(ctx.text, n) : null;
    const r = mc ? values.get(mc.receiver) : undefined;
    if (r && (r.k === "qs" || r.k === "manager") && r.model === model) found = true;
    return !found;
  });
  return found;
}

function bodyIsPure(ctx: RuleContext, loop: LoopCtx): boolean {
  const stack = [loop.node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "call") {
      const f = n.children.find((c) => c.field === "function");
      const name = f ? nodeText(ctx.text, f).replace(/^.*\./, "") : "";
      if (!PURE_CALLS.has(name)) return false;
    }
    for (const c of n.children) stack.push(c);
  }
  return true;
}

/** The names a `for` loop binds (`for kind in kinds`, `for i, kind in enumerate(kinds)`). */



/**
 * Keyset batching: `while True:` fetching a slice (`[:batch]`) of a queryset built in the loop, with a `break` of
 * that loop (when the batch comes back empty), or a flag the loop's condition reads (`while not stop:`). One query
 * per batch is the point. The slice must be on what is iterated: the expression itself, or the assignment of the
 * name iterated.
 */
function batchedWhile(ctx: RuleContext, q: LoopQuery): boolean {
  // The loop that repeats the iteration (a comprehension over the batch sits in the while).
  const loop = q.loop.kind === "while" ? q.loop : enclosingLoop(ctx.flow().loops, q.node);
  if (!q.iteration || loop?.kind !== "while") return false;
  const sliced = (n: SyntaxNode | undefined): boolean => {
    let found = false;
    if (n) walk(n, (c) => {
      if (c.type === "subscript" && c.children.some((x) => x.type === "slice" && x.children.length > 0)) found = true;
      return !found;
    });
    return found;
  };
  let ok = sliced(q.node);
  // Or the loop's condition asks for rows that its own writes change: a drain (`while Record.objects.count() != 0:`
  // ... `.delete()`), which ends when they run out.
  const cond = field(loop.node, "condition");
  let breaks = !!cond && ctx.flow().queries.some((x) => x.loop === loop && x.node.start >= cond.start && x.node.end <= cond.end && writesModel(ctx, loop, x.model));
  // A flag loop (`while not stop:` ... `stop = True`) ends like one with a break.
  const flags = new Set<string>();
  if (cond) walk(cond, (c) => {
    if (c.type === "identifier") flags.add(nodeText(ctx.text, c));
    return true;
  });
  walk(loop.node, (n) => {
    if (n !== loop.node && (n.type === "for_statement" || n.type === "while_statement" || n.type === "function_definition")) return false;
    if (n.type === "break_statement") breaks = true;
    if (n.type === "assignment" && field(n, "left")?.type === "identifier" && flags.has(nodeText(ctx.text, field(n, "left")!))) breaks = true;
    if (!ok && q.node.type === "identifier" && n.type === "assignment" && field(n, "left")?.type === "identifier" && nodeText(ctx.text, field(n, "left")!) === nodeText(ctx.text, q.node)) ok = sliced(field(n, "right"));
    return true;
  });
  return ok && breaks;
}




/**
 * `while X.objects.filter(code=code).exists(): code = get_random_string(8)`: a retry until a random value is free,
 * which runs once in practice. The condition's query reads a name (or attribute) that the body assigns from a
 * random source, or from the clock (`time.time()`), also through a name assigned so earlier in the body
 * (`m = hashlib.md5(f"{pk}-{time.time()}".encode()); key = m.hexdigest()`).
 */
function retriesRandom(ctx: RuleContext, node: SyntaxNode, loop: LoopCtx): boolean {
  if (loop.kind !== "while") return false;
  const cond = field(loop.node, "condition");
  const body = field(loop.node, "body");
  if (!cond || (!steersLoop(ctx, node, loop) && !endsWhenMissing(ctx, node, loop)) || !body) return false;
  const queryText = nodeText(ctx.text, node);
  const reads = (text: string, name: string) => new RegExp(`(^|[^\\w.])${name.replace(/[.[\]()]/g, "\\$&")}\\b`).test(text);
  // Names the body has assigned a fresh value so far, in the order the body runs.
  const fresh: string[] = [];
  let found = false;
  walk(body, (n) => {
    if (found || n.type === "function_definition" || n.type === "lambda") return false;
    if (n.type === "assignment") {
      const left = field(n, "left");
      const right = field(n, "right");
      if (left && right && (left.type === "identifier" || left.type === "attribute")) {
        const value = nodeText(ctx.text, right);
        if (RANDOM_SOURCE.test(value) || CLOCK.test(value) || randomHelper(ctx, right) || fresh.some((f) => reads(value, f))) {
          const name = nodeText(ctx.text, left);
          fresh.push(name);
          if (reads(queryText, name)) found = true;
        }
      }
    }
    return !found;
  });
  return found;
}

/** The clock: a new value on every pass of the loop. */
const CLOCK = /\btime\.(time|time_ns|perf_counter)\(\)/;

const RANDOM_SOURCE = /\b(random\.\w+|uuid\.\w+|uuid\d\(|secrets\.\w+|token_(hex|urlsafe|bytes)\(|urandom\(|get_random_string\(|randint\(|choice\()/;

/** `code = make_code(user)`: a project function (of this module or one it imports) that draws from a random source. */
function randomHelper(ctx: RuleContext, value: SyntaxNode): boolean {
  if (value.type !== "call") return false;
  const f = field(value, "function");
  if (f?.type !== "identifier") return false;
  const fn = projectFunction(ctx, nodeText(ctx.text, f), /random|uuid|secrets|token_|urandom/);
  return !!fn && RANDOM_SOURCE.test(fn.text.slice(fn.def.start, fn.def.end));
}

/**
 * A `get()` in a try whose `except ...DoesNotExist:` handler leaves the loop (`while True: code = ...; try:
 * X.objects.get(code=code) except X.DoesNotExist: break`): the loop ends at the first value not taken.
 */
function endsWhenMissing(ctx: RuleContext, node: SyntaxNode, loop: LoopCtx): boolean {
  const handled = doesNotExistHandled(ctx, node);
  if (!handled || handled.tryNode.start < loop.node.start) return false;
  return handled.tryNode.children.some((c) => c.type === "except_clause" && c.children.some((b) => b.type === "block" && b.children.some((x) => x.type === "break_statement" || x.type === "return_statement")));
}

/** Statements that leave or restart the loop: break, continue, return. */
const LOOP_EXITS = new Set(["break_statement", "continue_statement", "return_statement"]);

/**
 * The query's result steers the while loop: it is (in) the loop's condition, or the condition of an `if` in the
 * loop whose branches break, continue or return.
 */
function steersLoop(ctx: RuleContext, node: SyntaxNode, loop: LoopCtx): boolean {
  const within = (n: SyntaxNode, outer: SyntaxNode | undefined): boolean => {
    for (let x: SyntaxNode | null = n; x; x = x.parent) if (x === outer) return true;
    return false;
  };
  if (within(node, field(loop.node, "condition"))) return true;
  for (let p = node.parent; p && p !== loop.node; p = p.parent) {
    if (p.type === "for_statement" || p.type === "while_statement" || p.type === "function_definition") return false;
    if ((p.type === "if_statement" || p.type === "elif_clause") && within(node, field(p, "condition"))) {
      return p.children.some((c) => c.field !== "condition" && loopExitIn(c, LOOP_EXITS));
    }
    // `pending = todo - set(done_qs)`, then `if len(pending) == 0: break`: the result, through the name it is
    // stored in, decides whether the loop ends.
    if (p.type === "assignment") {
      const left = field(p, "left");
      if (left?.type !== "identifier" || !within(node, field(p, "right"))) return false;
      return exitTestReads(ctx, loop, nodeText(ctx.text, left), p.end);
    }
    if (p.type === "expression_statement" || p.type === "block") return false;
  }
  return false;
}

/** After `from`, the loop's condition, or an `if` in it whose body leaves the loop (break, return), reads `name`. */
function exitTestReads(ctx: RuleContext, loop: LoopCtx, name: string, from: number): boolean {
  const reads = (n: SyntaxNode | undefined): boolean => {
    let found = false;
    if (n) walk(n, (x) => {
      if (x.type === "identifier" && nodeText(ctx.text, x) === name && !(x.parent?.type === "attribute" && field(x.parent, "attribute") === x)) found = true;
      return !found;
    });
    return found;
  };
  if (reads(field(loop.node, "condition"))) return true;
  let found = false;
  walk(field(loop.node, "body") ?? loop.node, (x) => {
    if (found || x.type === "function_definition" || x.type === "lambda" || x.type === "class_definition" || x.type === "for_statement" || x.type === "while_statement") return false;
    if ((x.type === "if_statement" || x.type === "elif_clause") && x.start >= from && reads(field(x, "condition"))) {
      const exits = field(x, "consequence");
      if (exits && loopExitIn(exits, BREAKS)) found = true;
    }
    return !found;
  });
  return found;
}

const BREAKS = new Set(["break_statement", "return_statement"]);

const RUNS_OR_TAKES = /\.a?(get|first|last|latest|earliest|count|exists|aggregate|in_bulk|pop|popleft|popitem|get_nowait)\(|\bnext\(|\b(list|len|tuple|set|sorted)\(|\bawait\b/;

/**
 * A convergence loop: a `while` loop whose query reads loop state only through names the loop reassigns, after
 * the query, from values that neither run a query nor take an item nor read other loop state (`date = now()`,
 * re-checking for rows created since), and whose result decides whether the loop goes on. Names the loop assigns
 * before the query (`qs = Model.objects.filter(created__gte=date)`) are followed to what they read.
 */
function convergenceLoop(ctx: RuleContext, q: LoopQuery, loop: LoopCtx): boolean {
  if (loop.kind !== "while" || !steersLoop(ctx, q.node, loop)) return false;
  let state = false;
  let ok = true;
  const followed = new Set<string>();
  const stack = [q.node];
  while (stack.length && ok) {
    const n = stack.pop()!;
    if (n.type === "identifier") {
      const p = n.parent;
      if ((p?.type === "attribute" && field(p, "attribute") === n) || (p?.type === "keyword_argument" && field(p, "name") === n)) continue;
      const name = nodeText(ctx.text, n);
      if (!loop.bound.has(name) || followed.has(name)) continue;
      followed.add(name);
      const values = assignedInLoop(ctx, loop, name);
      if (!values) {
        ok = false;
        break;
      }
      for (const v of values) {
        if (RUNS_OR_TAKES.test(nodeText(ctx.text, v))) ok = false;
        else if (v.end <= q.node.start) stack.push(v);
        else {
          // Reassigned after the query: the state the next check sees. It must not come from the loop's other names.
          walk(v, (x) => {
            if (x.type === "identifier" && loop.bound.has(nodeText(ctx.text, x)) && !(x.parent?.type === "attribute" && field(x.parent, "attribute") === x) && !(x.parent?.type === "keyword_argument" && field(x.parent, "name") === x)) ok = false;
            return ok;
          });
          state = true;
        }
      }
      continue;
    }
    for (const c of n.children) stack.push(c);
  }
  return ok && state;
}

/**
 * Loop shapes where a query in `loop` is not one per row: a branch for one value of the loop variable (or of a
 * counter), a loop over a few constants (or columns), a polling loop, one query per batch, a memoized lookup, a
 * query after which the loop ends, a draw until a random value is free.
 */
function runsOncePerValue(ctx: RuleContext, node: SyntaxNode, loop: LoopCtx): boolean {
  return inDispatchBranch(ctx, node) || fewIterations(ctx, node, loop) || batchedLookup(ctx, node, loop) || memoized(ctx, node, loop.node) || leavesLoopAfter(ctx, node, loop) || retriesRandom(ctx, node, loop) || perDatabase(ctx, node, loop);
}

/**
 * A row lock taken in each iteration's transaction (`with transaction.atomic(): X.objects.select_for_update()
 * .get(pk=pk)`): fetched before the loop, the rows would not be locked while each iteration writes them. The flow
 * marks the querysets it follows (LoopQuery.locks); this reads the text of a get() on a receiver it cannot follow.
 */
function rowLock(callText: string): boolean {
  return /\.select_for_update\s*\(/.test(callText);
}

/** The loop's body yields (not in a nested function). */
function yieldsIn(loop: SyntaxNode): boolean {
  let found = false;
  walk(loop, (n) => {
    if (found || n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition") return false;
    if (n.type === "yield") found = true;
    return !found;
  });
  return found;
}

/** Some `x__in=` of the query's chain is given a value that depends on the loop that repeats it. */
function batchedIn(ctx: RuleContext, q: LoopQuery): boolean {
  // Not the loop whose iterable the query is: the one around it.
  const repeats = enclosingLoop(ctx.flow().loops, q.node) ?? q.loop;
  let found = false;
  walk(q.node, (n) => {
    if (found || n.type === "lambda" || n.type === "function_definition") return false;
    if (n.type === "keyword_argument" && /__in$/.test(nodeText(ctx.text, field(n, "name") ?? n))) {
      const value = field(n, "value");
      if (!value || loopDependence(ctx, value, repeats) !== Dep.None) found = true;
      return false;
    }
    return true;
  });
  return found;
}

function check(ctx: RuleContext): void {
  const iterations = ctx.flow().iterations;
  for (const q of ctx.flow().queries) {
    ctx.examine(q.node, () => {
      const callText = nodeText(ctx.text, q.node);
      // Already batched per group (filter(x__in=...) given what the loop produces), or deliberately random /
      // time-dependent. An `__in` of a value the loop does not change (`category__in=categories` beside the row's
      // own related manager) batches nothing.
      if (/__in\s*=/.test(callText) && batchedIn(ctx, q)) return;
      if (q.locks) return;
      const volatile = /order_by\(\s*["']\?["']|\brandom\b|\bnow\(\)/.test(callText);
      // Writes on models with save()/signals: bulk methods would skip them, so batching is not a plain fix.
      if (/^a?(create|get_or_create|update_or_create)$/.test(q.method) && q.model.writeHooks) return;
      if (batchedWhile(ctx, q)) return;
      // (The loop that repeats the query: not the loop whose iterable it is.)
      const repeats = enclosingLoop(ctx.flow().loops, q.node) ?? q.loop;
      if (runsOncePerValue(ctx, q.node, repeats) || convergenceLoop(ctx, q, repeats)) return;
      // Re-reading the row being iterated (a freshness check during a long loop) is deliberate.
      const it = iterations.find((x) => x.loop === q.loop);
      if (it?.target && it.qs.model === q.model && new RegExp(`\\b(pk|id)\\s*=\\s*${it.target}\\.(pk|id)\\b`).test(callText)) return;
      const what = q.iteration
        ? `${q.method === "bool" || q.method === "len" ? "evaluating" : "iterating"} a ${q.model.name} queryset built inside the loop`
        : q.related
          ? `${q.related.base.model.name}.${q.related.field.name}.${q.method}()`
          : `${q.model.name} ${q.method}()`;
      // The sync name of an async method (acreate -> create).
      const method = q.method.replace(/^a(?=[a-z])/, "");
      let advice = ADVICE[method] ?? ADVICE[q.method] ?? "batch it before the loop";
      // Django's bulk_create() raises ValueError on a multi-table child (its rows span two tables).
      if (/^(create|get_or_create|update_or_create)$/.test(method) && ctx.index.isMultiTableChild(q.model)) {
        advice = method === "create"
          ? `bulk_create() does not work on ${q.model.name}, a multi-table child; wrap the loop in transaction.atomic() so the rows commit once`
          : `look up existing rows once with filter(...__in=...) and create only the missing ones (bulk_create() does not work on ${q.model.name}, a multi-table child)`;
      }
      // "On the outer queryset" needs one: a loop over a list, a dict or a range gets the grouped form instead. (The
      // loop that repeats the query: for a queryset iterated by a loop of its own, the loop around that one.)
      const outer = repeats === q.loop ? it : iterations.find((x) => x.loop === repeats);
      if (!outer && /^(count|aggregate)$/.test(method) && !q.related) {
        advice = method === "count"
          ? "count every key at once before the loop (values(key).annotate(n=Count(\"pk\")) over filter(key__in=...)) and read the counts from a dict"
          : "aggregate every key at once before the loop (values(key).annotate(...) over filter(key__in=...)) and read the results from a dict";
      }
      // The outer queryset takes row locks: PostgreSQL refuses FOR UPDATE with the GROUP BY and outer join that
      // annotate(Count(...)) adds, so count in one grouped query of its own (lego's pool counters check).
      if (outer?.qs.locks && /^(count|aggregate)$/.test(method) && q.related) {
        const fk = q.related.field.forward?.kind === "fk" ? q.related.field.forward.name : null;
        advice = `${method} them all at once before the loop, ${q.model.name}.objects.filter(${fk ?? "key"}__in=...).values("${fk ?? "key"}").annotate(${method === "count" ? 'n=Count("pk")' : "..."}), and read the results from a dict: the outer queryset takes row locks (select_for_update()), which PostgreSQL does not allow with the GROUP BY of annotate() on it`;
      }
      if (!outer && /^(iteration|list|bool|len)$/.test(method) && !q.related) advice = "fetch the rows for every key at once before the loop with filter(...__in=...) and group them in a dict";
      // `row.tags.filter(...)`, `.values_list(...)`, `.order_by(...)`: a new query whatever was prefetched.
      if (q.related && /^(iteration|list|bool|len)$/.test(method) && /\.(filter|exclude|values|values_list|order_by|annotate|distinct)\s*\(/.test(callText)) {
        advice = "fetch the rows for every row at once before the loop with filter(...__in=...) and group them in a dict (a prefetch serves only .all(), not this chain)";
      } else if (q.related && /^(iteration|list|bool|len)$/.test(method)) {
        // A project QuerySet method on the relation (`project.resources.current()`): it runs on a new queryset.
        const accessor = q.related.field.name;
        const at = callText.indexOf(`.${accessor}.`);
        // Without a trailing `.iterator(...)`: it returns a generator, and Prefetch() takes a queryset.
        const rest = at >= 0 ? callText.slice(at + accessor.length + 2).replace(/\s+/g, "").replace(/\.iterator\([^()]*\)$/, "") : "";
        if (/^\w+\(/.test(rest) && !/^(all|iterator)\(/.test(rest) && rest.length <= 60) {
          advice = `prefetch with Prefetch("${accessor}", queryset=${q.model.name}.objects.${rest}, to_attr=...) on the outer queryset and loop over that attribute (a prefetch of ${accessor} serves only .all(), not ${rest.replace(/\(.*$/, "")}())`;
        }
      }
      // `ethernet = Ethernet.objects.create(...)`, then `ip.ethernet = ethernet`: the loop uses the new row, and its
      // primary key. bulk_create() sets it on PostgreSQL, SQLite and MariaDB, not on MySQL.
      if (method === "create" && advice === ADVICE.create && usesCreatedRow(ctx, q.node, repeats)) advice += " (the loop uses the new rows: bulk_create() sets their primary keys on PostgreSQL, SQLite and MariaDB, not on MySQL)";
      const fixes: OffsetFix[] = [];
      let message: string;
      // `while True: qs = X.objects.filter(...); if qs.exists(): qs.delete() else: break`, `while doomed.exists():
      // ...delete()`: the loop's own writes change the answer that ends it (a loop over batches, or to a fixpoint:
      // one check per pass), whether or not the query is rebuilt in the loop.
      if (repeats.kind === "while" && steersLoop(ctx, q.node, repeats) && writesModel(ctx, repeats, q.model)) return;
      // The other side: the write that makes the `while` condition's query false, and so ends the loop
      // (`while not Perm.objects.filter(is_superuser=True).exists(): ... Perm.objects.update_or_create(...)`).
      if (repeats.kind === "while" && WRITES.test(q.method) && conditionQueries(ctx, repeats, q.model)) return;
      if (q.invariant && !q.iteration && !volatile && bodyIsPure(ctx, outermost(q.loop))) {
        message = `Query in a loop: ${what} runs on every iteration but does not depend on the loop; run it once before the loop`;
        const fix = hoistFix(ctx, q);
        if (fix) fixes.push(fix);
      } else if ((q.invariant || q.independent) && !volatile) {
        // A generator that yields in the loop hands control to its caller between passes, which may change the rows
        // (pulpcore's worker takes a task, then starts again from the top of the queue): a fresh read each time.
        if (yieldsIn(repeats.node)) return;
        message = `Query in a loop: ${what} runs on every iteration; if nothing in the loop changes its result, run it once before the loop`;
      } else if (volatile) {
        return;
      } else if (!q.iteration && repeats === q.loop && q.loop.kind === "for" && q.loop.parent && !q.loop.writes && loopDependence(ctx, q.node, q.loop) === Dep.None) {
        // It varies with an outer loop only (treeherder's summary signature, read again for every subtest).
        message = `Query in a loop: ${what} runs on every iteration of the inner loop but reads nothing that loop changes; run it once per pass of the outer loop, before the inner loop`;
      } else {
        message = `Query in a loop: ${what} runs one query per iteration; ${advice}`;
      }
      ctx.report({ start: q.node.start, end: q.node.end, message, fixes, related: [{ file: ctx.file, start: repeats.node.start, end: Math.min(repeats.node.end, repeats.node.start + 3), message: "the loop" }] });
    });
  }
  checkHandledGets(ctx);
  checkGraphqlQueries(ctx, (q) => {
    ctx.report({
      start: q.node.start,
      end: q.node.end,
      message: `Query in a loop: ${q.what} runs in ${q.resolver}() once for every ${q.rowModel} in a list, one query per row; load it through a DataLoader that batches the keys of every row`,
      related: [{ file: ctx.file, start: q.type.start, end: q.type.end, message: `${q.type.name} is listed, so ${q.resolver}() runs once per ${q.rowModel}` }],
    });
  });
}

/** `row = X.objects.create(...)` whose name the loop reads after it. */
function usesCreatedRow(ctx: RuleContext, call: SyntaxNode, loop: LoopCtx): boolean {
  const a = call.parent;
  const left = a?.type === "assignment" && field(a, "right") === call ? field(a, "left") : undefined;
  if (left?.type !== "identifier") return false;
  const name = nodeText(ctx.text, left);
  let used = false;
  walk(loop.node, (n) => {
    if (used) return false;
    if (n.type === "identifier" && n.start > a!.end && nodeText(ctx.text, n) === name && !(n.parent?.type === "attribute" && field(n.parent, "attribute") === n) && !(n.parent?.type === "keyword_argument" && field(n.parent, "name") === n)) used = true;
    return !used;
  });
  return used;
}

function checkHandledGets(ctx: RuleContext): void {
  if (!ctx.mentions(/DoesNotExist/)) return;
  const flow = ctx.flow();
  if (!flow.loops.size) return;
  const known = new Set(flow.queries.map((q) => q.node));
  walkExamined(ctx, (n) => {
    if (n.type !== "call" || known.has(n)) return;
    const loop = enclosingLoop(flow.loops, n);
    if (!loop) return;
    // Gets the flow followed are in flow.queries; this is for receivers it could not follow (getattr(obj, name)).
    const got = handledGet(ctx, n);
    if (!got || got.known || rowLock(nodeText(ctx.text, n))) return;
    // The loop shapes that run a query once, or once per value, as for the queries the flow followed.
    if (runsOncePerValue(ctx, n, loop)) return;
    const model = got.model;
    ctx.report({
      start: n.start,
      end: n.end,
      message: `Query in a loop: ${model} ${methodCall(ctx.text, n)!.method}() runs one query per iteration; ${ADVICE.get}`,
      related: [{ file: ctx.file, start: loop.node.start, end: Math.min(loop.node.end, loop.node.start + 3), message: "the loop" }],
    });
  });
}

export const rule: Rule = {
  meta: { id: "queryset-in-loop", summary: "A query executed once per loop iteration", defaultSeverity: "warning", fixable: true },
  check,
};
