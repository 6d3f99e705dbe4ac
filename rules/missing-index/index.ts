import type { FieldUse, Model, ModelField } from "../../server/src/engine/models";
import type { OffsetEdit, OffsetFix, Rule, RuleContext } from "../../server/src/engine/rule";
import type { SyntaxNode } from "../../server/src/engine/parser";
import { LISTING_VIEWS, SINGLE_OBJECT_VIEWS, type AssignFact, type ClassFact } from "../../server/src/engine/facts";
import { ENUM_BASES } from "../../server/src/engine/loopshape";
import { appendItem, eolAt, indentAt, preferredQuote, walk } from "../../server/src/engine/syntax";

/**
 * SlugField is indexed by default, and so are its subclasses that keep the name (django-extensions' and
 * django-autoslug's AutoSlugField); db_index=False turns any default off.
 */
function indexed(m: Model, f: ModelField): boolean {
  const a = f.assign;
  if (a?.kwargs["db_index"]?.bool === false) return false;
  if (f.dbIndex || f.unique || f.primaryKey) return true;
  if (/SlugField$/.test(f.fieldClass)) return true;
  return m.indexed.some((cols) => cols[0] === f.name || cols[0] === "?");
}

/** Lookups on an indexed column that its index serves. */
const INDEX_LOOKUPS = new Set(["exact", "in", "gt", "gte", "lt", "lte", "range", "year", "startswith"]);
/** A relation compared to the related row (or its key): `tags=t`, `tags__in=ts`, `tags__pk=1`. */
const RELATED_ROW = new Set(["", "exact", "in", "pk", "id", "pk__in", "id__in", "pk__exact", "id__exact"]);

/**
 * The `queryset` attributes and get_queryset() methods of the file's views of one object whose Django or DRF base is
 * reached through the project's own classes (`class EventUpdate(AMYUpdateView)`, AMYUpdateView deriving from
 * UpdateView): get_object() reads them by the primary key (or a lookup field), which narrows their lookups. Views
 * whose bases name Django's classes directly are marked where the facts are read (the facts' "pk" chain key).
 */
function oneObjectSpans(ctx: RuleContext, file: string): { start: number; end: number }[] {
  const read = () => {
    const out: { start: number; end: number }[] = [];
    for (const c of ctx.index.factsOf(file)?.classes ?? []) {
      if (!c.bases.some((b) => ctx.index.resolveClass(c.file, b))) continue;
      const external = new Set<string>();
      const seen = new Set<ClassFact>();
      const visit = (k: ClassFact, depth: number): void => {
        if (seen.has(k) || depth > 8) return;
        seen.add(k);
        for (const b of k.bases) {
          const r = ctx.index.resolveClass(k.file, b);
          if (r) visit(r, depth + 1);
          else external.add(b.slice(b.lastIndexOf(".") + 1));
        }
      };
      visit(c, 0);
      const names = [...external];
      if (!names.some((n) => SINGLE_OBJECT_VIEWS.test(n)) || names.some((n) => LISTING_VIEWS.test(n))) continue;
      for (const a of c.assigns) if (a.name === "queryset") out.push({ start: a.start, end: a.end });
      for (const m of c.methods) if (m.name === "get_queryset") out.push({ start: m.start, end: m.end });
    }
    return out;
  };
  return ctx.project.memo ? ctx.project.memo(`missing-index:one-object:${file}`, read) : read();
}

function check(ctx: RuleContext): void {
  if (!ctx.mentions(/Field\(/)) return;
  for (const { field: f, owners } of ctx.index.fieldsDefinedIn(ctx.file)) {
    if (!f.assign) continue;
    // Big columns are not worth an index. (A TextField with choices is not big: an enumeration, a task's state,
    // that PostgreSQL indexes like a CharField.)
    if (f.big) continue;
    const boolean = /(^|\.)(Null)?BooleanField$/.test(f.fieldClass);
    if (owners.every((o) => o.cls?.meta.unmanaged)) continue;
    // A query that also filters on an indexed column (a foreign key, the primary key, a unique or indexed field)
    // is already narrowed by that index: it is not this field's to fix.
    // Many-to-many and reverse relations narrow the query only when compared to the related row itself
    // (`tags=tag`, `tags__in=[...]`): the join then starts from the through table's indexed key.
    // So is the queryset of a view of one object, which get_object() reads by its key.
    const narrowed = (u: FieldUse) => u.siblings.some((sib) => narrowsBy(u, sib)) || oneObjectSpans(ctx, u.file).some((sp) => sp.start <= u.start && u.end <= sp.end);
    // `Q(a=..) | Q(b=..)` ("|a|b"): an index narrows the query only when one serves every arm.
    const narrowsBy = (u: FieldUse, sib: string): boolean => {
      if (sib.startsWith("|")) return sib.slice(1).split("|").every((arm) => arm.split("&").some((k) => narrowsBy(u, k)));
      if (sib === "**") return true;
      // A lookup through relations (`job_logs__job__result__in`) beside an indexed column of the same joined rows
      // (`job_logs__job__repository__id`): those rows are found through that index. Read from the joined model.
      const via = joinedPath(u);
      if (via && sib.startsWith(`${via.prefix}__`) && narrowsBy({ ...u, root: via.model, key: u.key.slice(via.prefix.length + 2) }, sib.slice(via.prefix.length + 2))) return true;
      const [head, ...rest] = sib.split("__");
      if (head === "pk") return true;
      // The leading column of one of the model's Meta indexes, even one its own fields do not show (a field of a
      // base class from a package: peeringdb's Index(fields=["status", "allow_ixp_update"])).
      if ((rest.length === 0 || INDEX_LOOKUPS.has(rest.join("__"))) && u.root.indexed.some((cols) => cols[0].replace(/^-/, "") === head)) return true;
      const sf = ctx.index.lookupSegment(u.root, head);
      if (!sf) return false;
      if (sf.kind === "fk" || sf.kind === "o2o") return true;
      if (sf.kind === "concrete") return indexed(u.root, sf) && (rest.length === 0 || INDEX_LOOKUPS.has(rest.join("__")));
      if (RELATED_ROW.has(rest.join("__"))) return true;
      // Through a reverse or many-to-many relation to an indexed column of the related table
      // (`memberships__project_id__in=ids`, `members__team=t`).
      const target = sf.target;
      if (!target || !rest.length) return false;
      const [next, ...tail] = rest;
      const nf = ctx.index.lookupSegment(target, next) ?? [...target.fields.values()].find((x) => (x.kind === "fk" || x.kind === "o2o") && `${x.name}_id` === next);
      if (!nf) return false;
      if (nf.kind === "fk" || nf.kind === "o2o") return tail.length === 0 || RELATED_ROW.has(tail.join("__")) || INDEX_LOOKUPS.has(tail.join("__"));
      return nf.kind === "concrete" && indexed(target, nf) && (tail.length === 0 || INDEX_LOOKUPS.has(tail.join("__")));
    };
    // The relations a lookup key follows to reach this field, and the model they reach (null for a key of the root).
    const joinedPath = (u: FieldUse): { prefix: string; model: Model } | null => {
      const segs = u.key.split("__");
      let model: Model | undefined = u.root;
      for (let i = 0; i < segs.length - 1 && model; i++) {
        const sf = ctx.index.lookupSegment(model, segs[i]);
        if (!sf || !sf.target || sf.kind === "concrete") return null;
        model = sf.target;
        const at = segs[i + 1] === f.name ? model.fields.get(f.name) : undefined;
        if (at && at.file === f.file && at.start === f.start) return { prefix: segs.slice(0, i + 1).join("__"), model };
      }
      return null;
    };
    // A boolean flag is worth an index when it is filtered on (a task polling `dirty=True` among millions of rows),
    // not for ordering.
    // Meta.ordering on a column inside a composite index (`Index(fields=["content_type", "object_id", "date"])`):
    // the queries filter its leading columns, and the index serves the order too.
    const inComposite = owners.some((o) => o.indexed.some((cols) => cols.includes(f.name)));
    // A boolean compared with its default, the value most rows hold (`is_active=True`, `deleted=False`), is not
    // served by an index; only the rare value is (`dirty=True` on a default of False). With no literal default or
    // no literal compared value, which one is rare is not known.
    const byDefault = f.assign.kwargs["default"]?.bool;
    const rare = (u: FieldUse) => byDefault !== undefined && u.bool !== undefined && u.bool !== byDefault && [f.name, `${f.name}__exact`].some((k) => u.key === k || u.key.endsWith(`__${k}`));
    // A partial index whose condition compares this column (`condition=Q(status="P")`) serves a filter on the
    // same value. Only a boolean's compared value is known; for other columns, the lookup may be that one: silent.
    const partial = owners.flatMap((o) => o.indexed.filter((cols) => cols[0] === `=${f.name}`).map((cols) => cols[1]));
    const servedByPartial = (u: FieldUse) => u.kind === "filter" && partial.some((v) => (v === "True" ? u.bool === true : v === "False" ? u.bool === false : !boolean));
    // "Older than an age" (`created__lt=now() - timedelta(days=30)`) on a column every row fills selects most of the
    // table's rows: the database reads them in order of the table, not through an index. (A nullable column, set on
    // some rows only, `deleted_at`, and a deadline that passed, `alert_after__lt=now()`, a poll for the few rows due,
    // still count.)
    const ageOfEveryRow = (u: FieldUse) => !!u.olderThanNow && !f.null;
    // Meta.ordering on a query that also compares a column of its own for equality, unindexed (`filter(stripe_id=x)
    // .first()`): that column's index is the one to add (its lookup counts for it), after which the few rows it
    // finds are sorted cheaply. An explicit order_by() still counts.
    const equalityFirst = (u: FieldUse) => u.key.endsWith(".Meta.ordering") && !!equalityBeside(ctx, u, f);
    // A boolean or a column of two or three choices (`target_type` of User / Organization) compared on a query that also compares
    // a column of its own with more values for equality, unindexed (`filter(target_id=x, target_type=t)`): that one
    // is selective and gets the hint; an index on the few-valued one would keep a third of the table or more.
    const few = boolean || (choiceCount(ctx, f) ?? 99) <= 3;
    const beside = (u: FieldUse) => few && u.kind === "filter" && !!equalityBeside(ctx, u, f, (sf) => (choiceCount(ctx, sf) ?? 99) > 3);
    const uses = ctx.index.fieldUses.get(`${f.file}:${f.start}`)?.filter((u) => !narrowed(u) && !ageOfEveryRow(u) && !servedByPartial(u) && !(boolean && (u.kind === "order" || !rare(u))) && !(inComposite && u.key.endsWith(".Meta.ordering")) && !equalityFirst(u) && !beside(u));
    if (!owners.length) continue;
    // A lookup or configuration table (ranks, roles, units) stays small: a scan of it costs less than an index.
    if (owners.every((o) => ctx.index.isLookupTable(o))) continue;
    if (!uses?.length) {
      windowWithinParent(ctx, f, (u) => narrowed(u));
      continue;
    }
    // For a field of an abstract base, every concrete child must lack the index.
    if (owners.some((o) => indexed(o, o.fields.get(f.name) ?? f))) continue;
    const a = f.assign;
    const filters = uses.filter((u) => u.kind === "filter").length;
    const orders = uses.length - filters;
    const what = [filters ? `filtered on in ${filters} place${filters === 1 ? "" : "s"}` : "", orders ? `ordered by in ${orders} place${orders === 1 ? "" : "s"}` : ""].filter(Boolean).join(" and ");
    // A field of an abstract base: name the concrete models whose queries use it (else every one that inherits it).
    // A multi-table child keeps its parent's column in the parent's table: the table to index is the parent's.
    const tableOf = (m: Model): Model => {
      const g = m.fields.get(f.name);
      return g && !g.owner.abstract && g.owner !== m ? g.owner : m;
    };
    const tables = [...new Set(owners.map(tableOf))];
    const queried = [...new Set(uses.map((u) => (owners.includes(u.root) ? tableOf(u.root).name : u.root.name)))].filter((n) => tables.some((o) => o.name === n));
    const names = queried.length ? queried : tables.map((o) => o.name);
    const list = (ns: string[]) => `${ns.slice(0, 3).join(", ")}${ns.length > 3 ? ` and ${ns.length - 3} more` : ""}`;
    const owner = f.owner.abstract ? `${f.owner.name}.${f.name} (inherited by ${list(names)})` : `${f.owner.name}.${f.name}`;
    // db_index=True on an abstract base's field indexes every table that inherits it, queried or not (a job table
    // with millions of rows that no query filters on the column). Then the index goes to the queried models' Meta.
    const unqueried = f.owner.abstract && queried.length ? tables.filter((o) => !queried.includes(o.name)) : [];
    let advice = "add db_index=True (and a migration) or a Meta.indexes entry";
    let fix: OffsetFix = { title: "Add db_index=True", safe: false, edits: [addKeyword(ctx, a)] };
    if (unqueried.length) {
      advice =
        `add an index to the Meta.indexes of ${list(queried)} (and a migration); db_index=True here would also index ` +
        `${list(unqueried.map((o) => o.name))}, with no query found that filters on it`;
      const prefix = indexClass(ctx);
      const q = preferredQuote(ctx.text);
      const edits = queried.map((n) => {
        const cls = tables.find((o) => o.name === n)?.cls;
        return prefix && cls && cls.file === ctx.file ? addIndexEntry(ctx, cls, `${prefix}(fields=[${q}${f.name}${q}])`) : null;
      });
      fix = { title: `Add an index on ${f.name} to the Meta.indexes of ${list(queried)}`, safe: false, edits: edits.every((e) => e) ? (edits as OffsetEdit[]) : [] };
    }
    // Longer than 768 characters, a B-tree key passes MySQL's 3,072-byte InnoDB limit in utf8mb4 (the migration
    // fails), and PostgreSQL's B-tree refuses entries over about 2,700 bytes: no db_index=True edit.
    const maxLength = a.kwargs["max_length"]?.num ?? 0;
    if (maxLength > 768) {
      const limits = `a B-tree index on values up to ${maxLength} characters passes MySQL's key limit and PostgreSQL's entry size limit`;
      // A hash serves equality, not an order.
      advice = orders ? `${limits}; shorten the column (max_length) before indexing it` : `${limits}: index a hash of it (PostgreSQL's HashIndex in Meta.indexes, or a short digest column)`;
      fix = { title: fix.title, safe: false, edits: [] };
    }
    ctx.report({
      start: a.start,
      end: a.start + a.name.length,
      message: `Missing index: ${owner} is ${what} but has no index; ${advice}`,
      related: uses.slice(0, 3).map((u) => ({ file: u.file, start: u.start, end: u.end, message: u.kind === "filter" ? `filtered on here (${u.key})` : `ordered by here (${u.key})` })),
      fixes: fix.edits.length ? [fix] : [],
    });
  }
}

const TIME_FIELD = /(^|\.)(DateTimeField|DateField)$/;
const RANGE_LOOKUPS = new Set(["gt", "gte", "lt", "lte", "range"]);
/** A foreign key compared to one row: `owner=check`, `owner_id=pk`, `owner__pk=pk` (not `owner__in=...`). */
const ONE_ROW = new Set(["", "exact", "pk", "id"]);

/**
 * A time column of a log-like table, read as a window inside one parent row. The table is pruned by age within
 * the parent (`check.flip_set.filter(created__lt=t).delete()`): its rows keep coming. Its queries are narrowed by
 * that one foreign key (a related manager, or `filter(owner=check)`) and order by the column. The foreign key's own
 * index then finds every row the parent has, which the database filters and sorts; a composite index
 * (owner, created) reads just the window, in order. Without the prune it is not known whether a parent has many
 * rows (a customer's orders): silent, as for any other column narrowed by a foreign key.
 */
function windowWithinParent(ctx: RuleContext, f: ModelField, narrowed: (u: FieldUse) => boolean): void {
  const m = f.owner;
  if (m.abstract || !TIME_FIELD.test(f.fieldClass) || !f.assign || m.cls?.meta.unmanaged) return;
  const byParent = new Map<string, FieldUse[]>();
  for (const u of ctx.index.fieldUses.get(`${f.file}:${f.start}`) ?? []) {
    // The query's other keys, besides this column's own (`created__gte=a, created__lte=b`).
    const others = u.siblings.filter((k) => k.split("__")[0] !== f.name);
    if (u.root !== m || !narrowed(u) || others.length !== 1) return;
    const [head, ...rest] = others[0].split("__");
    const fk = m.fields.get(head) ?? [...m.fields.values()].find((x) => `${x.name}_id` === head && rest.length === 0);
    if (!fk || (fk.kind !== "fk" && fk.kind !== "o2o") || !ONE_ROW.has(rest.join("__"))) return;
    if (u.kind === "filter" && !RANGE_LOOKUPS.has(u.key.split("__").slice(1).join("__"))) return;
    const list = byParent.get(fk.name) ?? [];
    list.push(u);
    byParent.set(fk.name, list);
  }
  // Every query of the column must be such a window, over the same parent: anything else and the need is unclear.
  if (byParent.size !== 1) return;
  const [[fkName, uses]] = [...byParent];
  if (!uses.some((u) => u.kind === "order") || !uses.some((u) => u.prunes)) return;
  const fk = m.fields.get(fkName)!;
  const bare = (c: string) => c.replace(/^-/, "");
  // An index that leads with the key and holds the column, or one the index cannot read ("?"), already counts.
  if (m.indexed.some((cols) => cols[0] === "?" || ((bare(cols[0]) === fkName || bare(cols[0]) === `${fkName}_id`) && cols.slice(1).some((c) => bare(c) === f.name)))) return;
  const parent = fk.target?.name ?? fkName;
  const q = preferredQuote(ctx.text);
  const cls = ctx.index.factsOf(ctx.file)?.classes.find((c) => c.start === m.cls?.start && c.name === m.name);
  const prefix = indexClass(ctx);
  const entry = prefix && `${prefix}(fields=[${q}${fkName}${q}, ${q}${f.name}${q}])`;
  const edit = entry && cls ? addIndexEntry(ctx, cls, entry) : null;
  const a = f.assign;
  ctx.report({
    start: a.start,
    end: a.start + a.name.length,
    message:
      `Missing index: ${m.name}.${f.name} orders and bounds the rows of one ${parent} (narrowed by ${fkName}) in ${uses.length} place${uses.length === 1 ? "" : "s"}, ` +
      `and ${m.name} rows are pruned by age, so a ${parent} has many; no index starts with (${fkName}, ${f.name}), and the ${fkName} index alone reads and sorts them all. ` +
      `Add models.Index(fields=["${fkName}", "${f.name}"]) to Meta.indexes (and a migration)`,
    related: uses.slice(0, 3).map((u) => ({ file: u.file, start: u.start, end: u.end, message: u.kind === "filter" ? `filtered on here (${u.key})` : `ordered by here (${u.key})` })),
    fixes: edit ? [{ title: `Add an index on (${fkName}, ${f.name}) to Meta.indexes`, safe: false, edits: [edit] }] : [],
  });
}

/** How the file names Django's Index class: `models.Index`, or `Index` when imported by name. */
function indexClass(ctx: RuleContext): string | null {
  const imports = ctx.index.factsOf(ctx.file)?.imports ?? {};
  for (const [local, target] of Object.entries(imports)) if (target === "django.db.models") return `${local}.Index`;
  for (const [local, target] of Object.entries(imports)) if (target === "django.db.models.Index" || target === "django.db.models.indexes.Index") return local;
  return null;
}

/**
 * The edit that adds `entry` to the model's `Meta.indexes`: as the list's last element, in the list's layout; as a
 * new `indexes = [...]` line at the end of `class Meta`; or as a new `class Meta` at the end of a model whose bases
 * are Django's or one abstract model (whose Meta the new one extends). Null where the place is not plain (indexes
 * built by an expression, a one-line class body, another project base whose Meta a new one could hide).
 */
function addIndexEntry(ctx: RuleContext, cls: ClassFact, entry: string): { file: string; start: number; end: number; newText: string } | null {
  const at = (offset: number, newText: string) => ({ file: ctx.file, start: offset, end: offset, newText });
  const eol = eolAt(ctx.text);
  let node: SyntaxNode | undefined;
  walk(ctx.syntax.root, (n) => {
    if (node || n.end < cls.nameStart || n.start > cls.nameEnd) return false;
    if (n.type === "class_definition" && n.children.find((c) => c.field === "name")?.start === cls.nameStart) node = n;
    return !node;
  });
  const body = node?.children.find((c) => c.field === "body");
  if (!node || !body || !body.children.length) return null;
  // The end of the line where a block's last child (statement or comment) ends.
  const lineEnd = (b: SyntaxNode) => ctx.lines.lineEnd(ctx.lines.positionAt(b.end).line);
  const onOwnLine = (b: SyntaxNode, owner: SyntaxNode) => /[\r\n]/.test(ctx.text.slice(owner.start, b.children[0].start));
  if (!onOwnLine(body, node)) return null;
  const meta = body.children.find((c) => c.type === "class_definition" && ctx.text.slice(c.children.find((x) => x.field === "name")?.start ?? 0, c.children.find((x) => x.field === "name")?.end ?? 0) === "Meta");
  const inner = indentAt(ctx.text, body.children[0].start);
  if (!meta) {
    // A child of an abstract model inherits its Meta unless it declares one: the new Meta extends it
    // (`class Meta(Stamped.Meta):`, Django's documented way). Any other base of the project: not known what its
    // Meta passes down.
    const abstractBases: string[] = [];
    for (const b of cls.bases) {
      if (/^(models\.)?Model$/.test(b)) continue;
      const bc = ctx.index.resolveClass(cls.file, b);
      const bm = bc && ctx.index.models.find((m) => m.cls === bc);
      if (!bm || !bm.abstract) return null;
      abstractBases.push(b);
    }
    if (abstractBases.length > 1) return null;
    const unit = inner.slice(indentAt(ctx.text, node.start).length) || "    ";
    const meta = abstractBases.length ? `class Meta(${abstractBases[0]}.Meta):` : "class Meta:";
    return at(lineEnd(body), `${eol}${eol}${inner}${meta}${eol}${inner}${unit}indexes = [${entry}]`);
  }
  const metaBody = meta.children.find((c) => c.field === "body");
  if (!metaBody || !metaBody.children.length || !onOwnLine(metaBody, meta)) return null;
  const assign = metaBody.children
    .filter((c) => c.type === "expression_statement")
    .map((c) => c.children[0])
    .find((a) => a?.type === "assignment" && ctx.text.slice(a.children[0].start, a.children[0].end) === "indexes");
  if (!assign) return at(lineEnd(metaBody), `${eol}${indentAt(ctx.text, metaBody.children[0].start)}indexes = [${entry}]`);
  const list = assign.children.find((c) => c.field === "right");
  if (list?.type !== "list") return null;
  const items = list.children.filter((c) => c.type !== "comment");
  // (A comment after a last element with no comma: no plain place for the entry.)
  const e = appendItem(ctx.text, items[items.length - 1] ?? null, list.end - 1, entry, false);
  return e && at(e.at, e.newText);
}

/** The edit that adds `db_index=True` as the field call's last argument, in the call's own layout (see appendItem). */
function addKeyword(ctx: RuleContext, a: AssignFact): { file: string; start: number; end: number; newText: string } {
  const e = appendItem(ctx.text, a.lastArg ?? null, a.argsEnd, "db_index=True")!;
  return { file: ctx.file, start: e.at, end: e.at, newText: e.newText };
}

/**
 * Another column of the query's own model that the query compares for equality (`x=...`, `x__exact`, `x__in`): a
 * concrete column, neither a boolean nor a big one, and not `f` (unindexed, else the query was narrowed by it), with
 * `also` true of it.
 */
function equalityBeside(ctx: RuleContext, u: FieldUse, f: ModelField, also: (sf: ModelField) => boolean = () => true): ModelField | undefined {
  for (const sib of u.siblings) {
    const [head, ...rest] = sib.split("__");
    if (sib.startsWith("|") || sib === "**" || head === f.name || (rest.length && !(rest.length === 1 && (rest[0] === "exact" || rest[0] === "in")))) continue;
    const sf = ctx.index.lookupSegment(u.root, head);
    if (sf?.kind === "concrete" && !/(^|\.)(Null)?BooleanField$/.test(sf.fieldClass) && !sf.big && also(sf)) return sf;
  }
  return undefined;
}

/**
 * How many values a field's `choices` allow, when it can be read: a list or tuple literal, a class attribute of the
 * model holding one (`PROVIDER_CHOICES`), or a TextChoices / IntegerChoices (or Enum) class (its upper-case members).
 */
function choiceCount(ctx: RuleContext, f: ModelField): number | null {
  const c = f.assign?.kwargs["choices"];
  if (!c) return null;
  if (c.list) return c.list.length;
  if (!c.dotted) return null;
  const name = c.dotted.replace(/\.choices$/, "");
  const own = f.owner.cls?.assigns.find((a) => a.name === name);
  if (own) return own.value?.list ? own.value.list.length : null;
  const cls = ctx.index.resolveClass(f.file, name);
  if (!cls || !cls.bases.some((b) => ENUM_BASES.test(b.split(".").pop()!))) return null;
  return cls.assigns.filter((a) => /^[A-Z][A-Z0-9_]*$/.test(a.name)).length || null;
}

export const rule: Rule = {
  meta: { id: "missing-index", summary: "A model field that queries filter or order on has no index", defaultSeverity: "information", fixable: true },
  check,
};
