/**
 * Queryset flow: within each function, method and module body, which model a value holds, whether it is a
 * queryset, a manager, a row of an iterated queryset or a single instance, and which relations were joined
 * (select_related), prefetched (prefetch_related / Prefetch) or annotated where it was built.
 *
 * The result is a list of facts the rules read: relation reads on rows inside loops, queries executed inside
 * loops, and iterations of querysets with how their rows are used. Whatever cannot be followed becomes
 * `unknown`, and unknown values produce no facts: when unsure, stay silent.
 */
import { createHash } from "crypto";
import { chainOp, prefetchFact, requeriesAfterAll, servedReads, type ChainOp, type PrefetchFact } from "./facts";
import type { Manager, Model, ModelField, ModelIndex, QsShape } from "./models";
import type { Syntax, SyntaxNode } from "./parser";
import { baseNames, callParts, dotted, enclosingScope, field, methodCall, nameBindings, nodeText, onErrorPath, stringValue, withChildren } from "./syntax";

/** What was loaded along with a row: joined or prefetched relations, to_attr lists, annotations, only(). */
export interface Loaded {
  kids: Map<string, Loaded>;
  /** Unknown origin: everything counts as loaded. */
  all: boolean;
  /** select_related() with no arguments: every forward single relation is joined. */
  allSingles: boolean;
  toAttrs: Map<string, { model: Model | undefined; loaded: Loaded }>;
  annotations: Set<string>;
  /** Fields named by only(); null when all concrete fields are loaded. */
  only: Set<string> | null;
  deferred: Set<string>;
  /** The manager's get_queryset() chose the columns in a way not read (values(), only(*names)). */
  columnsChosen?: boolean;
}

export function newLoaded(): Loaded {
  return { kids: new Map(), all: false, allSingles: false, toAttrs: new Map(), annotations: new Set(), only: null, deferred: new Set() };
}
export const ALL_LOADED: Loaded = { ...newLoaded(), all: true };

/** The queryset loads only some columns (`only()`, `defer()`, or its manager's get_queryset() does). */
export function columnsRestricted(l: Loaded): boolean {
  return !l.all && (l.only !== null || l.deferred.size > 0 || !!l.columnsChosen);
}

/**
 * Does the queryset leave out the column of the forward relation a join path starts with (only() not naming it, or a
 * manager choosing columns in a way not read), or of any relation along the path (defer("author") or
 * defer("author__publisher"))? Then select_related() of it raises FieldError, and a prefetch through it loads the
 * column per row. (Restrictions an only() puts on related models, `only("author__name")`, are not read.)
 */
export function relationDeferred(l: Loaded, path: readonly string[]): "only" | "defer" | "unknown" | null {
  if (l.all || !path.length) return null;
  if (l.columnsChosen) return "unknown";
  const name = path[0];
  if (l.only && !l.only.has(name) && !l.only.has(`${name}_id`) && ![...l.only].some((o) => o.startsWith(`${name}__`))) return "only";
  for (let i = 1; i <= path.length; i++) {
    const at = path.slice(0, i).join("__");
    if (l.deferred.has(at) || l.deferred.has(`${at}_id`)) return "defer";
  }
  return null;
}

/** A deep copy of what a queryset loads. */
export function cloneLoaded(l: Loaded): Loaded {
  if (l.all) return l;
  const kids = new Map<string, Loaded>();
  for (const [k, v] of l.kids) kids.set(k, cloneLoaded(v));
  return { kids, all: false, allSingles: l.allSingles, toAttrs: new Map(l.toAttrs), annotations: new Set(l.annotations), only: l.only ? new Set(l.only) : null, deferred: new Set(l.deferred), columnsChosen: l.columnsChosen };
}

/** What either of two querysets loads (a variable assigned in two branches, several returns of one model). */
export function mergeLoaded(a: Loaded, b: Loaded): Loaded {
  if (a.all || b.all) return ALL_LOADED;
  const out = cloneLoaded(a);
  out.allSingles ||= b.allSingles;
  out.columnsChosen ||= b.columnsChosen;
  for (const [k, v] of b.kids) out.kids.set(k, out.kids.has(k) ? mergeLoaded(out.kids.get(k)!, v) : cloneLoaded(v));
  for (const [k, v] of b.toAttrs) out.toAttrs.set(k, v);
  for (const x of b.annotations) out.annotations.add(x);
  out.only = a.only && b.only ? new Set([...a.only, ...b.only]) : null;
  return out;
}

/**
 * One value for a name two branches bind to the same model's querysets (or rows): what either loads, empty only when
 * both are, and built in both places. A fix must then edit both (`if p: qs = A.filter(...)` / `else: qs = A.all()`), or
 * the other path keeps its queries; with one of them unknown there is no place for a fix.
 */
function mergeBranches(prev: Val, val: Val): Val {
  if (!("loaded" in prev) || !("loaded" in val)) return val;
  const merged = { ...val, loaded: mergeLoaded(prev.loaded, val.loaded) } as Val;
  if (merged.k === "qs" && merged.empty && !(prev as QsVal).empty) merged.empty = false;
  if ("origin" in merged && "origin" in prev && prev.origin !== merged.origin) {
    const a = prev.origin;
    const b = merged.origin;
    if (!a || !b) merged.origin = null;
    else if (a.file !== b.file || a.start !== b.start) {
      const also = [...(b.also ?? []), a, ...(a.also ?? [])].filter((o, i, all) => (o.file !== b.file || o.start !== b.start) && all.findIndex((x) => x.file === o.file && x.start === o.start) === i);
      merged.origin = { ...b, also };
    }
  }
  return merged;
}

/** Adds a lookup path ("a__b" split) to what a queryset loads; returns the node for its last step. */
export function insertPath(l: Loaded, path: string[]): Loaded {
  let n = l;
  for (const seg of path) {
    let k = n.kids.get(seg);
    if (!k) {
      k = newLoaded();
      n.kids.set(seg, k);
    }
    n = k;
  }
  return n;
}

/** Where a queryset was built, so a fix can edit it. */
export interface Origin {
  file: string;
  /** The expression that builds the queryset, for related information. */
  start: number;
  end: number;
  /** Offset right after the manager expression (`Book.objects`), where `.select_related(...)` can go. */
  insertAt: number | null;
  /** Existing select_related / prefetch_related calls with arguments to merge into. */
  selectCall: ChainOp | null;
  prefetchCall: ChainOp | null;
  /** The chain ends in .iterator(): prefetch_related needs chunk_size there. */
  iterator: boolean;
  /**
   * The chain's last select_related() is bare (every non-null foreign key): a named one anywhere in the chain
   * either is dropped by it or drops it, so no select_related edit can add one relation.
   */
  bareSelect?: boolean;
  /** Where `chunk_size=...` goes in that iterator() call (just before its closing parenthesis). */
  iteratorAt?: { file: string; offset: number };
  /**
   * The other places the same variable's queryset may have been built (`if p: qs = A.filter(...)` /
   * `else: qs = A.all()`): a fix edits each of them, or none.
   */
  also?: Origin[];
}

export interface LoopCtx {
  node: SyntaxNode;
  kind: "for" | "while" | "comprehension";
  /** Names bound by the loop or assigned in its body. */
  bound: Set<string>;
  /** The loop body has ORM writes (save/create/update/delete). */
  writes: boolean;
  parent: LoopCtx | null;
}

export interface RowCtx {
  model: Model;
  origin: Origin | null;
  loop: LoopCtx;
  /** The iterated expression. */
  iter: SyntaxNode;
  /**
   * The iterated queryset value: a second loop over the same object reads its result cache, the same instances,
   * with whatever relations the first loop loaded on them.
   */
  qs?: QsVal;
}

export type Val =
  | { k: "unknown" }
  | { k: "class"; model: Model }
  | { k: "manager"; model: Model; mgr: Manager | null; base: InstVal | null; field: ModelField | null; access: SyntaxNode; origin: Origin | null; loaded: Loaded }
  | QsVal
  | InstVal
  | { k: "rows"; model: Model };

export interface QsVal {
  k: "qs";
  model: Model;
  loaded: Loaded;
  origin: Origin | null;
  /** For related querysets: the instance and relation they come from. */
  base: InstVal | null;
  field: ModelField | null;
  access: SyntaxNode | null;
  /** A query beyond the prefetch cache (filter(), order_by(), ...) was added to a related manager. */
  fresh: boolean;
  /** Rows are dicts/tuples (values(), values_list()). */
  values: boolean;
  /** Built inside the current loop, by the function itself (not a parameter). */
  builtIn: LoopCtx | null;
  /** The manager expression root: `Book.objects` vs a related manager. */
  fromModelManager: boolean;
  /** order_by() was called: with arguments (true) or none, which drops Meta.ordering too (false). */
  ordered?: boolean;
  /** Built with none(): evaluating it runs no query. */
  empty?: boolean;
  /** Built with select_for_update(): evaluating it takes row locks. */
  locks?: boolean;
}

export interface InstVal {
  k: "inst";
  model: Model;
  loaded: Loaded;
  /** Set when this instance is (reached from) a row of an iterated queryset. */
  row: RowCtx | null;
  /** Relation names from the row to this instance. */
  path: string[];
  /** Through a relation that is not loaded: reads below it are a consequence, not a new report. */
  tainted: boolean;
  /**
   * The queryset the instance was fetched from (`get()`, `first()`, `qs[0]`, `get_object_or_404(qs)`), or the one
   * the instance `path` leads from was: where it was built and its model. What its relations' rows need
   * prefetched goes there.
   */
  fetched?: { origin: Origin | null; model: Model };
}

export const UNKNOWN: Val = { k: "unknown" };

export interface RelationRead {
  kind: "single" | "many";
  node: SyntaxNode;
  row: RowCtx;
  /** Lookup path from the row's model, e.g. ["author", "publisher"]. */
  path: string[];
  field: ModelField;
  model: Model;
  /** What the loop body does with a many relation: "all", "iterate", "count", ... */
  use: string;
  /** Later reads of the same path on the same rows (served by the first one's load), for what they go on to read. */
  also?: SyntaxNode[];
}

export interface LoopQuery {
  node: SyntaxNode;
  method: string;
  model: Model;
  loop: LoopCtx;
  /** Does not depend on any name the loop binds, and the loop writes nothing through the ORM. */
  invariant: boolean;
  /** Reads no name the loop binds, though the loop writes (its result may still change between iterations). */
  independent?: boolean;
  /** On a related manager of a row (author.book_set.count()). */
  related: { field: ModelField; base: InstVal } | null;
  /** Iterating a queryset built inside the loop. */
  iteration: boolean;
  /** The queryset takes row locks (select_for_update()). */
  locks?: boolean;
}

export interface Iteration {
  loop: LoopCtx;
  /** The loop's target name, when it is a plain identifier. */
  target: string | null;
  qs: QsVal;
  iter: SyntaxNode;
  /** Attribute names read on the row, with their nodes. */
  reads: Map<string, SyntaxNode[]>;
  /** The row is used in any other way (passed, returned, method called, assigned, ...). */
  escapes: boolean;
  /** The iterated queryset is a variable used elsewhere too. */
  qsVar: string | null;
}

/**
 * The known value (not UNKNOWN) of every node evaluated in the latest analysis of its file (nodes belong to one
 * snapshot).
 */
const valueOfNode = new WeakMap<SyntaxNode, Val>();

/**
 * Drops the values recorded for a statement's nodes before it is evaluated again: the incremental parser can hand
 * back unchanged nodes (the untouched methods of an edited class), and a value from an earlier evaluation must not
 * outlive this one.
 */
function forgetValues(stmt: SyntaxNode): void {
  const stack = [stmt];
  while (stack.length) {
    const n = stack.pop()!;
    valueOfNode.delete(n);
    for (let i = 0; i < n.children.length; i++) stack.push(n.children[i]);
  }
}

/**
 * The values of a file's expressions. Lookups go to the per-node table; iteration walks the logs of the module
 * statements and of each definition, so reusing a definition's facts costs nothing per value.
 */
export class NodeValues {
  private readonly logs: (readonly [SyntaxNode, Val][])[] = [];

  /** The node's value; undefined when it was not evaluated or its value is unknown (UNKNOWN is not recorded). */
  get(node: SyntaxNode): Val | undefined {
    return valueOfNode.get(node);
  }

  addLog(log: readonly [SyntaxNode, Val][]): void {
    this.logs.push(log);
  }

  *[Symbol.iterator](): IterableIterator<[SyntaxNode, Val]> {
    for (const log of this.logs) for (const e of log) yield e;
  }
}

export interface FileFlow {
  reads: RelationRead[];
  queries: LoopQuery[];
  iterations: Iteration[];
  /** The value of every evaluated expression node (outside quiet summaries), for rules that ask about one node. */
  values: NodeValues;
  /** Every loop met, by its node (for/while statement or comprehension). */
  loops: Map<SyntaxNode, LoopCtx>;
}

const QS_PASSTHROUGH = new Set([
  "all", "filter", "exclude", "order_by", "distinct", "reverse", "using", "select_for_update", "none",
  "extra", "complex_filter", "alias", "defer", "only", "iterator", "filter_by", "chain", "prefetch_related",
  "select_related", "annotate", "values", "values_list", "union", "intersection", "difference", "fetch_mode",
]);
const EXECUTES_ONE = new Set(["get", "first", "last", "latest", "earliest", "aget", "afirst", "alast", "alatest", "aearliest"]);
const EXECUTES_OTHER = new Set(["count", "exists", "aggregate", "create", "get_or_create", "update_or_create", "in_bulk", "acount", "aexists", "aaggregate", "acreate", "aget_or_create", "aupdate_or_create", "ain_bulk"]);
const WRITES = /\.(save|create|bulk_create|update|delete|bulk_update|get_or_create|update_or_create|add|remove|set|clear|asave|acreate|aupdate|adelete)\(/;
const EVALUATORS = new Set(["list", "len", "tuple", "set", "sorted", "bool", "sum", "max", "min", "any", "all"]);

interface Scope {
  vars: Map<string, Val>;
  parent: Scope | null;
  /** The class a method belongs to (for self). */
  cls: SyntaxNode | null;
}

interface FunctionInfo {
  node: SyntaxNode;
  cls: SyntaxNode | null;
  returns: Val | null;
  computing: boolean;
}

interface CachedEvents {
  reads: RelationRead[];
  queries: LoopQuery[];
  iterations: Iteration[];
  values: [SyntaxNode, Val][];
  loops: [SyntaxNode, LoopCtx][];
}

/**
 * Moves the numeric offsets that cached facts carry (queryset origins and the chain calls they merge into) with
 * their definition, which moved by `delta` in the text. Only offsets inside the definition's old range move:
 * origins elsewhere (a callee, a module-level queryset) are checked by the cache signature instead.
 */
function shiftEvents(e: CachedEvents, oldStart: number, oldEnd: number, delta: number): void {
  const origins = new Set<Origin>();
  const ops = new Set<ChainOp>();
  const vals = new Set<object>();
  const moved = new Set<object>();
  const inside = (n: number) => n >= oldStart && n <= oldEnd;
  const origin = (o: Origin | null | undefined) => {
    if (!o || origins.has(o) || o.file === undefined) return;
    origins.add(o);
    if (!inside(o.start)) return;
    o.start += delta;
    o.end += delta;
    if (o.insertAt !== null) o.insertAt += delta;
    // Where chunk_size goes in `.iterator()`: copies of an origin share the object, so it moves once.
    if (o.iteratorAt && !moved.has(o.iteratorAt) && inside(o.iteratorAt.offset)) {
      moved.add(o.iteratorAt);
      o.iteratorAt.offset += delta;
    }
    for (const op of [o.selectCall, o.prefetchCall]) {
      if (op && !ops.has(op) && inside(op.start)) {
        ops.add(op);
        op.start += delta;
        op.end += delta;
        op.argsEnd += delta;
        if (op.lastArg) op.lastArg = { start: op.lastArg.start + delta, end: op.lastArg.end + delta };
      }
    }
  };
  const row = (r: RowCtx | null | undefined) => origin(r?.origin);
  const val = (v: Val) => {
    if (vals.has(v)) return;
    vals.add(v);
    if (v.k === "qs" || v.k === "manager") {
      origin(v.origin);
      if (v.base) row(v.base.row);
    } else if (v.k === "inst") row(v.row);
  };
  for (const r of e.reads) row(r.row);
  for (const q of e.queries) if (q.related) row(q.related.base.row);
  for (const it of e.iterations) val(it.qs);
  for (const [, v] of e.values) val(v);
}

/** Names called as plain functions inside a node; cached per node (a reused node's text is unchanged). */
const calledNamesCache = new WeakMap<SyntaxNode, string[]>();

function calledNames(node: SyntaxNode, text: string): string[] {
  const hit = calledNamesCache.get(node);
  if (hit) return hit;
  const names = new Set<string>();
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "call") {
      const f = field(n, "function");
      if (f?.type === "identifier") names.add(nodeText(text, f));
    }
    for (let i = 0; i < n.children.length; i++) stack.push(n.children[i]);
  }
  const list = [...names];
  calledNamesCache.set(node, list);
  return list;
}

/** Flow facts of top-level definitions, by their (reused) snapshot node. */
const functionCache = new WeakMap<SyntaxNode, { index: ModelIndex; version: number; sig: string; where: string; external: boolean; file: string; start: number; end: number; events: CachedEvents }>();

/** Do cached facts hold offsets outside their definition (origins in a callee or a module-level statement)? */
function pointsOutside(e: CachedEvents, start: number, end: number): boolean {
  let outside = false;
  const check = (o: Origin | null | undefined) => {
    if (o && (o.start < start || o.start > end)) outside = true;
  };
  const val = (v: Val) => {
    if (v.k === "qs" || v.k === "manager") {
      check(v.origin);
      check(v.base?.row?.origin);
    } else if (v.k === "inst") check(v.row?.origin);
  };
  for (const r of e.reads) check(r.row.origin);
  for (const it of e.iterations) val(it.qs);
  for (const [, v] of e.values) {
    val(v);
    if (outside) break;
  }
  return outside;
}

/**
 * The queryset flow of a file. With `only`, the top-level function and class definitions it rejects are skipped
 * (their events are left out; module-level statements always run): a re-analysis that reuses the reports of
 * those definitions does not need their flow.
 */
export function analyzeFlow(syntax: Syntax, file: string, index: ModelIndex, only?: (stmt: SyntaxNode) => boolean): FileFlow {
  return new FlowAnalyzer(syntax, file, index, only).run();
}

class FlowAnalyzer {
  private readonly text: string;
  private readonly out: FileFlow = { reads: [], queries: [], iterations: [], values: new NodeValues(), loops: new Map() };
  private loop: LoopCtx | null = null;
  private quiet = 0;
  private conditional = 0;
  private readonly functions = new Map<string, FunctionInfo>();
  private readonly methods = new Map<SyntaxNode, Map<string, FunctionInfo>>();
  private readonly classAttrs = new Map<SyntaxNode, Map<string, SyntaxNode>>();
  private readonly classBases = new Map<SyntaxNode, string[]>();
  private readonly module: Scope = { vars: new Map(), parent: null, cls: null };
  private iterations: Iteration[] = [];
  private readonly reported = new Set<SyntaxNode>();

  constructor(private readonly syntax: Syntax, private readonly file: string, private readonly index: ModelIndex, private readonly only?: (stmt: SyntaxNode) => boolean) {
    this.text = syntax.text;
  }

  private readonly valueLog: [SyntaxNode, Val][] = [];
  private readonly loopLog: [SyntaxNode, LoopCtx][] = [];

  run(): FileFlow {
    this.collectDefinitions(this.syntax.root, null);
    const moduleSig = createHash("sha1").update(this.moduleSignature()).digest("base64");
    const allStarts = `${this.syntax.root.children.map((c) => c.start).join(",")};${this.syntax.root.end}`;
    for (const stmt of this.syntax.root.children) {
      const def = stmt.type === "decorated_definition" ? field(stmt, "definition") : stmt;
      if (def?.type !== "function_definition" && def?.type !== "class_definition") {
        forgetValues(stmt);
        this.statement(stmt, this.module);
        continue;
      }
      if (this.only && !this.only(stmt)) continue;
      // A top-level function or class whose text, module context and same-file callees did not change keeps the
      // facts of its last analysis (the incremental snapshot reuses its nodes).
      // What the definition sees: module-level statements (and where they are relative to it), and the same-file
      // functions it calls (their text and relative position), so a reused result's offsets can move with it.
      const callees = this.calleeTexts(stmt);
      const sig = `${moduleSig}\0${callees.texts}`;
      // Facts that point outside the definition (an origin in a module-level statement, a callee, another class) hold
      // offsets there: they stand only while nothing in the file moved, the definition included.
      const where = `${stmt.start}\0${allStarts}\0${callees.positions}`;
      // (In a file that does not parse, error recovery can change what the same text means: nothing is reused.)
      const hit = this.syntax.hasErrors ? undefined : functionCache.get(stmt);
      if (hit && hit.index === this.index && hit.version === this.index.versionFor(this.file) && hit.sig === sig && (!hit.external || hit.where === where) && hit.file === this.file && hit.end - hit.start === stmt.end - stmt.start) {
        if (hit.start !== stmt.start) {
          shiftEvents(hit.events, hit.start, hit.end, stmt.start - hit.start);
          hit.start = stmt.start;
          hit.end = stmt.end;
        }
        this.merge(hit.events);
        continue;
      }
      const mark = this.mark();
      forgetValues(stmt);
      this.statement(stmt, this.module);
      const events = this.since(mark);
      functionCache.set(stmt, { index: this.index, version: this.index.versionFor(this.file), sig, where, external: pointsOutside(events, stmt.start, stmt.end), file: this.file, start: stmt.start, end: stmt.end, events });
    }
    this.out.values.addLog(this.valueLog);
    return this.out;
  }

  /** Module-level statements other than definitions (imports, assignments): what every function can see. */
  private moduleSignature(): string {
    const parts: string[] = [];
    for (const stmt of this.syntax.root.children) {
      const def = stmt.type === "decorated_definition" ? field(stmt, "definition") : stmt;
      if (def?.type === "function_definition" || def?.type === "class_definition") {
        const name = field(def, "name");
        parts.push(`def ${name ? nodeText(this.text, name) : "?"}`);
      } else if (stmt.type !== "comment") parts.push(nodeText(this.text, stmt));
    }
    return parts.join("\n");
  }

  /** The texts of the same-file functions a definition calls, transitively, and where they sit relative to it. */
  private calleeTexts(stmt: SyntaxNode): { texts: string; positions: string } {
    const seen = new Set<string>();
    const texts: string[] = [];
    const positions: number[] = [];
    const visit = (node: SyntaxNode) => {
      for (const name of calledNames(node, this.text)) {
        const fn = this.functions.get(name);
        if (fn && !seen.has(name)) {
          seen.add(name);
          texts.push(nodeText(this.text, fn.node));
          positions.push(fn.node.start - stmt.start);
          visit(fn.node);
        }
      }
    };
    visit(stmt);
    return { texts: texts.join("\n"), positions: positions.join(",") };
  }

  private mark(): { reads: number; queries: number; iterations: number; values: number; loops: number } {
    return { reads: this.out.reads.length, queries: this.out.queries.length, iterations: this.out.iterations.length, values: this.valueLog.length, loops: this.loopLog.length };
  }

  private since(m: ReturnType<FlowAnalyzer["mark"]>): CachedEvents {
    return {
      reads: this.out.reads.slice(m.reads),
      queries: this.out.queries.slice(m.queries),
      iterations: this.out.iterations.slice(m.iterations),
      values: this.valueLog.slice(m.values),
      loops: this.loopLog.slice(m.loops),
    };
  }

  private merge(e: CachedEvents): void {
    this.out.reads.push(...e.reads);
    this.out.queries.push(...e.queries);
    this.out.iterations.push(...e.iterations);
    this.out.values.addLog(e.values);
    for (const [k, v] of e.loops) this.out.loops.set(k, v);
  }

  // ---- definitions -------------------------------------------------------------------------------------------

  private collectDefinitions(block: SyntaxNode, cls: SyntaxNode | null): void {
    for (const stmt of block.children) {
      const def = stmt.type === "decorated_definition" ? field(stmt, "definition") : stmt;
      if (!def) continue;
      if (def.type === "function_definition") {
        const name = field(def, "name");
        if (!name) continue;
        const info: FunctionInfo = { node: def, cls, returns: null, computing: false };
        if (cls) {
          const m = this.methods.get(cls) ?? new Map<string, FunctionInfo>();
          m.set(nodeText(this.text, name), info);
          this.methods.set(cls, m);
        } else this.functions.set(nodeText(this.text, name), info);
      } else if (def.type === "class_definition") {
        const body = field(def, "body");
        const sup = field(def, "superclasses");
        this.classBases.set(def, sup ? baseNames(this.text, def).map((b) => b ?? "?") : []);
        const attrs = new Map<string, SyntaxNode>();
        if (body) {
          for (const s of body.children) {
            const a = s.type === "expression_statement" ? s.children[0] : undefined;
            if (a?.type === "assignment") {
              const l = field(a, "left");
              const r = field(a, "right");
              if (l?.type === "identifier" && r) attrs.set(nodeText(this.text, l), r);
            }
          }
          this.classAttrs.set(def, attrs);
          this.collectDefinitions(body, def);
        }
      } else if (def.type === "if_statement" || def.type === "try_statement") {
        for (const c of def.children) if (c.type === "block") this.collectDefinitions(c, cls);
      }
    }
  }

  // ---- statements --------------------------------------------------------------------------------------------

  private block(block: SyntaxNode, scope: Scope): void {
    for (const stmt of block.children) this.statement(stmt, scope);
  }

  private statement(stmt: SyntaxNode, scope: Scope): void {
    if (this.depth > 400) return;
    this.depth++;
    try {
      this.statementInner(stmt, scope);
    } finally {
      this.depth--;
    }
  }

  private statementInner(stmt: SyntaxNode, scope: Scope): void {
    switch (stmt.type) {
      case "expression_statement":
        for (const c of stmt.children) this.expr(c, scope);
        return;
      case "return_statement":
      case "delete_statement":
      case "assert_statement":
      case "raise_statement":
      case "print_statement":
        for (const c of stmt.children) this.expr(c, scope);
        return;
      case "for_statement":
        this.forStatement(stmt, scope);
        return;
      case "while_statement": {
        const cond = field(stmt, "condition");
        const loop = this.enterLoop(stmt, "while", scope);
        if (cond) this.expr(cond, scope);
        const body = field(stmt, "body");
        if (body) this.block(body, scope);
        this.loop = loop.parent;
        const alt = field(stmt, "alternative");
        if (alt) this.nested(alt, scope);
        return;
      }
      case "if_statement": {
        const cond = field(stmt, "condition");
        if (cond) this.noteEvaluation(this.expr(cond, scope), cond, "bool");
        this.conditional++;
        for (const c of stmt.children) if (c !== cond) this.nested(c, scope);
        this.conditional--;
        return;
      }
      case "elif_clause": {
        const cond = field(stmt, "condition");
        if (cond) this.noteEvaluation(this.expr(cond, scope), cond, "bool");
        for (const c of stmt.children) if (c !== cond) this.nested(c, scope);
        return;
      }
      case "with_statement": {
        for (const c of stmt.children) {
          if (c.type === "with_clause") {
            for (const item of c.children) {
              const value = field(item, "value") ?? item.children[0];
              if (!value) continue;
              if (value.type === "as_pattern") {
                const v = this.expr(value.children[0], scope);
                const target = field(value, "alias");
                if (target) this.bind(target, v, scope);
              } else this.expr(value, scope);
            }
          } else this.nested(c, scope);
        }
        return;
      }
      case "try_statement":
      case "else_clause":
      case "except_clause":
      case "finally_clause":
      case "block":
        this.conditional++;
        for (const c of stmt.children) this.nested(c, scope);
        this.conditional--;
        return;
      case "match_statement":
        for (const c of stmt.children) this.nested(c, scope);
        return;
      case "case_clause":
        // One case of a match: its body runs on some paths only.
        this.conditional++;
        for (const c of stmt.children) if (c.type === "block") this.block(c, scope);
        this.conditional--;
        return;
      case "function_definition":
        this.functionDef(stmt, scope, []);
        return;
      case "decorated_definition": {
        const def = field(stmt, "definition");
        for (const d of stmt.children) if (d.type === "decorator") this.expr(d.children[0], scope);
        if (def?.type === "function_definition") this.functionDef(def, scope, []);
        else if (def?.type === "class_definition") this.classDef(def, scope);
        return;
      }
      case "class_definition":
        this.classDef(stmt, scope);
        return;
      default:
        return;
    }
  }

  private nested(n: SyntaxNode, scope: Scope): void {
    if (n.type === "block") this.block(n, scope);
    else if (/_clause$|_statement$|^case_clause$/.test(n.type)) this.statement(n, scope);
    else if (n.type === "case_clause" || n.type === "block") this.block(n, scope);
    else this.expr(n, scope);
  }

  private classDef(def: SyntaxNode, scope: Scope): void {
    const body = field(def, "body");
    if (!body) return;
    const classScope: Scope = { vars: new Map(), parent: scope, cls: def };
    for (const stmt of body.children) {
      const d = stmt.type === "decorated_definition" ? field(stmt, "definition") : stmt;
      if (d?.type === "function_definition") this.functionDef(d, classScope, []);
      else if (d?.type === "class_definition") this.classDef(d, classScope);
      else this.statement(stmt, classScope);
    }
  }

  private functionDef(def: SyntaxNode, outer: Scope, _decorators: string[]): void {
    const saved = this.loop;
    this.loop = null;
    const scope = this.functionScope(def, outer);
    const body = field(def, "body");
    if (body) this.block(body, scope);
    this.loop = saved;
  }

  private functionScope(def: SyntaxNode, outer: Scope): Scope {
    const cls = outer.cls;
    const scope: Scope = { vars: new Map(), parent: outer.cls ? this.module : outer, cls };
    const params = field(def, "parameters");
    let first = true;
    for (const p of params?.children ?? []) {
      let name: SyntaxNode | undefined;
      let type: SyntaxNode | undefined;
      if (p.type === "identifier") name = p;
      else if (p.type === "typed_parameter" || p.type === "typed_default_parameter") {
        name = p.type === "typed_parameter" ? p.children.find((c) => c.type === "identifier") : field(p, "name");
        type = field(p, "type");
      } else if (p.type === "default_parameter") name = field(p, "name");
      if (!name) continue;
      const pname = nodeText(this.text, name);
      let v: Val = UNKNOWN;
      if (first && cls && pname === "self") {
        const model = this.classModel(cls);
        if (model) v = { k: "inst", model, loaded: ALL_LOADED, row: null, path: [], tainted: false };
      } else if (type) v = this.typeVal(type);
      scope.vars.set(pname, v);
      first = false;
    }
    return scope;
  }

  private classModel(cls: SyntaxNode): Model | undefined {
    const name = field(cls, "name");
    if (!name) return undefined;
    const facts = this.index.factsOf(this.file);
    const c = facts?.classes.find((x) => x.start === cls.start);
    return c ? this.index.modelOf(c) : undefined;
  }

  /** `QuerySet[Book]` / `Book` annotations: the model is known, what was loaded is not. */
  private typeVal(type: SyntaxNode): Val {
    const t = nodeText(this.text, type).replace(/\s/g, "").replace(/^["']|["']$/g, "");
    const m = /^(?:[\w.]*QuerySet|[\w.]*Manager)\[["']?([\w.]+)["']?(?:,.*)?\]$/.exec(t);
    if (m) {
      const model = this.index.modelFromName(this.file, m[1]);
      if (model) return this.qsVal(model, ALL_LOADED, null, { builtIn: null });
      return UNKNOWN;
    }
    if (/^[\w.]+$/.test(t)) {
      const model = this.index.modelFromName(this.file, t);
      if (model) return { k: "inst", model, loaded: ALL_LOADED, row: null, path: [], tainted: false };
    }
    return UNKNOWN;
  }

  private enterLoop(node: SyntaxNode, kind: LoopCtx["kind"], _scope: Scope): LoopCtx {
    const bound = new Set<string>();
    const body = kind === "comprehension" ? node : field(node, "body") ?? node;
    // Names assigned anywhere in the loop (and its targets) vary per iteration.
    const stack = [kind === "comprehension" ? node : node];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === "function_definition" || n.type === "class_definition" || n.type === "lambda") continue;
      if (n.type === "for_statement" || n.type === "for_in_clause") {
        const left = field(n, "left");
        if (left) this.names(left, bound);
      } else if (n.type === "assignment" || n.type === "augmented_assignment") {
        const left = field(n, "left");
        if (left) this.names(left, bound);
      } else if (n.type === "named_expression") {
        const name = field(n, "name");
        if (name) bound.add(nodeText(this.text, name));
      } else if (n.type === "as_pattern") {
        const alias = field(n, "alias");
        if (alias) this.names(alias, bound);
      }
      for (let i = 0; i < n.children.length; i++) stack.push(n.children[i]);
    }
    const ctx: LoopCtx = { node, kind, bound, writes: WRITES.test(nodeText(this.text, body)), parent: this.loop };
    if (!this.quiet) {
      this.out.loops.set(node, ctx);
      this.loopLog.push([node, ctx]);
    }
    this.loop = ctx;
    return ctx;
  }

  private names(target: SyntaxNode, into: Set<string>): void {
    if (target.type === "identifier") into.add(nodeText(this.text, target));
    else for (const c of target.children) this.names(c, into);
  }

  private forStatement(stmt: SyntaxNode, scope: Scope): void {
    const left = field(stmt, "left");
    const right = field(stmt, "right");
    const iterVal = right ? this.expr(right, scope) : UNKNOWN;
    const loop = this.enterLoop(stmt, "for", scope);
    const iteration = right && left ? this.bindLoopTarget(left, right, iterVal, loop, scope) : null;
    const body = field(stmt, "body");
    if (body) this.block(body, scope);
    this.loop = loop.parent;
    if (iteration) this.finishIteration(iteration, body ?? stmt);
    const alt = field(stmt, "alternative");
    if (alt) this.nested(alt, scope);
  }

  /** Binds a loop's target to rows of the iterated value and notes queries the iteration itself runs. */
  private bindLoopTarget(left: SyntaxNode, right: SyntaxNode, iterVal: Val, loop: LoopCtx, scope: Scope): Iteration | null {
    let rowTarget = left;
    let source = iterVal;
    // enumerate(qs) -> (i, row)
    if (right.type === "call") {
      const parts = callParts(this.text, right);
      const fname = parts ? nodeText(this.text, parts.func) : "";
      if (parts && fname === "enumerate" && parts.args[0]) {
        source = this.valueOf(parts.args[0]);
        if ((left.type === "pattern_list" || left.type === "tuple_pattern" || left.type === "tuple") && left.children.length === 2) {
          this.bind(left.children[0], UNKNOWN, scope);
          rowTarget = left.children[1];
        } else rowTarget = left;
      }
    }
    this.noteEvaluation(source, right, "iterate");
    if (source.k === "qs" && !source.values) {
      const row: InstVal = this.rowOf(source, loop, right);
      if (rowTarget.type === "identifier") {
        this.bind(rowTarget, row, scope);
        const it: Iteration = { loop, target: nodeText(this.text, rowTarget), qs: source, iter: right, reads: new Map(), escapes: false, qsVar: right.type === "identifier" ? nodeText(this.text, right) : null };
        this.iterations.push(it);
        return it;
      }
      this.bind(rowTarget, UNKNOWN, scope);
      return null;
    }
    if (source.k === "qs" && source.values) {
      this.bind(rowTarget, { k: "rows", model: source.model }, scope);
      return null;
    }
    this.bind(left, UNKNOWN, scope);
    return null;
  }

  private rowOf(qs: QsVal, loop: LoopCtx, iter: SyntaxNode): InstVal {
    if (qs.base && qs.base.row && !qs.fresh) {
      // Rows of a related manager of a row: they belong to the outer row's queryset.
      return { k: "inst", model: qs.model, loaded: qs.loaded, row: qs.base.row, path: [...qs.base.path, qs.field!.name], tainted: qs.base.tainted || !qs.base.loaded.kids.has(qs.field!.name) && !qs.base.loaded.all };
    }
    return { k: "inst", model: qs.model, loaded: qs.loaded, row: { model: qs.model, origin: qs.origin, loop, iter, qs }, path: [], tainted: false };
  }

  private finishIteration(it: Iteration, body: SyntaxNode): void {
    // How the row variable is used inside the loop body: plain attribute reads only, or anything else.
    const name = it.target!;
    if (it.loop.kind === "for" && this.usedAfter(name, it.loop.node)) it.escapes = true;
    const stack = [body];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === "identifier" && nodeText(this.text, n) === name) {
        const p = n.parent!;
        if (p.type === "attribute" && field(p, "object") === n) {
          const attr = field(p, "attribute")!;
          const gp = p.parent!;
          if (gp.type === "call" && field(gp, "function") === p) it.escapes = true;
          else if ((gp.type === "assignment" || gp.type === "augmented_assignment") && field(gp, "left") === p) it.escapes = true;
          else {
            const list = it.reads.get(nodeText(this.text, attr)) ?? [];
            list.push(p);
            it.reads.set(nodeText(this.text, attr), list);
          }
        } else it.escapes = true;
        continue;
      }
      if (n.type === "function_definition" || n.type === "lambda") {
        if (nodeText(this.text, n).includes(name)) it.escapes = true;
        continue;
      }
      for (let i = 0; i < n.children.length; i++) stack.push(n.children[i]);
    }
    if (!this.quiet) this.out.iterations.push(it);
  }

  /** Is a name read after a for statement before it is bound again (Python's loop variable outlives the loop)? */
  private usedAfter(name: string, loop: SyntaxNode): boolean {
    const scope = enclosingScope(loop);
    let first: SyntaxNode | null = null;
    const stack = [scope];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.end <= loop.end || (first && n.start > first.start)) continue;
      if (n.type === "identifier" && n.start >= loop.end && nodeText(this.text, n) === name) {
        const p = n.parent;
        if (p && p.type === "attribute" && field(p, "attribute") === n) continue;
        if (!first || n.start < first.start) first = n;
        continue;
      }
      for (let i = 0; i < n.children.length; i++) stack.push(n.children[i]);
    }
    if (!first) return false;
    const p = first.parent;
    const rebinds = p && (p.type === "for_statement" || p.type === "for_in_clause" || p.type === "assignment") && field(p, "left") === first;
    return !rebinds;
  }

  private bind(target: SyntaxNode, val: Val, scope: Scope): void {
    if (target.type === "identifier") {
      const name = nodeText(this.text, target);
      const prev = scope.vars.get(name);
      if (this.conditional > 0 && prev && prev.k === val.k && "model" in prev && "model" in val && prev.model === val.model && "loaded" in prev && "loaded" in val) {
        scope.vars.set(name, mergeBranches(prev, val));
      } else if (this.conditional > 0 && prev?.k === "unknown" && val.k === "qs" && val.empty) {
        // `qs = opaque(...)` in one branch, `qs = X.objects.none()` in the other: the rows, if any, come from the
        // value the analysis does not know (Review Board's repositories widget).
        scope.vars.set(name, prev);
      } else if (this.conditional > 0 && prev && prev.k !== "unknown" && prev.k !== val.k) {
        scope.vars.set(name, UNKNOWN);
      } else scope.vars.set(name, val);
    } else if (target.type === "pattern_list" || target.type === "tuple_pattern" || target.type === "tuple" || target.type === "list_pattern" || target.type === "list") {
      for (const c of target.children) this.bind(c, UNKNOWN, scope);
    }
  }

  /**
   * Evaluates what an assignment target reads: `row.author = x` reads nothing on the row (Django's descriptor sets
   * the key and caches x, no query), while `row.author.name = x` loads `row.author` first. Subscripts read their
   * container and key; tuple targets are taken apart.
   */
  private assignTarget(target: SyntaxNode, scope: Scope): void {
    switch (target.type) {
      case "identifier":
        return;
      case "attribute": {
        const obj = field(target, "object");
        if (obj) this.expr(obj, scope);
        return;
      }
      case "pattern_list":
      case "tuple_pattern":
      case "list_pattern":
      case "tuple":
      case "list":
      case "list_splat_pattern":
      case "list_splat":
      case "parenthesized_expression":
        for (const c of target.children) this.assignTarget(c, scope);
        return;
      default:
        this.expr(target, scope);
    }
  }

  /**
   * `row.author = x` caches x on the row: later reads of `row.author` (and what `row.save()` reads of it) run no
   * query. The variable's instance then counts the relation as loaded, with what x loads below it (everything,
   * when x is not a known instance).
   */
  private assignRelation(target: SyntaxNode, v: Val, scope: Scope): void {
    if (target.type !== "attribute") return;
    const obj = field(target, "object");
    const attr = field(target, "attribute");
    if (obj?.type !== "identifier" || !attr) return;
    const cur = this.lookup(nodeText(this.text, obj), scope);
    if (cur?.k !== "inst" || cur.loaded.all) return;
    const name = nodeText(this.text, attr);
    const f = this.index.attribute(cur.model, name);
    if (!f || (f.kind !== "fk" && f.kind !== "o2o" && f.kind !== "gfk")) return;
    const loaded = cloneLoaded(cur.loaded);
    loaded.kids.set(name, v.k === "inst" ? cloneLoaded(v.loaded) : ALL_LOADED);
    this.bind(obj, { ...cur, loaded }, scope);
  }

  private lookup(name: string, scope: Scope): Val | undefined {
    for (let s: Scope | null = scope; s; s = s.parent) {
      if (s.vars.has(name)) return s.vars.get(name);
    }
    return undefined;
  }

  // ---- expressions -------------------------------------------------------------------------------------------

  /** The value of an already evaluated node (second look, no events). */
  private valueOf(node: SyntaxNode): Val {
    return this.cache.get(node) ?? UNKNOWN;
  }
  private readonly cache = new Map<SyntaxNode, Val>();

  /** Nesting depth of expressions being evaluated: very deep expressions are not followed (no stack overflow). */
  private depth = 0;

  private expr(node: SyntaxNode, scope: Scope): Val {
    if (this.depth > 400) return UNKNOWN;
    this.depth++;
    let v: Val;
    try {
      v = this.evalNode(node, scope);
    } finally {
      this.depth--;
    }
    this.cache.set(node, v);
    if (!this.quiet) {
      // UNKNOWN is not recorded (most nodes; NodeValues.get answers undefined), but it replaces an earlier value.
      if (v !== UNKNOWN) {
        valueOfNode.set(node, v);
        this.valueLog.push([node, v]);
      } else valueOfNode.delete(node);
    }
    return v;
  }

  private evalNode(node: SyntaxNode, scope: Scope): Val {
    switch (node.type) {
      case "identifier": {
        const name = nodeText(this.text, node);
        const v = this.lookup(name, scope);
        if (v) return v;
        const model = this.index.modelFromName(this.file, name);
        if (model) return { k: "class", model };
        return UNKNOWN;
      }
      case "parenthesized_expression":
        return node.children[0] ? this.expr(node.children[0], scope) : UNKNOWN;
      case "await":
        return node.children[0] ? this.expr(node.children[0], scope) : UNKNOWN;
      case "attribute":
        return this.attribute(node, scope);
      case "call":
        return this.call(node, scope);
      case "subscript": {
        const value = field(node, "value");
        const base = value ? this.expr(value, scope) : UNKNOWN;
        const subs = node.children.filter((c) => c !== value);
        for (const s of subs) this.expr(s, scope);
        if (base.k === "qs") {
          if (subs.length === 1 && subs[0].type === "slice") return base;
          if (!base.values) {
            this.noteEvaluation(base, node, "index");
            return { k: "inst", model: base.model, loaded: base.loaded, row: null, path: [], tainted: false, fetched: { origin: base.origin, model: base.model } };
          }
        }
        return UNKNOWN;
      }
      case "assignment": {
        const left = field(node, "left");
        const right = field(node, "right");
        const v = right ? this.expr(right, scope) : UNKNOWN;
        if (left) {
          if (left.type === "identifier") this.bind(left, v, scope);
          else {
            this.assignTarget(left, scope);
            this.bind(left, UNKNOWN, scope);
            this.assignRelation(left, v, scope);
          }
        }
        return v;
      }
      case "augmented_assignment": {
        const right = field(node, "right");
        if (right) this.expr(right, scope);
        const left = field(node, "left");
        if (left && left.type === "identifier") scope.vars.set(nodeText(this.text, left), UNKNOWN);
        return UNKNOWN;
      }
      case "named_expression": {
        const v = this.expr(field(node, "value") ?? node, scope);
        const name = field(node, "name");
        if (name) this.bind(name, v, scope);
        return v;
      }
      case "list_comprehension":
      case "set_comprehension":
      case "generator_expression":
      case "dictionary_comprehension":
        this.comprehension(node, scope);
        return UNKNOWN;
      case "lambda":
        return UNKNOWN;
      case "not_operator": {
        const arg = field(node, "argument");
        if (arg) this.noteEvaluation(this.expr(arg, scope), node, "bool");
        return UNKNOWN;
      }
      case "boolean_operator": {
        for (const c of node.children) this.noteEvaluation(this.expr(c, scope), node, "bool");
        return UNKNOWN;
      }
      case "conditional_expression": {
        const vals = node.children.map((c) => this.expr(c, scope));
        if (vals.length === 3 && vals[0].k === vals[2].k && vals[0].k !== "unknown" && "model" in vals[0] && "model" in vals[2] && vals[0].model === vals[2].model) {
          // `A.public.all() if p else A.objects.all()`: either arm's rows, and a fix must edit both.
          return "loaded" in vals[0] && "loaded" in vals[2] ? mergeBranches(vals[2], vals[0]) : vals[0];
        }
        return UNKNOWN;
      }
      case "string":
        for (const c of node.children) {
          if (c.type !== "interpolation") continue;
          this.expr(c, scope);
          // f"{row}" runs the model's __str__ (not with !r or !a, which run __repr__ / ascii(), nor a format spec).
          const e = c.children.find((x) => x.type !== "type_conversion" && x.type !== "format_specifier" && x.type !== "comment");
          const v = e && c.children.length === 1 ? this.valueOf(e) : undefined;
          if (v?.k === "inst") this.readsThroughMethod(v, "__str__", c, false);
        }
        return UNKNOWN;
      case "integer":
      case "float":
      case "true":
      case "false":
      case "none":
      case "comment":
        return UNKNOWN;
      default:
        for (const c of node.children) this.expr(c, scope);
        return UNKNOWN;
    }
  }

  private comprehension(node: SyntaxNode, scope: Scope): void {
    // [body for x in it if cond ...]: clauses run left to right, the body last.
    const inner: Scope = { vars: new Map(), parent: scope, cls: scope.cls };
    const body = field(node, "body") ?? node.children[0];
    const clauses = node.children.filter((c) => c !== body);
    const saved = this.loop;
    const iterations: { it: Iteration; body: SyntaxNode }[] = [];
    let entered = false;
    for (const c of clauses) {
      if (c.type === "for_in_clause") {
        const left = field(c, "left");
        const right = field(c, "right");
        const v = right ? this.expr(right, inner) : UNKNOWN;
        if (!entered) {
          this.enterLoop(node, "comprehension", inner);
          entered = true;
        }
        if (left && right) {
          const it = this.bindLoopTarget(left, right, v, this.loop!, inner);
          if (it) iterations.push({ it, body: node });
        }
      } else if (c.type === "if_clause") {
        for (const x of c.children) this.expr(x, inner);
      }
    }
    if (body) this.noteValueUse(this.expr(body, inner), body);
    this.loop = saved;
    for (const { it, body: b } of iterations) {
      // Uses of the row in the whole comprehension, minus its own binding.
      this.finishComprehensionIteration(it, b);
    }
  }

  private finishComprehensionIteration(it: Iteration, comp: SyntaxNode): void {
    const body = field(comp, "body") ?? comp.children[0];
    const parts = comp.children.filter((c) => c === body || c.type === "if_clause");
    const wrapper = withChildren(comp, parts);
    this.finishIteration(it, wrapper);
  }

  /** A comprehension body that builds a related queryset per row evaluates it later: still one query per row. */
  private noteValueUse(v: Val, node: SyntaxNode): void {
    if (v.k === "qs" && v.base) this.noteEvaluation(v, node, "all");
    else if (node.type === "tuple" || node.type === "list" || node.type === "dictionary" || node.type === "set") {
      for (const c of node.children) {
        const el = c.type === "pair" ? field(c, "value") : c;
        if (el) this.noteValueUse(this.valueOf(el), el);
      }
    }
  }

  private attribute(node: SyntaxNode, scope: Scope): Val {
    const objNode = field(node, "object");
    const attrNode = field(node, "attribute");
    if (!objNode || !attrNode) return UNKNOWN;
    const obj = this.expr(objNode, scope);
    const attr = nodeText(this.text, attrNode);
    if (obj.k === "class") {
      const mgr = obj.model.managers.get(attr) ?? (attr === "_default_manager" ? obj.model.defaultManager : attr === "_base_manager" ? null : undefined);
      if (mgr === undefined && attr !== "_base_manager") return UNKNOWN;
      if (mgr && mgr.opaque && !mgr.shape) return UNKNOWN;
      let loaded = newLoaded();
      if (mgr?.shape) this.applyShape(loaded, obj.model, mgr.shape);
      // get_queryset() that cannot be read, or querysets that batch by themselves: assume everything is loaded.
      if (obj.model.autoPrefetch || (mgr && !mgr.shape) || mgr?.shape?.batched) loaded = ALL_LOADED;
      return { k: "manager", model: obj.model, mgr: mgr ?? null, base: null, field: null, access: node, loaded, origin: { file: this.file, start: node.start, end: node.end, insertAt: node.end, selectCall: null, prefetchCall: null, iterator: false } };
    }
    if (obj.k === "inst") return this.instAttribute(obj, attr, node);
    if (obj.k === "unknown" && scope.cls && nodeText(this.text, objNode) === "self" && (attr === "model" || attr === "queryset")) {
      // self.model / self.queryset in a class-based view: the class attribute.
      const value = this.classAttrs.get(scope.cls)?.get(attr);
      if (value) return this.cache.get(value) ?? UNKNOWN;
    }
    if (obj.k === "unknown" && objNode.type === "identifier" && /^[A-Z]/.test(attr)) {
      // models.Redirect: a model class reached through its module.
      const d = dotted(this.text, node);
      const model = d ? this.index.modelFromName(this.file, d) : undefined;
      if (model) return { k: "class", model };
    }
    return UNKNOWN;
  }

  private instAttribute(obj: InstVal, attr: string, node: SyntaxNode): Val {
    const f = this.index.attribute(obj.model, attr);
    if (!f) {
      this.readsThroughMethod(obj, attr, node, true);
      const ta = obj.loaded.toAttrs.get(attr);
      if (ta && ta.model) return this.qsVal(ta.model, ta.loaded, null, { builtIn: null, values: false });
      return UNKNOWN;
    }
    if (f.kind === "concrete" || !f.target && f.kind !== "gfk") return UNKNOWN;
    const single = f.kind === "fk" || f.kind === "o2o" || f.kind === "reverse-o2o" || f.kind === "gfk";
    const rawChild = childLoaded(obj.loaded, attr, joinedByDefault(f));
    const child = rawChild ? withBackReference(rawChild, f, obj.loaded) : undefined;
    if (single) {
      if (!child && obj.row && !obj.tainted && this.inLoop(obj.row.loop) && f.kind !== "gfk" || (!child && obj.row && !obj.tainted && f.kind === "gfk" && this.inLoop(obj.row.loop))) {
        this.read({ kind: "single", node, row: obj.row, path: [...obj.path, attr], field: f, model: obj.model, use: "attr" });
      }
      if (!f.target) return UNKNOWN;
      return { k: "inst", model: f.target, loaded: child ?? newLoaded(), row: obj.row, path: [...obj.path, attr], tainted: obj.tainted || !child, ...(obj.fetched ? { fetched: obj.fetched } : {}) };
    }
    // A many relation: a related manager.
    const target = f.target!;
    const mgrShape = target.defaultManager.shape;
    let loaded: Loaded;
    if (child) loaded = child;
    else {
      loaded = newLoaded();
      if (mgrShape) this.applyShape(loaded, target, mgrShape);
      else loaded = ALL_LOADED;
      if (target.autoPrefetch) loaded = ALL_LOADED;
      loaded = withBackReference(loaded, f, obj.loaded);
    }
    return { k: "manager", model: target, mgr: target.defaultManager, base: obj, field: f, access: node, loaded, origin: obj.row ? null : { file: this.file, start: node.start, end: node.end, insertAt: node.end, selectCall: null, prefetchCall: null, iterator: false } };
  }

  /**
   * A model method (or property) called on a row inside its loop: the relations it reads on `self` cost one query
   * per row too (`for check in checks: check.to_dict()` where to_dict() reads self.channel_set.all()).
   */
  private readsThroughMethod(obj: InstVal, name: string, node: SyntaxNode, asProperty: boolean): void {
    if (!obj.row || obj.tainted || !this.inLoop(obj.row.loop)) return;
    const m = this.index.methodOf(obj.model, name);
    if (!m) return;
    const isProperty = m.decorators.some((d) => /(^|\.)(property|cached_property)$/.test(d));
    if (asProperty !== isProperty) return;
    reads: for (const r of servedReads(m.reads[0] ?? [])) {
      let loaded: Loaded | undefined = obj.loaded;
      let model: Model | undefined = obj.model;
      const path: string[] = [];
      for (let i = 0; i < r.chain.length && loaded && model; i++) {
        const seg = r.chain[i];
        const f = this.index.attribute(model, seg);
        if (!f || f.kind === "concrete" || !f.target) break;
        const single = f.kind === "fk" || f.kind === "o2o" || f.kind === "reverse-o2o";
        const child = childLoaded(loaded, seg, joinedByDefault(f));
        path.push(seg);
        if (!child) {
          const next = r.chain[i + 1];
          // `self.tags.all().order_by("name")`: a new query that a prefetch would not serve (queryset-in-loop's).
          if (next === "all()" && requeriesAfterAll(r.chain[i + 2])) continue reads;
          if (single || next === "all()" || next === undefined) {
            this.read({ kind: single ? "single" : "many", node, row: obj.row, path: [...obj.path, ...path], field: f, model, use: `${name}${asProperty ? "" : "()"}` });
          }
          return;
        }
        loaded = child;
        model = f.target;
      }
    }
  }

  private inLoop(loop: LoopCtx): boolean {
    for (let l = this.loop; l; l = l.parent) if (l === loop) return true;
    return false;
  }

  private read(r: RelationRead): void {
    if (this.quiet || this.reported.has(r.node)) return;
    this.reported.add(r.node);
    // Nor is a read on the loop's error path its rows' cost (and the relation stays unloaded for later reads).
    if (onErrorPath(this.text, r.node, r.row.loop.node)) return;
    // Nor one in a `raise`, which leaves the loop.
    for (let p = r.node.parent; p && p !== r.row.loop.node; p = p.parent) if (p.type === "raise_statement") return;
    // The first read of a relation in an iteration loads it; later reads of the same path use the cache, and so
    // do reads in a later loop over the same queryset object (its result cache holds the same instances).
    const owner: object = r.row.qs ?? r.row;
    const seen = this.readPaths.get(owner) ?? new Map<string, RelationRead>();
    const key = r.path.join("__");
    const first = seen.get(key);
    if (first) {
      (first.also ??= []).push(r.node);
      return;
    }
    seen.set(key, r);
    this.readPaths.set(owner, seen);
    this.out.reads.push(r);
  }
  private readonly readPaths = new WeakMap<object, Map<string, RelationRead>>();

  private qsVal(model: Model, loaded: Loaded, origin: Origin | null, extra: Partial<QsVal>): QsVal {
    return { k: "qs", model, loaded, origin, base: null, field: null, access: null, fresh: false, values: false, builtIn: this.loop, fromModelManager: false, ...extra };
  }

  /** A related manager or queryset is evaluated (iterated, counted, ...) here. */
  /**
   * Querysets whose rows this analysis has already fetched: iterating, `list()`, `len()` or a truth test fills a
   * QuerySet's result cache, and later evaluations of the same object (the same variable, not a new filter())
   * read the cache without a query.
   */
  private readonly filled = new WeakSet<QsVal>();

  private fills(v: Val, use: string): boolean {
    if (v.k !== "qs" || this.quiet || !(use === "iterate" || use === "list" || use === "len" || use === "bool")) return false;
    if (this.filled.has(v)) return true;
    this.filled.add(v);
    return false;
  }

  private noteEvaluation(v: Val, node: SyntaxNode, use: string): void {
    if (v.k !== "qs" && v.k !== "manager") return;
    if (this.fills(v, use)) return;
    if (v.k === "qs" && v.values && use === "attr") return;
    const base = v.base;
    if (base && base.row && v.field && this.inLoop(base.row.loop) && !base.tainted && !(v.k === "qs" && v.fresh)) {
      const prefetched = childLoaded(base.loaded, v.field.name, false);
      if (!prefetched && !(v.k === "qs" && v.values)) {
        if (use === "count" || use === "exists" || use === "bool-count") {
          this.loopQuery(node, use, v.model, { field: v.field, base }, false);
        } else {
          this.read({ kind: "many", node: v.access!, row: base.row, path: [...base.path, v.field.name], field: v.field, model: base.model, use });
        }
      }
      return;
    }
    // A fresh queryset evaluated (iterated, listed, counted with len() or tested for truth) inside a loop that built
    // it: one query per outer iteration, where its rows are first fetched.
    if (v.k === "qs" && this.loop && !v.empty && (use === "iterate" || use === "list" || use === "bool" || use === "len") && this.builtInsideLoop(v)) {
      this.loopQuery(node, use === "iterate" ? "iteration" : use, v.model, v.base && v.field ? { field: v.field, base: v.base } : null, true, !!v.locks, this.builtBy(v, node));
    }
  }

  private noteHanded(v: Val, node: SyntaxNode): void {
    if ((v.k === "qs" || v.k === "manager") && v.base && !(v.k === "manager")) this.noteEvaluation(v, node, "passed");
  }

  /**
   * The whole expression that built an evaluated queryset, to tell whether it depends on the loop: the evaluated
   * chain itself, or the one value a name was bound to (`qs = X.filter(channel=c)` in the loop, then `for i in qs`),
   * not the name, which the loop binds. Undefined when the queryset went through anything else (a helper taking
   * loop values, a name bound twice).
   */
  private builtBy(v: QsVal, node: SyntaxNode): SyntaxNode | undefined {
    const o = v.origin;
    if (!o || o.file !== this.file || o.also) return undefined;
    if (node.start === o.start && node.end === o.end) return node;
    if (node.type !== "identifier") return undefined;
    const bs = nameBindings(this.text, enclosingScope(node), nodeText(this.text, node));
    const value = bs?.length === 1 && bs[0].op === "=" ? bs[0].value : null;
    return value && value.start === o.start && value.end === o.end ? value : undefined;
  }

  private builtInsideLoop(v: QsVal): boolean {
    if (!v.builtIn) return false;
    if (!v.fromModelManager && !(v.base && v.fresh)) return false;
    return this.inLoop(v.builtIn);
  }

  private loopQuery(node: SyntaxNode, method: string, model: Model, related: LoopQuery["related"], iteration: boolean, locks = false, built?: SyntaxNode): void {
    if (this.quiet || !this.loop || this.reported.has(node)) return;
    this.reported.add(node);
    // A write, or a read in a loop that writes, is not the same query on every iteration.
    // (get_or_create() with the same arguments finds the same row after the first pass: it may be hoisted.)
    const write = /^a?(create|update_or_create)$/.test(method);
    let loopWrites = false;
    for (let l: LoopCtx | null = this.loop; l; l = l.parent) loopWrites ||= l.writes;
    const independent = !write && (!iteration || !!built) && this.invariant(built ?? node, this.loop);
    this.out.queries.push({ node, method, model, loop: this.loop, invariant: independent && !loopWrites, independent, related, iteration, ...(locks ? { locks } : {}) });
  }

  /** The node reads no name that the loop (or an enclosing comprehension) binds. */
  private invariant(node: SyntaxNode, loop: LoopCtx): boolean {
    let ok = true;
    const stack = [node];
    while (stack.length && ok) {
      const n = stack.pop()!;
      if (n.type === "identifier") {
        const p = n.parent;
        if (p && p.type === "attribute" && field(p, "attribute") === n) continue;
        if (p && p.type === "keyword_argument" && field(p, "name") === n) continue;
        const name = nodeText(this.text, n);
        for (let l: LoopCtx | null = loop; l; l = l.parent) if (l.bound.has(name)) ok = false;
        continue;
      }
      for (let i = 0; i < n.children.length; i++) stack.push(n.children[i]);
    }
    // Only for the innermost loop: is it independent of that loop?
    return ok;
  }

  private call(node: SyntaxNode, scope: Scope): Val {
    const parts = callParts(this.text, node);
    if (!parts) return UNKNOWN;
    // get_model("app", "Model") / apps.get_model(...) / get_user_model(): the model class, as the index resolves
    // these names where they are imported (a module-level `Book = get_model(...)` must not hide the model).
    const callText = nodeText(this.text, node);
    const gm = /^(?:[\w.]*\.)?get_model\(\s*["'](\w+)["']\s*,\s*["'](\w+)["']\s*\)$/.exec(callText);
    const gmModel = gm ? this.index.modelByRef(`${gm[1]}.${gm[2]}`) : /^(?:[\w.]*\.)?get_user_model\(\)$/.test(callText) ? this.index.modelFromName(this.file, callText) : undefined;
    if (gmModel) return { k: "class", model: gmModel };
    const mc = methodCall(this.text, node);
    if (mc) {
      const recv = this.expr(mc.receiver, scope);
      const handed = [...parts.args.map((a) => this.expr(a, scope)), ...[...parts.kwargs.values()].map((v) => this.expr(v, scope))];
      // A related queryset handed to a non-ORM call (out.append(a.book_set.all())) is evaluated there or later.
      if (recv.k !== "qs" && recv.k !== "manager") for (const v of handed) this.noteHanded(v, node);
      // `row.refresh_from_db()` clears the row's cached relations and prefetches: later reads query again whatever
      // the queryset joined, so they are no longer the iterated queryset's to fix. The variable then holds an
      // instance with nothing loaded, no longer a row of the loop. With `fields=`, only those are cleared: not
      // followed.
      if ((mc.method === "refresh_from_db" || mc.method === "arefresh_from_db") && recv.k === "inst" && mc.receiver.type === "identifier" && !parts.args.length && !parts.kwargs.has("fields")) {
        this.bind(mc.receiver, { k: "inst", model: recv.model, loaded: newLoaded(), row: null, path: [], tainted: false }, scope);
      }
      return this.method(node, recv, mc.method, scope);
    }
    // Plain function call.
    const fname = nodeText(this.text, parts.func);
    const argVals = parts.args.map((a) => this.expr(a, scope));
    const kwVals = [...parts.kwargs.values()].map((v) => this.expr(v, scope));
    if (!["list", "tuple", "sorted", "reversed", "len", "bool", "set", "any", "sum", "prefetch_related_objects"].includes(fname)) {
      for (const v of [...argVals, ...kwVals]) this.noteHanded(v, node);
    }
    if (parts.func.type !== "identifier" && parts.func.type !== "attribute") this.expr(parts.func, scope);
    const first = argVals[0] ?? UNKNOWN;
    switch (fname) {
      case "str":
        // str(row) runs the model's __str__: what it reads on self is read per row.
        if (first.k === "inst" && parts.args.length === 1 && !parts.kwargs.size) this.readsThroughMethod(first, "__str__", node, false);
        return UNKNOWN;
      case "list":
      case "tuple":
      case "sorted":
      case "reversed":
        if (first.k === "qs" || first.k === "manager") {
          this.noteEvaluation(first, node, "list");
          return first.k === "qs" ? { ...first, builtIn: null } : UNKNOWN;
        }
        return UNKNOWN;
      case "len":
      case "bool":
      case "set":
      case "any":
      case "sum":
        this.noteEvaluation(first, node, fname === "len" ? "len" : fname === "bool" ? "bool" : "list");
        return UNKNOWN;
      case "get_object_or_404":
      case "aget_object_or_404": {
        const qs = this.asQs(first, node);
        return qs ? { k: "inst", model: qs.model, loaded: qs.loaded, row: null, path: [], tainted: false, fetched: { origin: qs.origin, model: qs.model } } : UNKNOWN;
      }
      case "get_list_or_404":
      case "aget_list_or_404": {
        const qs = this.asQs(first, node);
        return qs ? { ...qs, builtIn: null } : UNKNOWN;
      }
      case "prefetch_related_objects": {
        // prefetch_related_objects(rows, "a", "b"): the rows in that variable now have a and b loaded.
        const target = parts.args[0];
        if (target?.type === "identifier" && (first.k === "qs" || first.k === "manager") && !first.loaded.all) {
          const loaded = cloneLoaded(first.loaded);
          for (const a of parts.args.slice(1)) {
            const lookup = stringValue(this.text, a);
            if (lookup) insertPath(loaded, lookup.split("__"));
            else loaded.all = true;
          }
          this.bind(target, { ...first, loaded: loaded.all ? ALL_LOADED : loaded } as Val, scope);
        }
        return UNKNOWN;
      }
      case "super":
        return UNKNOWN;
    }
    if (EVALUATORS.has(fname)) return UNKNOWN;
    if (parts.func.type === "identifier") {
      const fn = this.functions.get(fname);
      if (fn && !this.lookup(fname, scope)) return this.returnOf(fn);
    }
    return UNKNOWN;
  }

  private asQs(v: Val, node: SyntaxNode): QsVal | null {
    if (v.k === "class") return this.method(node, this.managerOf(v.model, node), "all", this.module) as QsVal;
    if (v.k === "qs") return v;
    if (v.k === "manager") return this.method(node, v, "all", this.module) as QsVal;
    return null;
  }

  private managerOf(model: Model, node: SyntaxNode): Val {
    const loaded = newLoaded();
    const shape = model.defaultManager.shape;
    if (shape) this.applyShape(loaded, model, shape);
    return { k: "manager", model, mgr: model.defaultManager, base: null, field: null, access: node, loaded: shape && !model.autoPrefetch ? loaded : ALL_LOADED, origin: null };
  }

  /** The value a same-file function returns, computed once, without reporting anything inside it. */
  private returnOf(fn: FunctionInfo): Val {
    if (fn.returns) return fn.returns;
    if (fn.computing) return UNKNOWN;
    fn.computing = true;
    this.quiet++;
    const savedLoop = this.loop;
    const savedCond = this.conditional;
    this.loop = null;
    this.conditional = 0;
    let result: Val | null = null;
    let consistent = true;
    try {
      const scope = this.functionScope(fn.node, fn.cls ? { vars: new Map(), parent: this.module, cls: fn.cls } : this.module);
      const body = field(fn.node, "body");
      const returns: SyntaxNode[] = [];
      const stack = body ? [body] : [];
      while (stack.length) {
        const n = stack.pop()!;
        if (n.type === "function_definition" || n.type === "class_definition" || n.type === "lambda") continue;
        if (n.type === "return_statement") returns.push(n);
        for (let i = 0; i < n.children.length; i++) stack.push(n.children[i]);
      }
      if (body) this.block(body, scope);
      for (const r of returns) {
        const v = r.children[0] ? this.valueOf(r.children[0]) : UNKNOWN;
        if (!result) result = v;
        else if (result.k !== v.k || !("model" in v) || !("model" in result) || result.model !== v.model) consistent = false;
        // `if not allowed: return X.objects.none()` beside the real queryset: the one that queries counts.
        else if (result.k === "qs" && result.empty && v.k === "qs" && !v.empty) result = v;
      }
      if (!consistent) result = UNKNOWN;
    } finally {
      this.quiet--;
      this.loop = savedLoop;
      this.conditional = savedCond;
      fn.computing = false;
    }
    const r = result ?? UNKNOWN;
    fn.returns = r.k === "qs" ? { ...r, builtIn: null } : r;
    return fn.returns;
  }

  private viewQueryset(cls: SyntaxNode, scope: Scope): Val {
    const methods = this.methods.get(cls);
    const gq = methods?.get("get_queryset");
    if (gq) return this.returnOf(gq);
    const attr = this.classAttrs.get(cls)?.get("queryset");
    if (attr) return this.cache.get(attr) ?? this.expr(attr, scope);
    const model = this.classAttrs.get(cls)?.get("model");
    if (model) {
      const m = this.index.modelFromName(this.file, nodeText(this.text, model));
      if (m) return this.managerOf(m, model);
    }
    return UNKNOWN;
  }

  private method(node: SyntaxNode, recv: Val, name: string, scope: Scope): Val {
    // self.get_queryset() / super().get_queryset() / self.queryset in a class-based view
    if (recv.k === "unknown" && scope.cls) {
      const mc = methodCall(this.text, node);
      const recvText = mc ? nodeText(this.text, mc.receiver) : "";
      if ((recvText === "self" || /^super\(\s*\)$/.test(recvText)) && name === "get_queryset") {
        if (recvText === "self") {
          const own = this.methods.get(scope.cls)?.get("get_queryset");
          if (own) return this.returnOf(own);
        }
        const attr = this.classAttrs.get(scope.cls)?.get("queryset");
        if (attr) return this.expr(attr, this.module);
        return this.viewQueryset(scope.cls, scope);
      }
      if (recvText === "self" && this.methods.get(scope.cls)?.has(name)) {
        return this.returnOf(this.methods.get(scope.cls)!.get(name)!);
      }
      return UNKNOWN;
    }
    if (recv.k === "class") {
      // A classmethod / staticmethod of the model that returns a queryset (Redirect.get_for_site(site)).
      const m = this.index.methodOf(recv.model, name);
      const ret = m?.returns;
      if (ret && ret.root === "model" && (ret.model === "cls" || this.index.modelFromName(recv.model.file, ret.model ?? "") === recv.model)) {
        let v: Val = this.asQs(recv, node) ?? UNKNOWN;
        if (v.k === "qs") v = { ...v, origin: null };
        for (const op of ret.ops) {
          if (v.k !== "qs") return UNKNOWN;
          v = this.applyForeignOp(v, op);
        }
        return v;
      }
      return UNKNOWN;
    }
    if (recv.k === "inst") {
      this.readsThroughMethod(recv, name, node, false);
      return UNKNOWN;
    }
    if (recv.k !== "manager" && recv.k !== "qs") return UNKNOWN;
    const isMany = !!recv.base;
    const base = recv.k === "qs" ? recv : this.qsVal(recv.model, recv.loaded, recv.origin, { base: recv.base, field: recv.field, access: recv.access, fromModelManager: !recv.base, builtIn: this.loop });
    if (recv.k === "manager" && recv.base === null) base.fromModelManager = true;

    if (EXECUTES_ONE.has(name)) {
      // first() on an ordered queryset whose rows were fetched (a truth test, a loop) slices its result cache.
      // (Unordered, it adds order_by("pk"): a new query.)
      const cached = /^a?first$/.test(name) && recv.k === "qs" && this.filled.has(recv) && (recv.ordered ?? (recv.model.ordering.length > 0 || !!recv.model.managerOrders));
      if (!cached) this.queryInLoop(node, name, base);
      return { k: "inst", model: base.model, loaded: base.loaded, row: null, path: [], tainted: false, fetched: { origin: base.origin, model: base.model } };
    }
    if (EXECUTES_OTHER.has(name)) {
      const use = name.replace(/^a(?=count|exists)/, "");
      // count() and exists() on a queryset whose rows were fetched read its result cache (len() / bool() of it).
      if ((use === "count" || use === "exists") && recv.k === "qs" && this.filled.has(recv)) return UNKNOWN;
      if (isMany && !base.fresh && (use === "count" || use === "exists")) this.noteEvaluation(base, node, use);
      else this.queryInLoop(node, name, base);
      return UNKNOWN;
    }
    if (QS_PASSTHROUGH.has(name)) {
      const op = chainOp(this.text, node, name);
      const loaded = base.loaded.all ? ALL_LOADED : cloneLoaded(base.loaded);
      const origin = base.origin ? { ...base.origin, end: node.end } : null;
      let fresh = base.fresh;
      let values = base.values;
      let ordered = base.ordered;
      switch (name) {
        case "order_by":
          ordered = op.strings.length > 0;
          if (isMany) fresh = true;
          break;
        case "select_related":
          if (!loaded.all) {
            if (!op.strings.length || op.strings.includes(null)) loaded.allSingles = true;
            for (const s of op.strings) if (s) insertPath(loaded, s.split("__"));
          }
          if (origin && op.strings.length && !op.strings.includes(null)) {
            origin.selectCall = op;
            origin.bareSelect = false;
          } else if (origin && !op.strings.length) {
            // A bare select_related() replaces the named ones before it, and one added after it replaces it.
            origin.selectCall = null;
            origin.bareSelect = true;
          }
          break;
        case "prefetch_related":
          if (!loaded.all) {
            for (const s of op.strings) if (s) this.insertPrefetchPath(loaded, base.model, s.split("__"));
            // An argument it cannot read may prefetch anything.
            if (op.unread) loaded.all = true;
            for (const p of op.prefetches) this.applyPrefetch(loaded, base.model, p);
          }
          if (origin && op.strings.length + op.prefetches.length > 0) origin.prefetchCall = op;
          if (isMany && !loaded.all) fresh = true;
          break;
        case "annotate":
        case "alias":
          for (const k of op.kwnames) loaded.annotations.add(k);
          break;
        case "only":
          if (!loaded.all) loaded.only = new Set(op.strings.filter((s): s is string => !!s));
          break;
        case "defer":
          for (const s of op.strings) if (s) loaded.deferred.add(s);
          break;
        case "values":
        case "values_list":
          values = true;
          break;
        case "fetch_mode":
          if (op.peers) return { ...base, loaded: ALL_LOADED, origin, fresh, values, k: "qs" };
          break;
        case "iterator":
          // Without chunk_size, iterator() ignores (Django < 5) or rejects (5.0+) prefetch_related.
          if (origin && !op.kwnames.includes("chunk_size") && op.strings.length === 0) {
            origin.iterator = true;
            if (!op.kwnames.length && op.argsEnd > op.start) origin.iteratorAt = { file: this.file, offset: op.argsEnd };
          }
          break;
        case "all":
          // Evaluated where it is iterated, listed, counted or handed on; `.all().delete()` is another query.
          break;
        case "union":
        case "intersection":
        case "difference":
          return UNKNOWN;
        case "none":
          // Never reaches the database (the compiler answers an empty result): no query to report on it.
          return { ...base, loaded, origin, fresh, values, ordered, empty: true, k: "qs" };
        case "select_for_update":
          if (isMany) fresh = true;
          return { ...base, loaded, origin, fresh, values, ordered, locks: true, k: "qs" };
        case "filter":
          // Rows filtered to a null foreign key (`book__isnull=True`, `book=None`): reading it runs no query (Django
          // answers None when the key column is null), and nothing is read through it.
          if (!loaded.all) for (const rel of this.nullRelations(node, base.model)) loaded.kids.set(rel, { ...newLoaded(), all: true });
          if (isMany) fresh = true;
          break;
        default:
          if (isMany) fresh = true;
      }
      if (isMany && name !== "all" && name !== "iterator" && name !== "prefetch_related") fresh = true;
      return { ...base, loaded, origin, fresh, values, ordered, k: "qs" };
    }
    // A custom queryset or manager method defined in the workspace.
    const mgr = recv.k === "manager" ? recv.mgr : null;
    const methods = mgr?.methods ?? recv.model.defaultManager.methods;
    const fact = methods.get(name);
    if (fact?.returns && fact.returns.root !== "model") {
      // A method of the manager alone (not of its QuerySet) is not there after select_related(): a fix goes after it.
      const managerOnly = recv.k === "manager" && !recv.base && !mgr?.querysetMethods?.has(name);
      let v: Val = managerOnly && base.origin ? { ...base, origin: { ...base.origin, end: node.end, insertAt: node.end } } : base;
      for (const op of fact.returns.ops) {
        if (v.k !== "qs") return UNKNOWN;
        v = this.applyForeignOp(v, op);
      }
      // On a related manager (`project.resources.current()`) the method runs on a new queryset: a prefetch of the
      // relation does not serve it (checked on Django 5.2, even for `return self.all()`).
      if (recv.base && v.k === "qs") v = { ...v, fresh: true };
      return v;
    }
    return UNKNOWN;
  }

  /** The forward foreign keys and one-to-ones that a filter() call requires to be null. */
  private nullRelations(call: SyntaxNode, model: Model): string[] {
    const parts = callParts(this.text, call);
    if (!parts) return [];
    const out: string[] = [];
    for (const [k, v] of parts.kwargs) {
      const name = k.endsWith("__isnull") && v.type === "true" ? k.slice(0, -"__isnull".length) : v.type === "none" ? k : null;
      const f = name && !name.includes("__") ? this.index.attribute(model, name) : undefined;
      if (f && (f.kind === "fk" || f.kind === "o2o")) out.push(f.name);
    }
    return out;
  }

  /**
   * A prefetched lookup path. Django fetches a reverse foreign key, a many-to-many relation or a GenericRelation
   * through the related model's default manager class, so what that manager's get_queryset() joins or prefetches is
   * loaded too (a forward foreign key goes through the plain base manager: nothing more).
   */
  private insertPrefetchPath(loaded: Loaded, model: Model, segs: string[], depth = 0): void {
    let node = loaded;
    let m: Model | undefined = model;
    for (const seg of segs) {
      node = insertPath(node, [seg]);
      const f: ModelField | undefined = m ? this.index.attribute(m, seg) : undefined;
      const shape = f?.target && MANAGED_RELATIONS.has(f.kind) ? f.target.defaultManager.shape : null;
      if (shape && f?.target) this.applyShape(node, f.target, shape, depth + 1);
      m = f?.target;
    }
  }

  /**
   * What a manager's get_queryset() joins and prefetches, on rows of `model`. Its prefetches go through their
   * related models' default managers in turn (a group manager that prefetches `members`, whose manager joins
   * `user`), a few levels deep (managers that prefetch each other would not end).
   */
  private applyShape(loaded: Loaded, model: Model, shape: QsShape, depth = 0): void {
    // The columns it chooses, as a written only() / defer() would.
    if (shape.onlyFields) loaded.only = new Set(shape.onlyFields);
    for (const f of shape.deferFields ?? []) loaded.deferred.add(f);
    if (shape.columnsUnknown) loaded.columnsChosen = true;
    for (const s of shape.select) insertPath(loaded, s.split("__"));
    for (const s of shape.prefetch) {
      if (depth < 4) this.insertPrefetchPath(loaded, model, s.split("__"), depth);
      else insertPath(loaded, s.split("__"));
    }
    if (shape.selectAll) loaded.allSingles = true;
  }

  /** Applies an op read from another file (a manager method): no fix origin changes. */
  private applyForeignOp(v: QsVal, op: ChainOp): Val {
    if (EXECUTES_ONE.has(op.method) || EXECUTES_OTHER.has(op.method)) return UNKNOWN;
    if (!QS_PASSTHROUGH.has(op.method)) return UNKNOWN;
    const loaded = v.loaded.all ? ALL_LOADED : cloneLoaded(v.loaded);
    if (op.method === "select_related" && !loaded.all) {
      if (!op.strings.length || op.strings.includes(null)) loaded.allSingles = true;
      for (const s of op.strings) if (s) insertPath(loaded, s.split("__"));
    } else if (op.method === "prefetch_related" && !loaded.all) {
      for (const s of op.strings) if (s) this.insertPrefetchPath(loaded, v.model, s.split("__"));
      for (const p of op.prefetches) this.applyPrefetch(loaded, v.model, p);
      if (op.unread) return { ...v, loaded: ALL_LOADED };
    } else if (op.method === "annotate" || op.method === "alias") {
      for (const k of op.kwnames) loaded.annotations.add(k);
    } else if (op.method === "values" || op.method === "values_list") {
      return { ...v, loaded, values: true };
    } else if (op.method === "fetch_mode" && op.peers) {
      return { ...v, loaded: ALL_LOADED };
    } else if (op.method === "order_by") {
      return { ...v, loaded, ordered: op.strings.length > 0 };
    }
    return { ...v, loaded };
  }

  private applyPrefetch(loaded: Loaded, model: Model, p: PrefetchFact): void {
    const segs = p.lookup.split("__");
    // Model reached by the lookup, for to_attr lists.
    let m: Model | undefined = model;
    for (const s of segs) m = m ? this.index.attribute(m, s)?.target : undefined;
    let inner = newLoaded();
    if (p.queryset) {
      let v: Val = this.qsVal(m ?? model, newLoaded(), null, { builtIn: null });
      if (m && p.querysetModel) {
        const qm = this.index.modelFromName(this.file, p.querysetModel);
        if (qm) {
          const mgrShape = qm.defaultManager.shape;
          if (mgrShape) this.applyShape((v as QsVal).loaded, qm, mgrShape);
          else v = { ...(v as QsVal), loaded: ALL_LOADED };
        }
      }
      for (const op of p.queryset) {
        if (v.k !== "qs") break;
        v = this.applyForeignOp(v, op);
      }
      inner = v.k === "qs" ? v.loaded : ALL_LOADED;
    } else if (m) {
      const shape = m.defaultManager.shape;
      if (shape) this.applyShape(inner, m, shape);
    }
    if (p.toAttr) {
      const parent = segs.length > 1 ? insertPath(loaded, segs.slice(0, -1)) : loaded;
      parent.toAttrs.set(p.toAttr, { model: m, loaded: inner });
    } else {
      const leaf = insertPath(loaded, segs);
      const merged = mergeLoaded(leaf, inner);
      const parent = segs.length > 1 ? insertPath(loaded, segs.slice(0, -1)) : loaded;
      parent.kids.set(segs[segs.length - 1], merged);
    }
  }

  private queryInLoop(node: SyntaxNode, method: string, base: QsVal): void {
    if (!this.loop || base.empty) return;
    if (base.base && base.base.row && !base.fresh && childLoaded(base.base.loaded, base.field!.name, false)) return;
    if (base.base && base.base.tainted) return;
    if (base.loaded.all && !base.fromModelManager && !base.base) return;
    const related = base.base && base.field ? { field: base.field, base: base.base } : null;
    this.loopQuery(node, method, base.model, related, false, !!base.locks);
  }
}

/** Relations Django reads through the related model's default manager class. */
const MANAGED_RELATIONS = new Set(["reverse-fk", "m2m", "reverse-m2m", "generic-relation"]);

/**
 * What was loaded for a relation of a row, or undefined when it was not joined or prefetched.
 * `joinedByDefault`: the relation is a non-null forward ForeignKey/OneToOne, which a bare select_related() follows.
 */
/** The innermost loop whose repeated part contains the node (not a for's iterable), within the same function. */
export function enclosingLoop(loops: Map<SyntaxNode, LoopCtx>, node: SyntaxNode): LoopCtx | null {
  let child = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    if (p.type === "function_definition" || p.type === "lambda" || p.type === "class_definition") return null;
    const loop = loops.get(p);
    if (!loop) continue;
    if (p.type === "for_statement" && child.field !== "body") continue;
    if (p.type === "while_statement" && child.field !== "body" && child.field !== "condition") continue;
    if (loop.kind === "comprehension") {
      const firstFor = p.children.find((c) => c.type === "for_in_clause");
      const iterable = firstFor && field(firstFor, "right");
      if (child === firstFor && iterable) {
        let inIterable = false;
        for (let x: SyntaxNode | null = node; x && !inIterable; x = x.parent) inIterable = x === iterable;
        if (inIterable) continue;
      }
    }
    return loop;
  }
  return null;
}

export function childLoaded(l: Loaded, name: string, joinedByDefault: boolean): Loaded | undefined {
  if (l.all) return ALL_LOADED;
  const k = l.kids.get(name);
  if (k) return joinedByDefault && l.allSingles && !k.allSingles ? { ...k, allSingles: true } : k;
  if (joinedByDefault && l.allSingles) return { ...newLoaded(), allSingles: true };
  return undefined;
}

/** Does a bare select_related() follow this relation? */
export function joinedByDefault(f: ModelField): boolean {
  return (f.kind === "fk" || f.kind === "o2o") && !f.null;
}

/**
 * Rows reached through a reverse ForeignKey or a one-to-one carry their parent: Django caches the back-reference
 * (book.author for author.book_set rows, profile.user for user.profile), so reading it runs no query.
 */
export function withBackReference(child: Loaded, f: ModelField, parent: Loaded): Loaded {
  const back = f.forward ? f.forward.name : f.kind === "o2o" && f.target ? reverseAccessorName(f) : null;
  if (!back || child.all) return child;
  if (f.kind !== "reverse-fk" && f.kind !== "reverse-o2o" && f.kind !== "o2o") return child;
  const out = cloneLoaded(child);
  out.kids.set(back, parent);
  return out;
}

function reverseAccessorName(f: ModelField): string | null {
  if (!f.target) return null;
  for (const x of f.target.fields.values()) if (x.forward === f || (x.forward && x.forward.name === f.name && x.target === f.owner)) return x.name;
  return null;
}

export { stringValue, prefetchFact };
