import { leavesLoopAfter, memoized } from "../../server/src/engine/loopshape";
import { addToEachOrigin, joinAtEachOrigin, longestPaths, withChunkSize } from "../../server/src/engine/fixes";
import { checkDrf } from "./drf";
import { checkGraphql } from "./graphql";
import { checkAdmin } from "./admin";
import { checkHandedRows } from "./calls";
import { checkTemplates } from "./templates";
import { joinedByDefault, relationDeferred, type Loaded, type RelationRead } from "../../server/src/engine/flow";
import type { Model, ModelField } from "../../server/src/engine/models";
import type { SyntaxNode } from "../../server/src/engine/parser";
import type { OffsetFix, Rule, RuleContext } from "../../server/src/engine/rule";
import { field, nodeText } from "../../server/src/engine/syntax";

const SINGLE = new Set(["fk", "o2o", "reverse-o2o"]);

/** Reads a file for a fix: this one's text as analyzed, another's from the project. */
const textOf = (ctx: RuleContext) => (file: string) => (file === ctx.file ? ctx.text : ctx.project.textOf(file));

export function describeField(f: ModelField): string {
  const target = f.target?.name ?? "?";
  switch (f.kind) {
    case "fk": return `ForeignKey to ${target}`;
    case "o2o": return `OneToOneField to ${target}`;
    case "m2m": return `ManyToManyField to ${target}`;
    case "reverse-fk": return `reverse ForeignKey from ${target}`;
    case "reverse-o2o": return `reverse OneToOneField from ${target}`;
    case "reverse-m2m": return `reverse ManyToManyField from ${target}`;
    case "gfk": return "GenericForeignKey";
    case "generic-relation": return `GenericRelation to ${target}`;
    default: return f.kind;
  }
}

/** select_related when every step of the path is a single-valued join, else prefetch_related. */
export function joinMethod(index: RuleContext["index"], model: Model, path: string[]): "select_related" | "prefetch_related" {
  if (index.joinsPolymorphic(model, path)) return "prefetch_related";
  let m: Model | undefined = model;
  for (const seg of path) {
    const f: ModelField | undefined = m ? index.attribute(m, seg) : undefined;
    if (!f || !SINGLE.has(f.kind)) return "prefetch_related";
    m = f.target;
  }
  return "select_related";
}

/**
 * Every read of a forward ForeignKey or one-to-one in the loop only takes its key (`row.team.id`, `row.team.pk`):
 * fk-id reports each of them, and its fix (`row.team_id`) runs no query at all, where a join would still load
 * the whole row. One problem, one hint.
 */
function keyOnly(ctx: RuleContext, r: RelationRead): boolean {
  const f = r.field;
  if (r.kind !== "single" || (f.kind !== "fk" && f.kind !== "o2o") || f.assign?.kwargs["to_field"] || !f.target) return false;
  const idIsKey = !!ctx.index.attribute(f.target, "id")?.primaryKey;
  return [r.node, ...(r.also ?? [])].every((n) => {
    const p = n.parent;
    if (p?.type !== "attribute" || field(p, "object") !== n) return false;
    const key = nodeText(ctx.text, field(p, "attribute")!);
    const target = (p.parent?.type === "assignment" || p.parent?.type === "augmented_assignment") && field(p.parent, "left") === p;
    return !target && (key === "pk" || (key === "id" && idIsKey));
  });
}

/**
 * The model's `__init__` reads the relation on self (Arches' `Graph.__init__` tests `self.publication`): every row
 * loads it as it is built, before Django attaches what select_related() joined, so the loop's read finds it cached
 * and a join would not save the query.
 */
function loadedByInit(ctx: RuleContext, r: RelationRead): boolean {
  const init = ctx.index.methodOf(r.row.model, "__init__");
  return !!init && (init.reads[0] ?? []).some((x) => x.chain[0] === r.path[0]);
}

/**
 * The loop stops after the row whose relation it reads (`for b in qs: return b.author.name`), or after the first
 * row the code after the read gets through (`try: with role.connection as conn: return counts(conn)` under
 * `except Exception: pass`): one row is read, not every row. Every read of the path must leave so (a later read
 * that does not is one per row). A reverse one-to-one read raises when there is no related row, so a handler
 * around it may go on to the next row.
 */
function onePass(ctx: RuleContext, r: RelationRead): boolean {
  return [r.node, ...(r.also ?? [])].every((n) => leavesLoopAfter(ctx, n, r.row.loop, r.field.kind === "reverse-o2o"));
}

function check(ctx: RuleContext): void {
  // Under `if cache.get(key) is None: cache[key] = row.rel...` inside the loop: once per distinct key, not per row.
  for (const r of ctx.flow().reads) ctx.examine(r.node, () => keyOnly(ctx, r) || memoized(ctx, r.node, r.row.loop.node) || loadedByInit(ctx, r) || onePass(ctx, r) || report(ctx, r));
  checkHandedRows(ctx, (h) => report(ctx, h.read, h.joinPath));
  checkTemplates(ctx, (t) => {
    // The single relations read on from it join too (`sub.project.group.name`: project__group).
    const jps = t.single && t.joinPaths && !t.relation.includes(".") ? t.joinPaths : [t.path];
    const method = t.single && !jps.some((jp) => ctx.index.joinsPolymorphic(t.rowModel, jp)) ? "select_related" : "prefetch_related";
    const lookups = longestPaths(jps.map((jp) => jp.join("__"))).sort();
    const lookup = lookups.join('", "');
    const further = [...new Set(jps.flatMap((jp) => jp.slice(t.path.length).map((_, i) => jp.slice(0, t.path.length + i + 1).join("."))))];
    const then = further.length ? `, then ${further.join(", ")}` : "";
    const fixes: OffsetFix[] = [];
    if (t.origin && !t.relation.includes(".")) {
      const edits = addToEachOrigin(t.origin, method, lookups, textOf(ctx));
      if (edits.length) fixes.push({ title: `Add ${method}("${lookup}") to the view's queryset`, ...withChunkSize(t.origin, edits, method === "prefetch_related") });
    }
    ctx.report({
      file: t.template,
      start: t.start,
      end: t.end,
      message: t.relation.includes(".")
        ? `N+1: the template runs ${t.relation}() for every ${t.rowModel.name}, one query per row; prefetch_related("${lookup}") or annotate the count in the view`
        : t.origin
          ? `N+1: the template reads ${t.path.join(".")}${then} for every ${t.rowModel.name}, one query per row${then ? " each" : ""}; add ${method}("${lookup}") to the view's queryset`
          : `N+1: the template reads ${t.path.join(".")}${then} for every ${t.rowModel.name}, one query per row${then ? " each" : ""}; pass the rows from the view with ${method}("${lookup}")`,
      related: [
        ...(t.origin ? [{ file: t.origin.file, start: t.origin.start, end: t.origin.end, message: `${t.rowModel.name} queryset passed to the template` }] : [{ file: ctx.file, start: 0, end: 0, message: "rendered from this view" }]),
        ...(t.also ?? []).map((a) => ({ ...a, message: `${t.path.join(".")} read again here, for the same row` })),
      ],
      fixes,
    });
  });
  checkAdmin(ctx, (n) => {
    // select_related (list_select_related) to a polymorphic model would hand the admin base-class rows.
    if (n.single && ctx.index.joinsPolymorphic(n.model, n.path)) n = { ...n, single: false };
    const lookup = n.path.join("__");
    const fixes: OffsetFix[] = [];
    const lsr = n.admin.assigns.find((a) => a.name === "list_select_related");
    const hasGetQueryset = n.admin.methods.some((m) => m.name === "get_queryset");
    if (n.single && !hasGetQueryset) {
      const q = ctx.text[n.at.start] === "'" || /^\s*[\[(]\s*'/.test(ctx.text.slice(n.at.start, n.at.end)) ? "'" : '"';
      if (lsr?.value?.list && lsr.valueEnd > lsr.valueStart) {
        const close = lsr.valueEnd - 1;
        const body = ctx.text.slice(lsr.valueStart + 1, close).trim();
        fixes.push({ title: `Add "${lookup}" to list_select_related`, safe: true, edits: [{ file: ctx.file, start: close, end: close, newText: `${body && !body.endsWith(",") ? ", " : ""}${q}${lookup}${q}${lsr.value.list.length === 0 && ctx.text[lsr.valueStart] === "(" ? "," : ""}` }] });
      } else if (!lsr) {
        const ld = n.admin.assigns.find((a) => a.name === "list_display")!;
        const indent = /[ \t]*$/.exec(ctx.text.slice(0, ld.start))![0];
        const eol = ctx.text.includes("\r\n") ? "\r\n" : "\n";
        // After the end of list_display's last line, so a trailing comment stays where it is.
        let at = ld.end;
        while (at < ctx.text.length && ctx.text[at] !== "\n" && ctx.text[at] !== "\r") at++;
        // The new list replaces Django's default join of the non-null foreign keys: it names every relation the
        // columns read, not only this one (and is the same for every hint of this admin).
        const all = longestPaths([...new Set([...n.joins, lookup])]).map((p) => `${q}${p}${q}`).join(", ");
        fixes.push({ title: `Add list_select_related = [${all}]`, safe: true, edits: [{ file: ctx.file, start: at, end: at, newText: `${eol}${indent}list_select_related = [${all}]` }] });
      }
    }
    // Where the relation is read, when that is in this admin file; else on list_display.
    const here = n.read.file === ctx.file && n.read.start !== n.at.start;
    ctx.report({
      start: here ? n.read.start : n.at.start,
      end: here ? n.read.end : n.at.end,
      message: `N+1: the ${n.model.name} changelist reads ${[...(n.via ?? []), n.path.join(".")].join(", then ")} for every row (${n.column}), one query per row${n.via ? " for each" : ""}; ${n.single ? `add "${lookup}" to list_select_related` : `override get_queryset() with prefetch_related("${lookup}")`}`,
      related: here ? [{ file: ctx.file, start: n.at.start, end: n.at.end, message: `${n.column} is a list_display column` }] : [{ file: n.read.file, start: n.read.start, end: n.read.end, message: n.read.what }],
      fixes,
    });
  });
  checkDrf(ctx, (v, needs, serializer) => {
    const joins = (n: (typeof needs)[number]) => n.single && !ctx.index.joinsPolymorphic(v.qs.model, n.path);
    const select = longestPaths(needs.filter(joins).map((n) => n.path.join("__")));
    const prefetch = longestPaths(needs.filter((n) => !joins(n)).map((n) => n.path.join("__")));
    const origin = v.qs.origin;
    const fixes: OffsetFix[] = [];
    // A foreign key column that only()/defer() leaves out: select_related() of it raises FieldError, and a prefetch
    // through it loads it per row. No mechanical fix, as for loops.
    const deferred = deferredNote(ctx, v.qs.model, v.qs.loaded, needs.map((n) => n.path));
    // get_queryset() reads every row before DRF pages them: a prefetch there would load the related rows of all of
    // them, one more query over the whole table. No fix; the message says so. (A join only widens rows read anyway.)
    const whole = v.readWhole && prefetch.length ? "; but get_queryset() reads every row before DRF pages them, so a prefetch there would load the related rows of the whole queryset: read only the page first" : "";
    if (origin && !deferred && !whole) {
      const edits = joinAtEachOrigin(origin, select, prefetch, textOf(ctx), { file: ctx.file, root: ctx.syntax.root, node: v.node });
      const parts = [select.length ? `select_related(${select.map((p) => `"${p}"`).join(", ")})` : "", prefetch.length ? `prefetch_related(${prefetch.map((p) => `"${p}"`).join(", ")})` : ""].filter(Boolean);
      if (edits.length) fixes.push({ title: `Add ${parts.join(" and ")} to the queryset`, ...withChunkSize(origin, edits, prefetch.length > 0) });
    }
    const shown = [...new Set(needs.map((n) => n.path.join(".")))];
    const advice = [select.length ? `select_related(${select.map((p) => `"${p}"`).join(", ")})` : "", prefetch.length ? `prefetch_related(${prefetch.map((p) => `"${p}"`).join(", ")})` : ""].filter(Boolean).join(" and ");
    ctx.report({
      start: v.node.start,
      end: v.node.end,
      message: `N+1: ${serializer} reads ${shown.join(", ")} for every ${v.qs.model.name}, one query per row each; add ${advice} to this queryset${deferred}${whole}`,
      related: [
        ...(whole && v.readWhole ? [{ file: ctx.file, start: v.readWhole.start, end: Math.min(v.readWhole.end, v.readWhole.start + 3), message: "every row is read here, before DRF pages them" }] : []),
        ...needs.slice(0, 5).map((n) => ({ file: n.file, start: n.start, end: n.end, message: n.what })),
      ],
      fixes,
    });
  });
  checkGraphql(ctx, (g) => {
    const method = joinMethod(ctx.index, g.model, g.path);
    const lookup = g.path.join("__");
    const shown = g.via ? `${g.via}, which reads ${g.path.join(".")}` : g.path.join(".");
    ctx.report({
      start: g.start,
      end: g.end,
      message: `N+1: the resolver reads ${shown} (${describeField(g.field)}) for every ${g.model.name} in a list, one query per row; load it with a DataLoader or ${method}("${lookup}") where the list is built`,
      related: [{ file: g.type.file, start: g.type.nameStart, end: g.type.nameEnd, message: `${g.type.name} is listed, so ${g.resolver}() runs once per ${g.model.name}` }],
    });
  });
}

/**
 * `book.author.publisher.name` with nothing joined reports at `book.author`, but its fix should join every single
 * relation the expression goes on to read, so one fix settles the whole path.
 */
function fullPath(ctx: RuleContext, r: RelationRead): string[] {
  if (r.kind !== "single" || !r.field.target) return r.path;
  // The first read loads the relation; a later one may go on further (`book.author.name`, then
  // `book.author.publisher`): the longest of them is what the join must cover.
  let best = r.path;
  for (const start of [r.node, ...(r.also ?? [])]) {
    const path = [...r.path];
    let m: Model | undefined = r.field.target;
    let n: SyntaxNode = start;
    while (m && n.parent && n.parent.type === "attribute" && field(n.parent, "object") === n) {
      const name = nodeText(ctx.text, field(n.parent, "attribute")!);
      const f: ModelField | undefined = ctx.index.attribute(m, name);
      if (!f || !SINGLE.has(f.kind) || !f.target) break;
      // `doc.current_revision.based_on = rev` sets the relation: it loads nothing.
      const up = n.parent.parent;
      if ((up?.type === "assignment" || up?.type === "augmented_assignment") && field(up, "left") === n.parent) break;
      path.push(name);
      m = f.target;
      n = n.parent;
    }
    if (path.length > best.length) best = path;
  }
  return best;
}

/**
 * Is a relation along the path joined by a LEFT OUTER JOIN in a select_related(): any step but a non-null forward
 * key, the ones a bare select_related() follows (joinedByDefault)?
 */
function nullableAlong(ctx: RuleContext, model: Model, path: string[]): boolean {
  let m: Model | undefined = model;
  for (const seg of path) {
    const f: ModelField | undefined = m ? ctx.index.attribute(m, seg) : undefined;
    if (!f) return false;
    if (!joinedByDefault(f)) return true;
    m = f.target;
  }
  return false;
}

function report(ctx: RuleContext, r: RelationRead, path?: string[]): void {
  const rowModel = r.row.model;
  const joinPath = path ?? fullPath(ctx, r);
  // Rows of a relation the instance's queryset prefetched (`code = Discount.objects.prefetch_related("products")
  // .get(...)`, then `code.products.all()`): they come from the prefetch's cache, and a select_related() on the related
  // manager would run a new query and drop that cache. The prefetch is what to extend, where the instance was fetched.
  const q = r.row.qs;
  const prefetchedBy = q?.base && q.field && !q.fresh && !q.base.row && !q.base.loaded.all && q.base.loaded.kids.has(q.field.name) ? q.base.model : null;
  // A queryset that locks its rows (select_for_update()): a join of a nullable relation puts it on the outer side,
  // which PostgreSQL refuses to lock (NotSupportedError). A prefetch loads it in a query of its own.
  const lockedOuter = !prefetchedBy && !!q?.locks && nullableAlong(ctx, rowModel, joinPath);
  const method = prefetchedBy || lockedOuter ? "prefetch_related" : joinMethod(ctx.index, rowModel, joinPath);
  // The prefetch that loaded them, from the queryset the instance was fetched from (`author__books` for
  // `book.author.books.all()` after `Book.objects.prefetch_related("author__books").get(...)`), and where that
  // queryset was built: the fix extends it there.
  const prefetched = prefetchedBy ? [...q!.base!.path, q!.field!.name].join("__") : "";
  const fetched = prefetchedBy ? q!.base!.fetched : undefined;
  const lookup = prefetchedBy ? [prefetched, ...joinPath].join("__") : joinPath.join("__");
  const shown = r.path.join(".");
  const origin = prefetchedBy ? fetched?.origin ?? null : r.row.origin;
  const fixes: OffsetFix[] = [];
  // A foreign key column that only()/defer() leaves out: select_related("x") there raises FieldError, so no
  // mechanical fix is offered.
  const deferred = r.row.qs ? deferredNote(ctx, rowModel, r.row.qs.loaded, [joinPath]) : "";
  if (origin && !deferred) {
    const edits = addToEachOrigin(origin, method, lookup, textOf(ctx), { file: ctx.file, root: ctx.syntax.root, node: r.row.loop.node });
    if (edits.length) fixes.push({ title: `Add ${method}("${lookup}") to the queryset`, ...withChunkSize(origin, edits, method === "prefetch_related") });
  }
  // `filter(debate__venue=debate.venue)`: the related row is loaded only to compare it. Its key compares the same,
  // with no query and no join.
  const key = !prefetchedBy && !deferred ? passedToQuery(ctx, r, joinPath) : null;
  if (key) {
    fixes.unshift({
      title: `Pass ${key.value}_id instead of loading ${key.value}`,
      safe: true,
      edits: [
        { file: ctx.file, start: key.name.end, end: key.name.end, newText: "_id" },
        { file: ctx.file, start: r.node.end, end: r.node.end, newText: "_id" },
      ],
    });
  }
  const via = /^\w+(\(\))?$/.test(r.use) && !["attr", "all", "iterate", "list", "len", "bool", "index"].includes(r.use) ? ` through ${r.use}` : "";
  const more = joinPath.slice(r.path.length).map((_, i) => joinPath.slice(0, r.path.length + i + 1).join("."));
  const cost = `one query per ${rowModel.name} to load ${shown}${via}${more.length ? `, then ${more.join(", then ")}` : ""}`;
  ctx.report({
    start: r.node.start,
    end: r.node.end,
    message: key
      ? `N+1: ${cost} (${describeField(r.field)}), only to pass it to ${key.call}() as ${key.key}=; pass its key instead, ${key.key}_id=${key.value}_id, which needs no query and no join (or add ${method}("${lookup}") where the queryset is built)`
      : prefetchedBy
      ? `N+1: ${cost} (${describeField(r.field)}); add prefetch_related("${lookup}") where the ${fetched ? `${fetched.model.name} ` : ""}queryset that prefetches ${prefetched} is built (a select_related() on ${q!.field!.name} would query again)`
      : `N+1: ${cost} (${describeField(r.field)}); add ${method}("${lookup}") where the queryset is built${deferred}${lockedOuter ? " (it takes row locks with select_for_update(), and a join of a nullable relation would put it on the outer side, which PostgreSQL does not lock)" : ""}`,
    related: origin ? [{ file: origin.file, start: origin.start, end: origin.end, message: `${rowModel.name} queryset built here` }] : [],
    fixes,
  });
}

/** Query methods whose keyword arguments are lookups (or field values) of their model. */
const LOOKUP_CALLS = /^(filter|exclude|get|get_or_create|update_or_create|create|update|aget|acreate|aget_or_create|aupdate_or_create)$/;

/**
 * The read is a forward foreign key of the row (`debate.venue`), read nowhere else and followed no further, given
 * whole as the value of a lookup or a field of a query method (`BallotSubmission.objects.get(debate__venue=debate.venue)`,
 * `ShelfBook.objects.create(user=shelfbook.user)`), whose key leads to a foreign key of the queryset's model.
 */
function passedToQuery(ctx: RuleContext, r: RelationRead, joinPath: string[]): { name: SyntaxNode; key: string; value: string; call: string } | null {
  if (r.field.kind !== "fk" || r.path.length !== 1 || joinPath.length !== 1 || r.also?.length || r.node.type !== "attribute") return null;
  const kw = r.node.parent;
  if (kw?.type !== "keyword_argument" || field(kw, "value") !== r.node) return null;
  const name = field(kw, "name");
  const call = kw.parent?.type === "argument_list" ? kw.parent.parent : undefined;
  if (!name || call?.type !== "call") return null;
  const fn = field(call, "function");
  const callee = fn?.type === "attribute" ? nodeText(ctx.text, field(fn, "attribute") ?? fn) : fn?.type === "identifier" ? nodeText(ctx.text, fn) : "";
  const key = nodeText(ctx.text, name);
  if (!LOOKUP_CALLS.test(callee) || key.endsWith("_id") || fn?.type !== "attribute") return null;
  // The key must name a foreign key, along the path from the queryset's model, for `<key>_id` to be its column
  // (a key ending in a lookup, `venue__exact`, names none).
  const recv = ctx.flow().values.get(field(fn, "object")!);
  let m: Model | undefined = recv && (recv.k === "qs" || recv.k === "manager") ? recv.model : undefined;
  const segs = key.split("__");
  for (let i = 0; i < segs.length && m; i++) {
    const f = ctx.index.lookupSegment(m, segs[i]);
    if (!f) return null;
    // The same table and the same column on both sides: `<key>_id` holds what `<value>_id` holds (no to_field).
    if (i === segs.length - 1) return (f.kind === "fk" || f.kind === "o2o") && f.target === r.field.target && !f.assign?.kwargs["to_field"] && !r.field.assign?.kwargs["to_field"] ? { name, key, value: nodeText(ctx.text, r.node), call: callee } : null;
    m = f.target;
  }
  return null;
}

/**
 * What the message adds when the queryset leaves out the column of a forward relation the fix would join (see
 * relationDeferred); "" when it loads them all.
 */
function deferredNote(ctx: RuleContext, model: Model, loaded: Loaded, paths: string[][]): string {
  const how = new Set<string>();
  for (const path of paths) {
    const f = ctx.index.attribute(model, path[0]);
    if (!f || !SINGLE.has(f.kind) || f.kind.startsWith("reverse")) continue;
    const d = relationDeferred(loaded, path);
    if (d) how.add(d);
  }
  if (how.has("unknown")) return ", and check the columns its manager's get_queryset() chooses (a deferred foreign key cannot be joined)";
  const parts = [how.has("only") ? "name the relation in its only()" : "", how.has("defer") ? "take it out of its defer()" : ""].filter(Boolean);
  return parts.length ? `, and ${parts.join(" and ")}` : "";
}

export const rule: Rule = {
  meta: { id: "n-plus-one", summary: "A relation read per row of a queryset that did not join or prefetch it", defaultSeverity: "warning", fixable: true },
  check,
};
