/**
 * n-plus-one in graphene GraphQL resolvers. A graphene object type that maps a Django model (a DjangoObjectType, or
 * a project base class deriving from graphene's ObjectType whose subclasses set `class Meta: model = X`) runs each
 * `resolve_<name>` once per object when a list of that type is resolved: a resolver that reads a relation on its
 * root (`root.user`, `root.lines.all()`, a model property or method that does) costs one query per row.
 *
 * Precision first: the type must be listed somewhere in the project (`graphene.List(T)`, a `*ConnectionField(T)`,
 * a Connection class with `Meta.node = T` that such a field lists). A relation named in the resolver's
 * `resolver_hints(...)` (or hints it cannot read), a field that tells the optimizer what to load
 * (`gql_optimizer.field(..., model_field="lines")`), the key column (`root.user_id`, `root.user.pk`, what a
 * DataLoader is handed: `UserByIdLoader(info.context).load(root.user_id)`), a default manager that joins the
 * relation, a type that defines `get_queryset` and a `@classmethod` resolver say nothing.
 */
import { perFile } from "../../server/src/engine/filescan";
import type { ClassFact, MethodFact } from "../../server/src/engine/facts";
import { ALL_LOADED, insertPath, newLoaded, type Loaded } from "../../server/src/engine/flow";
import type { Model, ModelField, ModelIndex } from "../../server/src/engine/models";
import type { SyntaxNode } from "../../server/src/engine/parser";
import type { RuleContext } from "../../server/src/engine/rule";
import { walk } from "../../server/src/engine/syntax";
import { usesOn, type ParamUse } from "./calls";

const DJANGO_TYPE = /(^|\.)\w*DjangoObjectType$/;
const GRAPHENE_OBJECT = /(^|\.)ObjectType$/;
const KEY_ATTRS = new Set(["pk", "id"]);

export interface GraphqlNeed {
  type: ClassFact;
  model: Model;
  resolver: string;
  /** The model property or method read on the root that reads the relation (`get_first_image()`), if any. */
  via: string | null;
  /** Relation path from the type's model. */
  path: string[];
  single: boolean;
  field: ModelField;
  start: number;
  end: number;
}

/** "django" for a DjangoObjectType, "object" for a project class over graphene's ObjectType, else null. */
function typeKind(index: ModelIndex, c: ClassFact, depth = 0, seen: Set<ClassFact> = new Set()): "django" | "object" | null {
  if (depth > 8 || seen.has(c)) return null;
  seen.add(c);
  let kind: "django" | "object" | null = null;
  for (const b of c.bases) {
    if (DJANGO_TYPE.test(b)) return "django";
    if (GRAPHENE_OBJECT.test(b)) {
      // graphene's ObjectType itself takes no Meta.model: only a project base class in between counts.
      if (depth > 0) kind ??= "object";
      continue;
    }
    const bc = index.resolveClass(c.file, b);
    if (!bc || bc === c) continue;
    const k = typeKind(index, bc, depth + 1, seen);
    if (k === "django") return k;
    kind ??= k;
  }
  return kind;
}

/** Meta.model of the type, or of the nearest project base that sets it. */
function typeModel(index: ModelIndex, c: ClassFact, depth = 0): Model | undefined {
  if (c.meta.model) return index.modelFromName(c.file, c.meta.model);
  if (depth > 8) return undefined;
  for (const b of c.bases) {
    const bc = index.resolveClass(c.file, b);
    if (bc && bc !== c) {
      const m = typeModel(index, bc, depth + 1);
      if (m) return m;
    }
  }
  return undefined;
}

/** Does the type or a project base define get_queryset (which may join what it likes)? */
function definesGetQueryset(index: ModelIndex, c: ClassFact, depth = 0): boolean {
  if (c.methods.some((m) => m.name === "get_queryset")) return true;
  if (depth > 8) return false;
  return c.bases.some((b) => {
    const bc = index.resolveClass(c.file, b);
    return !!bc && bc !== c && definesGetQueryset(index, bc, depth + 1);
  });
}

interface Listed {
  /** Names given as the first argument of List / NonNull / *ConnectionField / DjangoListField. */
  names: Set<string>;
  /** Connection class name -> its Meta.node. */
  connections: Map<string, string>;
}

const LISTING = /\b(?:\w*List(?:Field)?|NonNull|\w*ConnectionField)\((?=\s*(?:lambda\s*:\s*)?["']?([\w.]+))/g;
const NODE = /^[ \t]+node\s*=\s*["']?([\w.]+)/gm;
const CLASS = /^class\s+(\w+)/gm;

function listedIn(text: string, into: Listed): void {
  for (const m of text.matchAll(LISTING)) into.names.add(m[1].replace(/^.*\./, ""));
  if (!/\bnode\s*=/.test(text)) return;
  const classes = [...text.matchAll(CLASS)].map((m) => ({ at: m.index!, name: m[1] }));
  for (const m of text.matchAll(NODE)) {
    let owner: string | null = null;
    for (const c of classes) if (c.at < m.index!) owner = c.name;
    if (owner) into.connections.set(owner, m[1].replace(/^.*\./, ""));
  }
}

const GRAPHQL_IMPORT = /^graphene|(^|\.)graphql(\.|$)/;

/** What the project lists, joined once until a Python file changes (each file read again only when it changed). */
function listedTypes(ctx: RuleContext): Listed {
  const read = (): Listed => {
    const out: Listed = { names: new Set(), connections: new Map() };
    // Only modules that import from graphene or a graphql package can list a type (saleor: 1 file in 8).
    const files = (ctx.project.filesMatching?.(/\.py$/) ?? [ctx.file]).filter((f) => f === ctx.file || Object.values(ctx.index.factsOf(f)?.imports ?? {}).some((t) => GRAPHQL_IMPORT.test(t)));
    const listings = perFile(ctx, "graphql:listed", files, (text) => {
      if (!text || !/graphene|ConnectionField|DjangoListField/.test(text)) return null;
      const listed: Listed = { names: new Set(), connections: new Map() };
      listedIn(text, listed);
      return listed;
    });
    for (const { value } of listings) {
      if (!value) continue;
      for (const n of value.names) out.names.add(n);
      for (const [k, v] of value.connections) out.connections.set(k, v);
    }
    return out;
  };
  return ctx.project.memo ? ctx.project.memo("graphql:listed", read) : read();
}

function isListed(listed: Listed, name: string): boolean {
  if (listed.names.has(name)) return true;
  for (const [conn, node] of listed.connections) if (node === name && listed.names.has(conn)) return true;
  return false;
}

/** Relation names a resolver_hints-like decorator names; null when it cannot be read (then it may join anything). */
function hinted(decorators: string[]): Set<string> | null {
  const out = new Set<string>();
  for (const d of decorators) {
    if (!/resolver_hints|prefetch|select_related/i.test(d)) continue;
    for (const m of d.matchAll(/(["'])(.*?)\1/g)) for (const seg of m[2].split("__")) out.add(seg);
    const rest = d.replace(/(["'])(.*?)\1/g, " ").replace(/\b(?:\w+\.)*resolver_hints\b|\b(?:prefetch_related|select_related|only|Prefetch)\b/g, " ");
    if (/[A-Za-z_]/.test(rest.replace(/^@?[\w.]+/, ""))) return null;
  }
  return out;
}

function findDef(ctx: RuleContext, stmt: SyntaxNode, method: MethodFact): SyntaxNode | null {
  let found: SyntaxNode | null = null;
  walk(stmt, (n) => {
    if (found || n.end < method.start || n.start > method.end) return false;
    if (n.type === "function_definition" && n.start === method.start) found = n;
    return !found;
  });
  return found;
}

export interface GqlType {
  cls: ClassFact;
  model: Model;
  stmt: SyntaxNode;
}

/** The graphene types of this file whose resolvers run once per row of a list. */
function typesOfFile(ctx: RuleContext): GqlType[] {
  const facts = ctx.index.factsOf(ctx.file);
  if (!facts?.classes.length) return [];
  const listed = listedTypes(ctx);
  const out: GqlType[] = [];
  for (const c of facts.classes) {
    if (!c.methods.some((m) => m.name.startsWith("resolve_"))) continue;
    if (!isListed(listed, c.name)) continue;
    if (!typeKind(ctx.index, c)) continue;
    const model = typeModel(ctx.index, c);
    if (!model || !model.complete || model.autoPrefetch) continue;
    if (definesGetQueryset(ctx.index, c)) continue;
    const stmt = ctx.syntax.root.children.find((s) => s.start <= c.start && c.end <= s.end);
    if (stmt) out.push({ cls: c, model, stmt });
  }
  return out;
}

/** What the model's default manager loads: everything when unknown or batched. */
function managerLoaded(m: Model): Loaded {
  const shape = m.defaultManager.shape;
  if (!shape || shape.batched || m.defaultManager.opaque) return ALL_LOADED;
  const loaded = newLoaded();
  for (const p of [...shape.select, ...shape.prefetch]) insertPath(loaded, p.split("__"));
  loaded.allSingles = shape.selectAll;
  return loaded;
}

/**
 * The listed graphene types of this file, declared as a dependency: which classes of this file they are, and of
 * which model, comes from other statements (the List(...) of another type, a base class, Meta), so a change there
 * must examine the types again. Call before examining them.
 */
export function listedGraphqlTypes(ctx: RuleContext): GqlType[] {
  if (!ctx.mentions(/def resolve_/)) return [];
  const types = typesOfFile(ctx);
  ctx.dependsOn(`graphql:${types.map((t) => `${t.cls.name}=${t.model.key}`).join(",")}`);
  return types;
}

/** The resolvers of a type, with their definitions: `resolve_*` methods, classmethods left out. */
export function resolversOf(ctx: RuleContext, t: GqlType): { method: MethodFact; def: SyntaxNode }[] {
  const out: { method: MethodFact; def: SyntaxNode }[] = [];
  for (const method of t.cls.methods) {
    if (!method.name.startsWith("resolve_") || method.decorators.some((d) => /(^|\.)classmethod$/.test(d))) continue;
    const def = findDef(ctx, t.stmt, method);
    if (def) out.push({ method, def });
  }
  return out;
}

export function checkGraphql(ctx: RuleContext, report: (n: GraphqlNeed) => void): void {
  for (const t of listedGraphqlTypes(ctx)) ctx.examine(t.stmt, () => typeNeeds(ctx, t, report));
}

function typeNeeds(ctx: RuleContext, t: GqlType, report: (n: GraphqlNeed) => void): void {
  const loaded = managerLoaded(t.model);
  if (loaded.all) return;
  for (const { method } of resolversOf(ctx, t)) {
    const hints = hinted(method.decorators);
    if (!hints) continue;
    // `lines = gql_optimizer.field(graphene.List(...), model_field="lines")`: the field tells the optimizer what to
    // prefetch for its resolver.
    const declared = t.cls.assigns.find((a) => a.name === method.name.slice("resolve_".length));
    if (declared && ["model_field", "prefetch_related", "select_related"].some((k) => k in declared.kwargs)) continue;
    const uses: ParamUse[] = [];
    const chains = new Map<number, string[]>();
    // What a DataLoader loads is batched; the key handed to it (`.load(root.user_id)`) is a column of the row, and a
    // relation read to get the key (`.load(root.book.author_id)`) is a query per row like any other.
    for (const r of method.reads[0] ?? []) {
      const f = ctx.index.attribute(t.model, r.chain[0].replace(/\(\)$/, ""));
      // root.user.pk / root.user.id: the key column is what the code wants.
      if (f && (f.kind === "fk" || f.kind === "o2o") && r.chain.length > 1 && KEY_ATTRS.has(r.chain[1])) continue;
      const site = { file: ctx.file, start: r.start, end: r.end };
      chains.set(r.start, r.chain);
      uses.push({ kind: "chain", chain: r.chain, entry: site, at: site });
    }
    const seen = new Set<string>();
    for (const u of usesOn(ctx, t.model, loaded, uses)) {
      const key = u.path.join("__");
      if (seen.has(key) || hints.has(u.path[0])) continue;
      seen.add(key);
      const first = chains.get(u.entry.start)?.[0] ?? "";
      const via = ctx.index.attribute(t.model, first.replace(/\(\)$/, "")) ? null : first;
      report({ type: t.cls, model: t.model, resolver: method.name, via, path: u.path, single: u.single, field: u.field, start: u.entry.start, end: u.entry.end });
    }
  }
}
