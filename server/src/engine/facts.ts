/**
 * Per-file facts for the workspace index: classes (models, managers, querysets), imports and settings.
 * Extracted from one parse, kept as plain data so trees can be freed and facts cached by content.
 */
import type { Syntax, SyntaxNode } from "./parser";
import { baseNames, callParts, dotted, enclosingScope, field, methodCall, nameBindings, nodeText, operatorOf, orOperands, stringValue, strip, subqueryValue, topLevelFunction, walk, withChildren } from "./syntax";

/** One link of a queryset chain: `.select_related("a", "b")`, `.prefetch_related(Prefetch(...))`, ... */
export interface ChainOp {
  method: string;
  /** Positional string arguments (null where the argument is not a literal string). */
  strings: (string | null)[];
  prefetches: PrefetchFact[];
  /**
   * How many positional arguments are neither a literal string nor a Prefetch(...) it reads (for prefetch_related(),
   * also through a local name the function binds once to one: `products_prefetch = Prefetch(...)`), `*lookups`
   * included.
   */
  unread: number;
  /** Keyword names, for annotate(n=...) and values(). */
  kwnames: string[];
  /** The call node's range in its file, for fixes that merge into it. */
  start: number;
  end: number;
  /** Offset just before the closing parenthesis of the argument list. */
  argsEnd: number;
  /** The last argument (not a comment), where a fix appends one: see appendItem. */
  lastArg?: { start: number; end: number };
  /** fetch_mode(FETCH_PEERS) (Django 6.1). */
  peers?: boolean;
  /**
   * A filter call's lookup keys, read as the index reads a query's (Q objects included, "**" for a condition it
   * cannot read). Set for the chains a method returns (chainOps), where the index looks up their filters.
   */
  filterKeys?: string[];
}

export interface PrefetchFact {
  lookup: string;
  toAttr: string | null;
  /** Options of the Prefetch's own queryset, e.g. Prefetch("books", Book.objects.select_related("publisher")). */
  queryset: ChainOp[] | null;
  querysetModel: string | null;
}

export interface ValueFact {
  str?: string;
  bool?: boolean;
  dotted?: string;
  num?: number;
  /** Strings of a list/tuple literal, for unique_together / fields=[...]. */
  list?: (string | null)[];
}

export interface AssignFact {
  name: string;
  start: number;
  end: number;
  /** Dotted callee of the right-hand call: "models.ForeignKey", "BookQuerySet.as_manager", ... */
  callee: string | null;
  /** For `X.from_queryset(Y)()`: Y. */
  fromQueryset: string | null;
  /** First positional argument as dotted name or string. */
  firstArg: ValueFact | null;
  kwargs: Record<string, ValueFact>;
  /** Offset before the call's closing parenthesis, and whether it already has arguments (for db_index fixes). */
  argsEnd: number;
  /** The call's last argument (not a comment): see appendItem. */
  lastArg?: { start: number; end: number };
  /** The right-hand side when it is not a call: a literal, list of strings, or dotted name. */
  value: ValueFact | null;
  /** Range of the right-hand side. */
  valueStart: number;
  valueEnd: number;
}

export interface MethodFact {
  name: string;
  /** What `return ...` builds, when it is a chain on self / self.get_queryset() / super().get_queryset(). */
  returns: { root: "self" | "super" | "model"; model?: string; ops: ChainOp[] } | null;
  start: number;
  end: number;
  decorators: string[];
  /** Parameter names, self first. */
  params: string[];
  /**
   * A save() whose own work is all for a new object (under `if self.pk is None:` and the like) around the call
   * to super().save(): saving a loaded row runs none of it.
   */
  newOnly?: boolean;
  /**
   * Attribute chains read on each parameter in the body: `obj.author.name` -> ["author", "name"]; a call at the
   * end is marked with "()" (`obj.tags.all()` -> ["tags", "all()"]). Keyed by parameter index.
   */
  reads: Record<number, { chain: string[]; start: number; end: number }[]>;
  /**
   * Attributes the body probes on each parameter by a literal name (`getattr(obj, "prefetched_products", None)`,
   * `hasattr(obj, "cached_total")`): a method that uses a to_attr list or an annotation when the queryset provides
   * one. Keyed by parameter index; absent when none.
   */
  probes?: Record<number, string[]>;
  /**
   * An `__init__` that fixes options of the field it builds: literal True/False keyword arguments passed to
   * `super().__init__(...)`, or set with `kwargs["unique"] = True`. The call's own arguments do not change them.
   */
  forces?: Record<string, boolean>;
  /** Options an `__init__` defaults (`kwargs.setdefault("unique", True)`): the call's own arguments win. */
  defaults?: Record<string, boolean>;
}

export interface MetaFact {
  abstract?: boolean;
  proxy?: boolean;
  /** managed = False: Django creates no table (a view or legacy table), so no index either. */
  unmanaged?: boolean;
  appLabel?: string;
  dbTable?: string;
  ordering?: string[];
  /**
   * Leading fields of indexes, unique_together and UniqueConstraints; and the equalities of partial indexes'
   * conditions, as ["=column", "<value's text>"].
   */
  indexed: string[][];
  /** The column sets unique_together and unconditional UniqueConstraints make unique (each a set of field names). */
  unique?: string[][];
  defaultManagerName?: string;
  /** Serializer / form Meta: model = X, fields = [...] or "__all__", depth = N. */
  model?: string;
  fields?: string[] | "__all__";
  /**
   * `fields = Base.Meta.fields + ("a", "b")`: the parts of a concatenation, in order (a literal list of names, the
   * fields of another class's Meta by that class's dotted name, or null for a part that cannot be read); also a
   * single part that is not a literal (`fields = SOME_CONSTANT`: [null]).
   */
  fieldsParts?: (string[] | { ref: string } | null)[];
  /** Bases of the Meta class itself (`class Meta(BaseSerializer.Meta):`), which it inherits fields from. */
  bases?: string[];
  /** The class has a Meta of its own (a model's replaces the one it would inherit from an abstract base). */
  declared?: boolean;
  depth?: number;
}

export interface ClassFact {
  name: string;
  file: string;
  start: number;
  end: number;
  nameStart: number;
  nameEnd: number;
  bases: string[];
  assigns: AssignFact[];
  methods: MethodFact[];
  meta: MetaFact;
  /** Calls fetch_mode(FETCH_PEERS) somewhere in its body (Django 6.1). */
  fetchPeers: boolean;
  decorators: string[];
}

/** A lookup written on a model's manager chain: `Book.objects.filter(author__name="x")`, `.order_by("-created")`. */
export interface LookupFact {
  /** The chain's root class name as written ("Book", "models.Book"). */
  root: string;
  /** Under django-scopes' `scopes_disabled()`: a scoped manager filters nothing there. */
  unscoped?: boolean;
  /** Lookup keys ("author__name", "created__gte") or ordering fields ("created"). */
  keys: string[];
  /**
   * The filter keys of every call in the same chain (`X.objects.filter(child=c).order_by("-end")`: ["child"] for
   * both calls), with "**" for conditions that cannot be read (`**kwargs`, a Q held in a variable).
   */
  chainKeys: string[];
  /**
   * "rows": a read of the first rows in the model's default order (`.first()`, a slice, a list endpoint's
   * `queryset`), with no order_by(): it is served by an index on Meta.ordering's leading column. Its keys are empty.
   */
  kind: "filter" | "order" | "rows";
  start: number;
  end: number;
  /** The chain ends in `.delete()`: rows removed by the filter (a retention prune, `filter(created__lt=t).delete()`). */
  prunes?: boolean;
  /**
   * An ordering whose query is read whole where it is written (a loop over it, list() of it, a template context
   * value): with no LIMIT, the database sorts what it reads, and an index on the order is not what it needs.
   */
  whole?: boolean;
  /** Keys compared with a literal True or False (`dirty=True`), and that literal. */
  bools?: Record<string, boolean>;
  /**
   * `__lt`/`__lte` keys whose value is an age before the current time (`created__lt=now() - timedelta(days=30)`,
   * also through a name the function assigns such a value to): "older than", which most rows of a table are.
   */
  olderThanNow?: string[];
  /**
   * The chain is what a module-level function returns (`def orders_in(c): return Order.objects.filter(currency=c)`):
   * its callers in the file may refine it (`orders_in(c).filter(shop=s)`), which extractFacts() adds.
   */
  returnedBy?: string;
  /** Its in-file callers' refinements, as the arms of an OR (see refinedByCallers); the index uses them unless other files import the function. */
  callers?: string;
}

export interface FileFacts {
  file: string;
  /** Dotted module path relative to the index root, e.g. "catalog.models.books". */
  module: string;
  classes: ClassFact[];
  /** Local name -> dotted target ("catalog.models.Author"). */
  imports: Record<string, string>;
  settings: { authUserModel?: string; defaultPagination?: boolean; restrictedPermissions?: boolean; contextProcessors?: string[]; queuedMail?: boolean };
  lookups: LookupFact[];
  /** Senders of save/delete signal receivers (`@receiver(post_save, sender=X)`, `post_save.connect(f, sender=X)`). */
  signalSenders: string[];
  /** Indexes a migration creates in SQL (`RunSQL("CREATE INDEX ... ON job (repository_id, push_id)")`). */
  sqlIndexes?: { table: string; columns: string[] }[];
}

const SQL_INDEX = /CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?:["`]?[\w.]+["`]?\s+)?ON\s+(?:ONLY\s+)?(?:["`]?\w+["`]?\.)?["`]?(\w+)["`]?(?:\s+USING\s+\w+)?\s*\(([^;]*?)\)/gi;

/**
 * The indexes a migration's SQL creates: the table and its columns, up to the first expression (`UPPER(name)`)
 * an index on the bare column would not match.
 */
export function sqlIndexesOf(text: string): { table: string; columns: string[] }[] | undefined {
  if (!/CREATE\s+(UNIQUE\s+)?INDEX/i.test(text)) return undefined;
  const out: { table: string; columns: string[] }[] = [];
  for (const m of text.matchAll(SQL_INDEX)) {
    const columns: string[] = [];
    for (const part of m[2].split(",")) {
      const c = /^\s*["`]?(\w+)["`]?\s*(?:(?:ASC|DESC|NULLS\s+(?:FIRST|LAST)|\w+_ops)\s*)*$/i.exec(part);
      if (!c) break;
      columns.push(c[1]);
    }
    if (columns.length) out.push({ table: m[1], columns });
  }
  return out.length ? out : undefined;
}

export function moduleOf(relPath: string): string {
  let p = relPath.replace(/\\/g, "/").replace(/\.py$/, "");
  if (p.endsWith("/__init__")) p = p.slice(0, -"/__init__".length);
  return p.split("/").filter(Boolean).join(".");
}

export function valueFact(text: string, node: SyntaxNode | undefined): ValueFact | null {
  if (!node) return null;
  const s = stringValue(text, node);
  if (s !== null) return { str: s };
  if (node.type === "true") return { bool: true };
  if (node.type === "false") return { bool: false };
  if (node.type === "integer") return { num: Number(nodeText(text, node)) };
  if (node.type === "list" || node.type === "tuple") {
    return { list: node.children.map((c) => stringValue(text, c)) };
  }
  const d = dotted(text, node);
  if (d) return { dotted: d };
  return null;
}

const QS_CHAIN_ROOTS = new Set(["get_queryset", "all", "filter", "exclude"]);

/** Reads a chain like `super().get_queryset().select_related("a").filter(x=1)` into ops, innermost first. */
export function chainOps(text: string, node: SyntaxNode): { rootNode: SyntaxNode; ops: ChainOp[] } {
  const ops: ChainOp[] = [];
  let n: SyntaxNode | undefined = node;
  while (n && n.type === "call") {
    const mc = methodCall(text, n);
    if (!mc) break;
    const op = chainOp(text, n, mc.method);
    if (FILTER_METHODS.has(mc.method)) op.filterKeys = chainCallKeys(text, n);
    ops.push(op);
    n = mc.receiver;
  }
  ops.reverse();
  return { rootNode: n ?? node, ops };
}

export function chainOp(text: string, call: SyntaxNode, method: string): ChainOp {
  const parts = callParts(text, call);
  const strings: (string | null)[] = [];
  const prefetches: PrefetchFact[] = [];
  const kwnames: string[] = [];
  let unread = 0;
  if (parts) {
    for (const a of parts.args) {
      const s = stringValue(text, a);
      strings.push(s);
      if (s !== null) continue;
      // Only a prefetch_related() argument can be a Prefetch: a name is followed to its value for it alone.
      const value = a.type === "identifier" ? (method === "prefetch_related" ? boundOnce(text, a) : null) : a;
      const p = value?.type === "call" ? prefetchFact(text, value) : null;
      if (p) prefetches.push(p);
      else unread++;
    }
    for (const k of parts.kwargs.keys()) kwnames.push(k);
    if (parts.splat) {
      strings.push(null);
      unread++;
    }
  }
  const argList = parts?.argList;
  const peers = method === "fetch_mode" && /FETCH_PEERS/.test(text.slice(call.start, call.end));
  const op: ChainOp = { method, strings, prefetches, unread, kwnames, start: call.start, end: call.end, argsEnd: argList ? argList.end - 1 : call.end, peers };
  const lastArg = argList ? lastArgument(argList) : null;
  if (lastArg) op.lastArg = { start: lastArg.start, end: lastArg.end };
  return op;
}

/** The value a name is bound to, when the function (or module) around it binds it once, with `=`. */
function boundOnce(text: string, name: SyntaxNode): SyntaxNode | null {
  const bs = nameBindings(text, enclosingScope(name), nodeText(text, name));
  return bs?.length === 1 && bs[0].op === "=" ? bs[0].value : null;
}

/** The last argument of an argument list, comments aside. */
function lastArgument(argList: SyntaxNode): SyntaxNode | null {
  for (let i = argList.children.length - 1; i >= 0; i--) if (argList.children[i].type !== "comment") return argList.children[i];
  return null;
}

export function prefetchFact(text: string, call: SyntaxNode): PrefetchFact | null {
  const parts = callParts(text, call);
  if (!parts) return null;
  const callee = dotted(text, parts.func);
  if (!callee || !/(^|\.)Prefetch$/.test(callee)) return null;
  const lookup = stringValue(text, parts.args[0]);
  if (lookup === null) return null;
  const toAttrNode = parts.kwargs.get("to_attr");
  const toAttr = toAttrNode ? stringValue(text, toAttrNode) : null;
  const qsNode = parts.kwargs.get("queryset") ?? parts.args[1];
  let queryset: ChainOp[] | null = null;
  let querysetModel: string | null = null;
  if (qsNode) {
    const { rootNode, ops } = chainOps(text, qsNode);
    queryset = ops;
    const root = dotted(text, rootNode);
    if (root && root.includes(".")) querysetModel = root.slice(0, root.lastIndexOf("."));
  }
  return { lookup, toAttr: toAttrNode && toAttr === null ? "?" : toAttr, queryset, querysetModel };
}

function metaFact(text: string, body: SyntaxNode): MetaFact {
  const meta: MetaFact = { indexed: [] };
  for (const stmt of body.children) {
    const assign = stmt.type === "expression_statement" ? stmt.children[0] : undefined;
    if (!assign || assign.type !== "assignment") continue;
    const left = field(assign, "left");
    const right = field(assign, "right");
    if (!left || !right) continue;
    const name = nodeText(text, left);
    const v = valueFact(text, right);
    switch (name) {
      case "abstract":
        meta.abstract = v?.bool === true;
        break;
      case "proxy":
        meta.proxy = v?.bool === true;
        break;
      case "managed":
        meta.unmanaged = v?.bool === false;
        break;
      case "app_label":
        if (v?.str) meta.appLabel = v.str;
        break;
      case "db_table":
        if (v?.str) meta.dbTable = v.str;
        break;
      case "model":
        if (v?.dotted) meta.model = v.dotted;
        break;
      case "fields":
        if (v?.str === "__all__") meta.fields = "__all__";
        else if (v?.list && v.list.every((x) => x !== null)) meta.fields = v.list as string[];
        else meta.fieldsParts = fieldsParts(text, right);
        break;
      case "depth":
        if (v?.num !== undefined) meta.depth = v.num;
        break;
      case "default_manager_name":
        if (v?.str) meta.defaultManagerName = v.str;
        break;
      case "ordering":
        if (v?.list) meta.ordering = v.list.filter((s): s is string => s !== null);
        break;
      case "unique_together":
      case "index_together": {
        // ("a", "b") or [("a", "b"), ...]
        if (right.type === "list" || right.type === "tuple") {
          const inner = right.children.filter((c) => c.type === "list" || c.type === "tuple");
          const sets = inner.length ? inner.map((t) => t.children.map((c) => stringValue(text, c) ?? "?")) : [right.children.map((c) => stringValue(text, c) ?? "?")];
          meta.indexed.push(...sets);
          if (name === "unique_together") (meta.unique ??= []).push(...sets.filter((set) => set.length && !set.includes("?")));
        }
        break;
      }
      case "indexes":
      case "constraints": {
        // `Base.Meta.indexes + [Index(...)]`: the literal parts are read (the base's own are the base's facts).
        const lists: SyntaxNode[] = [];
        const parts = [right];
        while (parts.length) {
          const x = parts.pop()!;
          if (x.type === "list" || x.type === "tuple") lists.push(x);
          else if (x.type === "binary_operator") parts.push(...x.children);
          else if (x.type === "parenthesized_expression") parts.push(...x.children);
        }
        for (const item of lists.flatMap((l) => l.children)) {
          const parts = item.type === "call" ? callParts(text, item) : null;
          if (!parts) continue;
          const callee = dotted(text, parts.func) ?? "";
          if (name === "constraints" && !/UniqueConstraint$/.test(callee)) continue;
          const fieldsArg = parts.kwargs.get("fields");
          if (fieldsArg && (fieldsArg.type === "list" || fieldsArg.type === "tuple")) {
            const cols = fieldsArg.children.map((c) => (stringValue(text, c) ?? "?").replace(/^-/, ""));
            meta.indexed.push(cols);
            // Unique among every row only without a condition (a partial one is unique among the rows it holds).
            if (name === "constraints" && !parts.kwargs.get("condition") && cols.length && !cols.includes("?")) (meta.unique ??= []).push(cols);
          } else if (parts.args.length) {
            // Index(F("x"), ...) or expressions: the leading column is not known.
            meta.indexed.push(["?"]);
          }
          // A partial index (`condition=Q(status="P")`) holds the rows a filter on its condition asks for. Kept as
          // ["=status", '"P"'] (the column marked, the value's text): it serves that column's lookups of that
          // value, and narrows nothing else.
          if (parts.kwargs.get("condition")) {
            for (const [k, v] of conditionKwargs(text, item, "condition")) {
              const [col, ...lookup] = k.split("__");
              if (lookup.length === 0 || (lookup.length === 1 && lookup[0] === "exact")) meta.indexed.push([`=${col}`, text.slice(v.start, v.end)]);
            }
          }
        }
        break;
      }
    }
  }
  return meta;
}

/** `X.Meta.fields`: X's dotted name. */
function metaFieldsRef(text: string, node: SyntaxNode): { ref: string } | null {
  const d = node.type === "attribute" ? dotted(text, node) : null;
  return d && /\.Meta\.fields$/.test(d) ? { ref: d.replace(/\.Meta\.fields$/, "") } : null;
}

/** The parts of `A.Meta.fields + ("x",) + [...]` (see MetaFact.fieldsParts). */
function fieldsParts(text: string, node: SyntaxNode): (string[] | { ref: string } | null)[] {
  while (node.type === "parenthesized_expression" && node.children.length === 1) node = node.children[0];
  const l = node.type === "binary_operator" ? field(node, "left") : undefined;
  const r = node.type === "binary_operator" ? field(node, "right") : undefined;
  if (l && r) return operatorOf(text, node) === "+" ? [...fieldsParts(text, l), ...fieldsParts(text, r)] : [null];
  if (node.type === "list" || node.type === "tuple") {
    // ("a", *Base.Meta.fields, "b")
    const out: (string[] | { ref: string } | null)[] = [];
    for (const c of node.children) {
      if (c.type === "comment") continue;
      const s = stringValue(text, c);
      const last = out[out.length - 1];
      if (s !== null) {
        if (Array.isArray(last)) last.push(s);
        else out.push([s]);
      } else out.push(c.type === "list_splat" && c.children[0] ? metaFieldsRef(text, c.children[0]) : null);
    }
    return out.length ? out : [[]];
  }
  return [metaFieldsRef(text, node)];
}

function assignFact(text: string, left: SyntaxNode, right: SyntaxNode, stmt: SyntaxNode): AssignFact | null {
  if (left.type !== "identifier") return null;
  const fact: AssignFact = {
    name: nodeText(text, left), start: stmt.start, end: stmt.end, callee: null, fromQueryset: null,
    firstArg: null, kwargs: {}, argsEnd: right.end, value: null, valueStart: right.start, valueEnd: right.end,
  };
  if (right.type !== "call") {
    fact.value = valueFact(text, right);
    return fact;
  }
  const parts = callParts(text, right);
  if (!parts) return fact;
  fact.callee = dotted(text, parts.func);
  // `models.ForeignKey[User, User](...)`: the field class with type parameters (django-stubs).
  if (!fact.callee && parts.func.type === "subscript") {
    const value = field(parts.func, "value");
    if (value) fact.callee = dotted(text, value);
  }
  // Manager.from_queryset(QS)()
  if (!fact.callee && parts.func.type === "call") {
    const inner = callParts(text, parts.func);
    const innerCallee = inner ? dotted(text, inner.func) : null;
    if (inner && innerCallee && innerCallee.endsWith(".from_queryset")) {
      fact.callee = innerCallee;
      fact.fromQueryset = dotted(text, inner.args[0]);
    }
  }
  fact.firstArg = valueFact(text, parts.args[0]);
  for (const [k, v] of parts.kwargs) {
    const vf = valueFact(text, v);
    if (vf) fact.kwargs[k] = vf;
    else fact.kwargs[k] = {};
  }
  if (parts.argList) {
    fact.argsEnd = parts.argList.end - 1;
    const lastArg = lastArgument(parts.argList);
    if (lastArg) fact.lastArg = { start: lastArg.start, end: lastArg.end };
  }
  return fact;
}

function methodFact(text: string, fn: SyntaxNode, decorators: string[]): MethodFact | null {
  const nameNode = field(fn, "name");
  const body = field(fn, "body");
  if (!nameNode || !body) return null;
  const params: string[] = [];
  for (const p of field(fn, "parameters")?.children ?? []) {
    const id = p.type === "identifier" ? p : p.type === "typed_parameter" ? p.children.find((c) => c.type === "identifier") : field(p, "name");
    params.push(id ? nodeText(text, id) : "?");
  }
  const probes: Record<number, string[]> = {};
  const fact: MethodFact = { name: nodeText(text, nameNode), returns: null, start: fn.start, end: fn.end, decorators, params, reads: paramReads(text, body, params, probes) };
  if (Object.keys(probes).length) fact.probes = probes;
  if (fact.name === "save" && saveActsOnlyWhenNew(text, body, params)) fact.newOnly = true;
  if (fact.name === "__init__") {
    const { forces, defaults } = initOptions(text, body);
    if (forces) fact.forces = forces;
    if (defaults) fact.defaults = defaults;
  }
  // Every `return X` of the body (not of nested functions): one shape, or several of the same root.
  const returns: SyntaxNode[] = [];
  const stack = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition") continue;
    if (n.type === "return_statement") returns.push(n);
    for (let i = 0; i < n.children.length; i++) stack.push(n.children[i]);
  }
  const shapes = returns.map((r) => (r.children[0] ? returnShape(text, r.children[0]) ?? variableShape(text, body, r) : null));
  if (!shapes.length || shapes.some((x) => x === null)) return fact;
  const first = shapes[0]!;
  if (shapes.length === 1) fact.returns = first;
  else if (shapes.every((x) => x!.root === first.root && x!.model === first.model)) {
    // Branches that join differently: what is loaded is unsure, so only keep them when none joins anything.
    const joins = shapes.some((x) => x!.ops.some((o) => o.method === "select_related" || o.method === "prefetch_related" || o.method === "fetch_mode"));
    if (!joins) fact.returns = { root: first.root, model: first.model, ops: [] };
  }
  return fact;
}

/** What a field class's `__init__` fixes or defaults (see MethodFact.forces and .defaults). */
function initOptions(text: string, body: SyntaxNode): { forces?: Record<string, boolean>; defaults?: Record<string, boolean> } {
  let out: Record<string, boolean> | undefined;
  let defaults: Record<string, boolean> | undefined;
  const bool = (v: SyntaxNode | undefined) => (v?.type === "true" ? true : v?.type === "false" ? false : undefined);
  walk(body, (n) => {
    if (n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition") return false;
    if (n.type === "call") {
      const fn = nodeText(text, field(n, "function") ?? n).replace(/\s+/g, "");
      if (/^super\([^)]*\)\.__init__$/.test(fn) || /\.__init__$/.test(fn)) {
        for (const [k, v] of callParts(text, n)?.kwargs ?? []) {
          const b = bool(v);
          if (b !== undefined) (out ??= {})[k] = b;
        }
      } else if (/^\w+\.setdefault$/.test(fn)) {
        const args = callParts(text, n)?.args ?? [];
        const k = args[0] ? stringValue(text, args[0]) : null;
        const b = bool(args[1]);
        if (k && b !== undefined) (defaults ??= {})[k] = b;
      }
    } else if (n.type === "assignment") {
      const left = field(n, "left");
      const b = bool(field(n, "right"));
      if (left?.type === "subscript" && b !== undefined) {
        const k = stringValue(text, field(left, "subscript") ?? left);
        if (k) (out ??= {})[k] = b;
      }
    }
    return true;
  });
  return { forces: out, defaults };
}

/**
 * `qs = super().get_queryset(); qs = qs.annotate(...); return qs`: the returned variable's chain, when it is only
 * assigned at the top level of the body (a conditional assignment could join anything: unsure).
 */
function variableShape(text: string, body: SyntaxNode, ret: SyntaxNode): MethodFact["returns"] {
  const value = ret.children[0];
  if (!value || value.type !== "identifier" || ret.parent !== body) return null;
  const name = nodeText(text, value);
  let shape = null as MethodFact["returns"];
  for (const stmt of body.children) {
    if (stmt === ret) break;
    const a = stmt.type === "expression_statement" ? stmt.children[0] : undefined;
    const left = a?.type === "assignment" ? field(a, "left") : undefined;
    if (a && left?.type === "identifier" && nodeText(text, left) === name) {
      const right = field(a, "right");
      if (!right) return null;
      const { rootNode, ops } = chainOps(text, right);
      const prev: NonNullable<MethodFact["returns"]> | null = shape;
      if (prev && rootNode.type === "identifier" && nodeText(text, rootNode) === name) shape = { root: prev.root, model: prev.model, ops: [...prev.ops, ...ops] };
      else shape = returnShape(text, right);
      if (!shape) return null;
      continue;
    }
    // Any other binding of the name (nested blocks, for targets, augmented assignment): unsure.
    const stack = [stmt];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === "identifier" && nodeText(text, n) === name) {
        const p = n.parent;
        if (p && (p.type === "assignment" || p.type === "augmented_assignment" || p.type === "for_statement" || p.type === "pattern_list") && field(p, "left") === n) return null;
      }
      for (let i = 0; i < n.children.length; i++) stack.push(n.children[i]);
    }
  }
  return shape;
}

function returnShape(text: string, value: SyntaxNode): MethodFact["returns"] {
  // `return (\n super().get_queryset()\n .select_related(...)\n)`: a chain laid out in parentheses.
  while (value.type === "parenthesized_expression" && value.children.length === 1) value = value.children[0];
  const { rootNode, ops } = chainOps(text, value);
  const rootText = nodeText(text, rootNode);
  if (rootText === "self") {
    if (ops.length && ops[0].method === "get_queryset") return { root: "self", ops: ops.slice(1) };
    return { root: "self", ops };
  }
  if (/^super\(.*\)$/s.test(rootText) && ops.length && QS_CHAIN_ROOTS.has(ops[0].method)) return { root: "super", ops: ops.slice(1) };
  // `return BookQuerySet(self.model, using=self._db)`: Django's custom manager idiom, a new queryset of the model
  // with nothing joined yet.
  const made = rootNode.type === "call" ? callParts(text, rootNode) : null;
  if (made && /(^|\.)\w*QuerySet$/.test(dotted(text, made.func) ?? "") && made.args[0] && nodeText(text, made.args[0]) === "self.model") return { root: "self", ops };
  const root = dotted(text, rootNode);
  if (root && /\.(objects|_default_manager)$/.test(root)) return { root: "model", model: root.slice(0, root.lastIndexOf(".")), ops };
  return null;
}

/**
 * After `rel.all()`, a call other than these runs a query of its own, which a prefetch of `rel` does not serve.
 * (`iterator()` is not one of them: it reads the database, never the prefetched result cache.)
 */
const SERVED_AFTER_ALL = /^(all|count|exists|first|last|__iter__)\(\)$/;

/** Does this segment, after a relation's `all()`, query anew (`order_by()`, `filter()`, a project QuerySet method)? */
export function requeriesAfterAll(seg: string | undefined): boolean {
  return !!seg && seg.endsWith("()") && !SERVED_AFTER_ALL.test(seg);
}

/**
 * Reads of a parameter without the prefixes that a longer chain at the same place (start, and file when given)
 * queries anew: `self.queues.all().order_by("title")` is recorded as that chain and as `self.queues.all()`, which
 * alone would read like a listing a prefetch serves.
 */
export function servedReads<R extends { chain: string[]; start: number; file?: string }>(reads: readonly R[]): R[] {
  return reads.filter(
    (r) =>
      r.chain[r.chain.length - 1] !== "all()" ||
      !reads.some((o) => o !== r && o.start === r.start && o.file === r.file && o.chain.length > r.chain.length && r.chain.every((x, i) => o.chain[i] === x) && requeriesAfterAll(o.chain[r.chain.length])),
  );
}

/** Is this attribute the outermost of its chain (not the object of another attribute)? */
export function outermostAttribute(n: SyntaxNode): boolean {
  return n.type === "attribute" && !(n.parent?.type === "attribute" && field(n.parent, "object") === n);
}

/**
 * What an attribute chain reads on the plain name at its root: `obj.author.name` -> obj, ["author", "name"]. A method
 * call along the way is kept as "x()" (`obj.tags.all().first` -> ["tags", "all()", "first"]), and a call of the whole
 * chain marks its last link. Null when the chain does not start at a plain name.
 */
export function attributeChain(text: string, n: SyntaxNode): { root: string; chain: string[] } | null {
  const chain: string[] = [];
  let cur: SyntaxNode | undefined = n;
  while (cur && cur.type === "attribute") {
    const attr = field(cur, "attribute");
    chain.unshift(attr ? nodeText(text, attr) : "?");
    const obj: SyntaxNode | undefined = field(cur, "object");
    if (obj?.type === "call") {
      // obj.x.all().first: keep the part up to the call
      const f = field(obj, "function");
      if (f?.type !== "attribute") return null;
      chain.unshift(`${nodeText(text, field(f, "attribute")!)}()`);
      cur = field(f, "object");
      continue;
    }
    cur = obj;
  }
  if (cur?.type !== "identifier") return null;
  if (n.parent?.type === "call" && field(n.parent, "function") === n) chain[chain.length - 1] += "()";
  return { root: nodeText(text, cur), chain };
}

/**
 * Attribute chains on parameters (outermost attribute of each chain only). Reads under a test that the object is
 * new (`if not self.pk:`, `if self._state.adding:`, `if is_new and ...:` after `is_new = self.pk is None`) are
 * left out: they never run for a row loaded from the database, which is what the callers ask about (a `save()`
 * that fills defaults from a relation on first save costs nothing when saving a loaded row).
 */
/** Is `n` assigned to (`n = ...`, `n, m = ...`), not read? */
export function assignedTo(n: SyntaxNode): boolean {
  let t = n;
  while (t.parent && (t.parent.type === "pattern_list" || t.parent.type === "tuple_pattern" || t.parent.type === "list_pattern")) t = t.parent;
  return t.parent?.type === "assignment" && field(t.parent, "left") === t;
}

function paramReads(text: string, body: SyntaxNode, params: string[], probes: Record<number, string[]>): MethodFact["reads"] {
  const out: MethodFact["reads"] = {};
  // Most bodies never test whether the object is new: skip the second walk and the condition tests for them.
  const mayTestNew = /\.(pk|id)\b|_state\.adding/.test(text.slice(body.start, body.end));
  const newFlags = mayTestNew ? newnessNames(text, body, params) : NO_NAMES;
  const stack = [body];
  // The bodies of `for` statements: a read there happens only when the loop's other collection has items
  // (`for child in self.get_children(): child.rack = self.rack`), so it is not counted as a read of every call.
  const loopBodies = new Set<SyntaxNode>();
  while (stack.length) {
    const n = stack.pop()!;
    // A read in a `raise` runs once, as the call fails (`raise ImproperlyConfigured(self.tool.name)`): not a read of
    // every call.
    if (n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition" || n.type === "raise_statement" || loopBodies.has(n)) continue;
    if (n.type === "for_statement") {
      const b = field(n, "body");
      if (b) loopBodies.add(b);
    }
    if (outermostAttribute(n)) {
      const c = attributeChain(text, n);
      const idx = c ? params.indexOf(c.root) : -1;
      // An assignment target reads what is below its last name: `self.owner = user` runs no query (it sets the key
      // and caches user), `self.owner.name = x` loads self.owner.
      const chain = c && assignedTo(n) ? c.chain.slice(0, -1) : c?.chain;
      if (c && chain && chain.length && idx >= 0 && !subqueryValue(text, n)) (out[idx] ??= []).push({ chain, start: n.start, end: n.end });
    }
    // getattr(obj, "name", ...) / hasattr(obj, "name"): an attribute probed by its name.
    if (n.type === "call" && (text.startsWith("getattr", n.start) || text.startsWith("hasattr", n.start))) {
      const parts = callParts(text, n);
      const fname = parts?.func.type === "identifier" ? nodeText(text, parts.func) : "";
      const idx = parts && (fname === "getattr" || fname === "hasattr") && parts.args[0]?.type === "identifier" ? params.indexOf(nodeText(text, parts.args[0])) : -1;
      const name = idx >= 0 && parts!.args[1] ? stringValue(text, parts!.args[1]) : null;
      if (name) (probes[idx] ??= []).push(name);
    }
    // `for x in obj` / `(... for x in obj)`: iterating the parameter runs its __iter__.
    if (n.type === "for_statement" || n.type === "for_in_clause") {
      const right = field(n, "right");
      const idx = right?.type === "identifier" ? params.indexOf(nodeText(text, right)) : -1;
      if (right && idx >= 0) (out[idx] ??= []).push({ chain: ["__iter__()"], start: right.start, end: right.end });
    }
    if (n.type === "if_statement") {
      const cond = field(n, "condition");
      const consequence = field(n, "consequence");
      const onlyNew = mayTestNew && cond && consequence && testsNewness(text, cond, params, newFlags);
      for (let i = 0; i < n.children.length; i++) if (!(onlyNew && n.children[i] === consequence)) stack.push(n.children[i]);
      continue;
    }
    // `is_new and not self.platform`: the right side runs only for a new object.
    if (mayTestNew && n.type === "boolean_operator" && operatorOf(text, n) === "and" && testsNewness(text, n.children[0], params, newFlags)) {
      stack.push(n.children[0]);
      continue;
    }
    for (let i = 0; i < n.children.length; i++) stack.push(n.children[i]);
  }
  return out;
}

/**
 * Is every statement of a save() body a docstring, `pass`, a newness flag (`is_new = self.pk is None`), a call or
 * return of super().save(...), or an `if` (without else) on a newness test?
 */
function saveActsOnlyWhenNew(text: string, body: SyntaxNode, params: string[]): boolean {
  const names = newnessNames(text, body, params);
  const superSave = (n: SyntaxNode | undefined) => !!n && n.type === "call" && /^super\([^)]*\)\.save$/.test(nodeText(text, field(n, "function") ?? n).replace(/\s+/g, ""));
  for (const st of body.children) {
    if (st.type === "comment" || st.type === "pass_statement") continue;
    if (st.type === "expression_statement") {
      const e = st.children[0];
      if (e?.type === "string" || superSave(e)) continue;
      if (e?.type === "assignment" && field(e, "left")?.type === "identifier" && names.has(nodeText(text, field(e, "left")!))) continue;
      return false;
    }
    if (st.type === "return_statement" && superSave(st.children[0])) continue;
    if (st.type === "if_statement") {
      const cond = field(st, "condition");
      if (cond && testsNewness(text, cond, params, names) && !st.children.some((c) => c.type === "else_clause" || c.type === "elif_clause")) continue;
    }
    return false;
  }
  return true;
}

const NO_NAMES: ReadonlySet<string> = new Set();

/** `not p.pk`, `not bool(p.id)`, `p.pk is None`, `p._state.adding`, for a parameter p. */
function isNewnessTest(text: string, n: SyntaxNode, params: string[], names: ReadonlySet<string>): boolean {
  const t = nodeText(text, n).replace(/\s+/g, " ");
  if (n.type === "identifier") return names.has(t);
  if (n.type === "parenthesized_expression" && n.children.length === 1) return isNewnessTest(text, n.children[0], params, names);
  const m = /^(?:not (?:bool\()?(\w+)\.(?:pk|id)\)?|(\w+)\.(?:pk|id) is None|(\w+)\._state\.adding)$/.exec(t);
  const p = m ? (m[1] ?? m[2] ?? m[3]) : undefined;
  return p !== undefined && params.includes(p);
}

/** A condition that holds only for a new object: a newness test, or an `and` with one among its operands. */
function testsNewness(text: string, cond: SyntaxNode, params: string[], names: ReadonlySet<string>): boolean {
  if (isNewnessTest(text, cond, params, names)) return true;
  if (cond.type !== "boolean_operator") return false;
  return operatorOf(text, cond) === "and" && cond.children.some((c) => testsNewness(text, c, params, names));
}

/** Local names assigned a newness test (`is_new = not bool(self.pk)`), and never anything else. */
function newnessNames(text: string, body: SyntaxNode, params: string[]): Set<string> {
  const yes = new Set<string>();
  const no = new Set<string>();
  const stack = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition") continue;
    if (n.type === "assignment" || n.type === "augmented_assignment" || n.type === "named_expression") {
      const left = field(n, n.type === "named_expression" ? "name" : "left");
      const right = field(n, n.type === "named_expression" ? "value" : "right");
      if (left?.type === "identifier") {
        const name = nodeText(text, left);
        if (n.type !== "augmented_assignment" && right && isNewnessTest(text, right, params, new Set())) yes.add(name);
        else no.add(name);
      }
    }
    for (let i = 0; i < n.children.length; i++) stack.push(n.children[i]);
  }
  for (const x of no) yes.delete(x);
  return yes;
}

function decoratorNames(text: string, decorated: SyntaxNode): string[] {
  return decorated.children.filter((c) => c.type === "decorator").map((d) => nodeText(text, d).replace(/^@\s*/, ""));
}

function classFact(text: string, file: string, cls: SyntaxNode): ClassFact | null {
  const nameNode = field(cls, "name");
  const body = field(cls, "body");
  if (!nameNode || !body) return null;
  const bases: string[] = [];
  const sup = field(cls, "superclasses");
  if (sup) {
    for (const b of sup.children) {
      if (b.type === "keyword_argument" || b.type === "comment") continue;
      const d = dotted(text, b.type === "subscript" ? field(b, "value") : b);
      if (d) bases.push(d);
      else if (b.type === "call") {
        const parts = callParts(text, b);
        const inner = parts ? dotted(text, parts.func) : null;
        if (inner?.endsWith(".from_queryset") && parts) bases.push(`${inner}(${dotted(text, parts.args[0]) ?? "?"})`);
        else bases.push("?");
      } else bases.push("?");
    }
  }
  const fact: ClassFact = {
    name: nodeText(text, nameNode), file, start: cls.start, end: cls.end, nameStart: nameNode.start, nameEnd: nameNode.end,
    bases, assigns: [], methods: [], meta: { indexed: [] }, fetchPeers: false,
    decorators: cls.parent?.type === "decorated_definition" ? decoratorNames(text, cls.parent) : [],
  };
  for (const stmt of body.children) {
    if (stmt.type === "expression_statement") {
      const a = stmt.children[0];
      if (a?.type === "assignment") {
        const left = field(a, "left");
        const right = field(a, "right");
        if (left && right) {
          const af = assignFact(text, left, right, stmt);
          if (af) fact.assigns.push(af);
        }
      }
    } else if (stmt.type === "class_definition") {
      const n = field(stmt, "name");
      const b = field(stmt, "body");
      if (n && b && nodeText(text, n) === "Meta") {
        fact.meta = metaFact(text, b);
        fact.meta.declared = true;
        const mb = baseNames(text, stmt).filter((x): x is string => !!x && x !== "object");
        if (mb.length) fact.meta.bases = mb;
      }
    } else if (stmt.type === "function_definition") {
      const m = methodFact(text, stmt, []);
      if (m) fact.methods.push(m);
    } else if (stmt.type === "decorated_definition") {
      const def = field(stmt, "definition");
      if (def?.type === "function_definition") {
        const m = methodFact(text, def, decoratorNames(text, stmt));
        if (m) fact.methods.push(m);
      }
    }
  }
  // `ticket_for_url = property(_get_ticket_for_url)` (or `property(fget=...)`, with a setter after it): a property
  // whose getter is a method of the class, as `@property def ticket_for_url` would be.
  for (const stmt of body.children) {
    const a = stmt.type === "expression_statement" ? stmt.children[0] : undefined;
    const left = a?.type === "assignment" ? field(a, "left") : undefined;
    const right = a?.type === "assignment" ? field(a, "right") : undefined;
    const parts = right?.type === "call" ? callParts(text, right) : null;
    if (left?.type !== "identifier" || !parts || nodeText(text, parts.func) !== "property") continue;
    const getter = parts.args[0] ?? parts.kwargs.get("fget");
    const m = getter?.type === "identifier" ? fact.methods.find((x) => x.name === nodeText(text, getter)) : undefined;
    const name = nodeText(text, left);
    if (m && !fact.methods.some((x) => x.name === name)) fact.methods.push({ ...m, name, decorators: ["property"] });
  }
  if (/fetch_mode\(\s*(models\.)?FETCH_PEERS/.test(nodeText(text, body))) fact.fetchPeers = true;
  return fact;
}

export function importFacts(text: string, stmt: SyntaxNode, imports: Record<string, string>, module: string): void {
  if (stmt.type === "import_from_statement") {
    const modNode = field(stmt, "module_name");
    if (!modNode) return;
    let mod = nodeText(text, modNode);
    if (mod.startsWith(".")) {
      // Relative import: resolve against this module's package.
      const dots = /^\.+/.exec(mod)![0].length;
      const pkg = module.split(".");
      const base = pkg.slice(0, Math.max(0, pkg.length - dots));
      mod = [...base, mod.slice(dots)].filter(Boolean).join(".");
    }
    for (const c of stmt.children) {
      if (c === modNode) continue;
      if (c.type === "dotted_name") imports[nodeText(text, c)] = `${mod}.${nodeText(text, c)}`;
      else if (c.type === "aliased_import") {
        const n = field(c, "name");
        const alias = field(c, "alias");
        if (n && alias) imports[nodeText(text, alias)] = `${mod}.${nodeText(text, n)}`;
      }
    }
  } else if (stmt.type === "import_statement") {
    for (const c of stmt.children) {
      if (c.type === "dotted_name") {
        const full = nodeText(text, c);
        imports[full.split(".")[0]] = full.split(".")[0];
      } else if (c.type === "aliased_import") {
        const n = field(c, "name");
        const alias = field(c, "alias");
        if (n && alias) imports[nodeText(text, alias)] = nodeText(text, n);
      }
    }
  }
}

// exclude(f=v) is NOT (f = v): an index does not serve it, so it is not a lookup use.
const FILTER_METHODS = new Set(["filter", "get", "get_or_create", "update_or_create", "aget", "afilter", "count", "exists", "first", "last"]);
const ORDER_METHODS = new Set(["order_by", "latest", "earliest"]);

/** The filter keys of one call; "**" for a condition that cannot be read (`**kwargs`, a positional argument that is not a Q(...)). */
function chainCallKeys(text: string, call: SyntaxNode): string[] {
  const kwargs = conditionKwargs(text, call);
  const keys = lookupKeys(text, kwargs);
  // `shop=None` is `shop__isnull=True`: not a lookup of its own, but it may narrow the query (a foreign key's index
  // holds the nulls too, as does a unique_together leading with it).
  for (const [k, v] of kwargs) if (v.type === "none" && !/__/.test(k)) keys.push(`${k}__isnull`);
  keys.push(...orGroups(text, call));
  const args = field(call, "arguments");
  for (const a of args?.children ?? []) {
    if (a.type === "dictionary_splat" || a.type === "list_splat") keys.push("**");
    else if (a.type !== "keyword_argument" && a.type !== "comment" && !(a.type === "call" && /(^|\.)Q$/.test(dotted(text, field(a, "function")) ?? ""))) {
      if (!/^(boolean_operator|binary_operator|parenthesized_expression|unary_operator)$/.test(a.type) || opaqueCondition(text, a)) keys.push("**");
    }
  }
  return keys;
}

/**
 * The `Q(...) | Q(...)` conditions of a call, each as one key "|a&b|c": the query is narrowed by an index when every
 * arm is (an arm's keys are ANDed: any one of them will do). An arm that cannot be read (a negation, a Q held in a
 * variable) gives no key.
 */
function orGroups(text: string, call: SyntaxNode): string[] {
  const out: string[] = [];
  const isQ = (n: SyntaxNode) => n.type === "call" && /(^|\.)Q$/.test(dotted(text, field(n, "function")) ?? "");
  const isOr = (n: SyntaxNode) => n.type === "binary_operator" && operatorOf(text, n) === "|";
  /** The keys of an arm: Q(...) calls joined by `&`; null for anything else. */
  const armKeys = (n: SyntaxNode): string[] | null => {
    n = strip(n);
    if (isQ(n)) {
      const q = callParts(text, n);
      if (!q || q.splat || q.args.length) return null;
      return [...q.kwargs.keys()];
    }
    if (n.type === "binary_operator" && operatorOf(text, n) === "&") {
      const a = armKeys(field(n, "left")!);
      const b = armKeys(field(n, "right")!);
      return a && b ? [...a, ...b] : null;
    }
    return null;
  };
  const stack = [...(callParts(text, call)?.args ?? [])];
  while (stack.length) {
    const n = strip(stack.pop()!);
    if (isOr(n)) {
      const keys = orOperands(text, n).map(armKeys);
      if (keys.every((k): k is string[] => !!k && k.length > 0)) out.push(`|${keys.map((k) => k.join("&")).join("|")}`);
      continue;
    }
    if (n.type === "binary_operator") for (const c of n.children) stack.push(c);
  }
  return out;
}

/**
 * A combination of conditions with a part that cannot be read: a Q held in a variable or returned by a call
 * (`base_q & Q(started__lte=t)`), anything but Q(...) objects combined with &, | and ~.
 */
function opaqueCondition(text: string, expr: SyntaxNode): boolean {
  const stack = [expr];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "call" && /(^|\.)Q$/.test(dotted(text, field(n, "function")) ?? "")) continue;
    if (n.type === "identifier" || n.type === "attribute" || n.type === "call" || n.type === "subscript") return true;
    for (let i = 0; i < n.children.length; i++) stack.push(n.children[i]);
  }
  return false;
}

/** The filter keys of every filter call along the method chain that `call` belongs to. */
function chainKeys(text: string, call: SyntaxNode): string[] {
  // Up to the outermost call of the chain: `call` is the receiver of `.method(...)` while its parent is that attribute.
  let top = call;
  for (;;) {
    const attr = top.parent;
    const outer = attr?.parent;
    if (attr?.type !== "attribute" || field(attr, "object") !== top || outer?.type !== "call" || field(outer, "function") !== attr) break;
    top = outer;
  }
  const keys: string[] = [];
  // Prefetch("rel", queryset=...): Django adds the relation's filter (`rel_id IN (...)`) to this queryset.
  const arg = top.parent?.type === "keyword_argument" ? top.parent.parent : top.parent;
  const prefetch = arg?.type === "argument_list" ? arg.parent : undefined;
  if (prefetch?.type === "call" && /(^|\.)Prefetch$/.test(dotted(text, field(prefetch, "function")) ?? "")) keys.push("**");
  let r: SyntaxNode | undefined = top;
  while (r && r.type === "call") {
    const mc = methodCall(text, r);
    if (!mc) break;
    if (FILTER_METHODS.has(mc.method)) keys.push(...chainCallKeys(text, r));
    // A method of the project's manager or QuerySet (`Release.objects.released()`): the index reads its filters.
    else if (!QUERYSET_API.has(mc.method) && !/^_/.test(mc.method)) keys.push(`@${mc.method}`);
    r = mc.receiver;
  }
  // A manager named on the model (`Version.external.filter(...)`): its get_queryset() may filter (the index reads it).
  const manager = r?.type === "attribute" ? nodeText(text, field(r, "attribute") ?? r) : "";
  if (manager && manager !== "objects" && /^[A-Za-z]\w*$/.test(manager)) keys.push(`%${manager}`);
  return keys;
}

/** Django's own QuerySet and manager methods: any other method in a chain is the project's. */
export const QUERYSET_API = new Set([
  "all", "filter", "exclude", "get", "order_by", "distinct", "reverse", "using", "select_related", "prefetch_related",
  "annotate", "alias", "only", "defer", "values", "values_list", "none", "extra", "select_for_update", "iterator",
  "first", "last", "count", "exists", "latest", "earliest", "in_bulk", "aggregate", "update", "delete", "create",
  "get_or_create", "update_or_create", "bulk_create", "bulk_update", "union", "intersection", "difference", "dates",
  "datetimes", "raw", "complex_filter", "contains", "explain", "get_queryset", "fetch_mode", "as_manager",
  "aget", "afilter", "acount", "aexists", "afirst", "alast", "aiterator", "aaggregate", "aupdate", "adelete",
  "acreate", "aget_or_create", "aupdate_or_create", "abulk_create", "abulk_update", "ain_bulk", "alatest", "aearliest",
]);

/**
 * The keyword arguments of a filter call and of the Q(...) objects among its positional arguments; with `only`, the
 * Q(...) objects of that keyword argument (an index's `condition=`).
 */
function conditionKwargs(text: string, call: SyntaxNode, only?: string): [string, SyntaxNode][] {
  const parts = callParts(text, call);
  if (!parts) return [];
  const out = only ? [] : [...parts.kwargs.entries()].filter(([k]) => k !== "defaults" && k !== "create_defaults");
  const stack = only ? [parts.kwargs.get(only)!].filter(Boolean) : [...parts.args];
  while (stack.length) {
    const n = stack.pop()!;
    // An arm of `|`, or a negation (`~Q(...)`): not a condition every row matches, so neither an index use nor a
    // narrowing of the query (an index on one arm cannot serve the other).
    if (!only && n.type === "binary_operator" && operatorOf(text, n) === "|") {
      // Every arm compares the same column for equality (`Q(status="a") | Q(status="b")`): that is `status__in`,
      // which an index on the column serves.
      const same = sameColumnArms(text, n);
      if (same) out.push(same);
      continue;
    }
    if (!only && n.type === "unary_operator" && nodeText(text, n).startsWith("~")) continue;
    if (n.type === "call" && /(^|\.)Q$/.test(dotted(text, field(n, "function")) ?? "")) {
      const q = callParts(text, n);
      if (q) out.push(...q.kwargs.entries());
    }
    // `Q(a=1) and Q(b=2)` is Python's `and`, not `&`: a Q with conditions is truthy, so only the right one reaches
    // the query (and only the left one of `or`).
    const q = n.type === "boolean_operator" ? booleanOperand(text, n) : undefined;
    if (q) {
      stack.push(q);
      continue;
    }
    for (let i = 0; i < n.children.length; i++) stack.push(n.children[i]);
  }
  return out;
}

/**
 * For `Q(a=x) | Q(a__in=ys) | ...`, each arm a Q of one equality (or `__in`) condition on the same column: the first
 * arm's condition, standing for all of them. Null for any other OR.
 */
function sameColumnArms(text: string, or: SyntaxNode): [string, SyntaxNode] | null {
  const arms = orOperands(text, or);
  let column: string | null = null;
  let first: [string, SyntaxNode] | null = null;
  for (const a of arms) {
    if (a.type !== "call" || !/(^|\.)Q$/.test(dotted(text, field(a, "function")) ?? "")) return null;
    const q = callParts(text, a);
    if (!q || q.splat || q.args.length || q.kwargs.size !== 1) return null;
    const [k, v] = [...q.kwargs.entries()][0];
    if (v.type === "none") return null;
    const col = k.replace(/__(exact|in)$/, "");
    if (column === null) column = col;
    else if (col !== column) return null;
    first ??= [k, v];
  }
  return first;
}

/** The operand `Q(...) and Q(...)` / `Q(...) or Q(...)` evaluates to when both are Q objects with conditions. */
function booleanOperand(text: string, n: SyntaxNode): SyntaxNode | undefined {
  const [a, b] = [field(n, "left"), field(n, "right")];
  const isQ = (x: SyntaxNode | undefined) => x?.type === "call" && /(^|\.)Q$/.test(dotted(text, field(x, "function")) ?? "") && (callParts(text, x)?.kwargs.size ?? 0) > 0;
  if (!a || !b || !isQ(a) || !isQ(b)) return undefined;
  const op = operatorOf(text, n);
  return op === "and" ? b : op === "or" ? a : undefined;
}

/**
 * The current time: `now()`, `today()`, `utcnow()`, also given a time zone (`datetime.now(UTC)`, `now(tz=utc)`,
 * `now(tz=ZoneInfo("UTC"))`), and the database's, Django's `Now()`.
 */
const NOW = /\b(now|Now|today|utcnow)\((\s*|\s*(tz\s*=\s*)?[\w.]+(\([^()]*\))?\s*)\)/;
const NOW_CALL = new RegExp(`${NOW.source}$`);

/** The `__lt`/`__lte` keys compared with an age before the current time (see LookupFact.olderThanNow). */
function olderThanNow(text: string, kwargs: [string, SyntaxNode][], call: SyntaxNode): string[] {
  const out: string[] = [];
  const scope = enclosingScope(call);
  // The values a name the enclosing function binds only with `=` can hold; null when it is bound otherwise.
  const boundTo = (name: SyntaxNode): SyntaxNode[] | null => {
    const bs = nameBindings(text, scope, nodeText(text, name));
    return bs?.length && bs.every((b) => b.op === "=" && !!b.value) ? bs.map((b) => b.value!) : null;
  };
  // The current time: `timezone.now()`, or a name bound only to it (`now = timezone.now()`).
  const isNow = (v: SyntaxNode, depth: number): boolean => {
    if (v.type === "call") return NOW_CALL.test(nodeText(text, v));
    const vs = v.type === "identifier" && depth < 2 ? boundTo(v) : null;
    return !!vs && vs.every((x) => isNow(x, depth + 1));
  };
  // Now minus an age: rows older than it. Not now itself: `alert_after__lt=now()` polls for the rows that are due,
  // a few at a time, which is what an index on a deadline column serves.
  const isAge = (v: SyntaxNode, depth: number): boolean => {
    const t = nodeText(text, v);
    if (NOW.test(t) && /\)\s*-/.test(t) && !/\+/.test(t)) return true;
    if (v.type === "binary_operator" && operatorOf(text, v) === "-") {
      const left = field(v, "left");
      return !!left && isNow(left, depth);
    }
    // A name the enclosing function binds only to such a value (`cutoff = timezone.now() - timedelta(hours=6)`, or
    // `window = now - timedelta(hours=1)` after `now = timezone.now()`).
    const vs = v.type === "identifier" && depth < 2 ? boundTo(v) : null;
    return !!vs && vs.every((x) => isAge(x, depth + 1));
  };
  for (const [k, v] of kwargs) if (/__lte?$/.test(k) && isAge(v, 0)) out.push(k);
  return out;
}

/** Keys compared with a literal True or False, and that literal. */
function boolValues(kwargs: [string, SyntaxNode][]): Record<string, boolean> | undefined {
  let out: Record<string, boolean> | undefined;
  for (const [k, v] of kwargs) if (v.type === "true" || v.type === "false") (out ??= {})[k] = v.type === "true";
  return out;
}

/**
 * Lookup keys an index may serve. Not f=None, which is IS NULL, rarely served by a plain index; nor a bound read
 * from the row itself (`last_heartbeat__lt=Now() - F("ttl")`): the index on the column cannot compare it with
 * another column.
 */
function lookupKeys(text: string, kwargs: [string, SyntaxNode][]): string[] {
  return kwargs.filter(([, v]) => v.type !== "none" && !/\bF\(/.test(text.slice(v.start, v.end))).map(([k]) => k);
}

/** Whether the method chain `call` belongs to ends in `.delete()` (`x.filter(...).order_by(...).delete()`). */
function endsInDelete(text: string, call: SyntaxNode): boolean {
  let n = call;
  for (;;) {
    const attr = n.parent;
    if (attr?.type !== "attribute" || attr.children[0] !== n || attr.parent?.type !== "call") return false;
    const name = attr.children.find((c) => c.field === "attribute");
    if (name && text.slice(name.start, name.end) === "delete") return true;
    n = attr.parent;
  }
}

/** Lookups written on chains rooted at `Model.manager`, found without knowing the models yet. */
/** Methods that keep a queryset in its model's default order (Meta.ordering) and return its rows. */
const KEEPS_ORDER = new Set(["all", "filter", "exclude", "select_related", "prefetch_related", "only", "defer", "values", "values_list", "distinct", "annotate", "alias", "using", "reverse", "first", "last"]);

/**
 * The model a chain starts from, as written: "Book" for `Book.objects...` (or any manager of Book), or
 * "@rel:flip_set" for a related manager (`check.flip_set.filter(...)`), whose accessor name the index resolves to
 * its model. Null when the chain starts elsewhere.
 */
function chainRoot(text: string, receiver: SyntaxNode | undefined): string | null {
  let r = receiver;
  while (r && r.type === "call") r = methodCall(text, r)?.receiver;
  const d = r && r.type === "attribute" ? dotted(text, r) : null;
  if (!d) return null;
  const last = d.slice(d.lastIndexOf(".") + 1);
  const rootName = d.slice(0, d.lastIndexOf("."));
  if (/^([a-z_][\w]*\.)*[A-Z]\w*$/.test(rootName)) return rootName;
  return /^[a-z_]\w*$/.test(last) && last !== "objects" ? `@rel:${last}` : null;
}

/**
 * A read of the first rows of a query in its model's default order: a chain with no order_by() (so Meta.ordering
 * sorts it) that is cut to a page: `.first()`, `.last()`, a slice or an index, or a list endpoint's class-level
 * `queryset = X.objects.all()` (a page of the list). Reading every row (a loop over `X.objects.all()`) is not one: the
 * database sorts what it reads either way, and an index on the order serves only a read that stops early.
 */
function firstRowsFact(text: string, call: SyntaxNode): LookupFact | null {
  const parent = call.parent;
  // Only the outermost call of a chain.
  if (parent?.type === "attribute" && field(parent, "object") === call) return null;
  let limited = parent?.type === "subscript" && field(parent, "value") === call;
  if (parent?.type === "assignment" && field(parent, "right") === call && parent.parent?.type === "expression_statement" && parent.parent.parent?.type === "block" && parent.parent.parent.parent?.type === "class_definition") {
    // `queryset = Room.objects.none()` beside a get_queryset() that builds its own: a placeholder for the schema and
    // the router. The rows come from get_queryset(), whose chain is read where it is written.
    if (nodeText(text, field(parent, "left")!) === "queryset" && placeholderQueryset(text, call, parent.parent.parent)) return null;
    // A view that sets its own `ordering` (DRF's OrderingFilter, a ListView's get_ordering()) sorts its pages by
    // that, not by Meta.ordering: the page is read in the order of those columns.
    const own = parent.parent.parent.children.find((st) => st.type === "expression_statement" && st.children[0]?.type === "assignment" && nodeText(text, field(st.children[0], "left") ?? st) === "ordering");
    if (nodeText(text, field(parent, "left")!) === "queryset" && own) {
      // A Django ListView's ordering is read with its paging by the index (collectUses); a DRF view's, over a whole
      // table (a chain that filters may be narrowed), is a page in that order.
      const cls = parent.parent.parent.parent;
      if (baseNames(text, cls).some((b) => !!b && DJANGO_LIST_VIEWS.test(b)) || chainKeys(text, call).length) return null;
      const value = field(own.children[0], "right");
      const items = value?.type === "list" || value?.type === "tuple" ? value.children.filter((c) => c.type !== "comment") : value ? [value] : [];
      const keys = items.map((c) => stringValue(text, c));
      const root = chainRoot(text, call);
      if (!root || !keys.length || keys.some((k) => !k || k === "?")) return null;
      return { root, keys: keys.map((k) => k!.replace(/^[-+]/, "")), chainKeys: chainKeys(text, call), kind: "order", start: call.start, end: call.end };
    }
    limited ||= nodeText(text, field(parent, "left")!) === "queryset";
  }
  let r: SyntaxNode | undefined = call;
  let first = true;
  let isManager = false;
  while (r && r.type === "call") {
    const mc = methodCall(text, r);
    if (!mc || !KEEPS_ORDER.has(mc.method)) return null;
    if (first && (mc.method === "first" || mc.method === "last")) limited = true;
    else if (mc.method === "first" || mc.method === "last") return null;
    first = false;
    r = mc.receiver;
    isManager = r.type === "attribute";
  }
  if (!limited || !isManager) return null;
  const root = chainRoot(text, call);
  if (!root) return null;
  return { root, keys: [], chainKeys: chainKeys(text, call), kind: "rows", start: call.start, end: call.end };
}

/**
 * A view's class-level `queryset` that its own `get_queryset()` does not read: `none()` (no rows at all), or any chain
 * when the class's get_queryset() neither calls `super().get_queryset()` nor reads `self.queryset`.
 */
function placeholderQueryset(text: string, call: SyntaxNode, body: SyntaxNode): boolean {
  for (let r: SyntaxNode | undefined = call; r?.type === "call"; r = methodCall(text, r)?.receiver) {
    if (methodCall(text, r)?.method === "none") return true;
  }
  const own = body.children.find((st) => st.type === "function_definition" && nodeText(text, field(st, "name") ?? st) === "get_queryset");
  return !!own && !/\bsuper\(|\.queryset\b/.test(nodeText(text, own));
}

/** Methods after which a chain still reads every row it selects, in its order. */
const READS_ALL = new Set(["all", "filter", "exclude", "select_related", "prefetch_related", "only", "defer", "values", "values_list", "distinct", "annotate", "alias", "using", "order_by", "reverse", "iterator"]);

/**
 * Is the chain holding this order_by() read whole: every later call keeps every row (no slice, first(), exists(),
 * ...), and the chain is the iterable of a loop or comprehension, the argument of list()/tuple()/set()/sorted(), a
 * value in a dict literal or a `context["name"] = ...` assignment (what a template gets: it lists what it is
 * handed), or is assigned to a local name that the function only reads that way (`vmps = VMP.objects.order_by("nm")`
 * then `{"vmps": vmps}`, a loop over it, `if vmps:` or `len(vmps)`, or a refinement of it read so).
 */
function readWhole(text: string, call: SyntaxNode): boolean {
  const top = readsAllFrom(text, call);
  return !!top && wholeUse(text, top, 0);
}

/** The outermost call of the chain from `node` on, when every call after it keeps every row; null otherwise. */
function readsAllFrom(text: string, node: SyntaxNode): SyntaxNode | null {
  let top = node;
  for (;;) {
    const p = top.parent;
    // `names = (TrainingRequest.objects.values(...).order_by(...)...)`: parentheses change nothing.
    if (p?.type === "parenthesized_expression") {
      top = p;
      continue;
    }
    if (p?.type !== "attribute" || field(p, "object") !== top || p.parent?.type !== "call" || field(p.parent, "function") !== p) break;
    const method = nodeText(text, field(p, "attribute") ?? p);
    if (!READS_ALL.has(method)) return null;
    top = p.parent;
  }
  return top;
}

/** `name`: the local name whose reads are being checked; a refinement stored back into it is read as it is. */
function wholeUse(text: string, top: SyntaxNode, depth: number, name?: string): boolean {
  const p = top.parent;
  if (!p) return false;
  if ((p.type === "for_statement" || p.type === "for_in_clause") && field(p, "right") === top) return true;
  if (p.type === "argument_list" && p.parent?.type === "call" && /^(list|tuple|set|sorted)$/.test(nodeText(text, field(p.parent, "function") ?? p)) && p.children.filter((c) => c.type !== "comment" && c.type !== "keyword_argument").length === 1) return true;
  if (p.type === "pair" && field(p, "value") === top) return true;
  if (p.type === "assignment" && field(p, "right") === top && field(p, "left")?.type === "subscript" && /^context$|_context$/.test(nodeText(text, field(field(p, "left")!, "value") ?? p))) return true;
  const left = p.type === "assignment" && field(p, "right") === top ? field(p, "left") : undefined;
  if (left?.type === "identifier" && nodeText(text, left) === name) return true;
  if (left?.type === "identifier" && depth < 3) return nameReadWhole(text, p, nodeText(text, left), depth + 1);
  return false;
}

/**
 * Every read of a local name in its function is whole (as wholeUse says, or `if name:` / `not name` / `len(name)` /
 * `bool(name)`, which fetch every row); a name read nowhere, or a module-level one, is not.
 */
function nameReadWhole(text: string, assignment: SyntaxNode, name: string, depth: number): boolean {
  let fn: SyntaxNode | null = assignment.parent;
  while (fn && fn.type !== "function_definition") fn = fn.parent;
  const body = fn ? field(fn, "body") : undefined;
  if (!body) return false;
  let reads = 0;
  let ok = true;
  walk(body, (n) => {
    if (!ok) return false;
    if (n.type !== "identifier" || nodeText(text, n) !== name) return true;
    const p = n.parent;
    if (!p) return true;
    // Not a read: a binding, an attribute's name, a keyword's name.
    if ((p.type === "assignment" || p.type === "augmented_assignment") && field(p, "left") === n) {
      if (p.type === "augmented_assignment") ok = false;
      return true;
    }
    if ((p.type === "attribute" && field(p, "attribute") === n) || (p.type === "keyword_argument" && field(p, "name") === n)) return true;
    if (p.type === "pattern_list" || p.type === "tuple_pattern" || ((p.type === "for_statement" || p.type === "for_in_clause") && field(p, "left") === n)) {
      ok = false;
      return true;
    }
    reads++;
    const top = readsAllFrom(text, n);
    if (!top) ok = false;
    else if (top === n && (p.type === "not_operator" || ((p.type === "if_statement" || p.type === "elif_clause") && field(p, "condition") === n) || (p.type === "argument_list" && /^(len|bool)$/.test(nodeText(text, field(p.parent!, "function") ?? p))))) return true;
    else if (!wholeUse(text, top, depth, name)) ok = false;
    return true;
  });
  return ok && reads > 0;
}

/** Django's and DRF's views of one object: their queryset is read through get_object(), by pk or a lookup field. */
export const SINGLE_OBJECT_VIEWS = /^(DetailView|UpdateView|DeleteView|SingleObjectMixin|BaseDetailView|BaseUpdateView|BaseDeleteView|RetrieveAPIView|UpdateAPIView|DestroyAPIView|RetrieveUpdateAPIView|RetrieveDestroyAPIView|RetrieveUpdateDestroyAPIView)$/;
/** Bases of a class that also lists its queryset, or may. */
/** Django's list views, whose `ordering` and paging the index reads with the view (ModelIndex.collectUses). */
export const DJANGO_LIST_VIEWS = /(^|\.)(ListView|ArchiveIndexView|MultipleObjectMixin)$/;
export const LISTING_VIEWS = /^(ListView|BaseListView|MultipleObjectMixin|ListModelMixin|ListAPIView|ListCreateAPIView|ModelViewSet|ReadOnlyModelViewSet|ArchiveIndexView|.*ArchiveView)$/;
/** DRF bases that make a viewset of one object when combined with Retrieve/Update/Destroy mixins only. */
const GENERIC_BASES = /^(GenericViewSet|GenericAPIView)$/;
const ONE_OBJECT_MIXINS = /^(RetrieveModelMixin|UpdateModelMixin|DestroyModelMixin)$/;

/**
 * A view of one object (DetailView, UpdateView, RetrieveAPIView, a GenericViewSet with only retrieve/update/destroy
 * mixins) reads its `queryset` / `get_queryset()` through get_object(), which adds a lookup on the primary key (or
 * its `lookup_field` / `slug_field`): the lookups written there are narrowed by it. Marked on their chain's keys.
 */
function singleObjectNarrowing(text: string, root: SyntaxNode, out: LookupFact[]): void {
  const cls = root.type === "decorated_definition" ? field(root, "definition") : root;
  if (cls?.type !== "class_definition" || !out.length) return;
  const bases = baseNames(text, cls).map((b) => (b ?? "?").replace(/^.*\./, ""));
  if (bases.some((b) => LISTING_VIEWS.test(b))) return;
  const body = field(cls, "body");
  if (!body) return;
  const generic = bases.some((b) => GENERIC_BASES.test(b)) && bases.every((b) => GENERIC_BASES.test(b) || ONE_OBJECT_MIXINS.test(b) || /Mixin$|Permission/.test(b));
  // A GenericAPIView whose own methods read the rows only through `self.get_object()` (openwisp's
  // DeviceActivateView: `post()` activates one device).
  const bodyText = generic ? nodeText(text, body) : "";
  const onlyGetObject = generic && /\bself\.get_object\(/.test(bodyText) && !/\bself\.(get_queryset|filter_queryset|paginate_queryset|queryset|list)\b/.test(bodyText);
  const single = bases.some((b) => SINGLE_OBJECT_VIEWS.test(b)) || (generic && (bases.some((b) => ONE_OBJECT_MIXINS.test(b)) || onlyGetObject));
  if (!single) return;
  let key = "pk";
  const spans: { start: number; end: number }[] = [];
  for (const stmt of body.children) {
    const a = stmt.type === "expression_statement" ? stmt.children[0] : undefined;
    if (a?.type === "assignment" && field(a, "left")?.type === "identifier") {
      const name = nodeText(text, field(a, "left")!);
      const value = stringValue(text, field(a, "right"));
      if ((name === "lookup_field" || name === "slug_field") && value) key = value;
      if (name === "queryset") spans.push(a);
    }
  }
  const gq = topLevelFunction(text, body, "get_queryset");
  if (gq) spans.push(gq);
  for (const lk of out) {
    if (spans.some((sp) => sp.start <= lk.start && lk.end <= sp.end) && !lk.chainKeys.includes(key)) lk.chainKeys = [...lk.chainKeys, key];
  }
}

/**
 * `qs = X.objects.filter(a=...)` followed, in the same block, by `qs = qs.filter(b=...)`: one query with both
 * conditions. The later statements' keys join the first chain's (only while each statement refines the name
 * unconditionally or is a plain statement that does not mention it; an `if` in between ends the run).
 */
function refinedNext(text: string, root: SyntaxNode, out: LookupFact[]): void {
  if (!out.length || !/^\s*(\w+)\s*=\s*\1\.\w+\(/m.test(text.slice(root.start, root.end))) return;
  const assignOf = (stmt: SyntaxNode) => {
    const a = stmt.type === "expression_statement" ? stmt.children[0] : undefined;
    return a?.type === "assignment" && field(a, "left")?.type === "identifier" && field(a, "right")?.type === "call" ? a : null;
  };
  walk(root, (n) => {
    if (n.type !== "block" && n.type !== "module") return true;
    const stmts = n.children;
    for (let i = 0; i < stmts.length; i++) {
      const a = assignOf(stmts[i]);
      if (!a) continue;
      const name = nodeText(text, field(a, "left")!);
      const right = field(a, "right")!;
      const first = out.filter((lk) => right.start <= lk.start && lk.end <= right.end);
      if (!first.length) continue;
      const extra: string[] = [];
      const mentions = new RegExp(`(^|[^\\w.])${name}\\b`);
      for (let k = i + 1; k < stmts.length; k++) {
        const b = assignOf(stmts[k]);
        // A plain statement that does not touch the name (another query's refinement) leaves the run going.
        if ((!b || nodeText(text, field(b, "left")!) !== name) && stmts[k].type === "expression_statement" && !mentions.test(nodeText(text, stmts[k]))) continue;
        if (!b || nodeText(text, field(b, "left")!) !== name) break;
        let r: SyntaxNode | undefined = field(b, "right")!;
        while (r?.type === "call") r = methodCall(text, r)?.receiver;
        if (r?.type !== "identifier" || nodeText(text, r) !== name) break;
        extra.push(...chainKeys(text, field(b, "right")!));
      }
      if (extra.length) for (const lk of first) lk.chainKeys = [...lk.chainKeys, ...extra.filter((k) => !lk.chainKeys.includes(k))];
    }
    return true;
  });
}

function lookupFacts(text: string, root: SyntaxNode): LookupFact[] {
  const src = text.slice(root.start, root.end);
  const filters = /\.(filter|exclude|get|order_by|get_or_create|update_or_create|latest|earliest)\(/.test(src);
  const pages = /\.(first|last)\(\)|\)\s*\[|^\s*queryset\s*=/m.test(src);
  if (!filters && !pages) return [];
  const out: LookupFact[] = [];
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "call") {
      if (pages) {
        const rows = firstRowsFact(text, n);
        if (rows) out.push(rows);
      }
      const mc = methodCall(text, n);
      if (mc && (FILTER_METHODS.has(mc.method) || ORDER_METHODS.has(mc.method))) {
        const rootName = chainRoot(text, mc.receiver);
        if (rootName) {
          if (FILTER_METHODS.has(mc.method)) {
            const kwargs = conditionKwargs(text, n);
            const keys = lookupKeys(text, kwargs);
            if (keys.length) {
              const fact: LookupFact = { root: rootName, keys, chainKeys: chainKeys(text, n), kind: "filter", start: n.start, end: n.end };
              const bools = boolValues(kwargs);
              if (bools) fact.bools = bools;
              const older = olderThanNow(text, kwargs, n);
              if (older.length) fact.olderThanNow = older;
              if (endsInDelete(text, n)) fact.prunes = true;
              out.push(fact);
            }
          } else {
            const parts = callParts(text, n);
            const keys = (parts?.args ?? []).map((a) => stringValue(text, a)).filter((k): k is string => !!k).map((k) => k.replace(/^[-+]/, ""));
            if (mc.method !== "order_by" && parts?.kwargs.size) keys.push(...[...parts.kwargs.keys()]);
            if (keys.length) {
              const fact: LookupFact = { root: rootName, keys, chainKeys: chainKeys(text, n), kind: "order", start: n.start, end: n.end };
              if (readWhole(text, n)) fact.whole = true;
              out.push(fact);
            }
          }
        }
      }
    }
    for (let i = 0; i < n.children.length; i++) stack.push(n.children[i]);
  }
  refinedNext(text, root, out);
  singleObjectNarrowing(text, root, out);
  oneRowReads(text, root, out);
  returnedByFunction(text, root, out);
  if (out.length && src.includes("scopes_disabled")) unscopedLookups(text, root, out);
  return out;
}

/**
 * Chains read for one row by their key: the `queryset=` of a DRF `@action(detail=True, ...)`, which get_object()
 * reads by `pk`, and the first argument of `get_object_or_404(qs, pk=...)`, which adds its keyword lookups.
 */
function oneRowReads(text: string, root: SyntaxNode, out: LookupFact[]): void {
  if (!out.length || !/\bdetail\s*=\s*True|get_object_or_404\(/.test(text.slice(root.start, root.end))) return;
  const add = (span: SyntaxNode, keys: string[]) => {
    for (const lk of out) if (span.start <= lk.start && lk.end <= span.end) lk.chainKeys = [...lk.chainKeys, ...keys.filter((k) => !lk.chainKeys.includes(k))];
  };
  walk(root, (n) => {
    if (n.type !== "call") return true;
    const fn = dotted(text, field(n, "function"));
    const parts = fn ? callParts(text, n) : null;
    if (!parts) return true;
    if (/(^|\.)action$/.test(fn!) && n.parent?.type === "decorator" && parts.kwargs.get("detail")?.type === "true") {
      const qs = parts.kwargs.get("queryset");
      if (qs) add(qs, ["pk"]);
    } else if (/(^|\.)get_object_or_404$/.test(fn!) && parts.args[0] && parts.kwargs.size && !parts.splat) {
      add(parts.args[0], [...parts.kwargs.keys()]);
    }
    return true;
  });
}

/**
 * Lookups under django-scopes' `with scopes_disabled():` (or in a function decorated `@scopes_disabled()`): the
 * scoped manager adds no filter there (see ModelIndex.scopeKeys).
 */
function unscopedLookups(text: string, root: SyntaxNode, out: LookupFact[]): void {
  walk(root, (n) => {
    let region: SyntaxNode | undefined;
    if (n.type === "with_statement" && /\bscopes_disabled\b/.test(nodeText(text, n.children.find((c) => c.type === "with_clause") ?? n))) region = field(n, "body");
    if (n.type === "decorated_definition" && n.children.some((c) => c.type === "decorator" && /\bscopes_disabled\b/.test(nodeText(text, c)))) region = n;
    if (region) for (const lk of out) if (region.start <= lk.start && lk.end <= region.end) lk.unscoped = true;
    return true;
  });
}

/** The name of the module-level function whose `return` value is the chain holding `call` (see LookupFact.returnedBy). */
function returnedByFunction(text: string, stmt: SyntaxNode, out: LookupFact[]): void {
  const def = stmt.type === "decorated_definition" ? field(stmt, "definition") : stmt;
  if (def?.type !== "function_definition" || !out.length) return;
  const name = nodeText(text, field(def, "name") ?? def);
  walk(def, (n) => {
    if (n !== def && (n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition")) return false;
    if (n.type !== "return_statement") return true;
    const value = n.children.find((c) => c.type !== "comment");
    if (value) for (const lk of out) if (value.start <= lk.start && lk.end <= value.end && chainTop(text, lk, value)) lk.returnedBy = name;
    return false;
  });
}

/** Is the lookup's call part of the chain that is `value` itself (not an argument inside it)? */
function chainTop(text: string, lk: LookupFact, value: SyntaxNode): boolean {
  let r: SyntaxNode | undefined = strip(value);
  while (r && r.type === "call") {
    if (r.start === lk.start && r.end === lk.end) return true;
    r = methodCall(text, r)?.receiver;
  }
  return false;
}

/** The calls of plain names in a statement that a method chain refines, with that chain's filter keys; cached per node. */
const refinementsCache = new WeakMap<SyntaxNode, { name: string; keys: string[] }[]>();

function callRefinements(text: string, stmt: SyntaxNode): { name: string; keys: string[] }[] {
  let out = refinementsCache.get(stmt);
  if (out) return out;
  out = [];
  const found = out;
  walk(stmt, (n) => {
    if (n.type === "call" && field(n, "function")?.type === "identifier") found.push({ name: nodeText(text, field(n, "function")!), keys: chainKeys(text, n) });
    return true;
  });
  refinementsCache.set(stmt, out);
  return out;
}

/**
 * A function's returned chain, refined by its callers in the file (`orders_in(c).filter(shop=s)`): each caller is one
 * way the query runs, so they join its keys as the arms of an OR ("|shop|shop_id"), narrowed only when every caller
 * is. A caller that adds no key (or keeps the queryset in a name) leaves it not narrowed.
 */
function refinedByCallers(text: string, root: SyntaxNode, lookups: LookupFact[]): LookupFact[] {
  if (!lookups.some((lk) => lk.returnedBy)) return lookups;
  const byName = new Map<string, string[][]>();
  for (const stmt of root.children) for (const r of callRefinements(text, stmt)) (byName.get(r.name) ?? byName.set(r.name, []).get(r.name)!).push(r.keys);
  return lookups.map((lk) => {
    const calls = lk.returnedBy ? byName.get(lk.returnedBy) : undefined;
    if (!calls?.length) return lk;
    const arms = calls.map((ks) => ks.filter((k) => !k.startsWith("|") && !k.startsWith("@") && !k.startsWith("%")).join("&"));
    return arms.every(Boolean) ? { ...lk, callers: `|${arms.join("|")}` } : lk;
  });
}

/** A signal's sender: `Book`, `"shop.Book"`, `apps.get_model("shop", "Book")`, `get_model("shop.Book")`, `get_user_model()`. */
const SENDER = String.raw`((?:apps\.)?get_model\(\s*["'][\w.]+["']\s*(?:,\s*["']\w+["']\s*)?\)|(?:\w+\.)?get_user_model\(\)|[\w.]+|["'][\w.]+["'])`;
const SIGNAL = new RegExp(
  String.raw`\b(pre_save|post_save|pre_delete|post_delete|m2m_changed)\b[^\n]*?sender\s*=\s*${SENDER}|\b(pre_save|post_save|pre_delete|post_delete)\.connect\([^)]*?sender\s*=\s*${SENDER}`,
  "g",
);

/** `pre_save.connect(handler, Book)`: the sender as connect()'s second positional argument. */
const CONNECT_POSITIONAL = new RegExp(String.raw`\b(?:pre_save|post_save|pre_delete|post_delete)\.connect\(\s*[\w.]+\s*,\s*${SENDER}\s*[,)]`, "g");
const WRITE_SIGNAL = /\b(?:pre_save|post_save|pre_delete|post_delete)\b/;
const RECEIVER_OR_CONNECT = /@receiver\(|\b(?:pre_save|post_save|pre_delete|post_delete)\.connect\(/g;

/** The text between a call's parentheses (`open` is the offset of "("), or null when they do not close soon. */
function callArgs(text: string, open: number): string | null {
  let depth = 0;
  for (let i = open; i < text.length && i < open + 500; i++) {
    const c = text[i];
    if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") {
      depth--;
      if (depth === 0) return text.slice(open + 1, i);
    }
  }
  return null;
}

/**
 * Receivers of every model's saves or deletes: `@receiver(post_save)`, `@receiver([pre_save, post_delete],
 * dispatch_uid="log")` (no sender), `post_delete.connect(handler)` (no sender, by keyword or by position).
 */
function anySenders(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(RECEIVER_OR_CONNECT)) {
    const open = m.index + m[0].length - 1;
    const args = callArgs(text, open);
    if (args === null || /\bsender\s*=/.test(args)) continue;
    if (m[0].startsWith("@")) {
      if (WRITE_SIGNAL.test(args)) out.push(...guardedClasses(text, open + args.length + 2));
    } else if (!/^\s*[\w.]+\s*,\s*[^\s=,]+\s*(,|$)/.test(args)) out.push("*"); // no positional sender after the handler
  }
  return out;
}

/**
 * What a decorated receiver takes: "*:Status" for each class of a guard that opens its body and stops it for
 * other instances (`if not isinstance(instance, Status): return`, or an `if isinstance(instance, (A, B)) ...:` that
 * is the whole body; `issubclass(sender, ...)` alike), else "*" (every model).
 */
function guardedClasses(text: string, from: number): string[] {
  const def = /^[^\n]*\n(?:[ \t]*@[^\n]*\n)*([ \t]*)(?:async\s+)?def\s+\w+\s*\([^)]*\)[^:\n]*:[^\n]*\n/.exec(text.slice(from, from + 600));
  if (!def) return ["*"];
  const indent = (l: string) => /^[ \t]*/.exec(l)![0].length;
  const lines: string[] = [];
  for (const l of text.slice(from + def[0].length, from + def[0].length + 3000).split("\n")) {
    if (l.trim() && indent(l) <= def[1].length) break;
    if (l.trim() && !l.trim().startsWith("#")) lines.push(l);
  }
  // Skip a docstring.
  let i = 0;
  const doc = /^\s*[rRuU]?("""|'''|"|')/.exec(lines[0] ?? "");
  if (doc) {
    const q = doc[1];
    const rest = lines[0].trim().slice(doc[0].trim().length);
    i = rest.includes(q) ? 1 : lines.findIndex((l, k) => k > 0 && l.includes(q)) + 1;
  }
  const first = lines[i];
  if (!first || i <= 0 && doc) return ["*"];
  const guard = /^\s*if\s+(not\s+)?(?:isinstance\(\s*instance|issubclass\(\s*sender)\s*,\s*(\([\w.,\s]*\)|[\w.]+)\s*\)[^\n]*:\s*(return\b)?/.exec(first);
  if (!guard) return ["*"];
  const stops = guard[1] ? !!guard[3] || /^\s*return\b/.test(lines[i + 1] ?? "") : lines.slice(i + 1).every((l) => indent(l) > indent(first));
  const names = guard[2].replace(/[()\s]/g, "").split(",").filter(Boolean);
  return stops && names.length ? names.map((n) => `*:${n.slice(n.lastIndexOf(".") + 1)}`) : ["*"];
}

/**
 * Senders as model references: "Book", "shop.Book", "@user" for the user model, "*" when a receiver takes every
 * model's saves or deletes (change logging, a search index), or "*:Status" when such a receiver tests the instance's
 * class first (subclasses of Status).
 */
function signalSenders(text: string): string[] {
  if (!/pre_save|post_save|pre_delete|post_delete|m2m_changed/.test(text)) return [];
  const out: string[] = [];
  out.push(...anySenders(text));
  for (const m of text.matchAll(CONNECT_POSITIONAL)) {
    if (/^["']?[A-Z]|get_model|get_user_model|AUTH_USER_MODEL/.test(m[1])) out.push(senderRef(m[1]));
  }
  if (!/sender\s*=/.test(text)) return out;
  for (const m of text.matchAll(SIGNAL)) {
    out.push(senderRef(m[2] ?? m[4]));
  }
  return out;
}

function senderRef(raw: string): string {
  const got = /get_model\(\s*["']([\w.]+)["']\s*(?:,\s*["'](\w+)["']\s*)?\)/.exec(raw);
  if (got) return got[2] ? `${got[1]}.${got[2]}` : got[1];
  if (/get_user_model\(\)$|(^|\.)AUTH_USER_MODEL$/.test(raw)) return "@user";
  return raw.replace(/["']/g, "");
}

/**
 * Quick text test: does this file possibly define models, managers, querysets or settings we care about, or
 * import models its queries name (`Stock.objects.create(...)` in a file with no class and no filter() still needs
 * its imports to know what `Stock` is)?
 */
export function mayHaveFacts(text: string): boolean {
  return /^\s*class\s+\w+\s*\(/m.test(text) || /AUTH_USER_MODEL|REST_FRAMEWORK|EMAIL_BACKEND|\b(pre|post)_(save|delete)\b|context_processors|sender\s*=|get_model\(|\.(filter|exclude|get|order_by|get_or_create|update_or_create|latest|earliest)\(|\.objects\b|_default_manager\b|\bmodels\b/.test(text);
}

/** The keys of fact objects that hold offsets into the file. */
export const OFFSET_KEYS = new Set(["start", "end", "nameStart", "nameEnd", "argsEnd", "valueStart", "valueEnd"]);

function shiftOffsets(x: unknown, delta: number): void {
  if (Array.isArray(x)) for (const v of x) shiftOffsets(v, delta);
  else if (x && typeof x === "object") {
    const o = x as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (typeof v === "number") {
        if (OFFSET_KEYS.has(k)) o[k] = v + delta;
      } else if (v && typeof v === "object") shiftOffsets(v, delta);
    }
  }
}

/** The facts of one top-level statement. */
interface StatementFacts {
  file: string;
  module: string;
  /** The statement's start when its offsets were last set. */
  start: number;
  classes: ClassFact[];
  imports: Record<string, string>;
  settings: FileFacts["settings"];
  lookups: LookupFact[];
  signalSenders: string[];
}

/**
 * Facts per top-level statement node. After an edit the incremental parser reuses the nodes of the statements the
 * edit did not touch (moving their offsets), so only the touched statements are read again.
 */
const statementFacts = new WeakMap<SyntaxNode, StatementFacts>();

function factsOfStatement(text: string, stmt: SyntaxNode, file: string, module: string): StatementFacts {
  const known = statementFacts.get(stmt);
  if (known && known.file === file && known.module === module) {
    if (known.start !== stmt.start) {
      shiftOffsets(known.classes, stmt.start - known.start);
      shiftOffsets(known.lookups, stmt.start - known.start);
      known.start = stmt.start;
    }
    return known;
  }
  const part: FileFacts = { file, module, classes: [], imports: {}, settings: {}, lookups: lookupFacts(text, stmt), signalSenders: [] };
  visitStatements(text, [stmt], 0, part);
  // Receivers are read from each statement's text (a decorated function, a connect() call), so an edit reads only
  // the changed statements again.
  const senders = signalSenders(nodeText(text, stmt));
  const out: StatementFacts = { file, module, start: stmt.start, classes: part.classes, imports: part.imports, settings: part.settings, lookups: part.lookups, signalSenders: senders };
  statementFacts.set(stmt, out);
  return out;
}

/** The statements' facts each file's facts were assembled from. */
const partsOf = new WeakMap<FileFacts, StatementFacts[]>();
const structureOfPart = new WeakMap<StatementFacts, string>();

/**
 * Facts the index never derives anything from: rules read them from the facts objects when they need them
 * (the attribute chains a method reads on its parameters). An edit that changes only these keeps the index.
 */
export const VOLATILE_KEYS = new Set(["reads"]);

/** Facts without their offsets, lookups and volatile parts: equal when an edit changed nothing the index holds. */
function plainStructure(x: unknown): string {
  return JSON.stringify(x, (k, v) => (OFFSET_KEYS.has(k) || VOLATILE_KEYS.has(k) || k === "lookups" ? undefined : v));
}

/**
 * What decides whether a class is a model (its name, bases and which assignments call what): for a class the index
 * built nothing from, the rest of its facts can change without a rebuild (see ModelIndex.derivesFrom).
 */
export function classIdentity(c: ClassFact): string {
  return JSON.stringify([c.name, c.bases, c.assigns.map((a) => [a.name, a.callee])]);
}

/** The facts of one class without offsets, lookups and volatile parts. */
export function classStructure(c: ClassFact): string {
  return plainStructure(c);
}

/** Forgets the per-statement parts a file's facts were assembled from (after they were changed in place). */
export function forgetParts(facts: FileFacts): void {
  partsOf.delete(facts);
}

/** The volatile parts of a class's facts, for telling whether they changed. */
export function volatileOf(c: ClassFact): string {
  return JSON.stringify(c.methods.map((m) => m.reads));
}

/**
 * A string that is equal for two files' facts when they hold the same things (offsets and lookups aside). Built
 * from each statement's facts, so after an edit only the touched statements are serialized again.
 */
export function factsStructure(facts: FileFacts): string {
  const parts = partsOf.get(facts);
  if (!parts) return plainStructure(facts);
  const out = [facts.file, facts.module, JSON.stringify(facts.signalSenders)];
  for (const p of parts) {
    if (!p.classes.length && !Object.keys(p.imports).length && !Object.keys(p.settings).length) continue;
    let s = structureOfPart.get(p);
    if (s === undefined) structureOfPart.set(p, (s = plainStructure([p.classes, p.imports, p.settings])));
    out.push(s);
  }
  return out.join("\u0001");
}

export function extractFacts(syntax: Syntax, file: string, module: string): FileFacts {
  const { text, root } = syntax;
  const facts: FileFacts = { file, module, classes: [], imports: {}, settings: {}, lookups: [], signalSenders: [] };
  const parts = root.children.map((stmt) => factsOfStatement(text, stmt, file, module));
  for (const p of parts) {
    facts.signalSenders.push(...p.signalSenders);
    facts.classes.push(...p.classes);
    Object.assign(facts.imports, p.imports);
    Object.assign(facts.settings, p.settings);
  }
  // Last statement first, as one walk of the whole tree finds them.
  for (let i = parts.length - 1; i >= 0; i--) facts.lookups.push(...parts[i].lookups);
  facts.lookups = refinedByCallers(text, root, facts.lookups);
  partsOf.set(facts, parts);
  return facts;
}

/** EMAIL_BACKEND values that queue mail for a worker: django-celery-email, post_office, django-mailer, RQ/huey. */
const QUEUED_MAIL = /djcelery_email|celery_email|CeleryEmailBackend|post_office|mailer\.backend|rq_email|huey/;

/** Class, import and settings facts of a block's statements (and of if/try blocks in it, a few levels down). */
function visitStatements(text: string, statements: SyntaxNode[], depth0: number, facts: FileFacts): void {
  const { file, module } = facts;
  /** A settings assignment: AUTH_USER_MODEL, TEMPLATES' context processors, REST_FRAMEWORK's defaults. */
  const settingAssign = (a: SyntaxNode) => {
    const left = field(a, "left");
    const right = field(a, "right");
    const name = left ? nodeText(text, left) : "";
    if (name === "AUTH_USER_MODEL") {
      const s = stringValue(text, right);
      if (s) facts.settings.authUserModel = s;
    } else if (name === "TEMPLATES" && right) {
      // The context processors of TEMPLATES[...]["OPTIONS"]: what every request-rendered template can read.
      const ps = [...nodeText(text, right).matchAll(/["']([\w.]+\.context_processors\.\w+)["']/g)].map((m) => m[1]);
      if (ps.length) facts.settings.contextProcessors = ps;
    } else if ((name === "EMAIL_BACKEND" && right && QUEUED_MAIL.test(nodeText(text, right))) || name === "CELERY_EMAIL_BACKEND") {
      // Mail goes through a queue (django-celery-email, post_office, django-mailer): sending it in a view only
      // queues it.
      facts.settings.queuedMail = true;
    } else if (name === "REST_FRAMEWORK" && right) {
      const rf = nodeText(text, right);
      if (/["']DEFAULT_PAGINATION_CLASS["']\s*:\s*(?!None\b)/.test(rf)) facts.settings.defaultPagination = true;
      const perms = /["']DEFAULT_PERMISSION_CLASSES["']\s*:\s*[\[(]([^\])]*)[\])]/.exec(rf);
      if (perms && !/^\s*(["'][\w.]*AllowAny["']\s*,?\s*)?$/.test(perms[1])) facts.settings.restrictedPermissions = true;
    }
  };
  const visitBlock = (block: SyntaxNode, depth: number) => {
    for (const stmt of block.children) {
      switch (stmt.type) {
        case "class_definition": {
          const c = classFact(text, file, stmt);
          if (c) facts.classes.push(c);
          // Settings kept as class attributes (django-configurations, a `class Base(Settings):` settings module).
          for (const inner of field(stmt, "body")?.children ?? []) if (inner.type === "expression_statement" && inner.children[0]?.type === "assignment") settingAssign(inner.children[0]);
          break;
        }
        case "decorated_definition": {
          const def = field(stmt, "definition");
          if (def?.type === "class_definition") {
            const c = classFact(text, file, def);
            if (c) facts.classes.push(c);
          }
          break;
        }
        case "import_from_statement":
        case "import_statement":
          importFacts(text, stmt, facts.imports, module);
          break;
        case "expression_statement": {
          const a = stmt.children[0];
          if (a?.type === "assignment") {
            const left = field(a, "left");
            const right = field(a, "right");
            const name = left ? nodeText(text, left) : "";
            const gm = right?.type === "call" ? /^(?:[\w.]*\.)?get_model\(\s*["'](\w+)["']\s*,\s*["'](\w+)["']\s*\)$/.exec(nodeText(text, right)) : null;
            if (gm && left?.type === "identifier") facts.imports[name] = `@model:${gm[1]}.${gm[2]}`;
            settingAssign(a);
          }
          break;
        }
        case "if_statement":
        case "try_statement":
        case "else_clause":
        case "elif_clause":
        case "except_clause":
        case "finally_clause":
          if (depth < 3) {
            for (const c of stmt.children) {
              if (c.type === "block") visitBlock(c, depth + 1);
              else if (/_clause$/.test(c.type)) visitBlock(withChildren(c, [c]), depth + 1);
            }
          }
          break;
      }
    }
  };
  visitBlock({ type: "block", start: 0, end: 0, field: null, parent: null, children: statements }, depth0);
}

export { methodCall };
