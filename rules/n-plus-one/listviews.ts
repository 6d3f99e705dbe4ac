/**
 * List views built on classes of the project: `class LogEntriesView(ReportView)` where ReportView, maybe in another
 * file, derives from Django's BaseListView and TemplateResponseMixin. Django renders the template with
 * `object_list` (and `context_object_name`) set to the rows of get_queryset(), as the project classes'
 * get_context_data() hand them on (`super().get_context_data(object_list=queryset)`, after
 * `filters, queryset = self.filter_queryset(queryset)`).
 *
 * Everything along the view's classes must be known: Django classes from a short list, project classes whose
 * source is read, no override of how Django picks the template or the context name or gets the rows, and
 * get_queryset()/queryset/model of the view itself. Any other link leaves the template silent.
 */
import { assignIn, methodIn, sourceMro, type SourceClass } from "../../server/src/engine/mro";
import type { QsVal } from "../../server/src/engine/flow";
import type { SyntaxNode } from "../../server/src/engine/parser";
import type { RuleContext } from "../../server/src/engine/rule";
import { field, nodeText, stringValue } from "../../server/src/engine/syntax";
import { genericTemplateName } from "../../server/src/engine/templates";
import { applyAdds, ContextResolver, isSuperCall, mergeAdds, mergeQuerysets, noAdds, type Code, type PassedRows, type ViewScope } from "./context";
import { viewQuerysets } from "./drf";

/** Django's classes a list view may be built on, by what they bring. */
const DJANGO: Record<string, "list" | "template" | "default-template" | "plain"> = {
  "django.views.generic.ListView": "list",
  "django.views.generic.list.ListView": "list",
  "django.views.generic.list.BaseListView": "list",
  "django.views.generic.base.TemplateResponseMixin": "template",
  "django.views.generic.list.MultipleObjectTemplateResponseMixin": "default-template",
  "django.views.generic.list.MultipleObjectMixin": "plain",
  "django.views.generic.base.ContextMixin": "plain",
  "django.views.generic.base.View": "plain",
  "django.views.generic.View": "plain",
  "django.views.View": "plain",
  "django.contrib.auth.mixins.AccessMixin": "plain",
  "django.contrib.auth.mixins.LoginRequiredMixin": "plain",
  "django.contrib.auth.mixins.PermissionRequiredMixin": "plain",
  "django.contrib.auth.mixins.UserPassesTestMixin": "plain",
  object: "plain",
};
const LIST_TEMPLATE = new Set(["django.views.generic.ListView", "django.views.generic.list.ListView"]);

/** Methods through which a class decides the rows, the template or the context name some other way. */
const OVERRIDES = new Set(["get", "get_template_names", "get_context_object_name", "paginate_queryset", "render_to_response"]);

/** A class along the view's: one of the project, with its source, or one of Django's by name. */
type Entry = (SourceClass & { k: "project"; code: Code }) | { k: "django"; name: string; key: string };

export interface ListViewContext {
  template: string;
  /** Context names bound to the rows. */
  rows: Map<string, QsVal>;
  /** Names the project classes below the view set in the context (their values are not read). */
  unknown: Set<string>;
  /** The view's own get_context_data, whose values the caller reads. */
  own: SyntaxNode | null;
}

/**
 * The classes of a view in method resolution order (C3), Django's by the role they play; null when a base is
 * unknown (a package's class, or one of Django's not in the list).
 */
function linearize(ctx: RuleContext, cls: SyntaxNode): Entry[] | null {
  const mro = sourceMro(ctx, cls);
  if (!mro) return null;
  const out: Entry[] = [];
  for (const c of mro) {
    if (c.k === "project") out.push({ ...c, code: { file: c.file, text: c.text, root: c.root, flow: c.file === ctx.file } });
    else if (c.name in DJANGO) out.push({ k: "django", name: c.name, key: c.key });
    else return null;
  }
  return out;
}

/** Keys a get_context_data() sets in the context (`context["k"] = ...`, `context.update(k=...)`). */
function keysSet(text: string, fn: SyntaxNode): Set<string> | null {
  const out = new Set<string>();
  const stack = [field(fn, "body")!];
  while (stack.length) {
    const n = stack.pop()!;
    if (!n || n.type === "function_definition" || n.type === "lambda") continue;
    if (n.type === "assignment" && field(n, "left")?.type === "subscript") {
      const l = field(n, "left")!;
      const k = stringValue(text, field(l, "subscript") ?? l.children[1]);
      if (k === null) return null;
      out.add(k);
    }
    if (n.type === "call" && /\.update$/.test(nodeText(text, field(n, "function")!))) return null;
    for (const c of n.children) stack.push(c);
  }
  return out;
}

/** Does every return give back what super().get_context_data() returned (directly, or through one name)? */
function returnsSuper(text: string, fn: SyntaxNode): boolean {
  const returns: SyntaxNode[] = [];
  let name: string | null = null;
  const stack = [field(fn, "body")!];
  while (stack.length) {
    const n = stack.pop()!;
    if (!n || n.type === "function_definition" || n.type === "lambda") continue;
    if (n.type === "return_statement") returns.push(n);
    if (n.type === "assignment" && field(n, "right")?.type === "call" && isSuperCall(text, field(n, "right")!, "get_context_data") && field(n, "left")?.type === "identifier") name = nodeText(text, field(n, "left")!);
    for (const c of n.children) stack.push(c);
  }
  return returns.length > 0 && returns.every((r) => {
    const v = r.children[0];
    if (v?.type === "call") return isSuperCall(text, v, "get_context_data");
    return v?.type === "identifier" && nodeText(text, v) === name;
  });
}

/**
 * The context a list view built on project classes renders its template with, as far as the rows go; null when
 * it is not such a view or a link is unknown.
 */
export function inheritedListView(ctx: RuleContext, cls: SyntaxNode, resolver: ContextResolver): ListViewContext | null {
  const mro = linearize(ctx, cls);
  if (!mro || mro[0].k !== "project") return null;
  const own = mro[0];
  const projects = mro.filter((e): e is Entry & { k: "project" } => e.k === "project");
  const roles = new Set(mro.map((e) => (e.k === "django" ? DJANGO[e.name] : "project")));
  // Only a view whose list behaviour comes through a class of the project: the others are read as they are.
  if (projects.length < 2 || !roles.has("list") || !(roles.has("template") || roles.has("default-template") || mro.some((e) => e.k === "django" && LIST_TEMPLATE.has(e.name)))) return null;
  // Project classes after Django's list classes would be reached by Django's methods in ways not followed here.
  const firstDjango = mro.findIndex((e) => e.k === "django" && DJANGO[e.name] !== "plain");
  if (mro.slice(firstDjango).some((e) => e.k === "project")) return null;
  if (projects.some((p) => [...OVERRIDES].some((m) => methodIn(p, m)))) return null;

  // The rows: get_queryset(), queryset or model of the view itself, none of them replaced along its bases.
  const bases = projects.slice(1);
  const ownGq = !!methodIn(own, "get_queryset");
  const ownQs = !!assignIn(own, "queryset");
  const ownModel = !!assignIn(own, "model");
  const baseGq = bases.some((b) => methodIn(b, "get_queryset"));
  const baseQs = bases.some((b) => assignIn(b, "queryset"));
  if (!(ownGq || (!baseGq && (ownQs || (!baseQs && ownModel))))) return null;
  const views = viewQuerysets(ctx, cls, (n) => resolver.value(n));
  const qs = views ? mergeQuerysets(views.map((v) => v.qs)) : null;
  if (!qs) return null;

  /** The first class-level value of an attribute along the classes: a string, None (null), or undefined when unset. */
  const setting = (name: string): string | null | undefined | false => {
    for (const p of projects) {
      const a = assignIn(p, name);
      if (a) return a.type === "none" ? null : (stringValue(p.code.text, a) ?? false);
    }
    return undefined;
  };
  const tname = setting("template_name");
  const cname = setting("context_object_name");
  if (tname === false || cname === false) return null;
  let template = tname;
  if (!template) {
    // No template_name: MultipleObjectTemplateResponseMixin's <app>/<model>_list.html.
    if (!mro.some((e) => e.k === "django" && (LIST_TEMPLATE.has(e.name) || DJANGO[e.name] === "default-template"))) return null;
    // (A `template_name_suffix` replaces "_list".)
    const suffix = setting("template_name_suffix");
    if (suffix === false) return null;
    template = genericTemplateName(qs.model, suffix ?? "_list");
  }

  // What each get_context_data() along the classes hands on as object_list, from the view's down to Django's.
  const scope: ViewScope = {
    method: (name) => {
      for (const p of projects) {
        const def = methodIn(p, name);
        if (def) return { def, code: p.code };
      }
      return null;
    },
    attribute: (name) => {
      for (const p of projects) {
        const value = assignIn(p, name);
        if (value) return { value, code: p.code };
      }
      return null;
    },
  };
  let passed: PassedRows = { base: "objects", adds: noAdds() };
  const unknown = new Set<string>();
  let ownContext: SyntaxNode | null = null;
  for (const p of projects) {
    const def = methodIn(p, "get_context_data");
    if (!def) continue;
    const r = resolver.passedRows({ ...p.code, view: scope }, def);
    if (!r) return null;
    // The view's own get_context_data is called with no object_list (Django's get()), so it gets None: the rows.
    passed = r.base === "param" ? { base: passed.base, adds: mergeAdds(passed.adds, r.adds) } : r;
    if (p === own) {
      ownContext = def;
      continue;
    }
    const keys = keysSet(p.code.text, def);
    if (!keys || !returnsSuper(p.code.text, def)) return null;
    for (const k of keys) unknown.add(k);
  }
  const shown = applyAdds(qs, passed.adds);
  const rows = new Map<string, QsVal>([["object_list", shown]]);
  // context_object_name, else MultipleObjectMixin's <model>_list; None names nothing more.
  if (cname !== null) rows.set(cname ?? `${qs.model.name.toLowerCase()}_list`, shown);
  for (const k of unknown) rows.delete(k);
  return { template, rows, unknown, own: ownContext };
}
