import { importEdits } from "../../server/src/engine/fixes";
import { settingsTexts } from "../../server/src/engine/functions";
import { parseTemplate, type TNode } from "../../server/src/engine/templates";
import type { SyntaxNode } from "../../server/src/engine/parser";
import type { OffsetEdit, Rule, RuleContext } from "../../server/src/engine/rule";
import { baseNames, callParts, dotted, eolAt, field, indentAt, lineStartAt, nodeText, stringValue } from "../../server/src/engine/syntax";

/** Request attributes and calls that make a response depend on who asks, or change state. */
const PERSONAL = /\brequest\.(user|session|COOKIES|POST|FILES|body|auth|META|method\s*==\s*["']POST|data)\b|\bmessages\.|\bget_token\(|\bcsrf|\blogin\(|\blogout\(|\brandom\.|\buuid\d?\(/;
const WRITES = /\.(save|create|bulk_create|bulk_update|update|delete|get_or_create|update_or_create|add|remove|clear|set)\(|\bsend_mail\(|\.send\(|\brequests\.(post|put|patch|delete)\(/;
const RESPONSES = /^(render|render_to_response|TemplateResponse|HttpResponse|JsonResponse|StreamingHttpResponse|Response|SimpleTemplateResponse)$/;
const SAFE_DECORATORS = /^(require_GET|require_safe|vary_on_headers|gzip_page|condition|etag|last_modified|xframe_options_\w+|api_view\(\s*\[\s*["']GET["']\s*\]\s*\)|require_http_methods\(\s*\[\s*["'](GET|HEAD)["'](\s*,\s*["'](GET|HEAD)["'])*\s*\]\s*\))/;
const READ_ONLY_VIEWS = new Set([
  "View", "TemplateView", "ListView", "DetailView", "ArchiveIndexView", "YearArchiveView", "MonthArchiveView",
  "DayArchiveView", "DateDetailView", "APIView", "ListAPIView", "RetrieveAPIView", "GenericAPIView",
]);
const BUILTIN_LIBRARIES = new Set(["static", "i18n", "l10n", "tz", "humanize", "cache"]);

const PERSONAL_NAMES = new Set(["user", "perms", "csrf_token", "messages", "request"]);

/** Does the template (through its extends and includes) render the same for every visitor? */
function templateIsPublic(ctx: RuleContext, name: string, seen: Set<string>): boolean {
  if (seen.has(name)) return true;
  seen.add(name);
  if (seen.size > 30) return false;
  const t = ctx.project.template(name);
  if (!t) return false;
  const visit = (nodes: TNode[]): boolean => {
    for (const n of nodes) {
      switch (n.kind) {
        case "var":
          if (PERSONAL_NAMES.has(n.v.segs[0])) return false;
          break;
        case "for":
          if (n.iter && PERSONAL_NAMES.has(n.iter.segs[0])) return false;
          if (!visit(n.body)) return false;
          break;
        case "with":
          if (n.bindings.some(([, v]) => PERSONAL_NAMES.has(v.segs[0])) || !visit(n.body)) return false;
          break;
        case "block":
          if (!visit(n.body)) return false;
          break;
        case "include":
        case "extends":
          if (!n.name || !templateIsPublic(ctx, n.name, seen)) return false;
          break;
        // Custom tag libraries may read the request or user from the context (inclusion tags, takes_context=True).
        case "load":
          if (n.libs.some((lib) => !BUILTIN_LIBRARIES.has(lib))) return false;
          break;
        case "tag":
          return false;
      }
    }
    return true;
  };
  return visit(parseTemplate(t.text));
}

function decorators(ctx: RuleContext, def: SyntaxNode): string[] {
  const p = def.parent;
  if (!p || p.type !== "decorated_definition") return [];
  return p.children.filter((c) => c.type === "decorator").map((d) => nodeText(ctx.text, d).replace(/^@\s*/, "").replace(/^[\w.]*\./, ""));
}

/**
 * How the URLconf routes a view: not at all (we cannot tell how it is served: stay silent), already cached, or
 * wrapped in decorators (login_required(view), decorate_urlpatterns(urlpatterns, never_cache), ...).
 */
function routing(ctx: RuleContext, name: string, cls: boolean): "public" | "unrouted" | "decorated" {
  return ctx.project.memo ? ctx.project.memo(`urls:route:${cls ? "class" : "function"}:${name}`, () => routingUncached(ctx, name, cls)) : routingUncached(ctx, name, cls);
}

function routingUncached(ctx: RuleContext, name: string, cls: boolean): "public" | "unrouted" | "decorated" {
  const urlconfs = (): { text: string; lines: string[] }[] =>
    (ctx.project.filesMatching?.(/urls\.py$|[\\/]urls[\\/][^\\/]*\.py$/) ?? []).flatMap((f) => {
      const text = ctx.project.textOf(f);
      return text ? [{ text, lines: text.split(/\r?\n/) }] : [];
    });
  const confs = ctx.project.memo ? ctx.project.memo("urls:cache-page", urlconfs) : urlconfs();
  // The URLconfs that name the view at all, by the words in each (looking through every URLconf for every view
  // grew with views x URLconfs).
  const byWord = (): Map<string, number[]> => {
    const index = new Map<string, number[]>();
    confs.forEach(({ text }, i) => {
      for (const word of new Set(text.match(/\w+/g) ?? [])) {
        const list = index.get(word);
        if (list) list.push(i);
        else index.set(word, [i]);
      }
    });
    return index;
  };
  const words = ctx.project.memo ? ctx.project.memo("urls:cache-page-words", byWord) : byWord();
  const ref = cls ? new RegExp(`\\b${name}\\.as_view\\(`) : new RegExp(`(?<![\\w"'])(?:[\\w]+\\.)*${name}\\b(?!\\s*\\()`);
  let routed = false;
  const DECORATING = /cache_page\(|never_cache|login_required|staff_member_required|permission_required|user_passes_test|require_POST|csrf_protect|cache_control/;
  // (The patterns below match the name as a whole \w word; a name with other characters is looked for everywhere.)
  const candidates = /^\w+$/.test(name) ? (words.get(name) ?? []) : confs.map((_, i) => i);
  for (const i of candidates) {
    const { text: t, lines } = confs[i];
    if (!ref.test(t)) continue;
    routed = true;
    // Decorators for the whole URLconf, or on the line that routes this view.
    if (/decorate_urlpatterns|get_url_decorator|permissions_map/.test(t)) return "decorated";
    for (const line of lines) if (line.includes(name) && ref.test(line) && DECORATING.test(line)) return "decorated";
  }
  return routed ? "public" : "unrouted";
}

/**
 * Middleware that settles the question for every view: a login required site-wide (Django 5.1's
 * LoginRequiredMiddleware, or a project middleware named for it), so no view is public, which is this rule's
 * premise; or the site-wide cache (UpdateCacheMiddleware / FetchFromCacheMiddleware), which caches public pages
 * already. Settings build MIDDLEWARE in many ways (another list assigned to it, `+=`, `insert()`), so any mention
 * of such a middleware outside a comment counts.
 */
function siteWideGate(ctx: RuleContext): boolean {
  const read = () => settingsTexts(ctx).some((t) => /["'][\w.]*(Login\w*Middleware|(UpdateCache|FetchFromCache)Middleware)["']/i.test(t.replace(/^[ \t]*#.*$/gm, "")));
  return ctx.project.memo ? ctx.project.memo("cache-page:site-wide-gate", read) : read();
}

/** A list of DRF renderer classes that may draw HTML (the browsable API, a template), or that cannot be read. */
function drawsHtml(renderers: string): boolean {
  return /Browsable|HTML|Template/.test(renderers) || !/Renderer/.test(renderers);
}

/**
 * The settings leave DRF's browsable API on: no `DEFAULT_RENDERER_CLASSES`, or one that lists BrowsableAPIRenderer
 * (or that the rule cannot read: a name, not a list).
 */
function browsableByDefault(ctx: RuleContext): boolean {
  const read = () => {
    for (const t of settingsTexts(ctx)) {
      const m = /["']DEFAULT_RENDERER_CLASSES["']\s*:\s*([[(][^\])]*[\])])/.exec(t.replace(/^[ \t]*#.*$/gm, ""));
      if (m) return drawsHtml(m[1]);
      if (/DEFAULT_RENDERER_CLASSES/.test(t)) return true;
    }
    return true;
  };
  return ctx.project.memo ? ctx.project.memo("cache-page:browsable-api", read) : read();
}

/** `search = cache_page(60)(search)` after the def: the module wraps the view itself, in a way the rule does not follow. */
function rewrapped(ctx: RuleContext, name: string): boolean {
  return new RegExp(`^${name}\\s*=.*\\b${name}\\b`, "m").test(ctx.text);
}

/** The render functions, which take the request to build the template context; the public check reads the template. */
const RENDERS = new Set(["render", "render_to_response", "TemplateResponse", "render_to_string"]);

/**
 * Does the body hand the request to a function (`get_findings(request)`, `helper(self.request)`)? What that reads
 * on the request (its user, session, headers) is out of sight: the response may depend on who asks.
 */
function handsRequestOn(ctx: RuleContext, body: SyntaxNode): boolean {
  const stack = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "call") {
      const parts = callParts(ctx.text, n);
      const fname = parts ? (dotted(ctx.text, parts.func) ?? "").replace(/^.*\./, "") : "";
      if (parts && !RENDERS.has(fname) && [...parts.args, ...parts.kwargs.values()].some((a) => /^(self\.)?request$/.test(nodeText(ctx.text, a)))) return true;
    }
    for (const c of n.children) stack.push(c);
  }
  return false;
}

/** The names of health, uptime and readiness checks (`ping`, `healthz`, `health_check`, `heartbeat`, ...). */
const HEALTH_CHECK = /^(ping|pong|healthz?|health_?checks?|heartbeat|alive|liveness|readiness|ready|readyz|livez|status_check|uptime)$/i;

/** A download (`Content-Disposition: attachment`), a redirect, a file or stream, or a status other than 200. */
const NOT_A_PAGE = /Redirect|redirect\(|FileResponse|StreamingHttpResponse|\bstatus\s*=|Content-Disposition|\battachment\b/i;

/** Does the view read the database at all? Caching a view that does no queries saves little. */
function readsDatabase(ctx: RuleContext, text: string): boolean {
  return /\.objects\b|_default_manager|get_object_or_404|get_list_or_404|\.filter\(|\.all\(\)/.test(text);
}

function decoratorEdit(ctx: RuleContext, def: SyntaxNode, decorator: string): OffsetEdit | null {
  const top = def.parent?.type === "decorated_definition" ? def.parent : def;
  const lineStart = lineStartAt(ctx.text, top.start);
  if (ctx.text.slice(lineStart, top.start).trim() !== "") return null;
  return { file: ctx.file, start: top.start, end: top.start, newText: `@${decorator}${eolAt(ctx.text)}${indentAt(ctx.text, top.start)}` };
}

function functionView(ctx: RuleContext, def: SyntaxNode): void {
  const name = field(def, "name");
  const params = field(def, "parameters");
  const body = field(def, "body");
  if (!name || !params || !body) return;
  const first = params.children[0];
  if (!first || first.type !== "identifier" || nodeText(ctx.text, first) !== "request") return;
  const decos = decorators(ctx, def);
  // `@renderer_classes([JSONRenderer])` names what a DRF function view renders.
  const renderers = decos.find((d) => /^renderer_classes\(/.test(d));
  if (decos.some((d) => d !== renderers && !SAFE_DECORATORS.test(d))) return;
  // An @api_view's browsable API page is per user (see the class views).
  if (decos.some((d) => /^api_view\b/.test(d)) && (renderers ? drawsHtml(renderers) : browsableByDefault(ctx))) return;
  // An @api_view checks the settings' DEFAULT_PERMISSION_CLASSES (IsAuthenticated): a cache in front of it would
  // serve the page to anyone.
  if (decos.some((d) => /^api_view\b/.test(d)) && ctx.index.restrictedDefaultPermissions) return;
  const bodyText = nodeText(ctx.text, body);
  if (PERSONAL.test(bodyText) || WRITES.test(bodyText) || handsRequestOn(ctx, body) || siteWideGate(ctx)) return;
  // It must return a response, and every template it renders must be public.
  let responds = false;
  let publicTemplates = true;
  const stack = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "function_definition" || n.type === "lambda") continue;
    if (n.type === "call") {
      const parts = callParts(ctx.text, n);
      const fname = parts ? dotted(ctx.text, parts.func)?.replace(/^.*\./, "") : null;
      if (parts && fname && RESPONSES.test(fname)) {
        responds = true;
        if (fname === "render" || fname === "render_to_response" || fname === "TemplateResponse") {
          const tpl = parts.args[fname === "render_to_response" ? 0 : 1] ?? parts.kwargs.get("template_name");
          const tname = stringValue(ctx.text, tpl);
          if (!tname || !templateIsPublic(ctx, tname, new Set())) publicTemplates = false;
        }
      }
    }
    for (const c of n.children) stack.push(c);
  }
  if (!responds || !publicTemplates) return;
  const viewName = nodeText(ctx.text, name);
  // Error handlers and non-200 responses: cache_page stores only 200 responses.
  if (/^handler\d*/.test(viewName) || NOT_A_PAGE.test(bodyText)) return;
  // A health or uptime check must reach the database on every request: a cached answer hides an outage.
  if (HEALTH_CHECK.test(viewName)) return;
  if (!readsDatabase(ctx, bodyText)) return;
  if (rewrapped(ctx, viewName) || routing(ctx, viewName, false) !== "public") return;
  const edit = decoratorEdit(ctx, def, "cache_page(60 * 15)");
  ctx.report({
    start: name.start,
    end: name.end,
    message: `Cacheable view: ${nodeText(ctx.text, name)} only reads and renders nothing per user; consider @cache_page(60 * 15) if its data changes rarely`,
    fixes: edit ? [{ title: "Add @cache_page(60 * 15)", safe: false, edits: [edit, ...importEdits(ctx.file, ctx.text, ctx.syntax.root, [{ module: "django.views.decorators.cache", name: "cache_page" }])] }] : [],
  });
}

function classView(ctx: RuleContext, cls: SyntaxNode): void {
  const name = field(cls, "name");
  const body = field(cls, "body");
  const sup = field(cls, "superclasses");
  if (!name || !body || !sup) return;
  const bases = baseNames(ctx.text, cls).map((b) => (b ?? "?").replace(/^.*\./, ""));
  if (!bases.length || bases.some((b) => !READ_ONLY_VIEWS.has(b))) return;
  if (cls.parent?.type === "decorated_definition") return;
  if (HEALTH_CHECK.test(nodeText(ctx.text, name).replace(/(API)?View$/, ""))) return;
  const attrs = new Map<string, SyntaxNode>();
  for (const stmt of body.children) {
    const d = stmt.type === "decorated_definition" ? field(stmt, "definition") : stmt;
    if (d?.type === "function_definition") {
      const n = nodeText(ctx.text, field(d, "name")!);
      if (/^(post|put|patch|delete|dispatch|create|update|destroy|perform_\w+)$/.test(n)) return;
      if (d !== stmt) return; // decorated methods: unsure
    }
    const a = stmt.type === "expression_statement" ? stmt.children[0] : undefined;
    if (a?.type === "assignment") {
      const l = field(a, "left");
      const r = field(a, "right");
      if (l && r) attrs.set(nodeText(ctx.text, l), r);
    }
  }
  const isDrf = bases.some((b) => /APIView$/.test(b));
  if (isDrf) {
    if (ctx.index.restrictedDefaultPermissions) return;
    const perm = attrs.get("permission_classes");
    if (perm && !/^\[?\(?\s*(AllowAny|permissions\.AllowAny)?\s*,?\s*\)?\]?$/.test(nodeText(ctx.text, perm))) return;
    if (attrs.has("authentication_classes") || attrs.has("throttle_classes")) return;
    // DRF's browsable API (a default renderer) draws an HTML page with the user's name and a CSRF token for browsers:
    // a per-user page, which a cache would hand to everyone. Only views that render no HTML qualify.
    const renderers = attrs.get("renderer_classes");
    if (renderers ? drawsHtml(nodeText(ctx.text, renderers)) : browsableByDefault(ctx)) return;
  }
  if (attrs.has("http_method_names")) {
    const v = nodeText(ctx.text, attrs.get("http_method_names")!);
    if (/post|put|patch|delete/.test(v)) return;
  }
  const bodyText = nodeText(ctx.text, body);
  if (PERSONAL.test(bodyText) || /\bself\.request\.user\b/.test(bodyText) || WRITES.test(bodyText) || handsRequestOn(ctx, body) || siteWideGate(ctx)) return;
  if (!isDrf) {
    const tplNode = attrs.get("template_name");
    let tname = tplNode ? stringValue(ctx.text, tplNode) : null;
    if (!tplNode) {
      const model = attrs.get("model");
      const suffix = bases.includes("ListView") ? "_list" : bases.includes("DetailView") ? "_detail" : null;
      const m = model && suffix ? ctx.index.modelFromName(ctx.file, nodeText(ctx.text, model)) : undefined;
      if (m && suffix) tname = `${m.app}/${m.name.toLowerCase()}${suffix}.html`;
      else if (bases.every((b) => b === "View")) tname = "";
    }
    if (tname === null) return;
    if (tname !== "" && !templateIsPublic(ctx, tname, new Set())) return;
    if (tname === "" && !/\b(render|HttpResponse|JsonResponse|TemplateResponse)\(/.test(bodyText)) return;
  }
  if (NOT_A_PAGE.test(bodyText)) return;
  if (!attrs.has("model") && !attrs.has("queryset") && !readsDatabase(ctx, bodyText)) return;
  if (routing(ctx, nodeText(ctx.text, name), true) !== "public") return;
  const edit = decoratorEdit(ctx, cls, 'method_decorator(cache_page(60 * 15), name="dispatch")');
  ctx.report({
    start: name.start,
    end: name.end,
    message: `Cacheable view: ${nodeText(ctx.text, name)} only handles GET and renders nothing per user; consider caching it with cache_page if its data changes rarely`,
    fixes: edit ? [{
      title: "Add @method_decorator(cache_page(60 * 15), name=\"dispatch\")",
      safe: false,
      edits: [edit, ...importEdits(ctx.file, ctx.text, ctx.syntax.root, [{ module: "django.utils.decorators", name: "method_decorator" }, { module: "django.views.decorators.cache", name: "cache_page" }])],
    }] : [],
  });
}

function check(ctx: RuleContext): void {
  if (!ctx.mentions(/\bdef\s+\w+\s*\(\s*request\b|View\b/)) return;
  for (const stmt of ctx.syntax.root.children) {
    const def = stmt.type === "decorated_definition" ? field(stmt, "definition") : stmt;
    if (def?.type === "function_definition") ctx.examine(stmt, () => functionView(ctx, def));
    else if (def?.type === "class_definition") ctx.examine(stmt, () => classView(ctx, def));
  }
}

export const rule: Rule = {
  meta: { id: "cache-page-candidate", summary: "A read-only, public view that could be served from cache", defaultSeverity: "hint", fixable: true },
  check,
};
