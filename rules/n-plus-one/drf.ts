/**
 * n-plus-one where Django REST framework iterates the rows: a list view's serializer reads relations per object
 * (nested serializers, dotted `source=`, SerializerMethodField reading `obj.rel`, `depth`, many-to-many primary
 * key lists) that the view's queryset does not join or prefetch. Reported at the queryset, with the serializer
 * fields as related information; the fix adds the joins there.
 */
import type { ClassFact, MethodFact } from "../../server/src/engine/facts";
import { ALL_LOADED, childLoaded, insertPath, joinedByDefault, newLoaded, withBackReference, type Loaded, type QsVal, type Val } from "../../server/src/engine/flow";
import type { Model, ModelIndex } from "../../server/src/engine/models";
import type { SyntaxNode } from "../../server/src/engine/parser";
import type { RuleContext } from "../../server/src/engine/rule";
import { baseNames, dotted, field, isEmptyQueryset, nodeText } from "../../server/src/engine/syntax";

const LIST_VIEWS = /^(ModelViewSet|ReadOnlyModelViewSet|ListAPIView|ListCreateAPIView|ListModelMixin)$/;
const SERIALIZER_BASE = /(^|\.)(Serializer|ModelSerializer|HyperlinkedModelSerializer|ListSerializer)$/;
const PK_FIELDS = /(^|\.)(PrimaryKeyRelatedField|HyperlinkedRelatedField|HyperlinkedIdentityField)$/;

export interface Need {
  /** Lookup path from the view's model. */
  path: string[];
  /** Every step is a single-valued relation (select_related works). */
  single: boolean;
  file: string;
  start: number;
  end: number;
  what: string;
}

const SINGLE = new Set(["fk", "o2o", "reverse-o2o"]);

function isSerializer(index: ModelIndex, c: ClassFact, depth = 0): boolean {
  if (depth > 8) return false;
  return c.bases.some((b) => SERIALIZER_BASE.test(b) || (() => {
    const bc = index.resolveClass(c.file, b);
    return !!bc && bc !== c && isSerializer(index, bc, depth + 1);
  })());
}

/** Declared fields and methods, inherited from serializer bases first. */
function members(index: ModelIndex, c: ClassFact, depth = 0): { assigns: ClassFact["assigns"]; methods: MethodFact[]; meta: ClassFact["meta"] } {
  const out = { assigns: [] as ClassFact["assigns"], methods: [] as MethodFact[], meta: c.meta };
  if (depth < 8) {
    for (const b of c.bases) {
      const bc = index.resolveClass(c.file, b);
      if (bc && bc !== c && isSerializer(index, bc)) {
        const m = members(index, bc, depth + 1);
        out.assigns.push(...m.assigns);
        out.methods.push(...m.methods);
        if (!c.meta.model && !c.meta.fields) out.meta = m.meta;
      }
    }
  }
  out.assigns = [...out.assigns.filter((a) => !c.assigns.some((x) => x.name === a.name)), ...c.assigns];
  out.methods = [...out.methods.filter((a) => !c.methods.some((x) => x.name === a.name)), ...c.methods];
  return out;
}

/** Walks dotted segments over the models; null when a segment is not a known field (a property: unsure). */
function walk(index: ModelIndex, model: Model, segs: string[]): { path: string[]; single: boolean; last: Model | undefined; endsOnRelation: boolean; lastKind: string } | null {
  const path: string[] = [];
  let single = true;
  let m: Model | undefined = model;
  let endsOnRelation = false;
  let lastKind = "";
  for (const seg of segs) {
    if (!m) return null;
    const f = index.attribute(m, seg);
    if (!f) return path.length ? { path, single, last: m, endsOnRelation: false, lastKind } : null;
    if (f.kind === "concrete") return { path, single, last: m, endsOnRelation: false, lastKind };
    if (!f.target) return null;
    path.push(seg);
    lastKind = f.kind;
    if (!SINGLE.has(f.kind)) single = false;
    m = f.target;
    endsOnRelation = true;
  }
  return { path, single, last: m, endsOnRelation, lastKind };
}

export function serializerNeeds(index: ModelIndex, ser: ClassFact, model: Model, prefix: string[], single: boolean, seen: Set<ClassFact>, depthLeft?: number): Need[] {
  if (seen.has(ser) || seen.size > 20) return [];
  seen = new Set([...seen, ser]);
  const { assigns, methods, meta } = members(index, ser);
  const needs: Need[] = [];
  const declared = new Set<string>();
  const allowed = Array.isArray(meta.fields) ? new Set(meta.fields) : null;
  const add = (path: string[], pathSingle: boolean, site: { file: string; start: number; end: number }, what: string) => {
    if (path.length) needs.push({ path: [...prefix, ...path], single: single && pathSingle, file: site.file, start: site.start, end: site.end, what });
  };
  for (const a of assigns) {
    declared.add(a.name);
    if (!a.callee || (allowed && !allowed.has(a.name))) continue;
    const source = a.kwargs["source"]?.str ?? a.name;
    if (source === "*") continue;
    const site = { file: ser.file, start: a.start, end: a.end };
    const nested = index.resolveClass(ser.file, a.callee);
    if (nested && isSerializer(index, nested)) {
      const w = walk(index, model, source.split("."));
      if (!w || !w.endsOnRelation || !w.last) continue;
      add(w.path, w.single, site, `${ser.name}.${a.name} (nested ${nested.name})`);
      needs.push(...serializerNeeds(index, nested, w.last, [...prefix, ...w.path], single && w.single, seen));
      continue;
    }
    if (/(^|\.)SerializerMethodField$/.test(a.callee)) {
      const mname = a.kwargs["method_name"]?.str ?? `get_${a.name}`;
      const m = methods.find((x) => x.name === mname);
      for (const r of m?.reads[1] ?? []) {
        const segs = r.chain;
        const w = walk(index, model, segs.map((s) => s.replace(/\(\)$/, "")));
        if (!w || !w.path.length) continue;
        // obj.rel.count() / filter() / exists() run their own query whatever is prefetched: another rule's business.
        const after = segs[w.path.length];
        if (!w.single && after !== undefined && after !== "all()" && after !== "all") continue;
        if (!w.single && after === undefined) continue;
        add(w.path, w.single, { file: ser.file, start: r.start, end: r.end }, `${ser.name}.${mname}() reads obj.${segs.join(".")}`);
      }
      continue;
    }
    const w = walk(index, model, source.split("."));
    if (!w || !w.path.length) continue;
    if (w.endsOnRelation && PK_FIELDS.test(a.callee) && w.single) continue;
    add(w.path, w.single, site, `${ser.name}.${a.name} (source "${source}")`);
  }
  // Fields a ModelSerializer builds by itself.
  const implicit: string[] = meta.fields === "__all__" ? [...model.fields.values()].filter((f) => !f.kind.startsWith("reverse")).map((f) => f.name) : Array.isArray(meta.fields) ? meta.fields : [];
  const depth = depthLeft ?? meta.depth ?? 0;
  for (const name of implicit) {
    if (declared.has(name)) continue;
    const f = index.attribute(model, name);
    if (!f || f.kind === "concrete" || !f.target || f.kind === "gfk") continue;
    const site = { file: ser.file, start: ser.nameStart, end: ser.nameEnd };
    if (depth > 0) {
      add([name], SINGLE.has(f.kind), site, `${ser.name} Meta.depth = ${depth} nests ${name}`);
      needs.push(...implicitNested(index, f.target, [...prefix, name], single && SINGLE.has(f.kind), depth - 1, site, ser.name));
    } else if (!SINGLE.has(f.kind)) {
      add([name], false, site, `${ser.name} lists the primary keys of ${name}`);
    }
  }
  return needs;
}

function implicitNested(index: ModelIndex, model: Model, prefix: string[], single: boolean, depth: number, site: { file: string; start: number; end: number }, ser: string): Need[] {
  const out: Need[] = [];
  for (const f of model.fields.values()) {
    if (f.kind.startsWith("reverse") || f.kind === "concrete" || !f.target || f.kind === "gfk" || f.name.endsWith("_ptr")) continue;
    const s = single && SINGLE.has(f.kind);
    if (depth > 0) {
      out.push({ path: [...prefix, f.name], single: s, ...site, what: `${ser} Meta.depth nests ${[...prefix, f.name].join(".")}` });
      out.push(...implicitNested(index, f.target, [...prefix, f.name], s, depth - 1, site, ser));
    } else if (!SINGLE.has(f.kind)) {
      out.push({ path: [...prefix, f.name], single: false, ...site, what: `${ser} Meta.depth lists the primary keys of ${[...prefix, f.name].join(".")}` });
    }
  }
  return out;
}

/** Is the lookup path loaded (joined or prefetched) in what the queryset loads? */
export function covered(index: ModelIndex, model: Model, loaded: Loaded, path: string[]): boolean {
  let l: Loaded | undefined = loaded;
  let m: Model | undefined = model;
  for (const seg of path) {
    if (!l || !m) return true;
    const f = index.attribute(m, seg);
    if (!f) return true;
    const child = childLoaded(l, seg, joinedByDefault(f));
    if (!child) return false;
    // Prefetched rows of a reverse ForeignKey or one-to-one carry their parent (image.exercise for
    // exercise.exerciseimage_set): reading it back runs no query.
    l = withBackReference(child, f, l);
    m = f.target;
  }
  return true;
}

export function asQs(v: Val | undefined): QsVal | null {
  if (!v) return null;
  if (v.k === "qs" && !v.values && !v.base) return v;
  if (v.k === "manager" && !v.base) {
    return { k: "qs", model: v.model, loaded: v.loaded, origin: v.origin, base: null, field: null, access: null, fresh: false, values: false, builtIn: null, fromModelManager: true };
  }
  return null;
}

export interface ViewQueryset {
  qs: QsVal;
  node: SyntaxNode;
}

/** The querysets a class-based view lists: `queryset = ...` or what get_queryset() returns. */
export function viewQuerysets(ctx: RuleContext, cls: SyntaxNode, valueOf?: (node: SyntaxNode) => Val | undefined): ViewQueryset[] | null {
  const body = field(cls, "body");
  if (!body) return null;
  const flowValues = ctx.flow().values;
  const values = valueOf ? { get: valueOf } : flowValues;
  let gq: SyntaxNode | undefined;
  let attr: SyntaxNode | undefined;
  for (const stmt of body.children) {
    const d = stmt.type === "decorated_definition" ? field(stmt, "definition") : stmt;
    if (d?.type === "function_definition" && nodeText(ctx.text, field(d, "name")!) === "get_queryset") gq = d;
    const a = stmt.type === "expression_statement" ? stmt.children[0] : undefined;
    if (a?.type === "assignment" && nodeText(ctx.text, field(a, "left")!) === "queryset") attr = field(a, "right");
  }
  const out: ViewQueryset[] = [];
  if (gq) {
    const returns: SyntaxNode[] = [];
    const stack = [field(gq, "body")!];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === "function_definition" || n.type === "lambda") continue;
      if (n.type === "return_statement" && n.children[0]) returns.push(n.children[0]);
      for (const c of n.children) stack.push(c);
    }
    for (const r of returns) {
      // `if swagger_fake_view: return X.objects.none()`: no rows, so nothing for the view's serializer or template.
      if (isEmptyQueryset(ctx.text, r)) continue;
      const qs = asQs(values.get(r));
      if (!qs) return null;
      out.push({ qs, node: r });
    }
    return out.length ? out : null;
  }
  if (attr) {
    const qs = asQs(values.get(attr));
    return qs ? [{ qs, node: attr }] : null;
  }
  // Only `model = X`: Django lists X._default_manager.all(); there is no queryset in the code to edit.
  let modelAttr: SyntaxNode | undefined;
  for (const stmt of body.children) {
    const a = stmt.type === "expression_statement" ? stmt.children[0] : undefined;
    if (a?.type === "assignment" && nodeText(ctx.text, field(a, "left")!) === "model") modelAttr = field(a, "right");
  }
  const mv = modelAttr ? values.get(modelAttr) : undefined;
  if (modelAttr && mv?.k === "class") {
    const m = mv.model;
    const shape = m.defaultManager.shape;
    let loaded: Loaded = ALL_LOADED;
    if (shape && !m.autoPrefetch && !shape.batched) {
      loaded = newLoaded();
      for (const p of [...shape.select, ...shape.prefetch]) insertPath(loaded, p.split("__"));
      loaded.allSingles = shape.selectAll;
    }
    return [{ qs: { k: "qs", model: m, loaded, origin: null, base: null, field: null, access: null, fresh: false, values: false, builtIn: null, fromModelManager: true }, node: modelAttr }];
  }
  return null;
}

export function checkDrf(ctx: RuleContext, report: (v: ViewQueryset, needs: Need[], what: string) => void): void {
  if (!ctx.mentions(/serializer_class/)) return;
  for (const stmt of ctx.syntax.root.children) ctx.examine(stmt, () => drfView(ctx, stmt, report));
}

function drfView(ctx: RuleContext, stmt: SyntaxNode, report: (v: ViewQueryset, needs: Need[], what: string) => void): void {
  const cls = stmt.type === "decorated_definition" ? field(stmt, "definition") : stmt;
  if (cls?.type !== "class_definition") return;
  const sup = field(cls, "superclasses");
  const bases = (sup ? baseNames(ctx.text, cls) : []).map((b) => (b ?? "").replace(/^.*\./, ""));
  if (!bases.some((b) => LIST_VIEWS.test(b))) return;
  const body = field(cls, "body");
  let serName: string | null = null;
  for (const s of body?.children ?? []) {
    const a = s.type === "expression_statement" ? s.children[0] : undefined;
    if (a?.type === "assignment" && nodeText(ctx.text, field(a, "left")!) === "serializer_class") serName = dotted(ctx.text, field(a, "right"));
  }
  if (!serName || /def get_serializer_class\b/.test(nodeText(ctx.text, cls))) return;
  const ser = ctx.index.resolveClass(ctx.file, serName);
  if (!ser || !isSerializer(ctx.index, ser)) return;
  const views = viewQuerysets(ctx, cls);
  if (!views) return;
  for (const v of views) {
    if (v.qs.loaded.all) continue;
    const metaModel = members(ctx.index, ser).meta.model;
    if (metaModel) {
      const mm = ctx.index.modelFromName(ser.file, metaModel);
      if (mm && mm !== v.qs.model) continue;
    }
    const needs = serializerNeeds(ctx.index, ser, v.qs.model, [], true, new Set()).filter((n) => !covered(ctx.index, v.qs.model, v.qs.loaded, n.path));
    if (needs.length) report(v, needs, ser.name);
  }
}
