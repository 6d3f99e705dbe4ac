import type { FieldUse, Model, ModelField } from "../../server/src/engine/models";
import type { Rule, RuleContext } from "../../server/src/engine/rule";
import type { SyntaxNode } from "../../server/src/engine/parser";
import { eolAt, indentAt, walk } from "../../server/src/engine/syntax";

/** SlugField is indexed by default; db_index=False turns any default off. */
function indexed(m: Model, f: ModelField): boolean {
  const a = f.assign;
  if (a?.kwargs["db_index"]?.bool === false) return false;
  if (f.dbIndex || f.unique || f.primaryKey) return true;
  if (/(^|\.)SlugField$/.test(f.fieldClass)) return true;
  return m.indexed.some((cols) => cols[0] === f.name || cols[0] === "?");
}

/** Lookups on an indexed column that its index serves. */
const INDEX_LOOKUPS = new Set(["exact", "in", "gt", "gte", "lt", "lte", "range", "year", "startswith"]);
/** A relation compared to the related row (or its key): `tags=t`, `tags__in=ts`, `tags__pk=1`. */
const RELATED_ROW = new Set(["", "exact", "in", "pk", "id", "pk__in", "id__in", "pk__exact", "id__exact"]);

function check(ctx: RuleContext): void {
  if (!ctx.mentions(/Field\(/)) return;
  for (const { field: f, owners } of ctx.index.fieldsDefinedIn(ctx.file)) {
    if (!f.assign) continue;
    // Big columns are not worth an index, except a TextField with choices: an enumeration (a task's state) that
    // PostgreSQL indexes like a CharField.
    if (f.big && !(/(^|\.)TextField$/.test(f.fieldClass) && f.assign.kwargs["choices"])) continue;
    const boolean = /(^|\.)(Null)?BooleanField$/.test(f.fieldClass);
    if (owners.every((o) => o.cls?.meta.unmanaged)) continue;
    // A query that also filters on an indexed column (a foreign key, the primary key, a unique or indexed field)
    // is already narrowed by that index: it is not this field's to fix.
    // Many-to-many and reverse relations narrow the query only when compared to the related row itself
    // (`tags=tag`, `tags__in=[...]`): the join then starts from the through table's indexed key.
    const narrowed = (u: FieldUse) =>
      u.siblings.some((sib) => {
        if (sib === "**") return true;
        const [head, ...rest] = sib.split("__");
        if (head === "pk") return true;
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
      });
    // A boolean flag is worth an index when it is filtered on (a task polling `dirty=True` among millions of rows),
    // not for ordering.
    // Meta.ordering on a column inside a composite index (`Index(fields=["content_type", "object_id", "date"])`):
    // the queries filter its leading columns, and the index serves the order too.
    const inComposite = owners.some((o) => o.indexed.some((cols) => cols.includes(f.name)));
    const uses = ctx.index.fieldUses.get(`${f.file}:${f.start}`)?.filter((u) => !narrowed(u) && !(boolean && u.kind === "order") && !(inComposite && u.key.endsWith(".Meta.ordering")));
    if (!uses?.length || !owners.length) continue;
    // For a field of an abstract base, every concrete child must lack the index.
    if (owners.some((o) => indexed(o, o.fields.get(f.name) ?? f))) continue;
    const a = f.assign;
    const filters = uses.filter((u) => u.kind === "filter").length;
    const orders = uses.length - filters;
    const what = [filters ? `filtered on in ${filters} place${filters === 1 ? "" : "s"}` : "", orders ? `ordered by in ${orders} place${orders === 1 ? "" : "s"}` : ""].filter(Boolean).join(" and ");
    // A field of an abstract base: name the concrete models whose queries use it (else every one that inherits it).
    const queried = [...new Set(uses.map((u) => u.root.name))].filter((n) => owners.some((o) => o.name === n));
    const names = queried.length ? queried : owners.map((o) => o.name);
    const owner = f.owner.abstract
      ? `${f.owner.name}.${f.name} (inherited by ${names.slice(0, 3).join(", ")}${names.length > 3 ? ` and ${names.length - 3} more` : ""})`
      : `${f.owner.name}.${f.name}`;
    ctx.report({
      start: a.start,
      end: a.start + a.name.length,
      message: `Missing index: ${owner} is ${what} but has no index; add db_index=True (and a migration) or a Meta.indexes entry`,
      related: uses.slice(0, 3).map((u) => ({ file: u.file, start: u.start, end: u.end, message: u.kind === "filter" ? `filtered on here (${u.key})` : `ordered by here (${u.key})` })),
      fixes: [{ title: "Add db_index=True", safe: false, edits: [addKeyword(ctx, a.argsEnd, a.hasArgs)] }],
    });
  }
}

/**
 * The edit that adds `db_index=True` as the field call's last argument, in the call's own layout: after the last
 * argument (before a comment that follows it), or on a line of its own, with a trailing comma, when the arguments
 * are one per line and end with a comma; the closing parenthesis stays where it is.
 */
function addKeyword(ctx: RuleContext, argsEnd: number, hasArgs: boolean): { file: string; start: number; end: number; newText: string } {
  const at = (offset: number, newText: string) => ({ file: ctx.file, start: offset, end: offset, newText });
  if (!hasArgs) return at(argsEnd, "db_index=True");
  let args: SyntaxNode | undefined;
  walk(ctx.syntax.root, (n) => {
    if (n.start > argsEnd || n.end < argsEnd) return false;
    if (n.type === "argument_list" && n.end === argsEnd + 1) args = n;
    return true;
  });
  const last = args && [...args.children].reverse().find((c) => c.type !== "comment");
  if (!last) return at(argsEnd, ", db_index=True");
  const comma = /^[ \t]*,/.exec(ctx.text.slice(last.end, argsEnd));
  if (!comma) return at(last.end, ", db_index=True");
  const afterComma = last.end + comma[0].length;
  const brk = ctx.text.slice(afterComma, argsEnd).search(/[\r\n]/);
  // One argument per line: a line of its own with the last argument's indentation, after that line's comment.
  if (brk >= 0) return at(afterComma + brk, `${eolAt(ctx.text)}${indentAt(ctx.text, last.start)}db_index=True,`);
  return at(afterComma, " db_index=True");
}

export const rule: Rule = {
  meta: { id: "missing-index", summary: "A model field that queries filter or order on has no index", defaultSeverity: "information", fixable: true },
  check,
};
