/**
 * n-plus-one in the Django admin changelist, which renders every `list_display` column for every row: a column
 * (an admin method, a model method or property, or a foreign key shown through its __str__) that reads a relation
 * that the changelist queryset does not join. Django joins list_display foreign keys itself (select_related()
 * with no arguments, which follows non-null foreign keys only) unless list_select_related says otherwise.
 */
import { requeriesAfterAll, servedReads, type ClassFact, type MethodFact, type ValueFact } from "../../server/src/engine/facts";
import { ALL_LOADED, insertPath, newLoaded, type Loaded } from "../../server/src/engine/flow";
import type { Model, ModelField, ModelIndex } from "../../server/src/engine/models";
import type { RuleContext } from "../../server/src/engine/rule";
import { paramUses, usesOn } from "./calls";
import type { Code } from "./context";
import { covered } from "./drf";
import type { SyntaxNode } from "../../server/src/engine/parser";
import { definitionAt, field, nodesAt, nodeText } from "../../server/src/engine/syntax";

const SINGLE = new Set(["fk", "o2o", "reverse-o2o"]);

export interface AdminNeed {
  admin: ClassFact;
  model: Model;
  column: string;
  path: string[];
  single: boolean;
  /** Where list_display is written, and where the relation is read. */
  at: { start: number; end: number };
  read: { file: string; start: number; end: number; what: string };
  /**
   * Every single-valued relation path the admin's columns read that its model's manager does not join. A new
   * list_select_related must hold them all: it replaces Django's default select_related(), which joined the
   * non-null foreign keys among them. One list per admin, shared by its needs, complete before any is reported.
   */
  joins: string[];
  /** Shorter paths the same column reads on the way (`round` for `round.tournament`), reported with this one. */
  via?: string[];
}

function adminModel(ctx: RuleContext, c: ClassFact): Model | undefined {
  for (const d of c.decorators) {
    const m = /^(?:admin\.)?register\(\s*([\w.]+)/.exec(d);
    if (m) return ctx.index.modelFromName(c.file, m[1]);
  }
  const reg = new RegExp(`(?:admin\\.)?site\\.register\\(\\s*([\\w.]+)\\s*,\\s*${c.name}\\b`).exec(ctx.text);
  return reg ? ctx.index.modelFromName(c.file, reg[1]) : undefined;
}

/**
 * `inner`: read by a property or method the column's method runs (`self.full_name` in `__str__`), often only on some
 * rows (`if self.title: return self.title`): it shapes the fix, as a new list_select_related must keep what Django's
 * default join gave it, but it is not reported by itself.
 */
type PathRead = { path: string[]; single: boolean; start: number; end: number; chain: string; file?: string; inner?: boolean };

/**
 * Relation paths a method's reads on one of its parameters need, from a model. A read that runs a property or an
 * argument-less method of the model adds what that one reads, at its place (`file`), marked `inner`.
 */
function pathsOf(index: ModelIndex, model: Model, method: MethodFact, param: number, depth = 0): PathRead[] {
  return readsPaths(index, model, method.reads[param] ?? [], depth);
}

function readsPaths(index: ModelIndex, model: Model, reads: MethodFact["reads"][number], depth: number): PathRead[] {
  const out: PathRead[] = [];
  for (const r of servedReads(reads)) {
    let m: Model | undefined = model;
    const path: string[] = [];
    let single = true;
    for (let i = 0; i < r.chain.length && m; i++) {
      const seg = r.chain[i].replace(/\(\)$/, "");
      const f: ModelField | undefined = index.attribute(m, seg);
      if (!f && single && depth < 3) {
        const inner = index.selfReads(m, r.chain[i]);
        const file = inner ? index.methodWithFile(m, seg)?.file : undefined;
        if (inner && file) for (const x of readsPaths(index, m, inner, depth + 1)) out.push({ ...x, path: [...path, ...x.path], chain: [...path, x.chain].join("."), file: x.file ?? file, inner: true });
        break;
      }
      if (!f || f.kind === "concrete" || !f.target || f.kind === "gfk") break;
      const next = r.chain[i + 1];
      if (!SINGLE.has(f.kind)) {
        // A many relation costs a query when it is listed (all(), iteration), not when it is counted.
        if (next !== undefined && next !== "all()" && next !== "all") break;
        // `self.queues.all().order_by("title")`: a new query whatever was prefetched.
        if (next === "all()" && requeriesAfterAll(r.chain[i + 2])) break;
        single = false;
      }
      path.push(seg);
      m = f.target;
    }
    if (path.length) out.push({ path, single, start: r.start, end: r.end, chain: r.chain.join(".") });
  }
  return out;
}

/** What the changelist queryset loads. */
function changelistLoaded(ctx: RuleContext, admin: ClassFact, model: Model, columns: string[]): Loaded | null {
  if (admin.methods.some((m) => m.name === "get_queryset")) {
    const gq = admin.methods.find((m) => m.name === "get_queryset")!;
    if (!gq.returns || gq.returns.root !== "super") return null;
    const loaded = newLoaded();
    for (const op of gq.returns.ops) {
      if (op.method === "select_related") {
        if (!op.strings.length) loaded.allSingles = true;
        for (const s of op.strings) if (s) insertPath(loaded, s.split("__"));
      } else if (op.method === "prefetch_related") {
        for (const s of op.strings) if (s) insertPath(loaded, s.split("__"));
        for (const p of op.prefetches) insertPath(loaded, p.lookup.split("__"));
        if (op.prefetches.some((p) => p.queryset)) return null;
      }
    }
    return withListSelectRelated(ctx, admin, model, columns, loaded);
  }
  return withListSelectRelated(ctx, admin, model, columns, newLoaded());
}


/** `lsrValue`: the list_select_related value to assume (default: the admin's own). */
function withListSelectRelated(ctx: RuleContext, admin: ClassFact, model: Model, columns: string[], loaded: Loaded, lsrValue?: ValueFact): Loaded | null {
  const own = admin.assigns.find((a) => a.name === "list_select_related");
  const lsr = lsrValue ? { value: lsrValue } : own;
  const shape = model.defaultManager.shape;
  if (!shape) return ALL_LOADED;
  if (model.autoPrefetch) return ALL_LOADED;
  for (const s of shape.select) insertPath(loaded, s.split("__"));
  for (const s of shape.prefetch) insertPath(loaded, s.split("__"));
  if (shape.selectAll) loaded.allSingles = true;
  if (!lsr || lsr.value?.bool === false) {
    // Django joins everything (select_related()) when a list_display column is a foreign key.
    if (columns.some((c) => {
      const f = ctx.index.attribute(model, c);
      return !!f && (f.kind === "fk" || f.kind === "o2o");
    })) loaded.allSingles = true;
  } else if (lsr.value?.bool === true) loaded.allSingles = true;
  else if (lsr.value?.list) for (const s of lsr.value.list) if (s) insertPath(loaded, s.split("__"));
  else return null;
  return loaded;
}


/**
 * What an admin column method reads on the row beyond its own attribute chains: through the functions it hands the
 * row to and the templates it renders with it. Reported at the call in the method.
 */
function handedOn(ctx: RuleContext, admin: ClassFact, method: MethodFact, model: Model, loaded: Loaded): { path: string[]; single: boolean; start: number; end: number; chain: string; file: string; what: string }[] {
  if (admin.file !== ctx.file) return [];
  const def = definitionAt(ctx.syntax.root, "function_definition", method.start);
  const param = def ? paramName(ctx.text, def, 1) : null;
  if (!def || !param) return [];
  const code: Code = { file: ctx.file, text: ctx.text, root: ctx.syntax.root, flow: true };
  const callee = { code, def, params: [param] };
  // Chains written in the method itself are pathsOf's.
  const uses = paramUses(ctx, callee, param, null).filter((u) => u.kind === "template" || u.at.file !== ctx.file || u.at.start < def.start || u.at.end > def.end);
  return usesOn(ctx, model, loaded, uses).map((r) => ({ path: r.path, single: r.single, start: r.entry.start, end: r.entry.end, chain: r.path.join("."), file: r.entry.file, what: `${method.name}() ${r.what}` }));
}

function paramName(text: string, def: SyntaxNode, i: number): string | null {
  const ps = (field(def, "parameters")?.children ?? []).filter((p) => p.type === "identifier" || p.type === "typed_parameter");
  const p = ps[i];
  if (!p) return null;
  const id = p.type === "identifier" ? p : p.children.find((c) => c.type === "identifier");
  return id ? nodeText(text, id) : null;
}

export function checkAdmin(ctx: RuleContext, report: (n: AdminNeed) => void): void {
  if (!ctx.mentions(/list_display/)) return;
  const facts = ctx.index.factsOf(ctx.file);
  for (const admin of facts?.classes ?? []) {
    const ld = admin.assigns.find((a) => a.name === "list_display");
    if (!ld?.value?.list || !admin.bases.some((b) => /ModelAdmin$/.test(b))) continue;
    const model = adminModel(ctx, admin);
    if (!model || !model.complete) continue;
    const columns = ld.value.list.filter((c): c is string => !!c);
    const loaded = changelistLoaded(ctx, admin, model, columns);
    if (!loaded || loaded.all) continue;
    const needs: AdminNeed[] = [];
    // What the changelist would load with list_select_related = [] (the manager's own joins only).
    const bare = withListSelectRelated(ctx, admin, model, columns, newLoaded(), { list: [] });
    // What Django's default select_related() joins (every non-null foreign key path).
    const byDefault = withListSelectRelated(ctx, admin, model, columns, newLoaded(), { bool: true });
    const joins: string[] = [];
    // A function of the admin's body named in list_display (`list_display = ("title", parent)`, with `def
    // parent(self): return self.parent`): Django calls it with the row, its first parameter.
    const callables = new Set<string>();
    const ldNode = nodesAt(ctx.syntax.root, ld.valueStart).find((n) => n.start === ld.valueStart && n.end === ld.valueEnd);
    for (const c of ldNode?.children ?? []) if (c.type === "identifier" && admin.methods.some((m) => m.name === nodeText(ctx.text, c))) callables.add(nodeText(ctx.text, c));
    for (const column of [...columns, ...callables]) {
      const called = callables.has(column);
      const adminMethod = admin.methods.find((m) => m.name === column);
      const modelMethod = adminMethod ? undefined : ctx.index.methodOf(model, column);
      const f = ctx.index.attribute(model, column);
      const reads: { path: string[]; single: boolean; start: number; end: number; chain: string; file: string; what?: string; inner?: boolean }[] = [];
      if (adminMethod) {
        reads.push(...pathsOf(ctx.index, model, adminMethod, called ? 0 : 1).map((r) => ({ ...r, file: r.file ?? admin.file })));
        if (!called) for (const r of handedOn(ctx, admin, adminMethod, model, loaded)) reads.push(r);
      }
      else if (modelMethod) reads.push(...pathsOf(ctx.index, model, modelMethod, 0).map((r) => ({ ...r, file: r.file ?? ctx.index.methodWithFile(model, column)?.file ?? model.file })));
      else if (f && (f.kind === "fk" || f.kind === "o2o") && f.target) {
        // Shown through the related object's __str__: its own relations count too.
        reads.push({ path: [column], single: true, start: ld.valueStart, end: ld.valueEnd, chain: column, file: admin.file });
        const str = ctx.index.methodOf(f.target, "__str__");
        if (str) for (const r of pathsOf(ctx.index, f.target, str, 0)) reads.push({ ...r, path: [column, ...r.path], file: r.file ?? ctx.index.methodWithFile(f.target, "__str__")?.file ?? f.target.file });
      }
      for (const r of reads) {
        // An inner read keeps its place in a new list only where Django's default join gave it (a non-null path).
        const keep = !r.inner || (!!byDefault && covered(ctx.index, model, byDefault, r.path));
        if (r.single && keep && bare && !bare.all && !covered(ctx.index, model, bare, r.path)) joins.push(r.path.join("__"));
        if (r.inner || covered(ctx.index, model, loaded, r.path)) continue;
        needs.push({ admin, model, column, path: r.path, single: r.single, at: { start: ld.valueStart, end: ld.valueEnd }, read: { file: r.file, start: r.start, end: r.end, what: r.what ?? `${column} reads ${r.chain}` }, joins });
      }
    }
    const seen = new Set<string>();
    // A column that reads `round` and then `round.tournament` (through Round.__str__) gets one hint, for the longer
    // path, whose join covers both.
    const extends_ = (o: AdminNeed, n: AdminNeed) => o !== n && n.single && o.single && o.column === n.column && o.path.length > n.path.length && n.path.every((p, i) => o.path[i] === p);
    for (const n of needs) {
      const key = n.path.join("__");
      if (seen.has(key) || needs.some((o) => extends_(o, n))) continue;
      seen.add(key);
      const via = [...new Set(needs.filter((o) => extends_(n, o)).map((o) => o.path.join(".")))].sort((a, b) => a.length - b.length);
      report(via.length ? { ...n, via } : n);
    }
  }
}
