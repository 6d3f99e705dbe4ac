/**
 * n-plus-one where Django REST framework iterates the rows: a list view's serializer reads relations per object
 * (nested serializers, dotted `source=`, SerializerMethodField reading `obj.rel`, `depth`, many-to-many primary
 * key lists) that the view's queryset does not join or prefetch. Reported at the queryset, with the serializer
 * fields as related information; the fix adds the joins there.
 */
import { c3Merge } from "../../server/src/engine/mro";
import { prefetchFact, type ClassFact, type MetaFact, type MethodFact, type ValueFact } from "../../server/src/engine/facts";
import { ALL_LOADED, childLoaded, cloneLoaded, insertPath, joinedByDefault, newLoaded, withBackReference, type Loaded, type QsVal, type Val } from "../../server/src/engine/flow";
import { TEST_OR_MIGRATION, type Model, type ModelField, type ModelIndex } from "../../server/src/engine/models";
import type { SyntaxNode } from "../../server/src/engine/parser";
import type { RuleContext } from "../../server/src/engine/rule";
import { callParts, definitionAt, field, isEmptyQueryset, methodCall, nodeText, stringValue, strip, walk as walkNodes } from "../../server/src/engine/syntax";
import { applyAdds, fileCode, mergeAdds, noAdds, type Adds, type Code } from "./context";
import { uniqueLookupSets } from "../../server/src/engine/rows";

const LIST_VIEWS = /^(ModelViewSet|ReadOnlyModelViewSet|ListAPIView|ListCreateAPIView|ListModelMixin)$/;
const SERIALIZER_BASE = /(^|\.)(Serializer|ModelSerializer|HyperlinkedModelSerializer|ListSerializer)$/;
const IDENTITY_FIELD = /(^|\.)HyperlinkedIdentityField$/;
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
  /**
   * Read in a SerializerMethodField's method that first probes the row for these attributes
   * (`getattr(obj, "prefetched_products", None)`) and reads the relation only when they are absent: no need when
   * the queryset provides one of them (a Prefetch's to_attr, an annotation) on the row at `probedAt`.
   */
  unless?: { names: string[]; probedAt: string[] };
}

const SINGLE = new Set(["fk", "o2o", "reverse-o2o"]);

function isSerializer(index: ModelIndex, c: ClassFact, depth = 0): boolean {
  if (depth > 8) return false;
  return c.bases.some((b) => SERIALIZER_BASE.test(b) || (() => {
    const bc = index.resolveClass(c.file, b);
    return !!bc && bc !== c && isSerializer(index, bc, depth + 1);
  })());
}

/** Declared fields and methods, inherited from serializer bases first; the Meta in effect and the class it is in. */
function members(index: ModelIndex, c: ClassFact, depth = 0): { assigns: ClassFact["assigns"]; methods: MethodFact[]; meta: MetaFact; metaOwner: ClassFact } {
  const out = { assigns: [] as ClassFact["assigns"], methods: [] as MethodFact[], meta: c.meta, metaOwner: c };
  if (depth < 8) {
    for (const b of c.bases) {
      const bc = index.resolveClass(c.file, b);
      if (bc && bc !== c && isSerializer(index, bc)) {
        const m = members(index, bc, depth + 1);
        out.assigns.push(...m.assigns);
        out.methods.push(...m.methods);
        if (!c.meta.model && !hasFieldsOption(c.meta)) {
          out.meta = m.meta;
          out.metaOwner = m.metaOwner;
        }
      }
    }
  }
  out.assigns = [...out.assigns.filter((a) => !c.assigns.some((x) => x.name === a.name)), ...c.assigns];
  out.methods = [...out.methods.filter((a) => !c.methods.some((x) => x.name === a.name)), ...c.methods];
  return out;
}

function hasFieldsOption(meta: MetaFact): boolean {
  return meta.fields !== undefined || meta.fieldsParts !== undefined || !!meta.bases?.length;
}

/**
 * The names a serializer's `Meta.fields` lists: `names` are surely listed, and `complete` says they are all of them
 * (false when a part of `Base.Meta.fields + (...)` cannot be read). Undefined when the Meta sets no fields.
 */
type FieldsOption = { names: string[]; complete: boolean } | "__all__";

function fieldsOption(index: ModelIndex, owner: ClassFact, meta: MetaFact, depth = 0): FieldsOption | undefined {
  if (meta.fields === "__all__") return "__all__";
  if (Array.isArray(meta.fields)) return { names: meta.fields, complete: true };
  const unknown = { names: [], complete: false };
  if (depth > 8) return meta.fieldsParts || meta.bases ? unknown : undefined;
  if (meta.fieldsParts) {
    const names: string[] = [];
    let complete = true;
    for (const p of meta.fieldsParts) {
      if (Array.isArray(p)) {
        names.push(...p);
        continue;
      }
      // X.Meta.fields: the fields of X's Meta (a tuple or list; "__all__" would not concatenate).
      const r = p ? metaFieldsOf(index, owner.file, p.ref, depth + 1) : null;
      if (r && r !== "__all__") {
        names.push(...r.names);
        complete &&= r.complete;
      } else complete = false;
    }
    return { names, complete };
  }
  // class Meta(Base.Meta): its fields, when it sets none, are the first base Meta's that does.
  for (const b of meta.bases ?? []) {
    const r = /\.Meta$/.test(b) ? metaFieldsOf(index, owner.file, b.replace(/\.Meta$/, ""), depth + 1) : null;
    if (r === null) return unknown;
    if (r !== undefined) return r;
  }
  return undefined;
}

/** The `Meta.fields` of a class named in a file: null when the class or its fields cannot be read. */
function metaFieldsOf(index: ModelIndex, file: string, name: string, depth: number): FieldsOption | null | undefined {
  const c = index.resolveClass(file, name);
  if (!c) return null;
  const { meta, metaOwner } = members(index, c);
  return fieldsOption(index, metaOwner, meta, depth);
}

/**
 * Fields declared in the class's own body and in none of its direct bases: DRF requires them in `Meta.fields`
 * (it asserts so), so they are serialized whatever the rest of the fields are.
 */
function ownDeclared(index: ModelIndex, c: ClassFact): Set<string> {
  const inherited = new Set<string>();
  for (const b of c.bases) {
    const bc = index.resolveClass(c.file, b);
    if (bc && bc !== c && isSerializer(index, bc)) for (const a of members(index, bc).assigns) inherited.add(a.name);
  }
  return new Set(c.assigns.filter((a) => a.callee && !inherited.has(a.name)).map((a) => a.name));
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

export function serializerNeeds(ctx: RuleContext, ser: ClassFact, model: Model, prefix: string[], single: boolean, seen: Set<ClassFact>, depthLeft?: number): Need[] {
  if (seen.has(ser) || seen.size > 20) return [];
  seen = new Set([...seen, ser]);
  const index = ctx.index;
  const { assigns, methods, meta, metaOwner } = members(index, ser);
  const needs: Need[] = [];
  const declared = new Set<string>();
  const option = fieldsOption(index, metaOwner, meta);
  // Without Meta.fields every declared field is serialized; with fields that cannot all be read, only those surely
  // listed, and the ones DRF requires to be.
  let allowed: Set<string> | null = null;
  if (option && option !== "__all__") {
    allowed = new Set(option.names);
    if (!option.complete) for (const n of ownDeclared(index, ser)) allowed.add(n);
  }
  const add = (path: string[], pathSingle: boolean, site: { file: string; start: number; end: number }, what: string, probes?: string[]) => {
    if (path.length) needs.push({ path: [...prefix, ...path], single: single && pathSingle, file: site.file, start: site.start, end: site.end, what, ...(probes?.length ? { unless: { names: probes, probedAt: prefix } } : {}) });
  };
  for (const a of assigns) {
    declared.add(a.name);
    if (!a.callee || (allowed && !allowed.has(a.name))) continue;
    // Write-only: the response never reads it (`user = HiddenField(default=CurrentUserDefault())`).
    if (/(^|\.)HiddenField$/.test(a.callee) || a.kwargs["write_only"]?.bool === true) continue;
    const source = a.kwargs["source"]?.str ?? a.name;
    if (source === "*") continue;
    const site = { file: ser.file, start: a.start, end: a.end };
    const nested = index.resolveClass(ser.file, a.callee);
    // A SerializerMethodField, or a project field class whose first base is one (it calls get_<name>, whatever
    // serializer it also derives from).
    const methodField = /(^|\.)SerializerMethodField$/.test(a.callee) || (!!nested && methodFieldClass(index, nested));
    if (!methodField && nested && isSerializer(index, nested)) {
      const w = walk(index, model, source.split("."));
      if (!w || !w.endsOnRelation || !w.last) continue;
      add(w.path, w.single, site, `${ser.name}.${a.name} (nested ${nested.name})`);
      needs.push(...serializerNeeds(ctx, nested, w.last, [...prefix, ...w.path], single && w.single, seen));
      continue;
    }
    if (methodField) {
      const mname = a.kwargs["method_name"]?.str ?? `get_${a.name}`;
      const m = methods.find((x) => x.name === mname);
      const reads = m?.reads[1] ?? [];
      for (const r of reads) {
        const segs = r.chain;
        // `obj.tags.all()` inside `obj.tags.all().values_list(...)`: the longer chain says what runs.
        if (reads.some((o) => o !== r && o.start === r.start && o.chain.length > segs.length && segs.every((x, i) => o.chain[i] === x))) continue;
        const w = walk(index, model, segs.map((s) => s.replace(/\(\)$/, "")));
        if (!w || !w.path.length) continue;
        // obj.rel.count() / filter() / exists() run their own query whatever is prefetched: another rule's business.
        const after = segs[w.path.length];
        if (!w.single && after !== undefined && after !== "all()" && after !== "all") continue;
        if (!w.single && after === undefined) continue;
        // obj.rel.all().values_list(...) / .filter(...) / .order_by(...) build a new query: a prefetch is not read.
        if (!w.single && segs[w.path.length + 1] !== undefined) continue;
        add(w.path, w.single, { file: ser.file, start: r.start, end: r.end }, `${ser.name}.${mname}() reads obj.${segs.join(".")}`, m?.probes?.[1]);
      }
      continue;
    }
    // An identity field (a link to the row itself) serializes the row, whatever its name: DRF sets its source to "*".
    if (identityField(ctx, ser.file, a.callee)) continue;
    const w = walk(index, model, source.split("."));
    if (!w || !w.path.length) continue;
    if (w.endsOnRelation && w.single && relatedFieldReads(ctx, ser.file, a.callee, a.kwargs["lookup_field"]) !== "row") continue;
    add(w.path, w.single, site, `${ser.name}.${a.name} (source "${source}")`);
  }
  // Fields a ModelSerializer builds by itself.
  const implicit: string[] = option === "__all__" ? [...model.fields.values()].filter((f) => !f.kind.startsWith("reverse")).map((f) => f.name) : option ? option.names : [];
  const depth = depthLeft ?? meta.depth ?? 0;
  for (const name of implicit) {
    if (declared.has(name)) continue;
    const f = index.attribute(model, name);
    // DRF builds no field for a GenericRelation (Django gives it serialize=False and keeps it among the private
    // fields): "__all__" leaves it out, and naming it undeclared is a configuration error.
    if (!f || f.kind === "concrete" || !f.target || f.kind === "gfk" || f.kind === "generic-relation") continue;
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

/** The class's first base (followed through project classes) is DRF's SerializerMethodField. */
function methodFieldClass(index: ModelIndex, c: ClassFact, depth = 0): boolean {
  const first = c.bases[0];
  if (!first || depth > 8) return false;
  if (/(^|\.)SerializerMethodField$/.test(first)) return true;
  const parent = index.resolveClass(c.file, first);
  return !!parent && methodFieldClass(index, parent, depth + 1);
}

/** A class along a method resolution order: one of the project (its facts), or a name that resolves to none. */
interface Linear {
  fact: ClassFact | null;
  name: string;
  key: string;
}

/** The classes of a class in method resolution order (C3); null when they cannot be ordered. */
function linearize(index: ModelIndex, c: ClassFact, depth = 0): Linear[] | null {
  const self: Linear = { fact: c, name: c.name, key: `${c.file}:${c.start}` };
  if (depth > 10) return null;
  const seqs: Linear[][] = [];
  const direct: Linear[] = [];
  for (const b of c.bases) {
    if (b === "object") continue;
    const bc = index.resolveClass(c.file, b);
    if (bc === c) return null;
    const lin = bc ? linearize(index, bc, depth + 1) : [{ fact: null, name: b, key: `ext:${b.slice(b.lastIndexOf(".") + 1)}` }];
    if (!lin) return null;
    direct.push(lin[0]);
    seqs.push([...lin]);
  }
  return c3Merge(self, seqs, direct);
}

const lastPart = (d: string) => d.slice(d.lastIndexOf(".") + 1);

/** A file of the project, parsed: the analyzed one (with its flow) or another. */
function codeOf(ctx: RuleContext, file: string): Code | null {
  return file === ctx.file ? { file, text: ctx.text, root: ctx.syntax.root, flow: true } : fileCode(ctx, file);
}

/** The definition of a method, by its facts (a `def` starting where the facts say). */
function methodNode(code: Code, m: MethodFact): SyntaxNode | null {
  return definitionAt(code.root, "function_definition", m.start);
}

/** Is the method's body a plain `return False` (after a docstring)? */
function returnsFalse(ctx: RuleContext, file: string, m: MethodFact): boolean {
  const code = codeOf(ctx, file);
  const def = code ? methodNode(code, m) : null;
  const stmts = (def ? field(def, "body")?.children ?? [] : []).filter((c) => c.type !== "comment");
  if (stmts[0]?.type === "expression_statement" && stmts[0].children[0]?.type === "string" && stmts.length > 1) stmts.shift();
  return stmts.length === 1 && stmts[0].type === "return_statement" && stmts[0].children[0]?.type === "false";
}

/** Is the field class DRF's HyperlinkedIdentityField, or a class of the project deriving from it? */
function identityField(ctx: RuleContext, file: string, callee: string): boolean {
  if (IDENTITY_FIELD.test(callee)) return true;
  const c = ctx.index.resolveClass(file, callee);
  const line = c ? linearize(ctx.index, c) : null;
  return !!line && line.some((l) => !l.fact && IDENTITY_FIELD.test(l.name));
}

/**
 * What a related field serializing a single relation reads: "key" when DRF's pk-only optimization serializes the
 * key column (PrimaryKeyRelatedField, HyperlinkedRelatedField looking up by pk, and subclasses of the project that
 * keep it), "row" when it loads the related row, "unsure" when a class of the project decides in a way not read
 * here (a use_pk_only_optimization other than a plain `return False`, which loads the row).
 */
function relatedFieldReads(ctx: RuleContext, file: string, callee: string, lookupArg?: ValueFact): "key" | "row" | "unsure" {
  // `lookup_field="slug"` given to the field: DRF's __init__ takes it over the class's.
  const given: string | null | undefined = lookupArg ? lookupArg.str ?? null : undefined;
  const c = ctx.index.resolveClass(file, callee);
  if (!c) {
    if (!PK_FIELDS.test(callee)) return "row";
    if (/PrimaryKeyRelatedField$/.test(callee) || given === undefined || given === "pk") return "key";
    return given === null ? "unsure" : "row";
  }
  const line = linearize(ctx.index, c);
  if (!line) return "unsure";
  let lookup: string | null | undefined = given;
  for (const l of line) {
    if (l.fact) {
      const m = l.fact.methods.find((x) => x.name === "use_pk_only_optimization");
      if (m) return returnsFalse(ctx, l.fact.file, m) ? "row" : "unsure";
      const a = l.fact.assigns.find((x) => x.name === "lookup_field");
      if (a && lookup === undefined) lookup = a.value?.str ?? null;
    } else if (PK_FIELDS.test(l.name)) {
      // HyperlinkedRelatedField keeps the optimization only while it looks the row up by pk.
      if (lookup === undefined || lookup === "pk" || /PrimaryKeyRelatedField$/.test(l.name)) return "key";
      return lookup === null ? "unsure" : "row";
    }
  }
  return "row";
}

function implicitNested(index: ModelIndex, model: Model, prefix: string[], single: boolean, depth: number, site: { file: string; start: number; end: number }, ser: string): Need[] {
  const out: Need[] = [];
  for (const f of model.fields.values()) {
    if (f.kind.startsWith("reverse") || f.kind === "concrete" || !f.target || f.kind === "gfk" || f.kind === "generic-relation" || f.name.endsWith("_ptr")) continue;
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

/**
 * The needs left once the shorter ones are loaded: a prefetch of `order.lines` also gives each line its `order` (the
 * back-reference), so `lines__order` asks for nothing more than `lines`.
 */
export function withoutCarried(index: ModelIndex, model: Model, loaded: Loaded, needs: Need[]): Need[] {
  const planned = cloneLoaded(loaded);
  const kept = new Set<Need>();
  for (const n of [...needs].sort((a, b) => a.path.length - b.path.length)) {
    if (covered(index, model, planned, n.path)) continue;
    kept.add(n);
    insertPath(planned, n.path);
  }
  return needs.filter((n) => kept.has(n));
}

/**
 * Does the queryset provide an attribute the need's method probes for before it reads the relation (a to_attr list
 * or an annotation on the rows at `probedAt`)? The relation is then read only on rows that lack it: none.
 */
function provided(index: ModelIndex, model: Model, loaded: Loaded, n: Need): boolean {
  if (!n.unless) return false;
  let l: Loaded | undefined = loaded;
  let m: Model | undefined = model;
  for (const seg of n.unless.probedAt) {
    const f: ModelField | undefined = l && m ? index.attribute(m, seg) : undefined;
    l = f && l ? childLoaded(l, seg, joinedByDefault(f)) : undefined;
    m = f?.target;
  }
  return !!l && n.unless.names.some((name) => l!.toAttrs.has(name) || l!.annotations.has(name));
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
  /** Where get_queryset() reads every row of what it then returns (`for t in tickets:` before `return tickets`). */
  readWhole?: SyntaxNode;
}

const READS_ROWS = new Set(["list", "len", "tuple", "sorted", "bool", "set"]);

/**
 * The place, before `before` in `fn`, that fetches every row of the queryset held in `name`: a loop over it, a
 * list()/len()/bool() of it, or a truth test. DRF then pages rows already read, and a join or prefetch added to that
 * queryset runs over all of them.
 */
function readsWholeBefore(ctx: RuleContext, fn: SyntaxNode, name: string, before: number): SyntaxNode | undefined {
  let found: SyntaxNode | undefined;
  const is = (n: SyntaxNode | null | undefined) => !!n && n.type === "identifier" && nodeText(ctx.text, n) === name;
  walkNodes(fn, (n) => {
    if (found || n.start >= before) return false;
    if (n !== fn && (n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition")) return false;
    if (n.type === "for_statement" && is(field(n, "right"))) found = n;
    else if ((n.type === "if_statement" || n.type === "elif_clause" || n.type === "while_statement") && is(field(n, "condition"))) found = n;
    else if (n.type === "call") {
      const f = field(n, "function");
      const args = (field(n, "arguments")?.children ?? []).filter((a) => a.type !== "comment");
      if (f?.type === "identifier" && READS_ROWS.has(nodeText(ctx.text, f)) && args.length === 1 && is(args[0])) found = n;
    }
    return !found;
  });
  return found;
}

/** The querysets a class-based view lists: `queryset = ...` or what get_queryset() returns. */
export function viewQuerysets(ctx: RuleContext, cls: SyntaxNode, valueOf?: (node: SyntaxNode) => Val | undefined, drf = false): ViewQueryset[] | null {
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
      const readWhole = r.type === "identifier" ? readsWholeBefore(ctx, gq, nodeText(ctx.text, r), r.start) : undefined;
      out.push({ qs, node: r, ...(readWhole ? { readWhole } : {}) });
    }
    return out.length ? out : null;
  }
  if (attr) {
    // `queryset = User.objects.none()` on a view whose get_object() answers request.user: it lists no rows.
    if (isEmptyQueryset(ctx.text, attr)) return null;
    const qs = asQs(values.get(attr));
    return qs ? [{ qs, node: attr }] : null;
  }
  // Only `model = X`: Django lists X._default_manager.all(); there is no queryset in the code to edit. (DRF does not
  // read `model`: a DRF view without a queryset lists nothing, galaxy_ng's CurrentUserViewSet answering request.user.)
  if (drf) return null;
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
  // A subclass of a view may name neither: it inherits serializer_class and re-declares queryset.
  if (!ctx.mentions(/serializer_class|queryset/)) return;
  for (const stmt of ctx.syntax.root.children) ctx.examine(stmt, () => drfView(ctx, stmt, report));
}

/**
 * DRF's generic views, which define get_queryset() / get_serializer_class() and set queryset / serializer_class
 * (to None): a class of the project after one of them along the bases is not reached for those.
 */
const DRF_GENERIC = /^(GenericAPIView|GenericViewSet|ModelViewSet|ReadOnlyModelViewSet|(List|Create|Retrieve|Update|Destroy|ListCreate|RetrieveUpdate|RetrieveDestroy|RetrieveUpdateDestroy)APIView)$/;

/** The first class along `line` that defines the method, or -1 (DRF's, or none). */
function definer(line: Linear[], name: string): number {
  const i = line.findIndex((l) => (l.fact ? l.fact.methods.some((m) => m.name === name) : DRF_GENERIC.test(lastPart(l.name))));
  return i >= 0 && line[i].fact ? i : -1;
}

/** The first class along `line` that assigns the class attribute, or -1 (DRF's None, or none). */
function assigner(line: Linear[], name: string): number {
  const i = line.findIndex((l) => (l.fact ? l.fact.assigns.some((a) => a.name === name) : DRF_GENERIC.test(lastPart(l.name))));
  return i >= 0 && line[i].fact ? i : -1;
}

const SUPER_GET_QUERYSET = /\bsuper\([^)]*\)\s*\.\s*get_queryset\s*\(/;

/**
 * What the get_queryset() of `line[at]` (a base of the view) adds to the view's `queryset`, with the ones it reaches
 * through super(): every select_related / prefetch_related / annotate in its body counts, on whatever path (a
 * relation some request joins stays silent), and so do those of methods of the view it calls. Null when its rows
 * may not be the view's `queryset` (neither super().get_queryset() nor self.queryset is read).
 */
function inheritedAdds(ctx: RuleContext, line: Linear[], at: number, depth = 0): Adds | null {
  if (at < 0 || at >= line.length || depth > 6) return noAdds(); // DRF's: self.queryset.all()
  const c = line[at].fact!;
  const code = codeOf(ctx, c.file);
  const m = c.methods.find((x) => x.name === "get_queryset");
  const def = code && m ? methodNode(code, m) : null;
  if (!code || !def) return null;
  const text = nodeText(code.text, def);
  let adds = bodyAdds(ctx, code, def, line, 0);
  if (SUPER_GET_QUERYSET.test(text)) {
    const next = definer(line.slice(at + 1), "get_queryset");
    const inner = next < 0 ? noAdds() : inheritedAdds(ctx, line, at + 1 + next, depth + 1);
    if (!inner) return null;
    adds = mergeAdds(adds, inner);
  } else if (!/\bself\.queryset\b/.test(text)) return null;
  return adds;
}

/** The select_related / prefetch_related / annotate calls in a method body, and in methods of the view it calls on self. */
function bodyAdds(ctx: RuleContext, code: Code, def: SyntaxNode, line: Linear[], depth: number): Adds {
  const adds = noAdds();
  const stack = [field(def, "body")!];
  while (stack.length) {
    const n = stack.pop()!;
    if (!n || n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition") continue;
    for (const ch of n.children) stack.push(ch);
    const mc = n.type === "call" ? methodCall(code.text, n) : null;
    if (!mc) continue;
    if (mc.method === "select_related" || mc.method === "prefetch_related") {
      const parts = callParts(code.text, n);
      if (!parts || parts.splat) {
        adds.opaque = true;
        continue;
      }
      if (mc.method === "select_related" && !parts.args.length) adds.selectAll = true;
      for (const a of parts.args) {
        const str = stringValue(code.text, a);
        const pf = str === null && a.type === "call" ? prefetchFact(code.text, a) : null;
        if (str !== null) (mc.method === "select_related" ? adds.select : adds.prefetch).push(str.split("__"));
        else if (pf && pf.toAttr === null && mc.method === "prefetch_related") adds.prefetch.push(pf.lookup.split("__"));
        else if (!pf || pf.toAttr === "?") adds.opaque = true;
      }
    } else if (mc.method === "annotate") {
      const parts = callParts(code.text, n);
      if (!parts || parts.splat) adds.opaque = true;
      else adds.annotations.push(...parts.kwargs.keys());
    } else if (depth < 3 && mc.receiver.type === "identifier" && nodeText(code.text, mc.receiver) === "self" && mc.method !== "get_queryset") {
      // self.optimize(qs): a method along the view's classes.
      const i = definer(line, mc.method);
      const f = i >= 0 ? line[i].fact! : null;
      const fm = f?.methods.find((x) => x.name === mc.method);
      const fc = f ? codeOf(ctx, f.file) : null;
      const fdef = fc && fm ? methodNode(fc, fm) : null;
      if (fdef && fc) Object.assign(adds, mergeAdds(adds, bodyAdds(ctx, fc, fdef, line, depth + 1)));
    }
  }
  return adds;
}

/** Does every subclass of the view (in the workspace) list other rows: its own queryset, or a get_queryset() not built on the view's? */
function everySubclassReplacesQueryset(ctx: RuleContext, own: ClassFact): boolean {
  // Test code's subclasses (a view rebuilt for a test) serve no requests.
  const isTest = (file: string) => TEST_OR_MIGRATION.test(`${(ctx.index.factsOf(file)?.module ?? "").replace(/\./g, "/")}.py`);
  const subs = ctx.index.subclassesOf(own.name).filter((c) => !isTest(c.file) && c.bases.some((b) => ctx.index.resolveClass(c.file, b) === own));
  return subs.length > 0 && subs.every((c) => {
    if (c.assigns.some((a) => a.name === "queryset")) return true;
    const m = c.methods.find((x) => x.name === "get_queryset");
    if (!m) return false;
    const text = (c.file === ctx.file ? ctx.text : ctx.project.textOf(c.file) ?? "").slice(m.start, m.end);
    return !!text && !SUPER_GET_QUERYSET.test(text) && !/\bself\.queryset\b/.test(text);
  });
}

/**
 * The serializer class a view uses for its list: the first `serializer_class` along its classes. Null when a
 * get_serializer_class() decides: the view's own, or a base's that picks by action or never returns serializer_class.
 */
function listSerializer(ctx: RuleContext, cls: SyntaxNode, line: Linear[]): ClassFact | null {
  if (/def get_serializer_class\b/.test(nodeText(ctx.text, cls))) return null;
  const g = definer(line, "get_serializer_class");
  if (g >= 0) {
    const f = line[g].fact!;
    const m = f.methods.find((x) => x.name === "get_serializer_class")!;
    const text = (f.file === ctx.file ? ctx.text : ctx.project.textOf(f.file) ?? "").slice(m.start, m.end);
    if (/\baction\b/.test(text) || !/\bself\.serializer_class\b|\bsuper\([^)]*\)\s*\.\s*get_serializer_class\s*\(/.test(text)) return null;
  }
  const i = assigner(line, "serializer_class");
  if (i < 0) return null;
  const f = line[i].fact!;
  const a = [...f.assigns].reverse().find((x) => x.name === "serializer_class")!;
  const name = a.callee ? null : a.value?.dotted;
  const ser = name ? ctx.index.resolveClass(f.file, name) : undefined;
  return ser && isSerializer(ctx.index, ser) ? ser : null;
}

/** DRF's classes that define list(): it serializes the page of rows with many=True. */
const DRF_LIST = /^(ListModelMixin|ModelViewSet|ReadOnlyModelViewSet|ListAPIView|ListCreateAPIView)$/;
/** A list() body that hands rows to a serializer: get_serializer(...), serializer_class(...), get_serializer_class()(...). */
const SERIALIZES = /\bget_serializer\s*\(|\bserializer_class\s*\(|\bget_serializer_class\s*\(\s*\)\s*\(/;
const SUPER_LIST = /\bsuper\([^)]*\)\s*\.\s*list\s*\(/;

/**
 * Does the list() the view resolves to serialize its rows? DRF's does. A project's override that neither calls a
 * serializer nor super().list() renders its rows some other way (nautobot's HTML viewsets draw a table and keep
 * serializer_class for CSV import): the serializer's fields are not read per row.
 */
const JOINS = /\.\s*(?:select_related|prefetch_related)\s*\(/;

/** The source of a method a class of the workspace defines ("" when unknown). */
function methodText(ctx: RuleContext, l: Linear, name: string): string {
  const m = l.fact?.methods.find((x) => x.name === name);
  if (!l.fact || !m) return "";
  return (l.fact.file === ctx.file ? ctx.text : ctx.project.textOf(l.fact.file) ?? "").slice(m.start, m.end);
}

function listSerializes(ctx: RuleContext, line: Linear[], from = 0, depth = 0): boolean {
  for (let i = from; i < line.length; i++) {
    const l = line[i];
    if (!l.fact) {
      if (DRF_LIST.test(lastPart(l.name))) return true;
      continue;
    }
    if (!l.fact.methods.some((x) => x.name === "list")) continue;
    const text = methodText(ctx, l, "list");
    if (!text || SERIALIZES.test(text)) return true;
    return depth < 6 && SUPER_LIST.test(text) && listSerializes(ctx, line, i + 1, depth + 1);
  }
  return true;
}

function drfView(ctx: RuleContext, stmt: SyntaxNode, report: (v: ViewQueryset, needs: Need[], what: string) => void): void {
  const cls = stmt.type === "decorated_definition" ? field(stmt, "definition") : stmt;
  if (cls?.type !== "class_definition") return;
  const nameNode = field(cls, "name");
  const body = field(cls, "body");
  if (!nameNode || !body || !field(cls, "superclasses")) return;
  const own = ctx.index.factsOf(ctx.file)?.classes.find((c) => c.nameStart === nameNode.start && c.name === nodeText(ctx.text, nameNode));
  if (!own) return;
  const line = linearize(ctx.index, own);
  if (!line || !line.some((l) => LIST_VIEWS.test(lastPart(l.name)))) return;
  const ser = listSerializer(ctx, cls, line);
  if (!ser || !listSerializes(ctx, line)) return;
  // A serializer that overrides many_init() picks what serializes its lists (often a leaner class): not followed.
  if (members(ctx.index, ser).methods.some((m) => m.name === "many_init")) return;
  // DRF's list() serializes filter_queryset(get_queryset()): a filter_queryset() of the project's that joins or
  // prefetches may load what the serializer reads. What it adds is not followed: stay silent.
  const fq = definer(line, "filter_queryset");
  if (fq >= 0 && JOINS.test(methodText(ctx, line[fq], "filter_queryset"))) return;
  // The rows: the first get_queryset() along the classes, on the first queryset along them (DRF's get_queryset()
  // is self.queryset.all()). Only a view that sets the queryset itself is reported; it is where the fix goes.
  const gq = definer(line, "get_queryset");
  const qsAt = assigner(line, "queryset");
  let views: ViewQueryset[] | null;
  if (gq === 0) {
    views = viewQuerysets(ctx, cls, undefined, true);
    // Its super().get_queryset() goes through the next get_queryset() along the bases, which may join more.
    if (views && SUPER_GET_QUERYSET.test(nodeText(ctx.text, cls))) {
      const next = definer(line.slice(1), "get_queryset");
      const adds = next < 0 ? noAdds() : inheritedAdds(ctx, line, 1 + next);
      if (!adds) return;
      views = views.map((v) => ({ ...v, qs: applyAdds(v.qs, adds) }));
    }
  } else if (gq > 0) {
    if (qsAt !== 0) return;
    let attr: SyntaxNode | undefined;
    for (const s of body.children) {
      const a = s.type === "expression_statement" ? s.children[0] : undefined;
      if (a?.type === "assignment" && nodeText(ctx.text, field(a, "left")!) === "queryset") attr = field(a, "right");
    }
    const qs = attr && !isEmptyQueryset(ctx.text, attr) ? asQs(ctx.flow().values.get(attr)) : null;
    const adds = qs ? inheritedAdds(ctx, line, gq) : null;
    if (!attr || !qs || !adds) return;
    views = [{ qs: applyAdds(qs, adds), node: attr }];
  } else {
    if (qsAt > 0) return;
    views = viewQuerysets(ctx, cls, undefined, true);
  }
  if (!views) return;
  // A base whose every subclass lists rows of its own: its queryset serves none of them (a fix there reaches none).
  if (everySubclassReplacesQueryset(ctx, own)) return;
  for (const v of views) {
    if (v.qs.loaded.all) continue;
    // At most one row (`Basket.objects.filter(user=self.request.user)` on a one-to-one): the serializer runs once.
    if (uniqueLookupSets(ctx, v.qs.model, strip(v.node)).length) continue;
    const metaModel = members(ctx.index, ser).meta.model;
    if (metaModel) {
      const mm = ctx.index.modelFromName(ser.file, metaModel);
      if (mm && mm !== v.qs.model) continue;
    }
    const needs = serializerNeeds(ctx, ser, v.qs.model, [], true, new Set()).filter((n) => !covered(ctx.index, v.qs.model, v.qs.loaded, n.path) && !provided(ctx.index, v.qs.model, v.qs.loaded, n));
    const left = withoutCarried(ctx.index, v.qs.model, v.qs.loaded, needs);
    if (left.length) report(v, left, ser.name);
  }
}
