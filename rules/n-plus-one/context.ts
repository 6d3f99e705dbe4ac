/**
 * What a view hands to a template, where the per-file flow stops: a queryset that goes through a paginator
 * (`Paginator(qs, 20).get_page(n)`, whose page iterates the queryset's rows), or through a helper function of the
 * project, in this file or imported, that returns its queryset argument filtered or ordered
 * (`qs = sort_queryset(qs, request, ...)`).
 *
 * It walks back from a use to the assignments of a name in the same function. The last assignment before the use
 * that every path goes through decides the value; assignments in branches after it count only when they transform
 * the same name with queryset methods (`if q: qs = qs.filter(...)`), and what those join or prefetch is added as
 * loaded. Anything else is unknown: when unsure, the template stays silent.
 */
import { ALL_LOADED, cloneLoaded, insertPath, mergeLoaded, type QsVal, type Val } from "../../server/src/engine/flow";
import { projectFile, projectModule, topLevelFunction } from "../../server/src/engine/functions";
import type { SyntaxNode } from "../../server/src/engine/parser";
import type { RuleContext } from "../../server/src/engine/rule";
import { callParts, dotted, field, methodCall, nodeText, stringValue } from "../../server/src/engine/syntax";

/** Queryset methods that keep the rows (and what was joined) of the queryset they are called on. */
const KEEPS = new Set(["all", "filter", "exclude", "order_by", "distinct", "reverse", "using", "none", "extra", "complex_filter", "alias", "select_for_update", "defer", "only"]);

export interface Adds {
  select: string[][];
  prefetch: string[][];
  selectAll: boolean;
  annotations: string[];
  /** Something was loaded that this reader cannot name (Prefetch objects, computed lookups): everything counts. */
  opaque: boolean;
}

const sameAdds = (a: Adds, b: Adds): boolean => JSON.stringify(a) === JSON.stringify(b);
const sameBase = (a: Base, b: Base): boolean => a.k === b.k && (a.k !== "param" || a.i === (b as { i: number }).i) && (a.k !== "val" || a.v === (b as { v: QsVal }).v);
export const noAdds = (): Adds => ({ select: [], prefetch: [], selectAll: false, annotations: [], opaque: false });
export const mergeAdds = (a: Adds, b: Adds): Adds => ({ select: [...a.select, ...b.select], prefetch: [...a.prefetch, ...b.prefetch], selectAll: a.selectAll || b.selectAll, annotations: [...a.annotations, ...b.annotations], opaque: a.opaque || b.opaque });

/**
 * Where rows come from: a value the flow knows, a parameter of the helper being read, the name being reassigned, or
 * the rows a class-based list view shows (`self.object_list`, what its get_queryset() returns).
 */
type Base = { k: "val"; v: QsVal } | { k: "param"; i: number } | { k: "self" } | { k: "objects" };
/** A paginator, or a django-filter FilterSet built on a queryset (its `.qs` is that queryset, filtered). */
type RV = { k: "rows"; base: Base; adds: Adds } | { k: "paginator" | "filterset"; rows: RV & { k: "rows" } } | null;

export interface Code {
  file: string;
  text: string;
  root: SyntaxNode;
  /** Flow values exist only for the file being analyzed. */
  flow: boolean;
  /** The class-based view whose methods are being read (`self.x` is looked up along its bases). */
  view?: ViewScope;
}

/** A class-based view as its methods see it through `self`. */
export interface ViewScope {
  /** The first definition of a method along the view's classes (its own first); null when none of them defines it. */
  method(name: string): { def: SyntaxNode; code: Code } | null;
  /** The first class-level assignment of an attribute along the view's classes, or null. */
  attribute(name: string): { value: SyntaxNode; code: Code } | null;
}

/** What a get_context_data() hands on as `object_list` to the get_context_data() it extends. */
export interface PassedRows {
  /** "param": its own `object_list` parameter (what it was given); "objects": the view's rows. */
  base: "param" | "objects";
  adds: Adds;
}

interface Summary {
  /** The parameter whose rows the function returns (positional index, counting after self for methods). */
  param: number;
  name: string;
  adds: Adds;
}

const MAX_DEPTH = 4;


/**
 * One queryset for several returns of the same model (get_queryset's early and late returns): a relation counts as
 * loaded when any of them loads it, and the origin is kept only when they share it.
 */
export function mergeQuerysets(qs: QsVal[]): QsVal | null {
  if (!qs.length || qs.some((q) => q.model !== qs[0].model || q.values)) return null;
  let out: QsVal = qs[0];
  for (const q of qs.slice(1)) {
    const sameOrigin = !!out.origin && !!q.origin && out.origin.file === q.origin.file && out.origin.start === q.origin.start && out.origin.end === q.origin.end;
    out = { ...out, loaded: mergeLoaded(out.loaded, q.loaded), origin: sameOrigin ? out.origin : null };
  }
  return out;
}

export function applyAdds(v: QsVal, adds: Adds): QsVal {
  if (v.loaded.all) return { ...v, builtIn: null };
  if (adds.opaque) return { ...v, loaded: ALL_LOADED, builtIn: null };
  const loaded = cloneLoaded(v.loaded);
  for (const p of [...adds.select, ...adds.prefetch]) insertPath(loaded, p);
  loaded.allSingles ||= adds.selectAll;
  for (const a of adds.annotations) loaded.annotations.add(a);
  return { ...v, loaded, builtIn: null };
}

/** What a queryset method call adds to what is loaded; null when the method does not keep the rows. */
function methodAdds(text: string, call: SyntaxNode, method: string): Adds | null {
  if (KEEPS.has(method)) return noAdds();
  const parts = callParts(text, call);
  if (!parts) return null;
  const adds = noAdds();
  if (method === "select_related" || method === "prefetch_related") {
    if (parts.splat) adds.opaque = true;
    if (method === "select_related" && !parts.args.length && !parts.splat) adds.selectAll = true;
    for (const a of parts.args) {
      const s = stringValue(text, a);
      if (s === null) adds.opaque = true;
      else (method === "select_related" ? adds.select : adds.prefetch).push(s.split("__"));
    }
    return adds;
  }
  if (method === "annotate") {
    if (parts.splat) adds.opaque = true;
    adds.annotations.push(...parts.kwargs.keys());
    return adds;
  }
  return null;
}

/**
 * The named parameters, in order: those before `*args` / `**kwargs` (positional ones), or with `keywordOnly` every
 * named one (`self, *args, object_list=None, **kwargs` -> self, object_list). Null when one cannot be read.
 */
export function parameters(text: string, fn: SyntaxNode, keywordOnly = false): string[] | null {
  const out: string[] = [];
  for (const p of field(fn, "parameters")?.children ?? []) {
    if (p.type === "identifier") out.push(nodeText(text, p));
    else if (p.type === "default_parameter" || p.type === "typed_default_parameter") {
      const n = field(p, "name");
      if (!n) return null;
      out.push(nodeText(text, n));
    } else if (p.type === "typed_parameter") {
      const n = p.children.find((c) => c.type === "identifier");
      if (!n) return null;
      out.push(nodeText(text, n));
    } else if (keywordOnly || p.type === "comment" || p.type === "positional_separator" || p.type === "keyword_separator") continue;
    else break; // *args / **kwargs: the named ones before it are still known
  }
  return out;
}

/** `super().name(...)` or `super(Cls, self).name(...)`. */
export function isSuperCall(text: string, call: SyntaxNode, name: string): boolean {
  const mc = methodCall(text, call);
  const f = mc?.receiver.type === "call" ? field(mc.receiver, "function") : undefined;
  return !!mc && mc.method === name && f?.type === "identifier" && nodeText(text, f) === "super";
}

/** Nodes of a function body, not descending into nested definitions. */
function bodyNodes(fn: SyntaxNode, visit: (n: SyntaxNode) => void): void {
  const body = field(fn, "body");
  const stack = body ? [body] : [];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "function_definition" || n.type === "class_definition" || n.type === "lambda") continue;
    visit(n);
    for (const c of n.children) stack.push(c);
  }
}

const COMPOUND = new Set(["if_statement", "elif_clause", "else_clause", "for_statement", "while_statement", "try_statement", "except_clause", "finally_clause", "with_statement", "match_statement", "case_clause", "block", "conditional_expression", "boolean_operator"]);

/** Does every path from the function start to `at` go through `node`? (It sits in no branch that `at` is outside of.) */
function dominates(node: SyntaxNode, at: number, fn: SyntaxNode): boolean {
  for (let p = node.parent; p && p !== fn; p = p.parent) {
    // An assignment in a try body whose every except clause leaves (raises or returns) ran, once past the try.
    const tryBody = p.type === "try_statement" ? inTryBody(p, node) && exceptsLeave(p) : p.type === "block" && p.parent?.type === "try_statement" && field(p.parent, "body") === p && exceptsLeave(p.parent);
    if (tryBody) continue;
    if (p.type === "try_statement" || p.type === "except_clause" || p.type === "finally_clause") {
      // An assignment in a try body may not run; one that `at` is inside of does.
      if (!(p.start <= at && at <= p.end)) return false;
    } else if (COMPOUND.has(p.type) && !(p.start <= at && at <= p.end)) return false;
  }
  return true;
}

function inTryBody(tryStmt: SyntaxNode, node: SyntaxNode): boolean {
  const body = field(tryStmt, "body");
  return !!body && body.start <= node.start && node.end <= body.end;
}

function exceptsLeave(tryStmt: SyntaxNode): boolean {
  const clauses = tryStmt.children.filter((c) => c.type === "except_clause" || c.type === "except_group_clause");
  if (!clauses.length || tryStmt.children.some((c) => c.type === "else_clause")) return false;
  return clauses.every((c) => {
    const block = c.children.find((b) => b.type === "block");
    const last = block?.children.filter((x) => x.type !== "comment").pop();
    return last?.type === "raise_statement" || last?.type === "return_statement";
  });
}

/** Is the assignment the body of `if <name> is None:` (a default for a parameter the caller passes)? */
function isNoneDefault(text: string, a: SyntaxNode, name: string): boolean {
  const block = a.parent?.parent;
  const ifs = block?.parent;
  if (block?.type !== "block" || ifs?.type !== "if_statement" || field(ifs, "consequence") !== block) return false;
  const cond = field(ifs, "condition");
  return !!cond && new RegExp(`^(${name}\\s+is\\s+None|not\\s+${name})$`).test(nodeText(text, cond).trim());
}

export class ContextResolver {
  /** Per definition, per view, per depth and returned tuple element. */
  private readonly summaries = new Map<SyntaxNode, Map<ViewScope | null, Map<string, Summary | null>>>();

  constructor(private readonly ctx: RuleContext) {}

  /** The value of an expression of the analyzed file: the flow's, else rows followed through paginators and helpers. */
  value(node: SyntaxNode): Val {
    const v = this.ctx.flow().values.get(node);
    if (v && v.k !== "unknown") return v;
    const fn = enclosing(node);
    if (!fn) return v ?? { k: "unknown" };
    const code: Code = { file: this.ctx.file, text: this.ctx.text, root: this.ctx.syntax.root, flow: true };
    const rv = this.expr(code, fn, node, node.start, null, 0);
    if (rv?.k === "rows" && rv.base.k === "val") return applyAdds(rv.base.v, rv.adds);
    return v ?? { k: "unknown" };
  }

  /**
   * Rows an expression evaluates to. `self` names the variable whose reassignment is being read (its earlier value
   * is the base); `params` are the parameters of a helper being summarized.
   */
  private expr(code: Code, fn: SyntaxNode, node: SyntaxNode, at: number, self: string | null, depth: number, params?: string[]): RV {
    if (depth > MAX_DEPTH) return null;
    if (code.flow) {
      const v = this.ctx.flow().values.get(node);
      if (v?.k === "qs" && !v.values) return { k: "rows", base: { k: "val", v }, adds: noAdds() };
      if (v && v.k !== "unknown") return null;
    }
    const text = code.text;
    switch (node.type) {
      case "parenthesized_expression":
        return node.children[0] ? this.expr(code, fn, node.children[0], at, self, depth, params) : null;
      case "identifier": {
        const name = nodeText(text, node);
        if (name === self) return { k: "rows", base: { k: "self" }, adds: noAdds() };
        return this.name(code, fn, name, at, depth, params);
      }
      case "attribute": {
        const obj = field(node, "object");
        const attr = field(node, "attribute");
        // self.object_list in a list view's method: the rows its get_queryset() returned.
        if (code.view && obj?.type === "identifier" && nodeText(text, obj) === "self" && attr && nodeText(text, attr) === "object_list") return { k: "rows", base: { k: "objects" }, adds: noAdds() };
        // filterset.qs: the rows of the queryset the FilterSet was given.
        if (!obj || !attr || nodeText(text, attr) !== "qs") return null;
        const fs = this.expr(code, fn, obj, at, self, depth, params);
        return fs?.k === "filterset" ? fs.rows : null;
      }
      case "subscript": {
        const value = field(node, "value");
        const subs = node.children.filter((c) => c !== value);
        if (!value || subs.length !== 1 || subs[0].type !== "slice") return null;
        return this.expr(code, fn, value, at, self, depth, params);
      }
      case "conditional_expression": {
        // `object_list if object_list is not None else self.object_list`: the same rows either way.
        const [a, , b] = node.children;
        const ra = a ? this.expr(code, fn, a, at, self, depth, params) : null;
        const rb = b ? this.expr(code, fn, b, at, self, depth, params) : null;
        if (ra?.k !== "rows" || rb?.k !== "rows" || !sameAdds(ra.adds, rb.adds)) return null;
        if (sameBase(ra.base, rb.base)) return ra;
        // A list view's `object_list` parameter: the rows it is given, or the view's own rows when it is None.
        const given = (r: RV & { k: "rows" }) => r.base.k === "param" && params?.[r.base.i] === "object_list";
        if (code.view && ((given(ra) && rb.base.k === "objects") || (given(rb) && ra.base.k === "objects"))) return given(ra) ? ra : rb;
        return null;
      }
      case "call":
        break;
      default:
        return null;
    }
    return this.callExpr(code, fn, node, at, self, depth, params);
  }

  /**
   * Rows a call evaluates to; with `element`, the rows at that position of the tuple it returns
   * (`filters, qs = self.filter_queryset(qs)`), which only a helper's returns can say.
   */
  private callExpr(code: Code, fn: SyntaxNode, node: SyntaxNode, at: number, self: string | null, depth: number, params?: string[], element?: { i: number; of: number }): RV {
    const text = code.text;
    const parts = callParts(text, node);
    if (!parts || parts.splat) return null;
    const mc = methodCall(text, node);
    if (mc) {
      if (nodeText(text, mc.receiver) === "self") {
        if (code.view) {
          // self.helper(qs, ...) in a view: the method along its classes; self.filterset_class(..., queryset=qs): a FilterSet.
          const m = code.view.method(mc.method);
          if (m) return this.call(code, fn, m.def, { ...m.code, view: code.view }, parts.args, parts.kwargs, at, self, depth, params, true, element);
          const a = code.view.attribute(mc.method);
          const cls = a ? dotted(a.code.text, a.value) : null;
          const qsArg = parts.kwargs.get("queryset");
          if (element || !a || !cls || !qsArg || !this.isFilterSet(a.code.file, cls, 0)) return null;
          const rows = this.expr(code, fn, qsArg, at, self, depth, params);
          return rows?.k === "rows" ? { k: "filterset", rows } : null;
        }
        // self.helper(qs, ...): a method of the same class
        const def = methodOf(code.text, fn, mc.method);
        return def ? this.call(code, fn, def, code, parts.args, parts.kwargs, at, self, depth, params, true, element) : null;
      }
      if (element) return null;
      const recv = this.expr(code, fn, mc.receiver, at, self, depth, params);
      if (recv?.k === "paginator") return mc.method === "page" || mc.method === "get_page" ? recv.rows : null;
      if (recv?.k !== "rows") return null;
      const adds = methodAdds(text, node, mc.method);
      return adds ? { ...recv, adds: mergeAdds(recv.adds, adds) } : null;
    }
    const callee = dotted(text, parts.func);
    const qsArg = parts.kwargs.get("queryset");
    if (element) {
      const target = parts.func.type === "identifier" ? this.functionNamed(code, nodeText(text, parts.func)) : null;
      return target ? this.call(code, fn, target.def, target.code, parts.args, parts.kwargs, at, self, depth, params, false, element) : null;
    }
    if (callee && qsArg && this.isFilterSet(code.file, callee, 0)) {
      const rows = this.expr(code, fn, qsArg, at, self, depth, params);
      return rows?.k === "rows" ? { k: "filterset", rows } : null;
    }
    if (parts.func.type !== "identifier") return null;
    const fname = nodeText(text, parts.func);
    if (fname === "Paginator" && parts.args[0]) {
      const rows = this.expr(code, fn, parts.args[0], at, self, depth, params);
      return rows?.k === "rows" ? { k: "paginator", rows } : null;
    }
    if (fname === "list" && parts.args.length === 1) return this.expr(code, fn, parts.args[0], at, self, depth, params);
    const target = this.functionNamed(code, fname);
    return target ? this.call(code, fn, target.def, target.code, parts.args, parts.kwargs, at, self, depth, params, false) : null;
  }

  /** A call of a helper: the rows of the argument it returns, with what it adds. */
  private call(code: Code, fn: SyntaxNode, def: SyntaxNode, defCode: Code, args: SyntaxNode[], kwargs: Map<string, SyntaxNode>, at: number, self: string | null, depth: number, params: string[] | undefined, method: boolean, element?: { i: number; of: number }): RV {
    const s = this.summary(defCode, def, method, depth + 1, element);
    if (!s) return null;
    const arg = args[s.param] ?? kwargs.get(s.name);
    if (!arg || arg.type === "none") return null;
    const rows = this.expr(code, fn, arg, at, self, depth + 1, params);
    return rows?.k === "rows" ? { ...rows, adds: mergeAdds(rows.adds, s.adds) } : null;
  }

  /** The value of a name at `at`: its last assignment that every path goes through, and the transforms after it. */
  private name(code: Code, fn: SyntaxNode, name: string, at: number, depth: number, params?: string[]): RV {
    const text = code.text;
    const assigns: SyntaxNode[] = [];
    /** `a, name = f(...)`: the position the name takes in the tuple the call returns. */
    const unpacked = new Map<SyntaxNode, { i: number; of: number }>();
    let other = false;
    /** Does a binding target (x, (x, y), [x, *y]) bind the name? Attributes and subscripts bind nothing. */
    const binds = (t: SyntaxNode | undefined): boolean => {
      if (!t) return false;
      if (t.type === "identifier") return nodeText(text, t) === name;
      if (t.type === "attribute" || t.type === "subscript") return false;
      return t.children.some(binds);
    };
    bodyNodes(fn, (n) => {
      if (n.start >= at) return;
      if (n.type === "assignment") {
        const l = field(n, "left");
        if (l?.type === "identifier" && nodeText(text, l) === name) assigns.push(n);
        else if (binds(l)) {
          const items = l?.type === "pattern_list" || l?.type === "tuple_pattern" ? l.children.filter((c) => c.type !== "comment") : [];
          const i = items.findIndex((c) => c.type === "identifier" && nodeText(text, c) === name);
          if (i >= 0 && items.every((c) => c.type === "identifier") && field(n, "right")?.type === "call") {
            assigns.push(n);
            unpacked.set(n, { i, of: items.length });
          } else other = true;
        }
      } else if (n.type === "augmented_assignment" || n.type === "for_statement" || n.type === "for_in_clause") {
        if (binds(field(n, "left"))) other = true;
      } else if (n.type === "named_expression") {
        if (binds(field(n, "name"))) other = true;
      } else if (n.type === "as_pattern_target" || n.type === "global_statement" || n.type === "nonlocal_statement" || n.type === "delete_statement") {
        if (binds(n)) other = true;
      } else if (n.type === "with_item" || n.type === "except_clause") {
        if (n.children.some((c) => c.type === "as_pattern" && binds(field(c, "alias") ?? c.children[c.children.length - 1]))) other = true;
      }
    });
    if (other) return null;
    assigns.sort((a, b) => b.start - a.start);
    let adds = noAdds();
    // A branch that transforms a parameter (`if f: queryset = f.qs` where f was built on queryset): its rows are
    // the parameter's, which holds when no assignment before the branch replaced it with other rows.
    let fromParam = false;
    for (const a of assigns) {
      const right = field(a, "right");
      if (!right) return null;
      const element = unpacked.get(a);
      if (dominates(a, at, fn)) {
        const base = element ? this.callExpr(code, fn, right, a.start, null, depth + 1, params, element) : this.expr(code, fn, right, a.start, null, depth + 1, params);
        if (fromParam && !(base?.k === "rows" && base.base.k === "param" && params?.[base.base.i] === name)) return null;
        if (base?.k === "rows") return { ...base, adds: mergeAdds(base.adds, adds) };
        return (base?.k === "paginator" || base?.k === "filterset") && !adds.select.length && !adds.prefetch.length && !adds.opaque ? base : null;
      }
      if (params?.includes(name) && isNoneDefault(text, a, name)) continue;
      // In a branch: it must transform the same rows (qs = qs.filter(...)).
      const t = element ? this.callExpr(code, fn, right, a.start, name, depth + 1, params, element) : this.expr(code, fn, right, a.start, name, depth + 1, params);
      if (t?.k !== "rows") return null;
      if (t.base.k === "param" && params?.[t.base.i] === name) fromParam = true;
      else if (t.base.k !== "self") return null;
      adds = mergeAdds(adds, t.adds);
    }
    const i = params?.indexOf(name) ?? -1;
    return i >= 0 ? { k: "rows", base: { k: "param", i }, adds } : null;
  }

  /**
   * What a list view's get_context_data() hands on as `object_list` to the one it extends
   * (`super().get_context_data(object_list=queryset, **kwargs)`), read in the view `code.view`; null unless it
   * calls that once and the rows are its `object_list` parameter or the view's rows, transformed.
   */
  passedRows(code: Code, def: SyntaxNode): PassedRows | null {
    const params = parameters(code.text, def, true)?.slice(1);
    if (!params) return null;
    const calls: SyntaxNode[] = [];
    bodyNodes(def, (n) => {
      if (n.type === "call" && isSuperCall(code.text, n, "get_context_data")) calls.push(n);
    });
    if (calls.length !== 1) return null;
    const parts = callParts(code.text, calls[0]);
    if (!parts) return null;
    const arg = parts.kwargs.get("object_list");
    if (!arg) {
      // Not passed on by name: the caller's object_list goes on in **kwargs unless it is a parameter here.
      const onward = !params.includes("object_list") && !!parts.argList?.children.some((c) => c.type === "dictionary_splat");
      return { base: onward ? "param" : "objects", adds: noAdds() };
    }
    const rv = this.expr(code, def, arg, calls[0].start, null, 0, params);
    if (rv?.k !== "rows") return null;
    if (rv.base.k === "objects") return { base: "objects", adds: rv.adds };
    return rv.base.k === "param" && params[rv.base.i] === "object_list" ? { base: "param", adds: rv.adds } : null;
  }

  /** Which parameter a function returns the rows of, or null. */
  private summary(code: Code, def: SyntaxNode, method: boolean, depth: number, element?: { i: number; of: number }): Summary | null {
    let byKey = this.summaries.get(def);
    if (!byKey) this.summaries.set(def, (byKey = new Map()));
    // The same method reads differently in two views (self.filterset_class), so the view is part of the key; and
    // what is found depends on how deep the reading starts (MAX_DEPTH), so the depth is too: a summary cut short
    // deep in one statement's reading must not stand for another statement's.
    const key = `${depth}:${element ? `${element.i}/${element.of}` : ""}`;
    let byView = byKey.get(code.view ?? null);
    if (!byView) byKey.set(code.view ?? null, (byView = new Map()));
    if (byView.has(key)) return byView.get(key)!;
    byView.set(key, null); // recursion
    const all = parameters(code.text, def);
    let result: Summary | null = null;
    if (all && depth <= MAX_DEPTH) {
      const params = method ? all.slice(1) : all;
      const returns: SyntaxNode[] = [];
      let generator = false;
      bodyNodes(def, (n) => {
        if (n.type === "return_statement") returns.push(n);
        if (n.type === "yield") generator = true;
      });
      let param = -1;
      let adds = noAdds();
      let ok = !generator && returns.length > 0;
      const noFlow: Code = { ...code, flow: false };
      for (const r of returns) {
        let e: SyntaxNode | undefined = r.children[0];
        if (element) {
          // `return filters, queryset`: a tuple as long as the one it is unpacked into.
          const items = e?.type === "expression_list" || e?.type === "tuple" ? e.children.filter((c) => c.type !== "comment") : [];
          e = items.length === element.of ? items[element.i] : undefined;
        }
        const rv = e ? this.expr(noFlow, def, e, r.start, null, depth, params) : null;
        if (rv?.k !== "rows" || rv.base.k !== "param" || (param >= 0 && rv.base.i !== param)) {
          ok = false;
          break;
        }
        param = rv.base.i;
        adds = mergeAdds(adds, rv.adds);
      }
      if (ok && param >= 0) result = { param, name: params[param], adds };
    }
    byView.set(key, result);
    return result;
  }

  /**
   * Is the class a django-filter FilterSet whose `qs` keeps the rows it is given (no class of the project along its
   * bases overrides `qs` or `filter_queryset`, which could join or replace them)?
   */
  private isFilterSet(file: string, name: string, depth: number): boolean {
    if (depth > 6) return false;
    const c = this.ctx.index.resolveClass(file, name);
    if (c) {
      if (c.methods.some((m) => m.name === "qs" || m.name === "filter_queryset")) return false;
      return c.bases.some((b) => this.isFilterSet(c.file, b, depth + 1));
    }
    const head = name.split(".")[0];
    const imported = this.ctx.index.factsOf(file)?.imports[head];
    const full = imported ? `${imported}${name.slice(head.length)}` : name;
    return /^django_filters(\.rest_framework)?(\.filterset)?\.FilterSet$/.test(full);
  }

  /** A module-level function of this file, or one imported from a module of the project. */
  private functionNamed(code: Code, name: string): { def: SyntaxNode; code: Code } | null {
    const local = topLevelFunction(code.text, code.root, name);
    if (local) return { def: local, code };
    const imp = this.ctx.index.factsOf(code.file)?.imports[name];
    if (!imp || !imp.includes(".") || imp.startsWith("@")) return null;
    const mod = imp.slice(0, imp.lastIndexOf("."));
    const real = imp.slice(imp.lastIndexOf(".") + 1);
    const other = this.moduleCode(mod);
    if (!other) return null;
    const def = topLevelFunction(other.text, other.root, real);
    return def ? { def, code: other } : null;
  }

  private moduleCode(mod: string): Code | null {
    return moduleCode(this.ctx, mod);
  }
}

/** A module of the project by its dotted name (one file only), parsed (see projectModule). */
export function moduleCode(ctx: RuleContext, mod: string): Code | null {
  const m = projectModule(ctx, mod);
  return m ? { ...m, flow: false } : null;
}

/** A file of the project, parsed (see projectFile). */
export function fileCode(ctx: RuleContext, file: string): Code | null {
  const m = projectFile(ctx, file);
  return m ? { ...m, flow: false } : null;
}

function enclosing(node: SyntaxNode): SyntaxNode | null {
  let n: SyntaxNode | null = node.parent;
  while (n && n.type !== "function_definition") n = n.parent;
  return n;
}

/** A method of the class that defines `fn`, by name (defined once in that class body). */
export function methodOf(text: string, fn: SyntaxNode, name: string): SyntaxNode | null {
  let cls: SyntaxNode | null = fn.parent;
  while (cls && cls.type !== "class_definition") cls = cls.parent;
  const body = cls ? field(cls, "body") : undefined;
  return body ? topLevelFunction(text, body, name) : null;
}

