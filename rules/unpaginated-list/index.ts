import { importEdits } from "../../server/src/engine/fixes";
import { settingsTexts } from "../../server/src/engine/functions";
import { sourceMro } from "../../server/src/engine/mro";
import type { SyntaxNode } from "../../server/src/engine/parser";
import { genericTemplateName } from "../../server/src/engine/templates";
import type { OffsetEdit, OffsetFix, Rule, RuleContext } from "../../server/src/engine/rule";
import type { Model } from "../../server/src/engine/models";
import { baseNames, callParts, eolAt, field, indentAt, isEmptyQueryset, methodCall, nameBindings, nodeText, stringValue, strip, topLevelFunction, walk } from "../../server/src/engine/syntax";
import { chainFilters, uniqueLookupSets } from "../../server/src/engine/rows";

const DRF_LISTS = new Set(["ListAPIView", "ListCreateAPIView", "ListModelMixin", "ModelViewSet", "ReadOnlyModelViewSet"]);
const DJANGO_LISTS = new Set(["ListView"]);
/** Overriding these takes pagination into the class's own hands: unsure. */
const OWN_PAGINATION = new Set(["list", "paginate_queryset", "get_paginate_by", "get_paginator", "paginator", "get"]);
const lastPart = (d: string) => d.slice(d.lastIndexOf(".") + 1);

/** Local name -> fully qualified name, from the file's top-level imports. */
function importsOf(ctx: RuleContext): Map<string, string> {
  const out = new Map<string, string>();
  for (const stmt of ctx.syntax.root.children) {
    if (stmt.type === "import_from_statement") {
      const mod = field(stmt, "module_name");
      if (!mod) continue;
      for (const c of stmt.children) {
        if (c === mod) continue;
        if (c.type === "dotted_name") out.set(nodeText(ctx.text, c), `${nodeText(ctx.text, mod)}.${nodeText(ctx.text, c)}`);
        else if (c.type === "aliased_import") {
          const n = field(c, "name");
          const a = field(c, "alias");
          if (n && a) out.set(nodeText(ctx.text, a), `${nodeText(ctx.text, mod)}.${nodeText(ctx.text, n)}`);
        }
      }
    } else if (stmt.type === "import_statement") {
      for (const c of stmt.children) {
        if (c.type === "dotted_name") out.set(nodeText(ctx.text, c).split(".")[0], nodeText(ctx.text, c).split(".")[0]);
        else if (c.type === "aliased_import") {
          const n = field(c, "name");
          const a = field(c, "alias");
          if (n && a) out.set(nodeText(ctx.text, a), nodeText(ctx.text, n));
        }
      }
    }
  }
  return out;
}

interface ClassBody {
  attrs: Map<string, SyntaxNode>;
  methods: Set<string>;
  /** Where a new class attribute goes: after the docstring, else before the first statement. */
  insertAt: number;
  firstStmt: SyntaxNode | null;
}

function classBody(text: string, body: SyntaxNode): ClassBody {
  const attrs = new Map<string, SyntaxNode>();
  const methods = new Set<string>();
  let firstStmt: SyntaxNode | null = null;
  let docstring: SyntaxNode | null = null;
  for (const stmt of body.children) {
    if (stmt.type === "comment") continue;
    if (!firstStmt) {
      firstStmt = stmt;
      if (stmt.type === "expression_statement" && stmt.children[0]?.type === "string") docstring = stmt;
    }
    const d = stmt.type === "decorated_definition" ? field(stmt, "definition") : stmt;
    if (d?.type === "function_definition") methods.add(nodeText(text, field(d, "name")!));
    const a = stmt.type === "expression_statement" ? stmt.children[0] : undefined;
    if (a?.type === "assignment") {
      const l = field(a, "left");
      const r = field(a, "right");
      if (l?.type === "identifier" && r) attrs.set(nodeText(text, l), r);
    }
  }
  return { attrs, methods, insertAt: docstring ? docstring.end : firstStmt?.start ?? body.start, firstStmt: docstring ? null : firstStmt };
}

/** A class of a view's: the view itself, or a project class it inherits from (a mixin, a base view). */
interface ViewClass {
  file: string;
  text: string;
  bodyNode: SyntaxNode;
  body: ClassBody;
}

/** Classes of Django and DRF that define none of the attributes read here: a view's own mixins may follow them. */
const PLAIN_BASES = /(^|\.)(object|AccessMixin|LoginRequiredMixin|PermissionRequiredMixin|UserPassesTestMixin|SuccessMessageMixin|CreateModelMixin|UpdateModelMixin|DestroyModelMixin|RetrieveModelMixin)$/;

/**
 * The view and the workspace classes Python looks its attributes up in before Django's or DRF's list classes (its
 * mixins and base views, in method resolution order); null when they cannot be read.
 */
function viewClasses(ctx: RuleContext, cls: SyntaxNode, own: ViewClass): ViewClass[] | null {
  const mro = sourceMro(ctx, cls);
  if (!mro) return null;
  const out = [own];
  for (const c of mro.slice(1)) {
    if (c.k === "external") {
      if (PLAIN_BASES.test(c.name)) continue;
      break;
    }
    const bodyNode = field(c.node, "body");
    if (!bodyNode) return null;
    out.push({ file: c.file, text: c.text, bodyNode, body: classBody(c.text, bodyNode) });
  }
  return out;
}

/** The first class of the chain that defines `name`: as a class attribute (`attr`), or as a method. */
function defining(chain: ViewClass[], name: string): { cls: ViewClass; attr: SyntaxNode | null } | null {
  for (const cls of chain) {
    const attr = cls.body.attrs.get(name);
    if (attr) return { cls, attr };
    if (cls.body.methods.has(name)) return { cls, attr: null };
  }
  return null;
}

/** Is a value an explicit "no pagination": None, 0, False? */
function isOff(ctx: RuleContext, n: SyntaxNode): boolean {
  return n.type === "none" || n.type === "false" || (n.type === "integer" && Number(nodeText(ctx.text, n)) === 0);
}

/** A workspace base class (resolved through the index) that sets or handles pagination, or cannot be judged. */
function baseHandles(ctx: RuleContext, file: string, name: string, depth = 0): "pagination" | "none" | "unknown" {
  if (depth > 6) return "unknown";
  const c = ctx.index.resolveClass(file, name);
  if (!c) return "unknown";
  if (c.assigns.some((a) => a.name === "pagination_class" || a.name === "paginate_by")) return "pagination";
  if (c.methods.some((m) => OWN_PAGINATION.has(m.name))) return "pagination";
  const imports = ctx.index.factsOf(c.file)?.imports ?? {};
  for (const b of c.bases) {
    if (b === "object") continue;
    const q = imports[b.split(".")[0]];
    if (q && /^(django|rest_framework)\b/.test(q)) continue;
    const r = baseHandles(ctx, c.file, b, depth + 1);
    if (r !== "none") return r;
  }
  return "none";
}

function pageSizeSet(ctx: RuleContext): boolean {
  const read = () => {
    return settingsTexts(ctx).some((t) => /["']PAGE_SIZE["']\s*:\s*(?!None\b)\S/.test(t));
  };
  return ctx.project.memo ? ctx.project.memo("unpaginated-list:page-size", read) : read();
}

/**
 * Does the settings' DEFAULT_PAGINATION_CLASS page a response the client did not ask to page? Only with a size:
 * REST_FRAMEWORK["PAGE_SIZE"], or a workspace class named there that sets page_size or default_limit. Without one,
 * DRF's paginators (PageNumber, LimitOffset, Cursor) return every row unless the request sends ?limit= (or the
 * class is one we cannot see): `pagination_class = None` then opts out of nothing the default clients get.
 */
function defaultPagesByDefault(ctx: RuleContext): boolean {
  const read = () => {
    if (pageSizeSet(ctx)) return true;
    for (const t of settingsTexts(ctx)) {
      const m = /["']DEFAULT_PAGINATION_CLASS["']\s*:\s*["']([\w.]+)["']/.exec(t);
      const name = m?.[1].split(".").pop();
      if (!name) continue;
      const sized = ctx.index.classes(name).some((c) => c.assigns.some((a) => {
        if (a.name !== "page_size" && a.name !== "default_limit") return false;
        const value = (ctx.project.textOf(c.file) ?? "").slice(a.valueStart, a.valueEnd).trim();
        return !/^(None|0|False)$/.test(value);
      }));
      if (sized) return true;
    }
    return false;
  };
  return ctx.project.memo ? ctx.project.memo("unpaginated-list:pages-by-default", read) : read();
}

/** `page_size = 50`, not `page_size = None` (Kolibri's OptionalPageNumberPagination: every row unless asked). */
const SIZED = /^\s*(page_size|default_limit)\s*=\s*(?!(None|0|False)\s*(#.*)?$)\S/m;

/** A pagination class of this file that sets a page size, to reuse in the fix. */
function localPaginator(ctx: RuleContext): string | null {
  for (const stmt of ctx.syntax.root.children) {
    if (stmt.type !== "class_definition") continue;
    const sup = field(stmt, "superclasses");
    if (!sup || !/Pagination\b/.test(nodeText(ctx.text, sup))) continue;
    const body = field(stmt, "body");
    if (body && SIZED.test(nodeText(ctx.text, body))) return nodeText(ctx.text, field(stmt, "name")!);
  }
  return null;
}

/**
 * The project's own pagination class, for the fix when this file has none: the one the workspace's views name in
 * `pagination_class = X` most often, twice at least, defined once in the workspace with a page size (onadata's
 * StandardPageNumberPagination, which eight of its viewsets use).
 */
function projectPaginator(ctx: RuleContext): { name: string; module: string } | null {
  const read = () => {
    const counts = new Map<string, number>();
    for (const c of ctx.index.allClasses()) {
      for (const a of c.assigns) {
        const name = a.name === "pagination_class" ? a.value?.dotted?.split(".").pop() : undefined;
        if (name && name !== "None") counts.set(name, (counts.get(name) ?? 0) + 1);
      }
    }
    // The project's standard: named by two views or more, more often than any other (a class one view uses is that
    // view's own, sized for its rows).
    for (const [name, n] of [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
      if (n < 2) break;
      // (Not a cursor paginator: it orders by a field the view's model may not have.)
      const defs = ctx.index.classes(name).filter((c) => c.bases.some((b) => /Pagination\b/.test(b)) && !c.bases.some((b) => /Cursor/.test(b)));
      if (defs.length !== 1) continue;
      const body = (ctx.project.textOf(defs[0].file) ?? "").slice(defs[0].start, defs[0].end);
      const module = ctx.index.moduleOfFile(defs[0].file);
      if (module && SIZED.test(body)) return { name, module };
    }
    return null;
  };
  return ctx.project.memo ? ctx.project.memo("unpaginated-list:project-paginator", read) : read();
}

/** Sets `attr = value` in the class: replaces an existing value, or adds a line. */
function attrEdit(ctx: RuleContext, body: ClassBody, attr: string, value: string): OffsetEdit {
  const existing = body.attrs.get(attr);
  if (existing) return { file: ctx.file, start: existing.start, end: existing.end, newText: value };
  const eol = eolAt(ctx.text);
  const indent = body.firstStmt ? indentAt(ctx.text, body.firstStmt.start) : indentAt(ctx.text, body.insertAt);
  if (body.firstStmt) return { file: ctx.file, start: body.insertAt, end: body.insertAt, newText: `${attr} = ${value}${eol}${indent}` };
  return { file: ctx.file, start: body.insertAt, end: body.insertAt, newText: `${eol}${indent}${attr} = ${value}` };
}

/**
 * The template a Django list view renders: its template_name, or `<app>/<model><template_name_suffix>.html`
 * (`_list`), read along its classes; null when not found, or when a class of the project computes the names
 * (a get_template_names() that never calls Django's).
 */
function templateOf(ctx: RuleContext, chain: ViewClass[], model: Model | null): { name: string; text: string } | null {
  // A get_template_names() that hands on to Django's (`return super().get_template_names()`, on some path) renders
  // template_name there; one that does not computes its own names.
  for (const c of chain) {
    const names = c.body.methods.has("get_template_names") ? topLevelFunction(c.text, c.bodyNode, "get_template_names") : null;
    if (names && !/\bsuper\(\s*\)\s*\.\s*get_template_names\(/.test(nodeText(c.text, names))) return null;
  }
  const tn = defining(chain, "template_name");
  const sx = defining(chain, "template_name_suffix");
  if ((tn && !tn.attr) || (sx && !sx.attr)) return null;
  const suffix = sx?.attr ? stringValue(sx.cls.text, sx.attr) : "_list";
  const name = tn?.attr ? stringValue(tn.cls.text, tn.attr) : model && suffix !== null ? genericTemplateName(model, suffix) : null;
  const t = name ? ctx.project.template(name) : null;
  return name && t ? { name, text: t.text } : null;
}

const PAGE_LINKS = /\b(page_obj|paginator|is_paginated)\b/;

/**
 * Does the template, or one it extends or includes (at any depth), mention one of `names`? "unsure" when one of them
 * cannot be read (a package's template, a name held in a variable) and none read says yes. With `parentsKnown`, a
 * parent named in `{% extends %}` that cannot be read counts as not mentioning them: a site's base template renders
 * its children's blocks, and does not know which list a child shows.
 */
function templateMentions(ctx: RuleContext, text: string, names: RegExp, parentsKnown = false, seen: Set<string> = new Set()): "yes" | "no" | "unsure" {
  if (names.test(text)) return "yes";
  let unsure = /\{%-?\s*(?:extends|include)\s+[^"'\s]/.test(text);
  for (const m of text.matchAll(/\{%-?\s*(extends|include)\s+["']([^"']+)["']/g)) {
    if (seen.has(m[2])) continue;
    seen.add(m[2]);
    const t = ctx.project.template(m[2]);
    if (!t || seen.size > 20) {
      if (!(parentsKnown && !t && m[1] === "extends")) unsure = true;
      continue;
    }
    const got = templateMentions(ctx, t.text, names, parentsKnown, seen);
    if (got === "yes") return "yes";
    if (got === "unsure") unsure = true;
  }
  return unsure ? "unsure" : "no";
}

/** The names a Django list view's template finds its rows under: object_list, `<model>_list`, its context_object_name. */
function listNames(chain: ViewClass[], listed: Model | null): string[] | null {
  const con = defining(chain, "context_object_name");
  const conName = con?.attr ? stringValue(con.cls.text, con.attr) : null;
  if (con && !conName) return null;
  return ["object_list", ...(listed ? [`${listed.name.toLowerCase()}_list`] : []), ...(conName ? [conName] : [])].map((n) => n.replace(/\W/g, ""));
}

/**
 * Does the template page the list itself: dj-pagination's `{% autopaginate object_list 15 %}`, or
 * django-el-pagination's `{% paginate object_list %}` / `{% lazy_paginate 20 object_list %}`? These slice the
 * queryset; a paginate_by on the view would page it twice, on the same `?page=` parameter.
 */
function templatePages(ctx: RuleContext, chain: ViewClass[], listed: Model | null): boolean {
  const names = listNames(chain, listed);
  const t = names ? templateOf(ctx, chain, listed) : null;
  if (!names || !t) return false;
  const tag = new RegExp(`\\{%-?\\s*(?:autopaginate|paginate|lazy_paginate)\\s+(?:\\S+\\s+)?(?:${names.join("|")})\\b`);
  return templateMentions(ctx, t.text, tag) === "yes";
}

/**
 * A Django list view whose rows never reach the page: it renders a response of its own (render_to_response), or its
 * template (through every extends and include) names neither the list nor its page, and get_context_data() does not
 * hand the rows on under another name. Paging it would add a COUNT query and hide nothing.
 */
function listNeverShown(ctx: RuleContext, chain: ViewClass[], listed: Model | null): boolean {
  const bodyNode = chain[0].bodyNode;
  if (defining(chain, "render_to_response")) return true;
  // A dispatch() that answers without handing on to the view's get() (a file download, a redirect).
  const dispatch = topLevelFunction(ctx.text, bodyNode, "dispatch");
  if (dispatch && !/\.dispatch\(|\bself\.get\(|\bget_context_data\(|\brender_to_response\(/.test(nodeText(ctx.text, dispatch))) return true;
  const list = listNames(chain, listed);
  if (!list || list.length === 1) return false;
  const t = templateOf(ctx, chain, listed);
  if (!t) return false;
  const shown = new RegExp(`\\b(${[...list, "page_obj", "paginator", "is_paginated"].join("|")})\\b`);
  // A get_context_data() along the classes that hands the rows on.
  for (const c of chain) {
    const context = topLevelFunction(c.text, c.bodyNode, "get_context_data");
    if (context && (shown.test(nodeText(c.text, context)) || /\b(get_queryset|paginate_queryset)\b/.test(nodeText(c.text, context)))) return false;
  }
  return templateMentions(ctx, t.text, shown, true) === "no";
}


/**
 * The model a view lists: its `queryset`'s, else its `model`, read along its classes (a mixin's `model = Filter`);
 * else the model every return of the view's own get_queryset() lists.
 */
function listedModel(ctx: RuleContext, chain: ViewClass[]): Model | null {
  const values = ctx.flow().values;
  const qs = defining(chain, "queryset");
  if (qs?.attr && qs.cls === chain[0]) {
    const v = values.get(qs.attr);
    if (v && (v.k === "qs" || v.k === "manager")) return v.model;
  } else if (qs?.attr) {
    // In another class: the model the chain starts from (`Book.objects.filter(...)`).
    for (let n: SyntaxNode | undefined = qs.attr; n && (n.type === "call" || n.type === "attribute" || n.type === "identifier"); n = n.type === "call" ? field(n, "function") : n.type === "attribute" ? field(n, "object") : undefined) {
      if (n.type === "call") continue;
      const m = ctx.index.modelFromName(qs.cls.file, nodeText(qs.cls.text, n));
      if (m) return m;
    }
  }
  const model = defining(chain, "model");
  if (model?.attr) return ctx.index.modelFromName(model.cls.file, nodeText(model.cls.text, model.attr)) ?? null;
  const gq = chain[0].body.methods.has("get_queryset") ? topLevelFunction(ctx.text, chain[0].bodyNode, "get_queryset") : null;
  if (!gq) return null;
  let found: Model | null = null;
  let all = true;
  walk(gq, (n) => {
    if (n !== gq && (n.type === "function_definition" || n.type === "class_definition" || n.type === "lambda")) return false;
    if (n.type === "return_statement") {
      const e = n.children[1];
      const v = e ? values.get(strip(e)) : undefined;
      if (!v || (v.k !== "qs" && v.k !== "manager") || (found && found !== v.model)) all = false;
      else found = v.model;
    }
    return all;
  });
  return all ? found : null;
}


function sliced(ctx: RuleContext, body: ClassBody): boolean {
  const qs = body.attrs.get("queryset");
  if (qs?.type === "subscript") return true;
  let found = false;
  if (qs) walk(qs, (n) => { if (n.type === "slice") found = true; });
  return found;
}

/** Queryset methods that return some of the rows they are called on (or all of them). */
const KEEPS_ROWS = new Set(["all", "filter", "exclude", "select_related", "prefetch_related", "order_by", "annotate", "alias", "distinct", "only", "defer", "using", "select_for_update"]);

const LITERALS = new Set(["dictionary", "list", "set", "tuple", "dictionary_comprehension", "list_comprehension", "set_comprehension"]);

/** Is `[a:b]` / `[:b]` a slice with an upper bound (`[5:]` lists every row after the fifth)? */
function boundedSlice(text: string, n: SyntaxNode): boolean {
  if (n.type !== "subscript") return false;
  const value = field(n, "value");
  const subs = n.children.filter((c) => c !== value && c.type !== "comment");
  if (subs.length !== 1 || subs[0].type !== "slice") return false;
  const slice = subs[0];
  // The parts are expressions (the colons are not nodes): the upper bound is one between the first and second colon.
  const colons: number[] = [];
  for (let i = slice.start; i < slice.end; i++) {
    const inPart = slice.children.find((c) => c.start <= i && i < c.end);
    if (inPart) i = inPart.end - 1;
    else if (text[i] === ":") colons.push(i);
  }
  if (!colons.length) return false;
  const stopEnd = colons[1] ?? slice.end;
  return slice.children.some((c) => c.type !== "comment" && c.start > colons[0] && c.end <= stopEnd);
}

/**
 * The requesting user, or the profile a middleware attaches for them (Shuup's `request.customer`, `request.person`,
 * `request.contact`, `request.member`, `request.profile`): one person's rows either way.
 */
const REQUESTER = "(self\\.)?request\\.(user|customer|person|contact|member|profile)";
const REQUEST_USER = new RegExp(`^${REQUESTER}(\\.(id|pk))?$`);
/** A related manager of the requester (`self.request.user.timeslots`). */
const REQUESTER_MANAGER = new RegExp(`^${REQUESTER}\\.\\w+$`);
const NOT_EQUALITY = new Set(["in", "gt", "gte", "lt", "lte", "range", "isnull", "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith", "regex", "iregex", "ne"]);

/**
 * Is a returned chain the requesting user's own rows: a filter by equality with `request.user` (`user=`, `owner_id=`,
 * `basket__user=`, `members=`), or a related manager of the user (`self.request.user.timeslots.all()`)? One person's
 * destinations, enrollments, teams or tags: rows one user's activity makes, which the page shows whole.
 */
function ofRequestUser(text: string, chain: SyntaxNode, fn?: SyntaxNode): boolean {
  const { kwargs, root } = chainFilters(text, chain);
  const requester = (value: SyntaxNode): boolean => {
    if (REQUEST_USER.test(nodeText(text, value).replace(/\s+/g, ""))) return true;
    // `user = self.request.user`, then `filter(user=user)`.
    const bs = value.type === "identifier" && fn ? nameBindings(text, fn, nodeText(text, value)) : null;
    return !!bs?.length && bs.every((b) => b.op === "=" && !!b.value && REQUEST_USER.test(nodeText(text, b.value).replace(/\s+/g, "")));
  };
  if (kwargs.some(([key, value]) => !NOT_EQUALITY.has(key.split("__").pop()!) && requester(value))) return true;
  const rootText = nodeText(text, root).replace(/\s+/g, "");
  return root.type === "attribute" && REQUESTER_MANAGER.test(rootText) && !REQUEST_USER.test(rootText);
}

/**
 * What the view's get_queryset() returns, its own or the first one along its classes (a mixin's): "bounded" when
 * every return is sliced (`qs[: self.PAGE_SIZE + 1]`, the view pages by itself), an empty `.none()`, the requesting
 * user's own rows or one row; "other" when a return is a dict, list or tuple it builds (not a queryset: paginate_by
 * would not bound the rows it reads, and a dict breaks the paginator); null otherwise.
 */
/** A call that pages rows: Paginator(...), its page()/get_page(), a project helper named for pagination. */
const PAGES_ITSELF = /\bPaginator\s*\(|\.(get_)?page\s*\(|paginat\w*\s*\(/i;

function getQuerysetReturns(ctx: RuleContext, chain: ViewClass[], model: Model | null, depth = 0): "bounded" | "other" | null {
  const where = depth > 6 ? null : defining(chain, "get_queryset");
  if (!where || where.attr) return null;
  const { text } = where.cls;
  const own = where.cls === chain[0];
  const gq = topLevelFunction(text, where.cls.bodyNode, "get_queryset");
  const fnBody = gq ? field(gq, "body") : undefined;
  if (!gq || !fnBody) return null;
  // It pages the rows itself (`return get_pagination_items(self.request, qs)`, a Paginator's page()): bounded.
  if (PAGES_ITSELF.test(nodeText(text, fnBody))) return "bounded";
  const returns: (SyntaxNode | undefined)[] = [];
  const literalNames = new Map<string, boolean>();
  const stack = [fnBody];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "function_definition" || n.type === "class_definition" || n.type === "lambda") continue;
    if (n.type === "return_statement") returns.push(n.children[0]);
    if (n.type === "assignment") {
      const l = field(n, "left");
      const r = field(n, "right");
      if (l?.type === "identifier") {
        const name = nodeText(text, l);
        literalNames.set(name, (literalNames.get(name) ?? true) && !!r && LITERALS.has(r.type));
      }
    }
    for (const c of n.children) stack.push(c);
  }
  if (!returns.length) return null;
  const notQs = (e: SyntaxNode | undefined) => !!e && (LITERALS.has(e.type) || (e.type === "identifier" && literalNames.get(nodeText(text, e)) === true));
  if (returns.some(notQs)) return "other";
  // At most one row: an equality on a unique column of the returned chain's model (the class's, or the chain's own when
  // the class names none: `return User.objects.filter(id=...)`; the flow is read only in the view's own file).
  const modelOf = (e: SyntaxNode): Model | null => {
    const v = own ? ctx.flow().values.get(e) : undefined;
    return model ?? (v && (v.k === "qs" || v.k === "manager") ? v.model : null);
  };
  const bounded = (e: SyntaxNode): boolean => {
    e = strip(e);
    return boundedSlice(text, e) || isEmptyQueryset(text, e) || ofRequestUser(text, e, gq) || (!!modelOf(e) && uniqueLookupSets({ text, index: ctx.index }, modelOf(e)!, e).length > 0) || boundedSuper(e);
  };
  // `super().get_queryset()` narrowed or joined (`.filter(...)`, `.prefetch_related(...)`): bounded when the next
  // get_queryset() along the classes is.
  const boundedSuper = (e: SyntaxNode): boolean => {
    let n = e;
    for (let mc = methodCall(text, n); mc && KEEPS_ROWS.has(mc.method); mc = methodCall(text, n)) n = mc.receiver;
    const mc = methodCall(text, n);
    if (!mc || mc.method !== "get_queryset" || callParts(text, n)?.args.length || !/^super\(\s*\)$/.test(nodeText(text, mc.receiver))) return false;
    return getQuerysetReturns(ctx, chain.slice(chain.indexOf(where.cls) + 1), model, depth + 1) === "bounded";
  };
  // A local name returned (`topics = (...)[:21]`, then `return topics`), or a chain on one that keeps its rows or
  // some of them (`return query.order_by("name")`): bounded when every value the function binds the name to is.
  const viaName = (e: SyntaxNode): boolean => {
    e = strip(e);
    for (let mc = methodCall(text, e); mc && KEEPS_ROWS.has(mc.method); mc = methodCall(text, e)) e = mc.receiver;
    const bs = e.type === "identifier" ? nameBindings(text, gq, nodeText(text, e)) : null;
    return !!bs?.length && bs.every((b) => b.op === "=" && !!b.value && bounded(b.value));
  };
  if (returns.every((e) => !!e && (bounded(e) || viaName(e)))) return "bounded";
  return null;
}

function check(ctx: RuleContext): void {
  if (!ctx.mentions(/ListAPIView|ListCreateAPIView|ListModelMixin|ModelViewSet|ListView/)) return;
  const imports = importsOf(ctx);
  const localClasses = new Set(ctx.syntax.root.children.map((s) => (s.type === "decorated_definition" ? field(s, "definition") : s)).filter((d): d is SyntaxNode => d?.type === "class_definition").map((d) => nodeText(ctx.text, field(d, "name")!)));
  // The fix reuses a pagination class defined anywhere in the file.
  ctx.dependsOn(localPaginator(ctx) ?? "");
  for (const stmt of ctx.syntax.root.children) ctx.examine(stmt, () => checkClass(ctx, imports, localClasses, stmt));
}

/**
 * The class has subclasses in the workspace, and each lists or paginates in its own way, or is itself a base whose
 * every subclass does (Tandoor's `TreeMixin(MergeMixin, FuzzyFilterMixin)`, whose views set pagination_class).
 * Subclasses of this very class: several projects' apps each have a BaseViewSet.
 */
function everySubclassPages(ctx: RuleContext, file: string, cname: string, seen: Set<string>): boolean {
  const key = `${file}:${cname}`;
  if (seen.has(key) || seen.size > 50) return false;
  seen.add(key);
  const subclasses = ctx.index.subclassesOf(cname).filter((c) => c.bases.some((b) => {
    const r = ctx.index.resolveClass(c.file, b);
    return r?.file === file && r.name === cname;
  }));
  return subclasses.length > 0 && subclasses.every((c) =>
    c.methods.some((m) => OWN_PAGINATION.has(m.name)) ||
    c.assigns.some((a) => a.name === "pagination_class" || a.name === "paginate_by") ||
    everySubclassPages(ctx, c.file, c.name, seen));
}

function checkClass(ctx: RuleContext, imports: Map<string, string>, localClasses: Set<string>, stmt: SyntaxNode): void {
  const cls = stmt.type === "decorated_definition" ? field(stmt, "definition") : stmt;
  if (cls?.type !== "class_definition") return;
  const nameNode = field(cls, "name");
  const sup = field(cls, "superclasses");
  const bodyNode = field(cls, "body");
  if (!nameNode || !sup || !bodyNode) return;
  const bases = baseNames(ctx.text, cls);
  if (bases.some((b) => b === null)) return;
  let kind: "drf" | "django" | null = null;
  let listBase = "";
  let unsure = false;
  for (const b of bases as string[]) {
    const simple = lastPart(b);
    const head = b.split(".")[0];
    const q = imports.get(head);
    const external = q !== undefined && /^(rest_framework|django)\b/.test(q);
    if ((DRF_LISTS.has(simple) || DJANGO_LISTS.has(simple)) && !(b === simple && localClasses.has(simple)) && (external || q === undefined)) {
      const k = DRF_LISTS.has(simple) ? "drf" : "django";
      if (kind && kind !== k) unsure = true;
      kind = k;
      listBase ||= b;
      continue;
    }
    if (external) continue; // LoginRequiredMixin, GenericViewSet, CreateModelMixin, ...
    const r = baseHandles(ctx, ctx.file, b);
    if (r !== "none") unsure = true;
  }
  if (!kind || unsure) return;
  const body = classBody(ctx.text, bodyNode);
  // ListModelMixin on a plain ViewSet/APIView with no queryset: list() has no rows to read (it needs
  // GenericAPIView's get_queryset()); the mixin only makes the router route the collection URL.
  if (kind === "drf" && (bases as string[]).every((b) => DRF_LISTS.has(lastPart(b)) ? lastPart(b) === "ListModelMixin" : !/Generic|ModelViewSet/.test(lastPart(b))) &&
    !body.attrs.has("queryset") && !body.methods.has("get_queryset") && (bases as string[]).every((b) => imports.get(b.split(".")[0]) !== undefined && /^rest_framework\b/.test(imports.get(b.split(".")[0])!))) return;
  if ([...body.methods].some((m) => OWN_PAGINATION.has(m)) || sliced(ctx, body)) return;
  // A base class whose every subclass lists (or paginates) in its own way: its default list() is never routed.
  const cname = nodeText(ctx.text, nameNode);
  if (everySubclassPages(ctx, ctx.file, cname, new Set())) return;
  // The view's attributes as Python finds them: its own, then its mixins' and base views' (a mixin's
  // `model = Destination` and `get_queryset()` returning the user's own rows).
  const self: ViewClass = { file: ctx.file, text: ctx.text, bodyNode, body };
  const chain = viewClasses(ctx, cls, self) ?? [self];
  const listed = listedModel(ctx, chain);
  const own = getQuerysetReturns(ctx, chain, listed);
  if (own === "bounded") return;
  // A lookup or configuration table (groups, units, languages) stays small: all of it fits one response.
  if (listed && ctx.index.isLookupTable(listed)) return;
  const name = nodeText(ctx.text, nameNode);
  const model = listed?.name ?? null;
  const rows = model ? `every ${model} row` : "every row";
  const fixes: OffsetFix[] = [];
  // A class whose body does not parse has no reliable place for a new line: no fix there.
  let broken = !body.firstStmt && !body.attrs.size && !body.methods.size;
  walk(bodyNode, (n) => {
    if (n.type === "ERROR") broken = true;
    return !broken;
  });
  // Nor one that a parse error cuts short (a truncated file ending in an unterminated string in the class body):
  // an error anywhere in the class's statement, or right after it.
  if (ctx.syntax.hasErrors && !broken) {
    walk(stmt, (n) => {
      if (n.type === "ERROR") broken = true;
      return !broken;
    });
    if (ctx.syntax.root.children[ctx.syntax.root.children.indexOf(stmt) + 1]?.type === "ERROR") broken = true;
  }
  let message: string;
  if (kind === "drf") {
    const pc = body.attrs.get("pagination_class");
    if (pc && !isOff(ctx, pc)) return;
    // `paginator = None` shadows GenericAPIView's paginator property: whatever pagination_class says, nothing is
    // paged. A decision (a CSV export of selected rows, say) that a new pagination_class would not undo: no fix.
    const pg = body.attrs.get("paginator");
    if (pg && !isOff(ctx, pg)) return;
    if (pg) {
      message = `Unbounded list: ${name} (${listBase}) sets paginator = None, so its list endpoint returns ${rows} in one response; page it once its clients can follow pages (remove the line, with a pagination_class)`;
      ctx.report({ start: nameNode.start, end: nameNode.end, message });
      return;
    }
    if (!pc && ctx.index.defaultPagination) return;
    if (pc && ctx.index.defaultPagination) {
      if (!defaultPagesByDefault(ctx)) return;
      // An explicit opt-out of the settings' paginator is a decision the endpoint's clients are built on (they read a
      // plain array: its length, every member): no fix. Removing the line would hand them a page object instead.
      message =
        `Unbounded list: ${name} (${listBase}) sets pagination_class = None, opting out of the settings' DEFAULT_PAGINATION_CLASS, so its list endpoint returns ${rows} in one response; ` +
        `page it once its clients can follow pages: removing the line makes the response a page, {count, next, previous, results}, instead of the array they read now`;
      ctx.report({ start: nameNode.start, end: nameNode.end, message });
      return;
    }
    const local = localPaginator(ctx);
    const shared = local ? null : projectPaginator(ctx);
    const cls = local ?? shared?.name ?? "PageNumberPagination";
    const edits = [attrEdit(ctx, body, "pagination_class", cls)];
    if (!local) edits.push(...importEdits(ctx.file, ctx.text, ctx.syntax.root, [shared ?? { module: "rest_framework.pagination", name: "PageNumberPagination" }]));
    const needsPageSize = !local && !shared && !pageSizeSet(ctx);
    // `pagination_class = None` written out is a decision its clients are built on (they read a plain array), as for
    // an opt-out of the settings' paginator: no fix, which would hand them a page object instead.
    if (!broken && !pc) fixes.push({ title: `Set pagination_class = ${cls}${needsPageSize ? ' (also set REST_FRAMEWORK["PAGE_SIZE"])' : ""}`, safe: false, edits });
    message = pc
      ? `Unbounded list: ${name} (${listBase}) sets pagination_class = None, so its list endpoint returns ${rows} in one response; page it once its clients can follow pages (a pagination class makes the response a page, {count, next, previous, results}, instead of the array they read now)`
      : `Unbounded list: ${name} (${listBase}) has no pagination_class and settings set no DEFAULT_PAGINATION_CLASS, so its list endpoint serializes ${rows} in one response; set pagination_class`;
  } else {
    const pb = body.attrs.get("paginate_by");
    if (pb && !isOff(ctx, pb)) return;
    if (listNeverShown(ctx, chain, listed) || templatePages(ctx, chain, listed)) return;
    if (own === "other") {
      // get_queryset() builds a dict or list: paginate_by would page it after every row was read (or fail on a dict).
      message = `Unbounded list: ${name} (${listBase}) ${pb ? `sets paginate_by = ${nodeText(ctx.text, pb)}` : "has no paginate_by"} and its get_queryset() builds a dict or list rather than a queryset, so the page renders ${rows} at once; bound the rows get_queryset() reads`;
    } else {
      // paginate_by alone shows the first page and hides the rest when the template renders no page links.
      const t = templateOf(ctx, chain, listed);
      // The page links: page_obj, paginator, is_paginated.
      const links = t ? templateMentions(ctx, t.text, PAGE_LINKS) : "unsure";
      // Only when the template is read and renders page links: with no links, or a template that cannot be read
      // (a name computed at run time, a package's, or a parent or include of it), paginate_by alone may hide every
      // row after the first page.
      if (!broken && links === "yes") fixes.push({ title: "Set paginate_by = 25", safe: false, edits: [attrEdit(ctx, body, "paginate_by", "25")] });
      message = `Unbounded list: ${name} (${listBase}) ${pb ? `sets paginate_by = ${nodeText(ctx.text, pb)}` : "has no paginate_by"}, so the page renders ${rows} at once; set paginate_by`;
      if (t && links === "no") message += `, and add page links to ${t.name} (page_obj): it has none, so paginate_by alone would hide every row after the first page`;
      else if (links === "unsure") message += `, and make sure its template renders page links (page_obj)`;
    }
  }
  ctx.report({ start: nameNode.start, end: nameNode.end, message, fixes });
}

export const rule: Rule = {
  meta: { id: "unpaginated-list", summary: "A list view or endpoint with no pagination", defaultSeverity: "warning", fixable: true },
  check,
};
