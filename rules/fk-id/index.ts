import { childLoaded } from "../../server/src/engine/flow";
import type { Rule, RuleContext } from "../../server/src/engine/rule";
import { enclosingScope, field, nodeText, walkExamined } from "../../server/src/engine/syntax";

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function check(ctx: RuleContext): void {
  if (!ctx.mentions(/\.(id|pk)\b/)) return;
  const values = ctx.flow().values;
  walkExamined(ctx, (n) => {
    if (n.type !== "attribute") return;
    const key = field(n, "attribute");
    const rel = field(n, "object");
    if (!key || !rel || rel.type !== "attribute") return;
    const keyName = nodeText(ctx.text, key);
    if (keyName !== "id" && keyName !== "pk") return;
    const p = n.parent;
    if (p && (p.type === "assignment" || p.type === "augmented_assignment") && field(p, "left") === n) return;
    if (p?.type === "delete_statement") return;
    const objNode = field(rel, "object");
    const relName = field(rel, "attribute");
    if (!objNode || !relName) return;
    const obj = values.get(objNode);
    if (!obj || obj.k !== "inst") return;
    const name = nodeText(ctx.text, relName);
    const f = ctx.index.attribute(obj.model, name);
    if (!f || (f.kind !== "fk" && f.kind !== "o2o")) return;
    // The key column holds the target's primary key only without to_field.
    if (f.assign?.kwargs["to_field"]) return;
    if (keyName === "id") {
      const idField = f.target ? ctx.index.attribute(f.target, "id") : undefined;
      if (!idField || !idField.primaryKey) return;
    }
    // Joined (select_related), or an origin the flow cannot see: no extra query to save.
    if (childLoaded(obj.loaded, name, true)) return;
    // The related object was assigned in this function: it is cached on the instance.
    const objText = nodeText(ctx.text, objNode);
    const scope = nodeText(ctx.text, enclosingScope(n));
    if (new RegExp(`(^|[^\\w.])${escapeRe(objText)}\\.${name}\\s*=(?!=)`).test(scope)) return;
    // The related object is read for more than its key elsewhere in the function: it is loaded anyway.
    const other = new RegExp(`(^|[^\\w.])${escapeRe(objText)}\\.${name}\\.(?!(id|pk)\\b)\\w`);
    if (other.test(scope)) return;
    const attname = `${name}_id`;
    const target = f.target?.name ?? "the related model";
    ctx.report({
      start: n.start,
      end: n.end,
      message: `${obj.model.name}.${name}.${keyName} loads the ${target} row (one extra query) only to read its key, which ${obj.model.name} already holds in ${attname}; use ${objText}.${attname}`,
      fixes: [{
        title: `Replace with ${objText}.${attname}`,
        // A null relation raised AttributeError before; the key column gives None instead.
        safe: !f.null,
        edits: [{ file: ctx.file, start: n.start, end: n.end, newText: `${objText}.${attname}` }],
      }],
    });
  });
}

export const rule: Rule = {
  meta: { id: "fk-id", summary: "obj.fk.id loads the related row to read a key the row already holds", defaultSeverity: "warning", fixable: true },
  check,
};
