import { enclosingLoop } from "../../server/src/engine/flow";
import type { SyntaxNode } from "../../server/src/engine/parser";
import type { Rule, RuleContext } from "../../server/src/engine/rule";
import { syntacticQueryset } from "../../server/src/engine/rows";
import { callParts, dotted, enclosingScope, field, methodCall, nodeText, walk, walkExamined } from "../../server/src/engine/syntax";

const INSTANCE_WRITES = new Set(["save", "delete", "asave", "adelete"]);
const QUERYSET_WRITES = new Set(["update", "delete", "aupdate", "adelete"]);

function within(n: SyntaxNode, outer: SyntaxNode | undefined): boolean {
  if (!outer) return false;
  for (let x: SyntaxNode | null = n; x; x = x.parent) if (x === outer) return true;
  return false;
}

/** `obj = Book(...)`: the model of a new, unsaved instance the name holds, when every assignment builds one. */
function newInstanceModel(ctx: RuleContext, recv: SyntaxNode, loop: SyntaxNode): string | null {
  const constructed = (call: SyntaxNode | undefined): string | null => {
    if (call?.type !== "call") return null;
    const d = dotted(ctx.text, field(call, "function"));
    const m = d ? ctx.index.modelFromName(ctx.file, d) : undefined;
    return m && !m.abstract ? m.name : null;
  };
  if (recv.type === "call") return constructed(recv);
  if (recv.type !== "identifier") return null;
  const name = nodeText(ctx.text, recv);
  let model: string | null = null;
  let ok = true;
  walk(enclosingScope(recv), (n) => {
    if (!ok) return false;
    if (n.type === "function_definition" && n !== enclosingScope(recv)) return false;
    if (n.type === "identifier" && nodeText(ctx.text, n) === name) {
      const p = n.parent!;
      if ((p.type === "assignment" && field(p, "left") === n)) {
        const m = constructed(field(p, "right"));
        if (m && (!model || model === m) && within(p, loop)) model = m;
        else ok = false;
      } else if (p.type === "pattern_list" || p.type === "tuple_pattern" || p.type === "for_in_clause" || p.type === "for_statement" || p.type === "augmented_assignment" || p.type === "as_pattern" || p.type === "named_expression") {
        if (field(p, "right") !== n && field(p, "value") !== n) ok = false;
      }
    }
    return true;
  });
  return ok ? model : null;
}

/** `for order in Order.objects.filter(...)`: a row of a queryset the flow could not follow (opaque manager). */
function rowOfOpaqueQueryset(ctx: RuleContext, recv: SyntaxNode): string | null {
  if (recv.type !== "identifier") return null;
  const name = nodeText(ctx.text, recv);
  for (let p = recv.parent; p; p = p.parent) {
    if (p.type === "function_definition" || p.type === "lambda" || p.type === "class_definition") return null;
    if (p.type !== "for_statement") continue;
    const left = field(p, "left");
    const right = field(p, "right");
    if (left?.type !== "identifier" || nodeText(ctx.text, left) !== name || !right) continue;
    const q = syntacticQueryset(ctx, right);
    return q && !q.values ? q.model.name : null;
  }
  return null;
}

function check(ctx: RuleContext): void {
  if (!ctx.mentions(/\.(a?save|a?delete|a?update)\(/)) return;
  const flow = ctx.flow();
  if (!flow.loops.size) return;
  walkExamined(ctx, (n) => {
    if (n.type !== "call") return;
    const mc = methodCall(ctx.text, n);
    if (!mc || (!INSTANCE_WRITES.has(mc.method) && !QUERYSET_WRITES.has(mc.method))) return;
    const loop = enclosingLoop(flow.loops, n);
    if (!loop) return;
    // Per-row error handling (try/except around the write) needs the per-row call; so may a condition.
    let inTry = false;
    let inIf = false;
    for (let p = n.parent; p && p !== loop.node; p = p.parent) {
      if (p.type === "try_statement") inTry = true;
      if (p.type === "if_statement" || p.type === "conditional_expression") inIf = true;
    }
    if (inTry) return;
    const recvNode = mc.receiver;
    const v = flow.values.get(recvNode);
    // A model with its own save()/delete() or signal receivers: bulk methods would skip them.
    if (v && (v.k === "inst" || v.k === "qs" || v.k === "manager") && v.model.writeHooks) return;
    const method = mc.method.replace(/^a(?=save|delete|update)/, "");
    const recvText = nodeText(ctx.text, recvNode);
    let message: string | null = null;
    if (v?.k === "inst" && INSTANCE_WRITES.has(mc.method)) {
      const m = v.model.name;
      message = method === "save"
        ? `${m}.${mc.method}() in a loop runs one UPDATE (or INSERT) per iteration; collect the objects and call ${m}.objects.bulk_update(objs, [fields]) once, or use a single queryset.update() when every row gets the same value`
        : `${m}.${mc.method}() in a loop runs one DELETE (plus its cascade queries) per iteration; collect the keys and delete once with ${m}.objects.filter(pk__in=keys).delete()`;
    } else if ((v?.k === "qs" || (v?.k === "manager" && v.base)) && QUERYSET_WRITES.has(mc.method)) {
      const m = v.model.name;
      const what = v.base && v.field ? `${v.base.model.name}.${v.field.name}` : `a ${m} queryset`;
      message = method === "update"
        ? `${mc.method}() on ${what} in a loop runs one UPDATE per iteration; update all rows at once (filter(pk__in=...).update(), Case/When or F() expressions) or collect the objects and call ${m}.objects.bulk_update(objs, [fields])`
        : `${mc.method}() on ${what} in a loop runs one DELETE per iteration; gather the conditions and delete once with a single filter(...).delete()`;
    } else if ((!v || v.k === "unknown") && rowOfOpaqueQueryset(ctx, recvNode)) {
      const m = rowOfOpaqueQueryset(ctx, recvNode)!;
      message = method === "save"
        ? `${m}.${mc.method}() in a loop runs one UPDATE (or INSERT) per iteration; collect the objects and call ${m}.objects.bulk_update(objs, [fields]) once, or use a single queryset.update() when every row gets the same value`
        : method === "delete" && !inIf ? `${m}.delete() in a loop runs one DELETE (plus its cascade queries) per iteration; delete the whole queryset at once with .delete()` : null;
    } else if (!v || v.k === "unknown") {
      if (method !== "save") return;
      const m = newInstanceModel(ctx, recvNode, loop.node);
      if (!m) return;
      const args = callParts(ctx.text, n);
      if (args?.kwargs.has("update_fields")) return;
      message = `${m}.save() on a new ${m} in a loop runs one INSERT per iteration; build the objects in a list and save them with ${m}.objects.bulk_create(objs)`;
    }
    if (!message) return;
    ctx.report({
      start: n.start,
      end: n.end,
      message,
      related: [{ file: ctx.file, start: loop.node.start, end: Math.min(loop.node.end, loop.node.start + 3), message: `the loop around ${recvText}.${mc.method}()` }],
    });
  });
}

export const rule: Rule = {
  meta: { id: "save-in-loop", summary: "save(), delete() or update() run once per loop iteration", defaultSeverity: "warning", fixable: false },
  check,
};
