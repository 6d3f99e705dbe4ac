import { perFile } from "../../server/src/engine/filescan";
import { TEST_OR_MIGRATION, type Model, type ModelField } from "../../server/src/engine/models";
import type { SyntaxNode } from "../../server/src/engine/parser";
import type { Rule, RuleContext } from "../../server/src/engine/rule";
import { baseNames, callParts, caughtBy, dotted, field, nodeText, stringValue } from "../../server/src/engine/syntax";

const MANY = new Set(["reverse-fk", "m2m", "reverse-m2m", "generic-relation"]);
/** Methods that run a query right away. */
const EXECUTES = new Set([
  "count", "exists", "aggregate", "first", "last", "get", "latest", "earliest", "in_bulk", "get_or_create",
  "update_or_create", "create", "contains",
]);
/** Methods that make a new query on a related manager (the prefetch cache cannot answer them). */
const FRESH = new Set(["filter", "exclude", "order_by", "values", "values_list", "annotate", "distinct", "only", "defer", "select_related"]);
const EVALUATORS = new Set(["list", "len", "tuple", "set", "sorted", "bool", "sum", "max", "min", "any", "all"]);

interface Chain {
  /** The outermost call of the chain. */
  top: SyntaxNode;
  methods: string[];
}

/** Walks up a method chain from its root expression: `obj.reviews` -> `obj.reviews.filter(...).count()`. */
function chainFrom(ctx: RuleContext, root: SyntaxNode): Chain {
  let top = root;
  const methods: string[] = [];
  for (;;) {
    const p = top.parent;
    if (p?.type !== "attribute" || field(p, "object") !== top) break;
    const gp = p.parent;
    if (gp?.type !== "call" || field(gp, "function") !== p) break;
    methods.push(nodeText(ctx.text, field(p, "attribute")!));
    top = gp;
  }
  return { top, methods };
}

/** The chain's value is evaluated here: returned (the renderer serializes it), iterated, listed, counted. */
function evaluated(ctx: RuleContext, n: SyntaxNode): boolean {
  let x = n;
  while (x.parent?.type === "parenthesized_expression") x = x.parent;
  const p = x.parent;
  if (!p) return false;
  if (p.type === "return_statement") return true;
  if ((p.type === "for_statement" || p.type === "for_in_clause") && field(p, "right") === x) return true;
  if (p.type === "subscript" && field(p, "value") === x) return true;
  if (p.type === "argument_list" && p.parent?.type === "call") {
    const f = field(p.parent, "function");
    return !!f && f.type === "identifier" && EVALUATORS.has(nodeText(ctx.text, f));
  }
  return false;
}

function serializerModel(ctx: RuleContext, body: SyntaxNode): Model | undefined {
  for (const stmt of body.children) {
    if (stmt.type !== "class_definition" || nodeText(ctx.text, field(stmt, "name")!) !== "Meta") continue;
    for (const s of field(stmt, "body")?.children ?? []) {
      const a = s.type === "expression_statement" ? s.children[0] : undefined;
      if (a?.type !== "assignment") continue;
      const l = field(a, "left");
      const r = field(a, "right");
      if (l && r && nodeText(ctx.text, l) === "model") {
        const d = dotted(ctx.text, r);
        return d ? ctx.index.modelFromName(ctx.file, d) : undefined;
      }
    }
  }
  return undefined;
}

/** Method names of the class's SerializerMethodFields: `get_<name>` or their `method_name=`. */
function methodFields(ctx: RuleContext, body: SyntaxNode): Map<string, string> {
  const out = new Map<string, string>();
  for (const stmt of body.children) {
    const a = stmt.type === "expression_statement" ? stmt.children[0] : undefined;
    if (a?.type !== "assignment") continue;
    const l = field(a, "left");
    const r = field(a, "right");
    if (!l || l.type !== "identifier" || r?.type !== "call") continue;
    const parts = callParts(ctx.text, r);
    const callee = parts ? dotted(ctx.text, parts.func) : null;
    if (!parts || !callee || !/(^|\.)SerializerMethodField$/.test(callee)) continue;
    const named = parts.kwargs.get("method_name") ?? parts.args[0];
    const method = named ? stringValue(ctx.text, named) : `get_${nodeText(ctx.text, l)}`;
    if (method) out.set(method, nodeText(ctx.text, l));
  }
  return out;
}

/** What one file says about serializers, kept while the file does not change. */
interface FileScan {
  /** The file prefetches something (its text is kept for the relation test). */
  text: string | null;
  /** Serializer names used in it other than as `Name(instance)` / `Name(data=...)` calls on one object. */
  listedUses: Set<string>;
  /** Serializer names called on one object in it. */
  singleUses: Set<string>;
  /** Serializer names subclassed in it, with the subclasses' names. */
  subclasses: Map<string, string[]>;
}

const SERIALIZER_USE = /\b([A-Z]\w*Serializer)\b(\s*\()?/g;

/** The uses of the serializer names `uses` matches (by default every name ending in `Serializer`). */
function scanFile(text: string, uses = SERIALIZER_USE): FileScan {
  const listedUses = new Set<string>();
  const singleUses = new Set<string>();
  const subclasses = new Map<string, string[]>();
  if (uses !== SERIALIZER_USE || /Serializer\b/.test(text)) {
    for (const m of text.matchAll(uses)) {
      const name = m[1];
      const at = m.index!;
      const lineStart = text.lastIndexOf("\n", at) + 1;
      const line = text.slice(lineStart, text.indexOf("\n", at) < 0 ? text.length : text.indexOf("\n", at));
      // Definitions and imports are not uses; nor is its Meta (`class Meta(Name.Meta)`, `Name.Meta.fields`).
      if (/^\s*class\s/.test(line) && line.includes(`class ${name}`)) continue;
      if (text.startsWith(".Meta", at + name.length)) continue;
      // A subclass (`class Detailed(Name):`) lists when one of its own uses does.
      const sub = /^\s*class\s+(\w+)\s*\(/.exec(line);
      if (sub && !m[2]) {
        subclasses.set(name, [...(subclasses.get(name) ?? []), sub[1]]);
        continue;
      }
      if (/^\s*(from|import)\s/.test(line) || /^\s*\w+,?\s*(#.*)?$/.test(line)) continue;
      // `super(Name, self).__init__(...)` in its own methods names the class, it does not build one.
      if (/\bsuper\(\s*$/.test(text.slice(Math.max(0, at - 20), at))) continue;
      // Inside a decorator's call: `@extend_schema(responses=X(many=True))` documents; `@action(detail=True,
      // serializer_class=X)` serializes one object per response.
      const deco = enclosingDecorator(text, at);
      if (deco && /^(extend_schema\w*|swagger_auto_schema)$/.test(deco.name)) continue;
      if (deco && deco.name === "action" && /\bdetail\s*=\s*True\b/.test(deco.args)) {
        singleUses.add(name);
        continue;
      }
      // `serializer_class = Name` on a view that only retrieves (`RetrieveAPIView`, `RetrieveUpdateAPIView`), or whose
      // own list() answers without DRF's: one object.
      if (/^\s*serializer_class\s*=/.test(line) && oneObjectView(text, lineStart)) {
        singleUses.add(name);
        continue;
      }
      // `if self.action == "retrieve": return Name` in get_serializer_class(): one object per response.
      if (!m[2] && returnedForOneObject(text, lineStart, line, name)) {
        singleUses.add(name);
        continue;
      }
      if (m[2]) {
        // `Name(obj)`, `Name(request.user, context=...)`, `Name(data=request.data)`: one object.
        const args = text.slice(at + m[0].length, at + m[0].length + 300);
        // The first argument is the object (a name or an attribute path) or data=/instance=; anything else
        // (only keywords: a nested field; many=True) may be a list.
        // `self.get_object()` and `get_object_or_404(...)` return one object too.
        // So do `Model.objects.get(...)`, `qs.first()`, `.last()`, `.latest(...)` and `.earliest(...)`.
        const first = /^\s*(?:(?:data|instance)\s*=|[\w.]+\s*[,)]|(?:self\.get_object|get_object_or_404)\(|[\w.]+?(?:\([^()]*\)[\w.]*?)*\.(?:get|first|last|latest|earliest)\()/.exec(args);
        let close = 0;
        for (let depth = 1; close < args.length && depth > 0; close++) {
          if (args[close] === "(") depth++;
          else if (args[close] === ")") depth--;
        }
        const inCall = args.slice(0, close);
        // `many=False` written as such is one object, whatever is passed.
        if ((first && !/\bmany\s*=/.test(inCall)) || /\bmany\s*=\s*(False|0)\s*[,)]/.test(`${inCall})`)) {
          singleUses.add(name);
          continue;
        }
      }
      listedUses.add(name);
    }
  }
  return { text: /prefetch_related\(|Prefetch\(/.test(text) ? text : null, listedUses, singleUses, subclasses };
}

/** The actions of a DRF view that serialize one object. */
const ONE_OBJECT_ACTIONS = new Set(["retrieve", "update", "partial_update", "create", "destroy"]);

/**
 * `return Name`, in a view's get_serializer_class(), under an `if` (or `elif`) that tests `self.action` against
 * single-object actions only (`if self.action == "retrieve":`, `elif self.action in ["update", "partial_update"]:`).
 */
function returnedForOneObject(text: string, lineStart: number, line: string, name: string): boolean {
  if (!new RegExp(`^\\s*return\\s+${name}\\s*(#.*)?$`).test(line)) return false;
  let indent = /^\s*/.exec(line)![0].length;
  let single = false;
  for (let end = lineStart - 1; end > 0; ) {
    const start = text.lastIndexOf("\n", end - 1) + 1;
    const l = text.slice(start, end);
    end = start - 1;
    // Blank lines, comments, and the closing line of a condition written over several lines.
    if (!l.trim() || /^\s*(#|[)\]}])/.test(l)) continue;
    const ind = /^\s*/.exec(l)![0].length;
    if (ind >= indent) continue;
    indent = ind;
    const t = l.trim();
    if (/^def\s/.test(t)) return single && /^def\s+get_serializer_class\s*\(/.test(t);
    if (/^(class|async\s+def)\s/.test(t) || ind === 0) return false;
    const cond = /^(?:el)?if\s+self\.action\s*(==|in)\s*(.+?):\s*(#.*)?$/.exec(t);
    if (cond) {
      const actions = [...cond[2].matchAll(/["'](\w+)["']/g)].map((x) => x[1]);
      if (!actions.length || !actions.every((a) => ONE_OBJECT_ACTIONS.has(a)) || (cond[1] === "==" && actions.length !== 1)) return false;
      single = true;
    } else if (/^(else|try|except|finally|with|for|while)\b/.test(t)) {
      // An else arm takes every other action; a loop or a with block tells nothing of the action.
      if (/^else\b/.test(t)) return false;
    } else if (!/^(el)?if\s/.test(t)) return false;
  }
  return false;
}

/**
 * Does the top-level class the line at `at` sits in serialize one object per response: its bases name only
 * single-object DRF views, or its own list() answers without DRF's?
 */
function oneObjectView(text: string, at: number): boolean {
  const before = text.slice(0, at);
  const header = [...before.matchAll(/^class\s+\w+\s*\(([^)]*)\)\s*:/gm)].pop();
  if (!header) return false;
  // Nothing at the top level between the class header and the line: the line is in that class.
  if (/^\S/m.test(before.slice(header.index! + header[0].length).replace(/^\s*(#.*)?$/gm, ""))) return false;
  const bases = header[1].split(",").map((b) => b.trim().split(".").pop()!).filter(Boolean);
  if (bases.length > 0 && bases.every((b) => /^Retrieve(Update)?(Destroy)?APIView$|^(Retrieve|Update|Destroy)ModelMixin$|^GenericAPIView$/.test(b)) && bases.some((b) => /^Retrieve/.test(b))) return true;
  // A viewset whose own list() answers without DRF's (onadata's ConnectViewSet returns the requester's profile), and
  // that reads no queryset of its own nor hands get_serializer() many rows anywhere in its body: its
  // serializer_class serializes one object.
  const start = header.index! + header[0].length;
  // The class body: up to the next line that starts at the margin (not blank, not a comment).
  const next = /\n(?=[^\s#])/.exec(text.slice(start));
  const body = text.slice(start, next ? start + next.index : text.length);
  // (Another serializer named with many=True, in an action of its own, is that serializer's use.)
  return /^\s+def list\(/m.test(body) && !/\bsuper\(|\bself\.(get_queryset|filter_queryset|paginate_queryset|queryset)\b|\b(get_serializer|serializer_class)\s*\([^)]*\bmany\s*=\s*True\b/.test(body);
}

/** The decorator call `at` sits in (`@action(detail=True, serializer_class=X)`): its last name and its arguments. */
function enclosingDecorator(text: string, at: number): { name: string; args: string } | null {
  const lineStart = text.lastIndexOf("\n", at) + 1;
  if (!/^\s*@|[(,]\s*$|^\s*\w+\s*=/.test(text.slice(lineStart, at))) return null;
  const open = text.lastIndexOf("@", at);
  if (open < 0 || at - open > 600) return null;
  const m = /^@([\w.]+)\s*\(/.exec(text.slice(open, at));
  if (!m) return null;
  // Still inside the decorator's parentheses at `at`.
  let depth = 0;
  for (let i = open + m[0].length - 1; i < at; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return null;
  }
  let end = at;
  for (let d = depth; end < text.length && d > 0; end++) {
    if (text[end] === "(") d++;
    else if (text[end] === ")") d--;
  }
  return { name: m[1].split(".").pop()!, args: text.slice(open + m[0].length, end) };
}

/** The scan of the file being analyzed (its text changes with every edit: kept for the latest text only). */
let lastScan: { text: string; scan: FileScan } | null = null;
function scanOfText(text: string): FileScan {
  if (lastScan?.text !== text) lastScan = { text, scan: scanFile(text) };
  return lastScan.scan;
}

/**
 * The Python files whose uses of a serializer count: not tests and migrations (a test that builds
 * `Name()` with no instance to check its fields lists nothing in production).
 */
function productionFiles(ctx: RuleContext): string[] {
  return (ctx.project.filesMatching?.(/\.py$/) ?? []).filter((f) => !TEST_OR_MIGRATION.test(ctx.project.relPathOf?.(f) ?? f));
}

/** Every Python file's scan, re-read only for the files that changed since. */
function projectScans(ctx: RuleContext): { file: string; scan: FileScan }[] {
  const read = () =>
    perFile(ctx, "serializer-method-query:scan", productionFiles(ctx), (text, file) =>
      file === ctx.file ? scanOfText(ctx.text) : text ? scanFile(text) : { text: null, listedUses: new Set<string>(), singleUses: new Set<string>(), subclasses: new Map<string, string[]>() },
    ).map(({ file, value }) => ({ file, scan: value }));
  return ctx.project.memo ? ctx.project.memo("serializer-method-query:scans", read) : read();
}

/** Does a view that uses this serializer prefetch the relation (then count()/exists() read the cache)? */
function prefetchedByViews(ctx: RuleContext, serializer: string, rel: string): boolean {
  const uses = new RegExp(`\\b${serializer}\\b`);
  const prefetch = new RegExp(`prefetch_related\\([^)]*["']${rel}["']|Prefetch\\(\\s*["']${rel}["']`);
  if (uses.test(ctx.text) && prefetch.test(ctx.text)) return true;
  return projectScans(ctx).some((f) => f.file !== ctx.file && f.scan.text !== null && uses.test(f.scan.text) && prefetch.test(f.scan.text));
}

/**
 * Is the serializer only ever built for one object (`UserMeSerializer(request.user).data`, an `@action(detail=True,
 * serializer_class=...)`), or never named at all (dead code: no list to speak of)? Then its method runs once per
 * response at most. Any other use (a view's serializer_class, many=True, a nested field, a subclass, a name passed
 * around, a dotted path in a string) may serialize a list.
 */
function onlyForOneObject(ctx: RuleContext, serializer: string, at: number, field?: { name: string; method: string }): boolean {
  // A use in a file where the name resolves to another class of the same name (a `v0` module's BasketSerializer
  // next to the legacy one) is not a use of this one; a name that cannot be resolved may be.
  const ours = (file: string) => {
    const ref = ctx.index.resolveClass(file, serializer);
    return !ref || (ref.file === ctx.file && ref.start === at);
  };
  if (/Serializer$/.test(serializer)) {
    const scans = projectScans(ctx);
    // The serializer, and the subclasses that inherit its method, by name.
    const names = [serializer];
    for (let i = 0; i < names.length && names.length < 20; i++) {
      for (const f of scans) {
        if (f.scan.listedUses.has(names[i]) && (i > 0 || ours(f.file))) return false;
        for (const sub of f.scan.subclasses.get(names[i]) ?? []) if ((i > 0 || ours(f.file)) && !names.includes(sub) && !(field && leavesOut(ctx, f.file, sub, field))) names.push(sub);
      }
    }
    return names.length < 20;
  }
  // A serializer named otherwise (`class Summary(BaseSerializer)`): its own scan of every file.
  const uses = new RegExp(`\\b(${serializer})\\b(\\s*\\()?`, "g");
  const scans = perFile(ctx, `serializer-method-query:uses:${serializer}`, productionFiles(ctx), (text, file) =>
    scanFile(text ?? "", uses),
  );
  return !scans.some(({ file, value }) => value.listedUses.has(serializer) && ours(file));
}

/**
 * A subclass that does not run the field's method: its own `Meta.fields` list leaves the field out (KPI's
 * AssetListSerializer has no `project_ownership`), or it overrides the method without calling `super()`.
 */
function leavesOut(ctx: RuleContext, file: string, sub: string, field: { name: string; method: string }): boolean {
  const c = ctx.index.classes(sub).find((x) => x.file === file);
  if (!c) return false;
  const fields = c.meta.fields;
  if (Array.isArray(fields) && !fields.includes(field.name)) return true;
  const own = c.methods.find((m) => m.name === field.method);
  return !!own && !/\bsuper\(/.test((ctx.project.textOf(file) ?? "").slice(own.start, own.end));
}

/**
 * The conditions of the chain's filter()/exclude() calls as the `filter=` of a Count() over the relation
 * (`filter=Q(events__start_time__gt=timezone.now())`): "" when there are none, null when they cannot be written so
 * (Q objects, `**kwargs`, or a value read from the object or the serializer, which a view's annotate() does not have).
 */
function countFilter(ctx: RuleContext, relationAccess: SyntaxNode, rel: string, objName: string): string | null {
  const parts: string[] = [];
  let top = relationAccess;
  for (;;) {
    const p = top.parent;
    if (p?.type !== "attribute" || field(p, "object") !== top) break;
    const call = p.parent;
    if (call?.type !== "call" || field(call, "function") !== p) break;
    const method = nodeText(ctx.text, field(p, "attribute")!);
    if (method === "filter" || method === "exclude") {
      const args = callParts(ctx.text, call);
      if (!args || args.splat || args.args.length) return null;
      const conds: string[] = [];
      for (const [k, v] of args.kwargs) {
        const value = nodeText(ctx.text, v);
        if (new RegExp(`\\b(${objName}|self)\\b`).test(value)) return null;
        conds.push(`${rel}__${k}=${value}`);
      }
      if (conds.length) parts.push(`${method === "exclude" ? "~" : ""}Q(${conds.join(", ")})`);
    }
    top = call;
  }
  return parts.join(" & ");
}

function advice(ctx: RuleContext, method: string, f: ModelField, annotation: string, access: SyntaxNode, objName: string): string {
  // Count() and other expressions name the relation as a query does (`Count("book")`); a Prefetch() by its accessor.
  const rel = ctx.index.queryName(f);
  switch (method) {
    case "count": {
      // The chain's conditions go into the Count(): counting every related row would change the answer.
      const cond = countFilter(ctx, access, rel, objName);
      const count = cond === null ? `Count("${rel}", filter=Q(...)) with the conditions of its filter()` : cond ? `Count("${rel}", filter=${cond})` : `Count("${rel}")`;
      return `annotate(${annotation}=${count}) on the view's queryset and return obj.${annotation}`;
    }
    case "exists":
      return `annotate(${annotation}=Exists(...)) (or Count("${rel}")) on the view's queryset and read the annotation`;
    case "aggregate":
      return `annotate() the aggregate over "${rel}__..." on the view's queryset and read the annotation`;
    default:
      return `prefetch it on the view's queryset with Prefetch("${f.name}", queryset=..., to_attr=...) and read the list`;
  }
}

function checkMethod(ctx: RuleContext, def: SyntaxNode, cls: string, fieldName: string, model: Model | undefined): void {
  const params = (field(def, "parameters")?.children ?? []).filter((p) => p.type !== "comment");
  // `obj`, or `group: AbakusGroup` (typed).
  let objParam: SyntaxNode | undefined = params[1];
  if (objParam?.type === "typed_parameter") objParam = objParam.children.find((c) => c.type === "identifier");
  const objName = objParam?.type === "identifier" ? nodeText(ctx.text, objParam) : null;
  const body = field(def, "body");
  if (!body) return;
  // `if hasattr(obj, "admin"): return obj.admin`: the view annotates or prefetches, and the query is a fallback.
  if (objName && new RegExp(`\\bhasattr\\(\\s*${objName}\\s*,`).test(nodeText(ctx.text, body))) return;
  const reported = new Set<SyntaxNode>();
  // `try: return self.context["counts"][obj.pk] except KeyError: return obj.children.count()`, or
  // `try: return len(obj.prefetched_x) except AttributeError: ...`: the view provides the value for a list, and
  // the query is the fallback for one object.
  const fallback = (n: SyntaxNode): boolean => {
    for (let p = n.parent; p && p !== body; p = p.parent) {
      if (p.type !== "except_clause" || p.parent?.type !== "try_statement") continue;
      const tried = nodeText(ctx.text, field(p.parent, "body") ?? p.parent);
      const named = caughtBy(p);
      const caught = named ? nodeText(ctx.text, named) : "";
      if (/\bself\.context\b/.test(tried) && (!named || /KeyError|LookupError/.test(caught))) return true;
      if (objName && new RegExp(`\\b${objName}\\.\\w+`).test(tried) && /AttributeError/.test(caught)) return true;
      // `try: profile = obj.user.profile except Profile.DoesNotExist: profile = Profile.objects.create(user=obj.user)`:
      // the query runs only for a row that lacks the related object, and usually creates it.
      if (objName && new RegExp(`\\b${objName}\\.\\w+`).test(tried) && /DoesNotExist\b/.test(caught)) return true;
    }
    return false;
  };
  const per = model ? `per serialized ${model.name}` : "per serialized object";
  const stack = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition") continue;
    if (n.type === "attribute" && !reported.has(n)) {
      const obj = field(n, "object");
      const attr = field(n, "attribute");
      // obj.<many relation>.<query>
      if (obj && attr && model && objName && obj.type === "identifier" && nodeText(ctx.text, obj) === objName) {
        const f = ctx.index.attribute(model, nodeText(ctx.text, attr));
        if (f && MANY.has(f.kind)) {
          const chain = chainFrom(ctx, n);
          const runs = chain.methods.find((m) => EXECUTES.has(m));
          const fresh = chain.methods.some((m) => FRESH.has(m));
          const lazyButUsed = !runs && fresh && chain.methods.length > 0 && evaluated(ctx, chain.top);
          const cached = !fresh && (runs === "count" || runs === "exists") && prefetchedByViews(ctx, cls, f.name);
          if ((runs || lazyButUsed) && !cached && !reported.has(chain.top) && !fallback(n)) {
            reported.add(chain.top);
            const method = runs ?? "filter";
            ctx.report({
              start: chain.top.start,
              end: chain.top.end,
              message: `Query per object: ${cls}.${nodeText(ctx.text, field(def, "name")!)} runs ${model.name}.${f.name}.${chain.methods.join("().")}() once ${per} (one query per row of the list); ${advice(ctx, method, f, fieldName, n, objName)}`,
            });
          }
        }
      }
      // <Model>.<manager>...<query>
      const d = obj ? dotted(ctx.text, obj) : null;
      const qm = d && attr ? ctx.index.modelFromName(ctx.file, d) : undefined;
      if (qm && attr && qm.managers.has(nodeText(ctx.text, attr))) {
        const chain = chainFrom(ctx, n);
        const runs = chain.methods.find((m) => EXECUTES.has(m));
        if ((runs || (chain.methods.length && evaluated(ctx, chain.top))) && !reported.has(chain.top) && !fallback(n)) {
          reported.add(chain.top);
          ctx.report({
            start: chain.top.start,
            end: chain.top.end,
            message: `Query per object: ${cls}.${nodeText(ctx.text, field(def, "name")!)} runs a ${qm.name} query once ${per} (one query per row of the list); compute it for every row at once on the view's queryset (annotate() with Count/Subquery, or Prefetch(..., to_attr=...))`,
          });
        }
      }
    }
    for (const c of n.children) stack.push(c);
  }
}

function check(ctx: RuleContext): void {
  if (!ctx.mentions(/SerializerMethodField/)) return;
  // prefetchedByViews reads this whole file too.
  ctx.dependsOn([...ctx.text.matchAll(/prefetch_related\([^)]*|Prefetch\(\s*["'][^"']*/g)].map((m) => m[0]).join("\n"));
  for (const stmt of ctx.syntax.root.children) ctx.examine(stmt, () => checkStatement(ctx, stmt));
}

function checkStatement(ctx: RuleContext, stmt: SyntaxNode): void {
  const cls = stmt.type === "decorated_definition" ? field(stmt, "definition") : stmt;
  if (cls?.type !== "class_definition") return;
  const sup = field(cls, "superclasses");
  const body = field(cls, "body");
  if (!sup || !body) return;
  const bases = baseNames(ctx.text, cls).map((b) => b ?? "");
  if (!bases.some((b) => /Serializer$/.test(b))) return;
  const fields = methodFields(ctx, body);
  if (!fields.size) return;
  const model = serializerModel(ctx, body);
  const cname = nodeText(ctx.text, field(cls, "name")!);
  if (onlyForOneObject(ctx, cname, cls.start)) return;
  for (const s of body.children) {
    const def = s.type === "decorated_definition" ? field(s, "definition") : s;
    if (def?.type !== "function_definition") continue;
    const name = nodeText(ctx.text, field(def, "name")!);
    const fieldName = fields.get(name);
    // The subclasses that list may leave this field out, or run a method of their own.
    if (fieldName && !onlyForOneObject(ctx, cname, cls.start, { name: fieldName, method: name })) checkMethod(ctx, def, cname, fieldName, model);
  }
}

export const rule: Rule = {
  meta: { id: "serializer-method-query", summary: "A SerializerMethodField that runs a query per serialized object", defaultSeverity: "warning", fixable: false },
  check,
};
