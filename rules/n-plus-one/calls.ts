/**
 * n-plus-one through a function of the project: a row (or an object loaded along with it) handed to a function
 * inside its loop (`for user in users: data.append(user_data(user))`). What the function reads on that parameter
 * is read per row: attribute chains, model methods and properties it uses, what the functions it hands the
 * parameter on to read, and what a template it renders with the parameter reads. The same reading serves admin
 * columns (`def projects(self, obj): return render_to_string(..., {"profile": obj})`).
 *
 * A function is followed only when the name resolves to one definition: a function nested in the caller, a
 * module-level function of the same file, one imported from a module of the project, or a method of the same
 * class called on self. A parameter rebound in the body says nothing. When unsure, nothing is read.
 */
import { memoized } from "../../server/src/engine/loopshape";
import { assignedTo, attributeChain, importFacts, outermostAttribute, requeriesAfterAll, servedReads } from "../../server/src/engine/facts";
import { childLoaded, joinedByDefault, type InstVal, type Loaded, type LoopCtx, type RelationRead } from "../../server/src/engine/flow";
import type { Model, ModelField } from "../../server/src/engine/models";
import type { SyntaxNode } from "../../server/src/engine/parser";
import type { RuleContext } from "../../server/src/engine/rule";
import { callParts, dotted, field, nodeText, onErrorPath, stringValue, subqueryValue, walk } from "../../server/src/engine/syntax";
import { topLevelFunction } from "../../server/src/engine/functions";
import { methodOf, moduleCode, parameters, type Code } from "./context";
import { templateReadsOn } from "./templates";

const SINGLE = new Set(["fk", "o2o", "reverse-o2o"]);
const MAX_DEPTH = 3;

/** Where a use starts in the function first called (the call or chain there), and where it really happens. */
interface Site {
  file: string;
  start: number;
  end: number;
}

export type ParamUse =
  /** `cached`: relations the function set on the object before this use (`obj.owner = user`), which a read finds loaded. */
  | { kind: "chain"; chain: string[]; entry: Site; at: Site; cached?: string[] }
  | { kind: "template"; name: string; key: string; entry: Site; at: Site };

export interface UseRead {
  /** Relation path from the object handed in. */
  path: string[];
  single: boolean;
  field: ModelField;
  /** The model that holds `field`. */
  owner: Model;
  entry: Site;
  what: string;
}

interface Callee {
  code: Code;
  def: SyntaxNode;
  /** The parameters that arguments fill, in order (self left out for methods). */
  params: string[];
}

const isDef = (n: SyntaxNode) => n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition";

/** Does the function bind `name` other than by its own nested def (assignment, loop target, import, ...)? */
function rebinds(text: string, fn: SyntaxNode, name: string): boolean {
  const binds = (t: SyntaxNode | undefined): boolean => !!t && (t.type === "identifier" ? nodeText(text, t) === name : t.type !== "attribute" && t.type !== "subscript" && t.children.some(binds));
  let found = false;
  const body = field(fn, "body");
  if (!body) return false;
  walk(body, (n) => {
    if (found || isDef(n)) return false;
    if (n.type === "assignment" || n.type === "augmented_assignment" || n.type === "for_statement" || n.type === "for_in_clause") found ||= binds(field(n, "left"));
    else if (n.type === "named_expression") found ||= binds(field(n, "name"));
    else if (n.type === "as_pattern") found ||= binds(field(n, "alias") ?? n.children[n.children.length - 1]);
    else if (n.type === "global_statement" || n.type === "nonlocal_statement" || n.type === "delete_statement" || n.type === "import_statement" || n.type === "import_from_statement") found ||= n.children.some(binds) || nodeText(text, n).includes(name);
    return !found;
  });
  return found;
}

function calleeOf(code: Code, def: SyntaxNode, method: boolean): Callee | null {
  const all = parameters(code.text, def);
  if (!all) return null;
  const decorated = def.parent?.type === "decorated_definition" ? nodeText(code.text, def.parent).slice(0, def.start - def.parent.start) : "";
  // A cached function runs once per distinct argument at most; a staticmethod takes no self.
  if (/cache|memoize/i.test(decorated)) return null;
  const staticMethod = /@staticmethod\b/.test(decorated);
  return { code, def, params: method && !staticMethod ? all.slice(1) : all };
}

const importsCache = new WeakMap<SyntaxNode, { text: string; imports: Record<string, string> }>();

/** A module's imports (the index keeps none for files it takes no facts from, such as plain helper modules). */
function importsOf(ctx: RuleContext, code: Code): Record<string, string> {
  const known = ctx.index.factsOf(code.file);
  if (known && Object.keys(known.imports).length) return known.imports;
  const hit = importsCache.get(code.root);
  if (hit && hit.text === code.text) return hit.imports;
  const imports: Record<string, string> = {};
  for (const s of code.root.children) if (s.type === "import_from_statement" || s.type === "import_statement") importFacts(code.text, s, imports, known?.module ?? "");
  importsCache.set(code.root, { text: code.text, imports });
  return imports;
}

/** The project function a call runs, when its name resolves to one definition. */
export function resolveCallee(ctx: RuleContext, code: Code, call: SyntaxNode): Callee | null {
  const func = field(call, "function");
  if (!func) return null;
  const text = code.text;
  const imports = importsOf(ctx, code);
  const imported = (name: string, attr?: string): Callee | null => {
    const imp = imports[name];
    if (!imp || imp.startsWith("@")) return null;
    const mod = attr ? imp : imp.slice(0, imp.lastIndexOf("."));
    const real = attr ?? imp.slice(imp.lastIndexOf(".") + 1);
    if (!mod || (!attr && !imp.includes("."))) return null;
    const other = moduleCode(ctx, mod);
    const def = other ? topLevelFunction(other.text, other.root, real) : null;
    return other && def ? calleeOf(other, def, false) : null;
  };
  if (func.type === "identifier") {
    const name = nodeText(text, func);
    // Nested in a function around the call, nearest first; a name the function also binds otherwise is unsure.
    for (let p: SyntaxNode | null = call.parent; p; p = p.parent) {
      if (p.type !== "function_definition") continue;
      const ps = parameters(text, p);
      if (!ps || ps.includes(name) || rebinds(text, p, name)) return null;
      const body = field(p, "body");
      const nested = body ? topLevelFunction(text, body, name) : null;
      if (nested) return calleeOf(code, nested, false);
    }
    const top = topLevelFunction(text, code.root, name);
    if (top) return imports[name] ? null : calleeOf(code, top, false);
    return imported(name);
  }
  if (func.type === "attribute") {
    const obj = field(func, "object");
    const attr = field(func, "attribute");
    if (!obj || !attr || obj.type !== "identifier") return null;
    const recv = nodeText(text, obj);
    if (recv === "self") {
      let fn: SyntaxNode | null = call.parent;
      while (fn && fn.type !== "function_definition") fn = fn.parent;
      const def = fn ? methodOf(text, fn, nodeText(text, attr)) : null;
      return def ? calleeOf(code, def, true) : null;
    }
    // module.function(...) on an imported module of the project
    const imp = imports[recv];
    if (!imp || topLevelFunction(text, code.root, recv)) return null;
    return imported(recv, nodeText(text, attr));
  }
  return null;
}

/** The argument of a call that fills a parameter, by position or keyword. */
function argFor(call: SyntaxNode, text: string, params: string[], param: string): SyntaxNode | undefined {
  const parts = callParts(text, call);
  if (!parts) return undefined;
  const i = params.indexOf(param);
  return parts.kwargs.get(param) ?? (i >= 0 ? parts.args[i] : undefined);
}

/** The parameters a call fills with something other than a literal None. */
function givenParams(call: SyntaxNode, text: string, params: string[]): Set<string> {
  return new Set(params.filter((p) => {
    const a = argFor(call, text, params, p);
    return !!a && nodeText(text, a) !== "None";
  }));
}

/** `if p is None:` / `if not p:` on one of `given`: the branch that fills in a parameter the caller left out. */
function fallbackBranch(text: string, n: SyntaxNode, given: Set<string>): SyntaxNode | undefined {
  if (n.type !== "if_statement" && n.type !== "elif_clause") return undefined;
  const cond = field(n, "condition");
  const m = cond && /^(?:not\s+(\w+)|(\w+)\s+is\s+None)$/.exec(nodeText(text, cond).trim());
  const p = m ? (m[1] ?? m[2]) : undefined;
  return p && given.has(p) ? field(n, "consequence") : undefined;
}

/**
 * The uses of a parameter in a function's body (and, to a few calls deep, in the functions it is handed to).
 * `given` holds the other parameters the call fills: a branch that computes one of them when it is missing
 * (`if paths is None: paths = obj.debate.round.tournament.pref(...)`) does not run for this call.
 */
export function paramUses(ctx: RuleContext, callee: Callee, param: string, entry: Site | null, depth = 0, seen: Set<SyntaxNode> = new Set(), given: Set<string> = new Set()): ParamUse[] {
  const { code, def } = callee;
  const text = code.text;
  const body = field(def, "body");
  if (!body || seen.has(def) || rebinds(text, def, param)) return [];
  seen = new Set([...seen, def]);
  const out: ParamUse[] = [];
  const site = (n: SyntaxNode): Site => ({ file: code.file, start: n.start, end: n.end });
  // `param.owner = user` as a statement of the body: every later use finds the relation cached (Django caches an
  // assigned related object), in this function and in those it hands the object on to.
  const sets: { name: string; end: number }[] = [];
  for (const st of body.children) {
    const a = st.type === "expression_statement" ? st.children[0] : undefined;
    const left = a?.type === "assignment" ? field(a, "left") : undefined;
    const obj = left?.type === "attribute" ? field(left, "object") : undefined;
    if (obj?.type === "identifier" && nodeText(text, obj) === param) sets.push({ name: nodeText(text, field(left!, "attribute")!), end: st.end });
  }
  const cachedAt = (at: number): string[] | undefined => {
    const names = sets.filter((x) => x.end <= at).map((x) => x.name);
    return names.length ? names : undefined;
  };
  const skipped = new Set<SyntaxNode>();
  walk(body, (n) => {
    if (isDef(n) || skipped.has(n)) return false;
    const fallback = given.size ? fallbackBranch(text, n, given) : undefined;
    if (fallback) skipped.add(fallback);
    if (outermostAttribute(n)) {
      const c = attributeChain(text, n);
      // (`Q(id__in=param.blocks.all())`: a subquery in the SQL, no rows loaded.)
      // An assignment target reads what is below its last name: `param.job = job` runs no query.
      const chain = c && assignedTo(n) ? c.chain.slice(0, -1) : c?.chain;
      // Under `if cache.get(key) is None: cache[key] = param.rel...`: once per distinct key, which the cache bounds.
      if (c && chain?.length && c.root === param && !subqueryValue(text, n) && !memoized(code, n)) out.push({ kind: "chain", chain, entry: entry ?? site(n), at: site(n), cached: cachedAt(n.start) });
    }
    if (n.type !== "call") return true;
    const parts = callParts(text, n);
    if (!parts || parts.splat) return true;
    const handsOn = [...parts.args, ...parts.kwargs.values()].some((a) => a.type === "identifier" && nodeText(text, a) === param);
    const fname = (dotted(text, parts.func) ?? "").replace(/^.*\./, "");
    if (fname === "render_to_string") {
      // render_to_string("row.html", {"obj": param}): the template reads on it.
      const name = stringValue(text, parts.args[0] ?? parts.kwargs.get("template_name"));
      const dict = parts.args[1] ?? parts.kwargs.get("context");
      if (name && dict?.type === "dictionary") {
        for (const p of dict.children) {
          const k = p.type === "pair" ? stringValue(text, field(p, "key")) : null;
          const v = p.type === "pair" ? field(p, "value") : undefined;
          if (k && v?.type === "identifier" && nodeText(text, v) === param) out.push({ kind: "template", name, key: k, entry: entry ?? site(n), at: site(n) });
        }
      }
      return true;
    }
    if (!handsOn || depth >= MAX_DEPTH) return true;
    const next = resolveCallee(ctx, code, n);
    if (!next) return true;
    next.params.forEach((p) => {
      const a = argFor(n, text, next.params, p);
      if (a?.type === "identifier" && nodeText(text, a) === param) {
        const here = cachedAt(n.start);
        for (const u of paramUses(ctx, next, p, entry ?? site(n), depth + 1, seen, givenParams(n, text, next.params))) {
          out.push(u.kind === "chain" && here ? { ...u, cached: [...here, ...(u.cached ?? [])] } : u);
        }
      }
    });
    return true;
  });
  // `param.rel.all().order_by("id").first()` is also recorded as its prefix `param.rel.all()`, which alone would read
  // like a listing a prefetch serves: only the whole chain counts.
  const chains = out.flatMap((u) => (u.kind === "chain" ? [{ chain: u.chain, start: u.at.start, file: u.at.file, u }] : []));
  const served = new Set<ParamUse>(servedReads(chains).map((c) => c.u));
  return out.filter((u) => u.kind !== "chain" || served.has(u));
}

/** Relations that the uses read on an object of `model` with `loaded`, that are not loaded: one query each. */
export function usesOn(ctx: RuleContext, model: Model, loaded: Loaded, uses: ParamUse[], via: Set<string> = new Set()): UseRead[] {
  const out: UseRead[] = [];
  for (const u of uses) {
    if (u.kind === "template") {
      for (const r of templateReadsOn(ctx, u.name, new Map([[u.key, { model, loaded }]]))) {
        let m: Model | undefined = model;
        let f: ModelField | undefined;
        let owner: Model = model;
        for (const seg of r.path) {
          f = m ? ctx.index.attribute(m, seg) : undefined;
          if (!f) break;
          owner = m!;
          m = f.target;
        }
        if (f) out.push({ path: r.path, single: r.single, field: f, owner, entry: u.entry, what: `renders ${u.name}, which reads ${u.key}.${r.path.join(".")}` });
      }
      continue;
    }
    let l: Loaded | undefined = loaded;
    let m: Model | undefined = model;
    const path: string[] = [];
    let single = true;
    for (let j = 0; j < u.chain.length && l && m; j++) {
      const name = u.chain[j].replace(/\(\)$/, "");
      const f: ModelField | undefined = ctx.index.attribute(m, name);
      if (!f && j === 0 && via.size < 3 && !via.has(name)) {
        // obj.display_name / obj.get_owner(): what the model method reads on self is read too.
        const selfReads = ctx.index.selfReads(m, u.chain[j]);
        if (selfReads) {
          const inner: ParamUse[] = selfReads.map((r) => ({ kind: "chain", chain: r.chain, entry: u.entry, at: { file: m!.file, start: r.start, end: r.end }, cached: u.cached }));
          out.push(...usesOn(ctx, m, l, inner, new Set([...via, name])));
        }
        break;
      }
      if (!f || f.kind === "concrete" || !f.target || f.kind === "gfk") break;
      // Set on the object before this use: cached, no query.
      if (j === 0 && u.cached?.includes(name)) break;
      const isSingle = SINGLE.has(f.kind);
      const next = u.chain[j + 1];
      // A many relation costs a query here when it is listed; counting or filtering it runs a query whatever is
      // prefetched (another rule's business).
      if (!isSingle && next !== "all()" && next !== "all") break;
      // `param.rel.all().order_by(...)`, `.iterator()`: a query of its own, which a prefetch does not serve.
      if (!isSingle && requeriesAfterAll(u.chain[j + 2])) break;
      path.push(name);
      single &&= isSingle;
      const child = childLoaded(l, name, joinedByDefault(f));
      if (!child) {
        out.push({ path: [...path], single, field: f, owner: m, entry: u.entry, what: `reads ${u.chain.join(".")}` });
        break;
      }
      l = child;
      m = f.target;
    }
  }
  return out;
}

function inLoopBody(node: SyntaxNode, loop: LoopCtx): boolean {
  const body = loop.kind === "comprehension" ? loop.node : field(loop.node, "body");
  return !!body && body.start <= node.start && node.end <= body.end;
}

export interface HandedRead {
  read: RelationRead;
  /** The join path from the row's model, through every single relation the use goes on to read. */
  joinPath: string[];
}

/** Rows handed to project functions inside their loops, and the relations those functions load per row. */
export function checkHandedRows(ctx: RuleContext, report: (h: HandedRead) => void): void {
  const code: Code = { file: ctx.file, text: ctx.text, root: ctx.syntax.root, flow: true };
  for (const stmt of ctx.syntax.root.children) {
    ctx.examine(stmt, () => {
      const flow = ctx.flow();
      const done = new Map<object, Set<string>>();
      walk(stmt, (n) => {
        if (n.type !== "call") return;
        const parts = callParts(ctx.text, n);
        if (!parts || parts.splat) return;
        const rows: { arg: SyntaxNode; inst: InstVal }[] = [];
        for (const a of [...parts.args, ...parts.kwargs.values()]) {
          const v = flow.values.get(a);
          if (v?.k === "inst" && v.row && !v.tainted && inLoopBody(n, v.row.loop) && !onErrorPath(ctx.text, n, v.row.loop.node)) rows.push({ arg: a, inst: v });
        }
        if (!rows.length) return;
        const callee = resolveCallee(ctx, code, n);
        if (!callee) return;
        const fname = nodeText(ctx.text, parts.func).replace(/^.*\./, "");
        for (const { arg, inst } of rows) {
          const i = parts.args.indexOf(arg);
          const param = i >= 0 ? callee.params[i] : [...parts.kwargs].find(([, v]) => v === arg)?.[0];
          if (!param || !callee.params.includes(param)) continue;
          const row = inst.row!;
          const seen = done.get(row) ?? new Set<string>();
          done.set(row, seen);
          for (const r of usesOn(ctx, inst.model, inst.loaded, paramUses(ctx, callee, param, null, 0, new Set(), givenParams(n, ctx.text, callee.params)))) {
            const path = [...inst.path, ...r.path];
            const key = path.join("__");
            if (seen.has(key) || flow.reads.some((x) => x.row === row && x.path.join("__") === key)) continue;
            seen.add(key);
            report({ read: { kind: r.single ? "single" : "many", node: n, row, path, field: r.field, model: r.owner, use: `${fname}()` }, joinPath: path });
          }
        }
      });
    });
  }
}
