import { enclosingLoop, type LoopCtx } from "../../server/src/engine/flow";
import { batchedLookup, Dep, fewIterations, inDispatchBranch, leavesLoopAfter, loopDependence, perDatabase } from "../../server/src/engine/loopshape";
import type { Model } from "../../server/src/engine/models";
import type { SyntaxNode } from "../../server/src/engine/parser";
import type { Rule, RuleContext } from "../../server/src/engine/rule";
import { iteratesOneRow, syntacticQueryset, uniqueLookupSets } from "../../server/src/engine/rows";
import { projectFunction, type ProjectFunction } from "../../server/src/engine/functions";
import { callParts, dotted, enclosingScope, field, methodCall, nodeText, stringValue, walk, walkExamined } from "../../server/src/engine/syntax";

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
    // A model that overrides save() or has save signals: bulk_create() would skip them. A multi-table child:
    // bulk_create() raises ValueError.
    return m && !m.abstract && !m.writeHooks && !ctx.index.isMultiTableChild(m) ? m.name : null;
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
function rowOfOpaqueQueryset(ctx: RuleContext, recv: SyntaxNode): Model | null {
  if (recv.type !== "identifier") return null;
  const name = nodeText(ctx.text, recv);
  for (let p = recv.parent; p; p = p.parent) {
    if (p.type === "function_definition" || p.type === "lambda" || p.type === "class_definition") return null;
    if (p.type !== "for_statement") continue;
    const left = field(p, "left");
    const right = field(p, "right");
    if (left?.type !== "identifier" || nodeText(ctx.text, left) !== name || !right) continue;
    const q = syntacticQueryset(ctx, right);
    return q && !q.values ? q.model : null;
  }
  return null;
}

/** `save(update_fields=["a", "b"])`: the field names, or null when they are not all string literals. */
function updateFields(ctx: { text: string }, call: SyntaxNode): string[] | null {
  const list = callParts(ctx.text, call)?.kwargs.get("update_fields");
  if (!list || (list.type !== "list" && list.type !== "tuple")) return null;
  const names = list.children.map((c) => stringValue(ctx.text, c));
  return names.length && names.every((x) => x !== null) ? (names as string[]) : null;
}

/**
 * The model of an object of unknown type saved with `update_fields` (a keyword only Django models take): the one
 * concrete model with all those fields, or "" when several have them and none has save()/delete() overrides or
 * signal receivers. Null when no model has them, or one with such hooks does (bulk methods would skip them).
 */
function modelByFields(ctx: RuleContext, fields: string[]): string | null {
  const candidates = ctx.index.models.filter((m) => !m.abstract && !m.builtin && fields.every((f) => {
    const field = m.fields.get(f) ?? m.fields.get(f.replace(/_id$/, ""));
    return !!field && !field.kind.startsWith("reverse") && field.kind !== "m2m";
  }));
  if (!candidates.length || candidates.some((m) => m.updateHooks)) return null;
  return candidates.length === 1 ? candidates[0].name : "";
}

interface HelperWrite {
  name: string;
  fn: ProjectFunction;
  /** `obj.save(...)` in the helper's body. */
  write: SyntaxNode;
  method: string;
  /** The argument the helper writes. */
  arg: SyntaxNode;
}

/** A parameter list: names in order, with their default values, and whether a name can be given by position. */
function parameters(text: string, def: SyntaxNode): { name: string; positional: boolean; default: SyntaxNode | null }[] {
  const out: { name: string; positional: boolean; default: SyntaxNode | null }[] = [];
  let positional = true;
  for (const p of field(def, "parameters")?.children ?? []) {
    if (p.type === "list_splat_pattern" || p.type === "keyword_separator" || p.type === "dictionary_splat_pattern") {
      positional = false;
      continue;
    }
    if (p.type === "positional_separator") continue;
    const nameNode = p.type === "identifier" ? p : p.type === "typed_parameter" ? p.children.find((c) => c.type === "identifier") : field(p, "name");
    if (!nameNode || nameNode.type !== "identifier") continue;
    out.push({ name: nodeText(text, nameNode), positional, default: p.type === "default_parameter" || p.type === "typed_default_parameter" ? field(p, "value") ?? null : null });
  }
  return out;
}

/** The parameter's value at a call: the argument given for it, else its default; undefined when not known. */
function valueAt(ctx: RuleContext, call: SyntaxNode, params: ReturnType<typeof parameters>, name: string): SyntaxNode | null | undefined {
  const parts = callParts(ctx.text, call);
  if (!parts) return undefined;
  const kw = parts.kwargs.get(name);
  if (kw) return kw;
  const i = params.findIndex((p) => p.name === name);
  if (i < 0) return undefined;
  if (params[i].positional && i < parts.args.length) return parts.args[i];
  if (parts.splat) return undefined;
  return params[i].default;
}

/**
 * `touch(row)` where `touch` is a function of the project (this file's or imported) whose body saves or deletes
 * that parameter (`obj.save()`, not in a nested function, a loop or a try). A save guarded by another
 * parameter (`if commit: obj.save()`) counts only when the call certainly passes a true value for it; one after
 * an early return that depends on a parameter does not count.
 */
function writeThroughHelper(ctx: RuleContext, call: SyntaxNode): HelperWrite | null {
  const parts = callParts(ctx.text, call);
  if (!parts || parts.func.type !== "identifier" || (!parts.args.length && !parts.kwargs.size)) return null;
  const name = nodeText(ctx.text, parts.func);
  const fn = projectFunction(ctx, name, /\.a?(save|delete)\(/);
  if (!fn || within(call, fn.def) || field(fn.def, "name") === undefined) return null;
  const params = parameters(fn.text, fn.def);
  const body = field(fn.def, "body");
  if (!body) return null;
  const paramNames = new Set(params.map((p) => p.name));
  // Writes on a parameter, and the parameters the body rebinds.
  const writes: { node: SyntaxNode; param: string; method: string }[] = [];
  const rebound = new Set<string>();
  const stack = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition") continue;
    if (n.type === "identifier" && paramNames.has(nodeText(fn.text, n)) && bindsName(n)) rebound.add(nodeText(fn.text, n));
    if (n.type === "call") {
      const mc = methodCall(fn.text, n);
      if (mc && INSTANCE_WRITES.has(mc.method) && mc.receiver.type === "identifier" && paramNames.has(nodeText(fn.text, mc.receiver))) {
        writes.push({ node: n, param: nodeText(fn.text, mc.receiver), method: mc.method });
      }
    }
    for (const c of n.children) stack.push(c);
  }
  const readsParam = (cond: SyntaxNode | undefined, except: string): string[] => {
    const out: string[] = [];
    const st = cond ? [cond] : [];
    while (st.length) {
      const x = st.pop()!;
      if (x.type === "identifier" && paramNames.has(nodeText(fn.text, x)) && nodeText(fn.text, x) !== except) {
        const p = x.parent;
        if (!(p?.type === "attribute" && field(p, "attribute") === x) && !(p?.type === "keyword_argument" && field(p, "name") === x)) out.push(nodeText(fn.text, x));
      }
      for (const c of x.children) st.push(c);
    }
    return out;
  };
  for (const w of writes) {
    if (rebound.has(w.param)) continue;
    let ok = true;
    const flags: string[] = [];
    for (let p = w.node.parent; p && p !== body; p = p.parent) {
      if (p.type === "try_statement" || p.type === "for_statement" || p.type === "while_statement" || p.type === "with_statement") ok = false;
      if (p.type === "if_statement" || p.type === "elif_clause" || p.type === "conditional_expression" || p.type === "boolean_operator") {
        flags.push(...readsParam(p.type === "if_statement" || p.type === "elif_clause" ? field(p, "condition") : p.type === "conditional_expression" ? p.children[1] : p.children[0], w.param));
      }
    }
    // An early exit before the write that depends on a parameter (`if not commit: return obj`).
    walk(body, (x) => {
      if (x.start >= w.node.start || !ok) return false;
      if (x.type === "function_definition" || x.type === "lambda" || x.type === "class_definition") return false;
      if (x.type === "if_statement" && !within(w.node, x) && /\b(return|raise)\b/.test(nodeText(fn.text, x)) && readsParam(field(x, "condition"), w.param).length) ok = false;
      return true;
    });
    if (!ok) continue;
    if (flags.some((f) => valueAt(ctx, call, params, f)?.type !== "true")) continue;
    const arg = valueAt(ctx, call, params, w.param);
    if (!arg || arg.type !== "identifier") continue;
    return { name, fn, write: w.node, method: w.method, arg };
  }
  return null;
}

function reportHelperWrites(ctx: RuleContext, loops: Map<SyntaxNode, LoopCtx>): void {
  const flow = ctx.flow();
  walkExamined(ctx, (n) => {
    if (n.type !== "call" || n.children[0]?.type !== "identifier") return;
    const loop = enclosingLoop(loops, n);
    // The loop shapes that run the call once, or once per value, as for a write in the loop itself.
    if (!loop || fewIterations(ctx, n, loop) || inDispatchBranch(ctx, n) || leavesLoopAfter(ctx, n, loop)) return;
    for (let p = n.parent; p && p !== loop.node; p = p.parent) if (p.type === "try_statement") return;
    const hw = writeThroughHelper(ctx, n);
    if (!hw) return;
    const v = flow.values.get(hw.arg);
    let model: string | null = null;
    // The saved object's model, when known as a model (not only by the fields a save names).
    let savedModel: Model | undefined;
    if (v?.k === "inst") {
      savedModel = v.model;
      model = (hw.method.endsWith("save") ? v.model.updateHooks : v.model.writeHooks) ? null : v.model.name;
    } else if (!v || v.k === "unknown") {
      const opaque = rowOfOpaqueQueryset(ctx, hw.arg);
      savedModel = opaque ?? undefined;
      if (opaque) model = (hw.method.endsWith("save") ? opaque.updateHooks : opaque.writeHooks) ? null : opaque.name;
      else {
        const fields = hw.method.endsWith("save") ? updateFields(hw.fn, hw.write) : null;
        model = fields ? modelByFields(ctx, fields) : null;
      }
    }
    if (model === null) return;
    if (hw.method.endsWith("save") && storesFile(hw.fn.text, field(hw.fn.def, "body")!, nodeText(hw.fn.text, parameterNode(hw)), hw.write, savedModel)) return;
    const m = model;
    const argText = nodeText(ctx.text, hw.arg);
    const saved = `${hw.name}() ${hw.method.endsWith("save") ? "saves" : "deletes"} its argument ${argText}`;
    const message = hw.method.endsWith("save")
      ? `${saved} (${nodeText(hw.fn.text, hw.write).split("(")[0]}() in its body): one UPDATE (or INSERT) per iteration; let ${hw.name}() leave the saving to its caller, collect the objects and call ${model ? `${m}.objects.bulk_update(objs, [fields])` : "bulk_update(objs, [fields]) on their model's manager"} once`
      : `${saved} (${nodeText(hw.fn.text, hw.write).split("(")[0]}() in its body): one DELETE (plus its cascade queries) per iteration; collect the keys and delete once with ${model ? `${m}.objects.filter(pk__in=keys).delete()` : "filter(pk__in=keys).delete() on their model's manager"}`;
    ctx.report({
      start: n.start,
      end: n.end,
      message,
      related: [
        { file: ctx.file, start: loop.node.start, end: Math.min(loop.node.end, loop.node.start + 3), message: `the loop around ${hw.name}()` },
        { file: hw.fn.file, start: hw.write.start, end: hw.write.end, message: `the ${hw.method}() in ${hw.name}()` },
      ],
    });
  });
}

function check(ctx: RuleContext): void {
  const flow = ctx.flow();
  if (!flow.loops.size) return;
  reportHelperWrites(ctx, flow.loops);
  if (!ctx.mentions(/\.(a?save|a?delete|a?update)\(/)) return;
  walkExamined(ctx, (n) => {
    if (n.type !== "call") return;
    const mc = methodCall(ctx.text, n);
    if (!mc || (!INSTANCE_WRITES.has(mc.method) && !QUERYSET_WRITES.has(mc.method))) return;
    const loop = enclosingLoop(flow.loops, n);
    if (!loop) return;
    // A loop over a few constants or columns, or a polling loop: a handful of writes, or one per poll. A queryset
    // write filtered on a batch the loop produces (`filter(pk__in=batch)`) is one set-based write per batch.
    if (fewIterations(ctx, n, loop) || batchedLookup(ctx, n, loop)) return;
    // A loop over one row at most (a queryset filtered on its primary key or a unique column), when it is the only
    // loop around the write.
    if (!loop.parent && iteratesOneRow(ctx, loop.node)) return;
    // A branch that one value of the loop's variable (or of a counter it raises) selects: one write per value.
    if (inDispatchBranch(ctx, n)) return;
    // Per-row error handling (try/except around the write) needs the per-row call; so may a condition.
    let inTry = false;
    let inIf = false;
    for (let p = n.parent; p && p !== loop.node; p = p.parent) {
      // A transaction per iteration (`with transaction.atomic():` inside the loop) commits each item on its own:
      // one bulk write would make them all succeed or fail together (a delete-and-rebuild per item, say).
      if (p.type === "try_statement" || (p.type === "with_statement" && /\batomic\b/.test(nodeText(ctx.text, p.children.find((c) => c.type === "with_clause") ?? p)))) inTry = true;
      if (p.type === "if_statement" || p.type === "conditional_expression") inIf = true;
    }
    if (inTry) return;
    if (leavesLoopAfter(ctx, n, loop) || perDatabase(ctx, n, loop)) return;
    if (fallbackOfBulkWrite(ctx, loop.node)) return;
    const recvNode = mc.receiver;
    const v = flow.values.get(recvNode);
    // A model with its own save()/delete() or signal receivers: bulk methods would skip them. (A queryset's
    // update() calls neither, per row or at once, so the hint stands.)
    // Saving a loaded row only needs the hooks that run for existing rows (a save() that sets up new objects only
    // does nothing then).
    const hooks = v && (v.k === "inst" || v.k === "qs" || v.k === "manager") ? (/^a?save$/.test(mc.method) && v.k === "inst" ? v.model.updateHooks : v.model.writeHooks) : false;
    if (hooks && !/^a?update$/.test(mc.method)) return;
    const method = mc.method.replace(/^a(?=save|delete|update)/, "");
    const recvText = nodeText(ctx.text, recvNode);
    // A file assigned to the row's FileField is written to storage by save() (FieldFile.pre_save); bulk_update()
    // would skip that and store a name that no file has.
    if (method === "save" && recvNode.type === "identifier" && storesFile(ctx.text, loop.node, recvText, n, v?.k === "inst" ? v.model : rowOfOpaqueQueryset(ctx, recvNode) ?? undefined)) return;
    let message: string | null = null;
    // `self.tasks += 1; self.save(update_fields=["tasks"])` per item: bulk_update() of one object makes no sense.
    const same = method === "save" && sameObjectEachTime(ctx, recvNode, loop);
    // The same row stamped with the time, saved at most every so often, or holding a progress count: a heartbeat or
    // a progress record that another process reads while the loop runs. Saving it once after the loop defeats it.
    if (same && (throttled(ctx, n, loop) || statusWrite(ctx, recvNode, n, loop))) return;
    // Under an `if` in the loop it runs on the iterations that pass the test, not on every one.
    const saveOnce = (m: string | undefined) => `${m ?? recvText}.${mc.method}() in a loop saves the same ${m ? `${m} (${recvText})` : "object"} ${inIf ? "on each iteration that reaches it" : "on every iteration"}, one UPDATE each; save it once, after the loop (or before it, with the values computed first)`;
    if (v?.k === "inst" && INSTANCE_WRITES.has(mc.method)) {
      const m = v.model.name;
      message = same
        ? saveOnce(m)
        : method === "save"
        ? `${m}.${mc.method}() in a loop runs one UPDATE (or INSERT) per iteration; collect the objects and call ${m}.objects.bulk_update(objs, [fields]) once, or use a single queryset.update() when every row gets the same value`
        : `${m}.${mc.method}() in a loop runs one DELETE (plus its cascade queries) per iteration; collect the keys and delete once with ${m}.objects.filter(pk__in=keys).delete()`;
    } else if ((v?.k === "qs" || (v?.k === "manager" && v.base)) && QUERYSET_WRITES.has(mc.method)) {
      // One row the loop does not choose (`filter(pk=self.id).update(progress=...)`), given a progress count or a
      // time stamp, or written every so often: a progress record another process reads while the loop runs.
      if (method === "update" && oneFixedRow(ctx, v.model, recvNode, loop) && (throttled(ctx, n, loop) || progressUpdate(ctx, n))) return;
      const m = v.model.name;
      const what = v.base && v.field ? `${v.base.model.name}.${v.field.name}` : `a ${m} queryset`;
      message = method === "update"
        ? `${mc.method}() on ${what} in a loop runs one UPDATE per iteration; update all rows at once (filter(pk__in=...).update(), Case/When or F() expressions) or collect the objects and call ${m}.objects.bulk_update(objs, [fields])`
        : `${mc.method}() on ${what} in a loop runs one DELETE per iteration; gather the conditions and delete once with a single filter(...).delete()`;
    } else if ((!v || v.k === "unknown") && rowOfOpaqueQueryset(ctx, recvNode)) {
      const model = rowOfOpaqueQueryset(ctx, recvNode)!;
      // The same hooks as for a known row: a delete() or save() of the model's own (or a mixin's) would be skipped.
      if (method === "save" ? model.updateHooks : model.writeHooks) return;
      const m = model.name;
      message = method === "save"
        ? `${m}.${mc.method}() in a loop runs one UPDATE (or INSERT) per iteration; collect the objects and call ${m}.objects.bulk_update(objs, [fields]) once, or use a single queryset.update() when every row gets the same value`
        : method === "delete" && !inIf ? `${m}.delete() in a loop runs one DELETE (plus its cascade queries) per iteration; delete the whole queryset at once with .delete()` : null;
    } else if (!v || v.k === "unknown") {
      if (method !== "save") return;
      const fields = updateFields(ctx, n);
      if (fields) {
        // `obj.save(update_fields=[...])`: only a model instance takes that keyword.
        const m = modelByFields(ctx, fields);
        if (m === null) return;
        const list = `[${fields.map((f) => JSON.stringify(f)).join(", ")}]`;
        message = same
          ? saveOnce(m || undefined)
          : m
          ? `${m}.save(update_fields=...) in a loop runs one UPDATE per iteration; collect the objects and call ${m}.objects.bulk_update(objs, ${list}) once`
          : `${recvText}.save(update_fields=...) in a loop runs one UPDATE per iteration; collect the objects and call bulk_update(objs, ${list}) once on their model's manager`;
      } else {
        const m = newInstanceModel(ctx, recvNode, loop.node);
        if (!m) return;
        const args = callParts(ctx.text, n);
        if (args?.kwargs.has("update_fields")) return;
        message = `${m}.save() on a new ${m} in a loop runs one INSERT per iteration; build the objects in a list and save them with ${m}.objects.bulk_create(objs)`;
      }
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

/** The name of the helper's parameter that it saves (`css` in `def rebuild_css(media_map, css): ... css.save()`). */
function parameterNode(hw: HelperWrite): SyntaxNode {
  return methodCall(hw.fn.text, hw.write)!.receiver;
}

const FILE_FIELD = /(File|Image)Field$/;

/**
 * Before the save, in `scope`, the object named `name` is given a new file (`css.build_file = ContentFile(...)`)
 * on a FileField or ImageField of its model.
 */
function storesFile(text: string, scope: SyntaxNode, name: string, write: SyntaxNode, model: Model | undefined): boolean {
  let found = false;
  walk(scope, (x) => {
    if (found || x.start >= write.start) return false;
    if (x.type === "function_definition" || x.type === "lambda" || x.type === "class_definition") return false;
    if (x.type !== "assignment") return true;
    const left = field(x, "left");
    const obj = left?.type === "attribute" ? field(left, "object") : undefined;
    if (obj?.type !== "identifier" || nodeText(text, obj) !== name || field(x, "right")?.type === "none") return true;
    const attr = nodeText(text, field(left!, "attribute")!);
    if (model && FILE_FIELD.test(model.fields.get(attr)?.fieldClass ?? "")) found = true;
    return !found;
  });
  return found;
}

/** Parts of an assignment or loop target around a name (`a, (b, *c) = ...`, `with x as f`). */
const TARGET_PARTS = new Set(["pattern_list", "tuple_pattern", "list_pattern", "list_splat_pattern", "parenthesized_expression"]);

/** Does this identifier get a new value here: an assignment's or a for's target, `as f`, `f := ...`? */
/**
 * The loop is the handler of a failed bulk write (`try: bulk_update(objs, ...) except IntegrityError: for o in objs:
 * ...save()`): it steps through the rows one at a time to find the one that broke the batch. The bulk write the hint
 * would advise is the one that just failed.
 */
function fallbackOfBulkWrite(ctx: RuleContext, loop: SyntaxNode): boolean {
  for (let p = loop.parent; p && p.type !== "function_definition"; p = p.parent) {
    if ((p.type !== "except_clause" && p.type !== "except_group_clause") || p.parent?.type !== "try_statement") continue;
    const tried = field(p.parent, "body");
    if (tried && /\.a?bulk_(update|create)\(/.test(nodeText(ctx.text, tried))) return true;
  }
  return false;
}

function bindsName(id: SyntaxNode): boolean {
  let c = id;
  let p = id.parent;
  while (p && TARGET_PARTS.has(p.type)) {
    c = p;
    p = p.parent;
  }
  if (!p) return false;
  if (p.type === "as_pattern_target") return true;
  if (p.type === "assignment" || p.type === "augmented_assignment" || p.type === "for_statement" || p.type === "for_in_clause") return field(p, "left") === c;
  return p.type === "named_expression" && field(p, "name") === c;
}

/**
 * The receiver is a name that neither this loop nor an enclosing one binds (`self`, an object fetched before the
 * loop). Setting its attributes in the loop (`book.stock += n`) does not make it another object.
 */
function sameObjectEachTime(ctx: RuleContext, recv: SyntaxNode, loop: LoopCtx): boolean {
  if (recv.type !== "identifier") return false;
  const name = nodeText(ctx.text, recv);
  for (let l: LoopCtx | null = loop; l; l = l.parent) {
    let rebound = false;
    walk(l.node, (n) => {
      if (rebound || n.type === "function_definition" || n.type === "class_definition" || n.type === "lambda") return false;
      if (n.type === "identifier" && nodeText(ctx.text, n) === name && bindsName(n)) rebound = true;
      return !rebound;
    });
    if (rebound) return false;
  }
  return true;
}

/** A clock read: `now()`, `timezone.now()`, `datetime.now()`, `time.time()`, `time.monotonic()`. */
const CLOCK = /(?:^|\.)(?:now|utcnow|time|monotonic|perf_counter)\(\s*\)$/;
const isClock = (ctx: RuleContext, n: SyntaxNode | undefined): boolean => n?.type === "call" && CLOCK.test(nodeText(ctx.text, n).replace(/\s+/g, ""));

/**
 * The write sits under an `if` that compares with the clock (`if now() - export.modified_on > timedelta(minutes=3)`,
 * `if commit_time < now()` with `commit_time` assigned from the clock): it runs at most every so often.
 */
function throttled(ctx: RuleContext, write: SyntaxNode, loop: LoopCtx): boolean {
  const clockNames = new Set<string>();
  walk(enclosingScope(write), (x) => {
    // (`total: int` alone is an assignment with no value.)
    const right = x.type === "assignment" && field(x, "left")?.type === "identifier" ? field(x, "right") : undefined;
    if (right) {
      let timed = false;
      walk(right, (y) => {
        if (isClock(ctx, y)) timed = true;
        return !timed;
      });
      if (timed) clockNames.add(nodeText(ctx.text, field(x, "left")!));
    }
    return true;
  });
  for (let p = write.parent; p && p !== loop.node; p = p.parent) {
    if (p.type !== "if_statement" && p.type !== "elif_clause") continue;
    const cond = field(p, "condition");
    if (!cond || !within(write, field(p, "consequence") ?? p)) continue;
    let timed = false;
    walk(cond, (y) => {
      if (isClock(ctx, y) || (y.type === "identifier" && clockNames.has(nodeText(ctx.text, y)))) timed = true;
      return !timed;
    });
    if (timed) return true;
  }
  return false;
}

/** A chain filtered to one row (by its primary key, a unique column or a one-to-one) on a value the loop does not change. */
function oneFixedRow(ctx: RuleContext, model: Model, recv: SyntaxNode, loop: LoopCtx): boolean {
  return uniqueLookupSets(ctx, model, recv).some((set) => set.every((value) => loopDependence(ctx, value, loop) === Dep.None));
}

/** An update() whose every value goes to a progress column or is the time (`update(progress=done / total)`). */
function progressUpdate(ctx: RuleContext, call: SyntaxNode): boolean {
  const parts = callParts(ctx.text, call);
  if (!parts || parts.args.length || !parts.kwargs.size) return false;
  return [...parts.kwargs].every(([key, value]) => PROGRESS.test(key) || isClock(ctx, value));
}

/** Attribute names of a progress record. */
const PROGRESS = /progress|percent|heartbeat|processed|completed|done_count|alive/i;

/**
 * Every attribute the loop sets on the saved object before the save is a time stamp from the clock
 * (`export.modified_on = timezone.now()`) or a progress count (`job.progress_current = done`), and there is one.
 */
function statusWrite(ctx: RuleContext, recv: SyntaxNode, write: SyntaxNode, loop: LoopCtx): boolean {
  const name = nodeText(ctx.text, recv);
  let sets = 0;
  let other = false;
  walk(loop.node, (x) => {
    if (other || x.start >= write.start) return false;
    if (x.type === "function_definition" || x.type === "lambda" || x.type === "class_definition") return false;
    if (x.type === "assignment" || x.type === "augmented_assignment") {
      const left = field(x, "left");
      const obj = left?.type === "attribute" ? field(left, "object") : undefined;
      if (obj?.type === "identifier" && nodeText(ctx.text, obj) === name) {
        sets++;
        const attr = nodeText(ctx.text, field(left!, "attribute") ?? left!);
        if (!(x.type === "assignment" && isClock(ctx, field(x, "right"))) && !PROGRESS.test(attr)) other = true;
      }
    }
    return true;
  });
  return sets > 0 && !other;
}

export const rule: Rule = {
  meta: { id: "save-in-loop", summary: "save(), delete() or update() run once per loop iteration", defaultSeverity: "warning", fixable: false },
  check,
};
