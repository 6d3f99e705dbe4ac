/**
 * n-plus-one in Django templates: `{% for x in qs %}` whose body reads `x.relation...` when the view that renders
 * the template passes a queryset without the join or prefetch. Reported in the template, with the view's queryset
 * as related information; the fix edits the view's queryset.
 */
import { childLoaded, joinedByDefault, newLoaded, withBackReference, type InstVal, type Loaded, type Origin, type Val } from "../../server/src/engine/flow";
import type { Model, ModelField } from "../../server/src/engine/models";
import type { SyntaxNode } from "../../server/src/engine/parser";
import type { RuleContext } from "../../server/src/engine/rule";
import { baseNames, callParts, dotted, field, methodCall, nodeText, stringValue } from "../../server/src/engine/syntax";
import { genericTemplateName, parseTemplate, type TNode, type TVar } from "../../server/src/engine/templates";
import { ContextResolver, mergeQuerysets } from "./context";
import { viewQuerysets } from "./drf";
import { inheritedListView } from "./listviews";
import { tagFunction } from "./tags";

const SINGLE = new Set(["fk", "o2o", "reverse-o2o"]);

export interface TemplateRead {
  rowId?: number;
  template: string;
  start: number;
  end: number;
  path: string[];
  rowModel: Model;
  origin: Origin | null;
  single: boolean;
  relation: string;
  /** The same row's same relation read again in an included template: one fix serves them all. */
  also?: { file: string; start: number; end: number }[];
  /**
   * The single relations read on from it (`sub.project.group.name` reads `project`, then `project.group`): the
   * join the fix asks for, so one fix settles the whole path.
   */
  joinPaths?: string[][];
}

/** A row in a template loop; `id` names the loop binding, so a relation read twice in one iteration counts once. */
type TV = Val | { k: "trow"; inst: InstVal; origin: Origin | null; rowModel: Model; id?: number } | { k: "attrs"; attrs: Map<string, TV> };
let nextRowId = 1;
/** The row id of each queryset value a template loop iterates (see walkTemplate). */
const rowsOf = new WeakMap<object, number>();

interface Env {
  vars: Map<string, TV>;
}


/** Is every step of the lookup path from the row's model a single-valued relation (foreign key, one-to-one)? */
function singlePath(ctx: RuleContext, model: Model, path: readonly string[]): boolean {
  let m: Model | undefined = model;
  for (const seg of path) {
    const f: ModelField | undefined = m ? ctx.index.attribute(m, seg) : undefined;
    if (!f || !f.target || !SINGLE.has(f.kind)) return false;
    m = f.target;
  }
  return true;
}

function evalInTemplate(ctx: RuleContext, env: Env, v: TVar, inLoop: boolean, reads: TemplateRead[], template: string, iterating: boolean): TV {
  let cur: TV | undefined = env.vars.get(v.segs[0]);
  if (!cur) return { k: "unknown" };
  let afterMany = false;
  let pushed: TemplateRead | null = null;
  for (let i = 1; i < v.segs.length; i++) {
    const seg = v.segs[i];
    if (cur.k === "attrs") {
      // An object with known attributes (the request of the context processors: request.user).
      cur = cur.attrs.get(seg) ?? { k: "unknown" };
      continue;
    }
    if (cur.k === "qs" || cur.k === "manager") {
      // qs.all / qs.count ...: the value is the queryset itself for iteration purposes
      if (seg === "all") continue;
      return { k: "unknown" };
    }
    if (afterMany && seg === "all") continue;
    if (cur.k !== "trow" && cur.k !== "inst") return { k: "unknown" };
    const inst: InstVal = cur.k === "trow" ? cur.inst : cur;
    const origin: Origin | null = cur.k === "trow" ? cur.origin : null;
    const rowModel: Model = cur.k === "trow" ? cur.rowModel : inst.model;
    const f = ctx.index.attribute(inst.model, seg);
    if (!f) {
      // A model method or property used in the template ({{ check.relative_url }}): the relations it reads on
      // self are loaded per row too.
      const m = ctx.index.methodOf(inst.model, seg);
      const isRow = cur.k === "trow" || inst.row !== null;
      if (m && isRow && inLoop && !inst.tainted && m.params.length <= 1) {
        chainReads(ctx, cur, m.reads[0] ?? [], reads, template, v.start, v.start + v.segs.slice(0, i + 1).join(".").length);
      }
      const ta = inst.loaded.toAttrs.get(seg);
      if (ta && ta.model) return { k: "qs", model: ta.model, loaded: ta.loaded, origin: null, base: null, field: null, access: null, fresh: false, values: false, builtIn: null, fromModelManager: false };
      return { k: "unknown" };
    }
    if (f.kind === "concrete" || !f.target || f.kind === "gfk") return { k: "unknown" };
    const single = SINGLE.has(f.kind);
    const rawChild = childLoaded(inst.loaded, seg, joinedByDefault(f));
    const child = rawChild ? withBackReference(rawChild, f, inst.loaded) : undefined;
    const isRow = cur.k === "trow" || inst.row !== null;
    const next = v.segs[i + 1];
    const counts = !single && (next === "count" || next === "exists");
    const rowId: number | undefined = cur.k === "trow" ? cur.id : undefined;
    if (!child && isRow && inLoop && !inst.tainted) {
      // select_related only when every step from the row is single: `links.added_by` after a reverse foreign key
      // needs prefetch_related("links__added_by") (select_related would raise FieldError).
      const path = [...inst.path, seg];
      const r: TemplateRead = { rowId, template, start: v.start, end: v.start + v.segs.slice(0, i + 1).join(".").length, path, rowModel, origin, single: single && singlePath(ctx, rowModel, inst.path), relation: counts ? `${f.name}.${next}` : f.name };
      reads.push(r);
      pushed = r.single ? r : null;
    } else if (pushed && single && !child && isRow && inLoop) {
      const jp = [...inst.path, seg];
      pushed.joinPaths = [...(pushed.joinPaths ?? []).filter((p) => !p.every((x, k) => jp[k] === x)), jp];
    }
    const loaded = child ?? withBackReference(newLoaded(), f, inst.loaded);
    if (counts) return { k: "unknown" };
    if (single) {
      const nextInst: InstVal = { k: "inst", model: f.target, loaded, row: inst.row, path: [...inst.path, seg], tainted: inst.tainted || !child };
      cur = cur.k === "trow" ? { k: "trow", inst: nextInst, origin, rowModel, id: rowId } : nextInst;
    } else if (isRow) {
      // Rows of a relation of a row belong to the outer row's queryset.
      const nextInst: InstVal = { k: "inst", model: f.target, loaded, row: inst.row, path: [...inst.path, seg], tainted: inst.tainted || !child };
      cur = { k: "trow", inst: nextInst, origin, rowModel, id: rowId };
    } else {
      // Rows of a relation of one object: a queryset of their own, built in the template.
      const nextInst: InstVal = { k: "inst", model: f.target, loaded, row: null, path: [], tainted: false };
      cur = { k: "trow", inst: nextInst, origin: null, rowModel: f.target };
    }
    afterMany = !single;
  }
  return cur;
}

/**
 * Relations that code reads on a row, per chain (`self.project.name`, a tag's `user.profile.avatar`): each one not
 * loaded is a query per row, reported at [start, end) in the template.
 */
function chainReads(ctx: RuleContext, cur: TV, chains: { chain: string[] }[], reads: TemplateRead[], template: string, start: number, end: number, via: Set<string> = new Set()): void {
  if (cur.k !== "trow" && cur.k !== "inst") return;
  const inst: InstVal = cur.k === "trow" ? cur.inst : cur;
  const origin: Origin | null = cur.k === "trow" ? cur.origin : null;
  const rowModel: Model = cur.k === "trow" ? cur.rowModel : inst.model;
  for (const r of chains) {
    let l: Loaded | undefined = inst.loaded;
    let model: Model | undefined = inst.model;
    const path: string[] = [];
    let allSingle = true;
    for (let j = 0; j < r.chain.length && l && model; j++) {
      const name = r.chain[j].replace(/\(\)$/, "");
      const rf: ModelField | undefined = ctx.index.attribute(model, name);
      if (!rf && j === 0 && via.size < 3 && !via.has(name)) {
        // self.other_property (or self.method()): what it reads on self is read too.
        const selfReads = ctx.index.selfReads(model, r.chain[j]);
        if (selfReads) chainReads(ctx, cur, selfReads, reads, template, start, end, new Set([...via, name]));
        break;
      }
      if (!rf || rf.kind === "concrete" || !rf.target || rf.kind === "gfk") break;
      const single = SINGLE.has(rf.kind);
      const next = r.chain[j + 1];
      if (!single && next !== undefined && next !== "all()" && next !== "all") break;
      path.push(name);
      const child = childLoaded(l, name, joinedByDefault(rf));
      if (child && !single) allSingle = false;
      if (!child) {
        reads.push({ rowId: cur.k === "trow" ? cur.id : undefined, template, start, end, path: [...inst.path, ...path], rowModel, origin, single: allSingle && single, relation: rf.name });
        break;
      }
      l = child;
      model = rf.target;
    }
  }
}

/** The tag libraries a template loads ({% load a b %}, {% load x from lib %}). */
function loadedLibraries(nodes: TNode[]): string[] {
  const out: string[] = [];
  const visit = (ns: TNode[]) => {
    for (const n of ns) {
      if (n.kind === "load") out.push(...n.libs);
      else if (n.kind === "for" || n.kind === "with" || n.kind === "block") visit(n.body);
    }
  };
  visit(nodes);
  return out;
}

/** A child template's block that replaces the block of the same name in the templates it extends. */
interface BlockDef {
  body: TNode[];
  file: string;
  libs: string[];
}

/** The blocks a template defines (nested ones too), by name. */
function collectBlocks(nodes: TNode[], out: Map<string, TNode[]>): void {
  for (const n of nodes) {
    if (n.kind === "block" && !out.has(n.name)) out.set(n.name, n.body);
    if (n.kind === "block" || n.kind === "for" || n.kind === "with") collectBlocks(n.body, out);
  }
}

const readsBlockSuper = (nodes: TNode[]): boolean =>
  nodes.some((n) => (n.kind === "var" && n.v.segs[0] === "block" && n.v.segs[1] === "super") || ((n.kind === "for" || n.kind === "with") && readsBlockSuper(n.body)));

/**
 * A whole template as rendered: one that extends another (`{% extends "base.html" %}`, a name the project's
 * templates hold) renders its parent, with its own blocks (and those of the templates extending it, `overrides`)
 * in place of the parent's. Its content outside blocks is not rendered. When the parent is not found, the
 * template's own content is read as it is.
 */
function walkDocument(ctx: RuleContext, nodes: TNode[], env: Env, depth: number, template: string, reads: TemplateRead[], seen: Set<string>, overrides: Map<string, BlockDef>): void {
  const libs = loadedLibraries(nodes);
  const ext = nodes.find((n): n is TNode & { kind: "extends" } => n.kind === "extends");
  const parent = ext?.name && !seen.has(ext.name) ? ctx.project.template(ext.name) : null;
  if (ext?.name && parent) {
    const mine = new Map(overrides);
    const blocks = new Map<string, TNode[]>();
    collectBlocks(nodes, blocks);
    for (const [name, body] of blocks) if (!mine.has(name)) mine.set(name, { body, file: template, libs });
    walkDocument(ctx, parseTemplate(parent.text), env, depth, parent.file, reads, new Set([...seen, ext.name]), mine);
    return;
  }
  walkTemplate(ctx, nodes, env, depth, template, reads, seen, libs, overrides);
}

/**
 * The value a `with` or an include binds: unknown when it goes through a filter (`status=status|load_subclass` may
 * load another object, with nothing the view joined). The path before the filter is still read.
 */
const bound = (value: TV, v: TVar): TV => (v.filtered ? { k: "unknown" } : value);

function walkTemplate(ctx: RuleContext, nodes: TNode[], env: Env, depth: number, template: string, reads: TemplateRead[], seen: Set<string>, libs: string[], overrides: Map<string, BlockDef>): void {
  for (const n of nodes) {
    if (n.kind === "block") {
      const o = overrides.get(n.name);
      if (o && o.body !== n.body) {
        walkTemplate(ctx, o.body, env, depth, o.file, reads, seen, o.libs, overrides);
        // {{ block.super }} renders the replaced content too.
        if (readsBlockSuper(o.body)) walkTemplate(ctx, n.body, env, depth, template, reads, seen, libs, overrides);
      } else walkTemplate(ctx, n.body, env, depth, template, reads, seen, libs, overrides);
      continue;
    }
    if (n.kind === "var") {
      evalInTemplate(ctx, env, n.v, depth > 0, reads, template, false);
    } else if (n.kind === "call") {
      // A project tag or filter given a row in a loop: what its function reads on that parameter, per row.
      if (depth === 0 || !libs.length) continue;
      const args = n.args.map((a) => (a ? evalInTemplate(ctx, env, a, false, [], template, false) : null));
      const kwargs = n.kwargs.map(([k, a]) => [k, evalInTemplate(ctx, env, a, false, [], template, false)] as const);
      if (![...args, ...kwargs.map(([, v]) => v)].some((v) => v && (v.k === "trow" || (v.k === "inst" && v.row)))) continue;
      const fn = tagFunction(ctx, libs, n.name, n.filter);
      if (!fn) continue;
      const end = n.filter ? (n.args[0]?.end ?? n.end) : n.end;
      const start = n.filter ? (n.args[0]?.start ?? n.start) : n.start;
      args.forEach((v, i) => {
        const param = fn.params[i];
        if (v && param && !(v.k === "inst" && v.tainted)) chainReads(ctx, v, fn.reads.get(param) ?? [], reads, template, start, end);
      });
      for (const [k, v] of kwargs) if (fn.params.includes(k) && !(v.k === "inst" && v.tainted)) chainReads(ctx, v, fn.reads.get(k) ?? [], reads, template, start, end);
    } else if (n.kind === "for") {
      const iterVal = n.iter ? evalInTemplate(ctx, env, n.iter, depth > 0, reads, template, true) : ({ k: "unknown" } as TV);
      const inner: Env = { vars: new Map(env.vars) };
      for (const t of n.targets) inner.vars.set(t, { k: "unknown" });
      if (n.targets.length === 1) {
        if (iterVal.k === "qs" && !iterVal.values) {
          const inst: InstVal = { k: "inst", model: iterVal.model, loaded: iterVal.loaded, row: null, path: [], tainted: false };
          // The same queryset looped again (`{% for e in educations %}` twice): its result cache holds the same rows,
          // with what the first loop loaded on them. Same row id: one hint.
          let id = rowsOf.get(iterVal);
          if (id === undefined) rowsOf.set(iterVal, (id = nextRowId++));
          inner.vars.set(n.targets[0], { k: "trow", inst, origin: iterVal.origin, rowModel: iterVal.model, id });
        } else if (iterVal.k === "manager") {
          const inst: InstVal = { k: "inst", model: iterVal.model, loaded: iterVal.loaded, row: null, path: [], tainted: false };
          inner.vars.set(n.targets[0], { k: "trow", inst, origin: iterVal.origin, rowModel: iterVal.model, id: nextRowId++ });
        } else if (iterVal.k === "trow") {
          // rows of a relation of a row: they belong to the outer row's queryset
          inner.vars.set(n.targets[0], { ...iterVal, id: nextRowId++ });
        }
      }
      walkTemplate(ctx, n.body, inner, depth + 1, template, reads, seen, libs, overrides);
    } else if (n.kind === "with") {
      const inner: Env = { vars: new Map(env.vars) };
      for (const [name, v] of n.bindings) inner.vars.set(name, bound(evalInTemplate(ctx, env, v, depth > 0, reads, template, false), v));
      walkTemplate(ctx, n.body, inner, depth, template, reads, seen, libs, overrides);
    } else if (n.kind === "include" && n.name && !seen.has(n.name)) {
      const t = ctx.project.template(n.name);
      if (!t) continue;
      const inner: Env = { vars: n.only ? new Map() : new Map(env.vars) };
      for (const [name, v] of n.bindings) inner.vars.set(name, bound(evalInTemplate(ctx, env, v, depth > 0, reads, template, false), v));
      const sub: TemplateRead[] = [];
      walkDocument(ctx, parseTemplate(t.text), inner, depth, t.file, sub, new Set([...seen, n.name]), new Map());
      reads.push(...sub);
    }
  }
}

/** The dict literal that a render() context argument holds: the literal itself or a variable's last dict literal. */
function contextDict(ctx: RuleContext, arg: SyntaxNode | undefined, fn: SyntaxNode): { pairs: Map<string, SyntaxNode> } | null {
  if (!arg) return { pairs: new Map() };
  const pairs = new Map<string, SyntaxNode>();
  const readDict = (d: SyntaxNode) => {
    for (const p of d.children) {
      if (p.type !== "pair") continue;
      const k = stringValue(ctx.text, field(p, "key"));
      const v = field(p, "value");
      if (k && v) pairs.set(k, v);
    }
  };
  if (arg.type === "dictionary") {
    readDict(arg);
    return { pairs };
  }
  if (arg.type === "call" && nodeText(ctx.text, field(arg, "function")!) === "dict") {
    const parts = callParts(ctx.text, arg);
    for (const [k, v] of parts?.kwargs ?? []) pairs.set(k, v);
    return { pairs };
  }
  if (arg.type !== "identifier") return null;
  const name = nodeText(ctx.text, arg);
  const stack = [fn];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.start > arg.start) continue;
    if (n.type === "assignment") {
      const l = field(n, "left");
      const r = field(n, "right");
      if (l && r && nodeText(ctx.text, l) === name && r.type === "dictionary") readDict(r);
      if (l?.type === "subscript" && nodeText(ctx.text, field(l, "value")!) === name) {
        const key = stringValue(ctx.text, field(l, "subscript") ?? l.children[1]);
        if (key && r) pairs.set(key, r);
      }
    }
    for (const c of n.children) stack.push(c);
  }
  return { pairs };
}

function enclosingFunction(node: SyntaxNode): SyntaxNode | null {
  let n: SyntaxNode | null = node.parent;
  while (n && n.type !== "function_definition") n = n.parent;
  return n;
}

/**
 * What the settings' context processors put in the context of a template rendered with the request: `user` (the
 * auth processor) and `request.user` (with the request processor too), the logged-in user, one object. The view's
 * own context comes on top.
 */
function processorVars(ctx: RuleContext): Map<string, TV> {
  const out = new Map<string, TV>();
  const ps = ctx.index.contextProcessors;
  if (!ps.has("django.contrib.auth.context_processors.auth")) return out;
  const model = ctx.index.modelByRef(ctx.index.authUserModel);
  if (!model) return out;
  const user: InstVal = { k: "inst", model, loaded: newLoaded(), row: null, path: [], tainted: false };
  out.set("user", user);
  if (ps.has("django.template.context_processors.request")) out.set("request", { k: "attrs", attrs: new Map([["user", user]]) });
  return out;
}

export function checkTemplates(ctx: RuleContext, report: (r: TemplateRead) => void): void {
  if (!ctx.mentions(/render|TemplateResponse|template_name/)) return;
  const resolver = new ContextResolver(ctx);
  const run = (name: string, env: Env) => {
    const t = ctx.project.template(name);
    if (!t) return;
    const reads: TemplateRead[] = [];
    walkDocument(ctx, parseTemplate(t.text), env, 0, t.file, reads, new Set([name]), new Map());
    // One hint per row and relation, wherever the loop's templates read it (the loop's own and those it includes);
    // the other reads go with it as related places.
    const first = new Map<string, TemplateRead>();
    for (const r of reads) {
      const key = `${r.rowId !== undefined ? "" : r.template}:${r.rowId ?? r.start}:${r.path.join("__")}:${r.relation}`;
      const got = first.get(key);
      if (!got) first.set(key, r);
      else {
        if (got.template !== r.template) (got.also ??= []).push({ file: r.template, start: r.start, end: r.end });
        if (r.joinPaths) got.joinPaths = [...(got.joinPaths ?? []), ...r.joinPaths];
      }
    }
    for (const r of first.values()) report(r);
  };
  for (const stmt of ctx.syntax.root.children) {
    ctx.examine(stmt, () => {
      const stack = [stmt];
      while (stack.length) {
        const n = stack.pop()!;
        if (n.type === "call") {
          const parts = callParts(ctx.text, n);
          const fname = parts ? (dotted(ctx.text, parts.func) ?? "").replace(/^.*\./, "") : "";
          if (parts && (fname === "render" || fname === "TemplateResponse" || fname === "render_to_string")) {
            const ti = fname === "render_to_string" ? 0 : 1;
            const tname = stringValue(ctx.text, parts.args[ti] ?? parts.kwargs.get("template_name"));
            const fn = enclosingFunction(n);
            const dict = fn ? contextDict(ctx, parts.args[ti + 1] ?? parts.kwargs.get("context"), fn) : null;
            // render() and TemplateResponse() take the request; render_to_string() when it is given one.
            const req = parts.args[2] ?? parts.kwargs.get("request");
            const withRequest = fname !== "render_to_string" || (!!req && req.type !== "none");
            if (tname && dict) {
              const env: Env = { vars: withRequest ? processorVars(ctx) : new Map() };
              for (const [k, v] of dict.pairs) env.vars.set(k, resolver.value(v));
              run(tname, env);
            }
          }
        } else if (n.type === "class_definition") {
          classView(ctx, n, run, resolver);
        }
        for (const c of n.children) stack.push(c);
      }
    });
  }
}

/** `context["name"] = value`, `context.update({...})` / `context.update(name=value)` and returned dict literals in get_context_data. */
function contextDataValues(ctx: RuleContext, fn: SyntaxNode): Map<string, SyntaxNode> | null {
  const out = new Map<string, SyntaxNode>();
  const body = field(fn, "body");
  if (!body) return null;
  const stack = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "function_definition" || n.type === "lambda") continue;
    if (n.type === "assignment") {
      const l = field(n, "left");
      const r = field(n, "right");
      if (l?.type === "subscript" && r) {
        const key = stringValue(ctx.text, field(l, "subscript") ?? l.children[1]);
        if (key) out.set(key, r);
      }
    } else if (n.type === "call") {
      const mc = methodCall(ctx.text, n);
      const parts = callParts(ctx.text, n);
      if (mc?.method === "update" && parts) {
        for (const [k, v] of parts.kwargs) out.set(k, v);
        const d = parts.args[0];
        if (d?.type === "dictionary") for (const p of d.children) {
          const k = p.type === "pair" ? stringValue(ctx.text, field(p, "key")) : null;
          const v = p.type === "pair" ? field(p, "value") : undefined;
          if (k && v) out.set(k, v);
        }
      }
    } else if (n.type === "return_statement" && n.children[0]?.type === "dictionary") {
      for (const p of n.children[0].children) {
        const k = p.type === "pair" ? stringValue(ctx.text, field(p, "key")) : null;
        const v = p.type === "pair" ? field(p, "value") : undefined;
        if (k && v) out.set(k, v);
      }
    }
    for (const c of n.children) stack.push(c);
  }
  return out;
}

/** The instance a get_object() returns, when it has one return and the flow knows its value. */
function objectReturned(ctx: RuleContext, fn: SyntaxNode, resolver: ContextResolver): InstVal | null {
  const returns: SyntaxNode[] = [];
  const stack = [field(fn, "body")!];
  while (stack.length) {
    const n = stack.pop()!;
    if (!n || n.type === "function_definition" || n.type === "lambda") continue;
    if (n.type === "return_statement") returns.push(n);
    for (const c of n.children) stack.push(c);
  }
  const v = returns.length === 1 && returns[0].children[0] ? resolver.value(returns[0].children[0]) : null;
  return v?.k === "inst" && v.row === null ? { ...v, path: [], tainted: false } : null;
}

function classView(ctx: RuleContext, cls: SyntaxNode, run: (name: string, env: Env) => void, resolver: ContextResolver): void {
  const sup = field(cls, "superclasses");
  const bases = (sup ? baseNames(ctx.text, cls) : []).map((b) => (b ?? "").replace(/^.*\./, ""));
  const list = bases.includes("ListView");
  const detail = bases.includes("DetailView");
  const plain = bases.includes("TemplateView");
  if (!list && !detail && !plain) {
    const inherited = inheritedListView(ctx, cls, resolver);
    if (!inherited) return;
    const env: Env = { vars: new Map([...processorVars(ctx), ...inherited.rows]) };
    for (const [k, v] of (inherited.own ? contextDataValues(ctx, inherited.own) : null) ?? []) env.vars.set(k, resolver.value(v));
    run(inherited.template, env);
    return;
  }
  const body = field(cls, "body");
  let tname: string | null = null;
  let contextName: string | null = null;
  let contextData: SyntaxNode | null = null;
  let getObject: SyntaxNode | null = null;
  // A `template_name_suffix` replaces "_list" / "_detail" in the default template's name.
  let suffix: string | null = null;
  for (const s of body?.children ?? []) {
    const d = s.type === "decorated_definition" ? field(s, "definition") : s;
    if (d?.type === "function_definition" && nodeText(ctx.text, field(d, "name")!) === "get_context_data") contextData = d;
    if (d?.type === "function_definition" && nodeText(ctx.text, field(d, "name")!) === "get_object") getObject = d;
    const a = s.type === "expression_statement" ? s.children[0] : undefined;
    if (a?.type !== "assignment") continue;
    const l = nodeText(ctx.text, field(a, "left")!);
    if (l === "template_name") tname = stringValue(ctx.text, field(a, "right"));
    if (l === "context_object_name") contextName = stringValue(ctx.text, field(a, "right"));
    if (l === "template_name_suffix") suffix = stringValue(ctx.text, field(a, "right"));
  }
  const env: Env = { vars: new Map() };
  if (list || detail) {
    const views = viewQuerysets(ctx, cls, (n) => resolver.value(n));
    const merged = views ? mergeQuerysets(views.map((v) => v.qs)) : null;
    if (merged) {
      const qs = merged;
      const model = qs.model;
      tname ??= genericTemplateName(model, suffix ?? (list ? "_list" : "_detail"));
      if (list) {
        for (const n of ["object_list", contextName ?? `${model.name.toLowerCase()}_list`]) env.vars.set(n, qs);
      } else {
        // get_object() overridden: the object is what it returns (one return the flow knows), else unknown.
        const own = getObject ? objectReturned(ctx, getObject, resolver) : null;
        const inst: InstVal | null = getObject ? (own && own.model === model ? own : null) : { k: "inst", model, loaded: qs.loaded, row: null, path: [], tainted: false };
        if (inst) for (const n of ["object", contextName ?? model.name.toLowerCase()]) env.vars.set(n, inst);
      }
    } else if (!contextData) return;
  }
  if (contextData) {
    const extra = contextDataValues(ctx, contextData);
    for (const [k, v] of extra ?? []) env.vars.set(k, resolver.value(v));
  }
  if (!tname || !env.vars.size) return;
  run(tname, { vars: new Map([...processorVars(ctx), ...env.vars]) });
}

/**
 * Relations a template reads on objects it is given, when it is rendered once per object (an admin column, a
 * helper called per row): `vars` maps context names to the objects' models and what was loaded with them.
 */
export function templateReadsOn(ctx: RuleContext, name: string, vars: Map<string, { model: Model; loaded: Loaded }>): TemplateRead[] {
  const t = ctx.project.template(name);
  if (!t) return [];
  const env: Env = { vars: new Map() };
  for (const [k, v] of vars) {
    const inst: InstVal = { k: "inst", model: v.model, loaded: v.loaded, row: null, path: [], tainted: false };
    env.vars.set(k, { k: "trow", inst, origin: null, rowModel: v.model, id: nextRowId++ });
  }
  const reads: TemplateRead[] = [];
  // Depth 1: the whole template runs once per object, as a loop body would.
  walkDocument(ctx, parseTemplate(t.text), env, 1, t.file, reads, new Set([name]), new Map());
  const seen = new Set<string>();
  return reads.filter((r) => {
    const key = `${r.rowId ?? r.start}:${r.path.join("__")}:${r.relation}`;
    if (seen.has(key) || r.relation.includes(".")) return false;
    seen.add(key);
    return true;
  });
}
