/**
 * A small reader for Django templates: the variables, loops, `with` blocks and includes, with their offsets.
 * Enough to follow which context values a template iterates and which attributes it reads on each row.
 */

export interface TVar {
  segs: string[];
  start: number;
  end: number;
  /**
   * A binding's value goes through a filter that may return another object (`status=status|load_subclass`); not
   * set for the built-ins that keep the rows (`|slice:10`, `|default:...`).
   */
  filtered?: boolean;
}

export type TNode =
  | { kind: "var"; v: TVar }
  | { kind: "for"; targets: string[]; iter: TVar | null; start: number; body: TNode[] }
  | { kind: "with"; bindings: [string, TVar][]; body: TNode[] }
  /** `{% block name %}...{% endblock %}`: a child template that extends this one may replace the body. */
  | { kind: "block"; name: string; body: TNode[] }
  | { kind: "include"; name: string | null; bindings: [string, TVar][]; only: boolean; start: number; end: number }
  /** `{% extends "base.html" %}` (null when the name is computed). */
  | { kind: "extends"; name: string | null }
  /** `{% load humanize mytags %}`: the libraries. */
  | { kind: "load"; libs: string[] }
  /** Tags that matter as such: csrf_token, templatetag. */
  | { kind: "tag"; name: string }
  /**
   * A tag or filter that may be a project's Python function, with its arguments: `{% avatar_url user size=25 %}`,
   * `{{ user|display_name }}` (the filtered value is the first argument). Literal arguments are null. The variables
   * are also listed as plain reads.
   */
  | { kind: "call"; name: string; filter: boolean; args: (TVar | null)[]; kwargs: [string, TVar][]; start: number; end: number };

const TOKEN = /\{%-?\s*comment\s*-?%\}[\s\S]*?\{%-?\s*endcomment\s*-?%\}|\{%-?\s*verbatim\s*-?%\}[\s\S]*?\{%-?\s*endverbatim\s*-?%\}|\{#[\s\S]*?#\}|\{%([\s\S]*?)%\}|\{\{([\s\S]*?)\}\}/g;
const VAR = /(?<![\w.'"])([A-Za-z_]\w*(?:\.\w+)*)/g;
/** Django's own tags: never a project's function. */
const BUILTIN_TAGS = new Set(["if", "elif", "else", "endif", "url", "firstof", "cycle", "now", "spaceless", "endspaceless", "autoescape", "endautoescape", "filter", "endfilter", "regroup", "ifchanged", "endifchanged", "widthratio", "blocktrans", "endblocktrans", "blocktranslate", "endblocktranslate", "plural", "lorem", "debug", "resetcycle", "get_current_language", "get_available_languages", "get_language_info", "language", "endlanguage", "localize", "endlocalize", "localtime", "endlocaltime", "timezone", "endtimezone", "cache", "endcache", "querystring"]);
const KEYWORDS = new Set(["in", "not", "and", "or", "is", "as", "with", "only", "reversed", "True", "False", "None", "by"]);

/** Variables in an expression fragment (skipping string literals, numbers, keywords and filter names). */
function vars(fragment: string, offset: number): TVar[] {
  const out: TVar[] = [];
  const blanked = fragment.replace(/"[^"]*"|'[^']*'/g, (m) => " ".repeat(m.length)).replace(/\|\s*\w+/g, (m) => " ".repeat(m.length));
  for (const m of blanked.matchAll(VAR)) {
    const text = m[1];
    if (KEYWORDS.has(text) || /^\d/.test(text)) continue;
    // keyword-argument names (x=...) are not reads
    if (blanked[m.index! + text.length] === "=" && blanked[m.index! + text.length + 1] !== "=") continue;
    out.push({ segs: text.split("."), start: offset + m.index!, end: offset + m.index! + text.length });
  }
  return out;
}

/** A variable path standing alone as an argument (`user`, `row.author`), or null for literals and expressions. */
function argVar(token: string, at: number): TVar | null {
  const base = token.split("|")[0];
  if (!/^[A-Za-z_]\w*(\.\w+)*$/.test(base) || KEYWORDS.has(base)) return null;
  return { segs: base.split("."), start: at, end: at + base.length };
}

/** `{% name a b k=v as x %}`: the call of a custom tag. */
function tagCall(name: string, rest: string, restOff: number, start: number, end: number): TNode {
  const args: (TVar | null)[] = [];
  const kwargs: [string, TVar][] = [];
  for (const m of rest.matchAll(/"[^"]*"|'[^']*'|[^\s"']+(?:(?:"[^"]*"|'[^']*')[^\s"']*)*/g)) {
    const tok = m[0];
    if (tok === "as") break;
    const kw = /^(\w+)=(.*)$/.exec(tok);
    if (kw) {
      const v = argVar(kw[2], restOff + m.index! + kw[1].length + 1);
      if (v) kwargs.push([kw[1], v]);
    } else args.push(argVar(tok, restOff + m.index!));
  }
  return { kind: "call", name, filter: false, args, kwargs, start, end };
}

/** Built-in filters that hand on the same objects (`links=domain.links.all|slice:10`). */
const SAME_ROWS = new Set(["slice", "default", "default_if_none", "dictsort", "dictsortreversed"]);

function bindingsOf(fragment: string, offset: number): [string, TVar][] {
  const out: [string, TVar][] = [];
  // x=expr pairs
  for (const m of fragment.matchAll(/(\w+)\s*=\s*([A-Za-z_][\w.]*)((?:\s*\|\s*\w+(?::(?:"[^"]*"|'[^']*'|[\w.-]+))?)*)/g)) {
    const at = offset + m.index! + m[1].length + m[0].slice(m[1].length).indexOf(m[2]);
    const v: TVar = { segs: m[2].split("."), start: at, end: at + m[2].length };
    const filters = [...m[3].matchAll(/\|\s*(\w+)/g)].map((f) => f[1]);
    if (filters.some((f) => !SAME_ROWS.has(f))) v.filtered = true;
    out.push([m[1], v]);
  }
  // legacy: expr as x
  const legacy = /^\s*([A-Za-z_][\w.]*)\s+as\s+(\w+)\s*$/.exec(fragment);
  if (legacy) {
    const at = offset + fragment.indexOf(legacy[1]);
    out.push([legacy[2], { segs: legacy[1].split("."), start: at, end: at + legacy[1].length }]);
  }
  return out;
}

/** Parsed templates by their text: a view's analysis reads the same templates on every keystroke. */
const parsed = new Map<string, TNode[]>();

export function parseTemplate(text: string): TNode[] {
  const hit = parsed.get(text);
  if (hit) return hit;
  const nodes = parseTemplateText(text);
  if (parsed.size > 500) parsed.clear();
  parsed.set(text, nodes);
  return nodes;
}

function parseTemplateText(text: string): TNode[] {
  const root: TNode[] = [];
  const stack: { body: TNode[]; tag: string }[] = [{ body: root, tag: "" }];
  const top = () => stack[stack.length - 1].body;
  for (const m of text.matchAll(TOKEN)) {
    const at = m.index!;
    if (m[2] !== undefined) {
      const inner = m[2];
      const off = at + 2;
      const expr = inner.split("|")[0];
      for (const v of vars(expr, off)) top().push({ kind: "var", v });
      // filter arguments can be variables too: {{ x|default:y.z }}
      for (const arg of inner.matchAll(/:\s*([A-Za-z_][\w.]*)/g)) {
        const s = off + arg.index! + arg[0].length - arg[1].length;
        top().push({ kind: "var", v: { segs: arg[1].split("."), start: s, end: s + arg[1].length } });
      }
      // The first filter receives the value itself: {{ user|display_name }} calls display_name(user).
      const fm = /^(\s*)([A-Za-z_][\w.]*)\s*\|\s*(\w+)(?::\s*([A-Za-z_][\w.]*))?/.exec(inner);
      if (fm && !KEYWORDS.has(fm[2])) {
        const at0 = off + fm[1].length;
        const argAt = fm[4] ? off + fm.index + fm[0].length - fm[4].length : 0;
        top().push({ kind: "call", name: fm[3], filter: true, args: [argVar(fm[2], at0), fm[4] ? argVar(fm[4], argAt) : null], kwargs: [], start: at, end: at + m[0].length });
      }
      continue;
    }
    if (m[1] === undefined) continue;
    const tagText = m[1].replace(/^-|-$/g, "");
    const lead = /^\s*/.exec(tagText)![0].length;
    const off = at + 2 + (m[1].startsWith("-") ? 1 : 0) + lead;
    const body = tagText.trim();
    const name = body.split(/\s+/)[0];
    const rest = body.slice(name.length);
    const restOff = off + name.length;
    switch (name) {
      case "for": {
        const fm = /^\s*(.+?)\s+in\s+(.+?)(\s+reversed)?\s*$/.exec(rest);
        const targets = fm ? fm[1].split(",").map((s) => s.trim()) : [];
        const iterText = fm ? fm[2] : "";
        const iterVars = fm ? vars(iterText, restOff + rest.indexOf(iterText, rest.indexOf(" in ") + 1)) : [];
        const node: TNode = { kind: "for", targets, iter: iterVars.length === 1 ? iterVars[0] : null, start: at, body: [] };
        if (iterVars.length !== 1) for (const v of iterVars) top().push({ kind: "var", v });
        top().push(node);
        stack.push({ body: (node as { body: TNode[] }).body, tag: "for" });
        break;
      }
      case "with": {
        const node: TNode = { kind: "with", bindings: bindingsOf(rest, restOff), body: [] };
        top().push(node);
        stack.push({ body: node.body, tag: "with" });
        break;
      }
      case "block": {
        const node: TNode = { kind: "block", name: rest.trim().split(/\s+/)[0] ?? "", body: [] };
        top().push(node);
        stack.push({ body: node.body, tag: "block" });
        break;
      }
      case "endfor":
      case "endwith":
        if (stack.length > 1 && stack[stack.length - 1].tag === name.slice(3)) stack.pop();
        break;
      case "endblock": {
        // An unclosed for/with inside the block ends with it.
        const i = stack.map((e) => e.tag).lastIndexOf("block");
        if (i > 0) stack.length = i;
        break;
      }
      case "empty":
        break;
      case "include": {
        const im = /^\s*(["'])([^"']+)\1\s*(.*)$/.exec(rest);
        const tail = im ? im[3] : rest;
        const withPart = /\bwith\b([\s\S]*?)(\bonly\b|$)/.exec(tail);
        top().push({ kind: "include", name: im ? im[2] : null, bindings: withPart ? bindingsOf(withPart[1], restOff + rest.indexOf(withPart[1])) : [], only: /\bonly\s*$/.test(tail), start: at, end: at + m[0].length });
        break;
      }
      case "extends": {
        const em = /^\s*(["'])([^"']+)\1\s*$/.exec(rest);
        top().push({ kind: "extends", name: em ? em[2] : null });
        break;
      }
      case "load":
        top().push({ kind: "load", libs: rest.trim().split(/\s+/).filter((l) => l && l !== "from") });
        break;
      case "csrf_token":
      case "templatetag":
        top().push({ kind: "tag", name });
        break;
      case "comment":
      case "endcomment":
      case "static":
      case "trans":
      case "translate":
        break;
      default:
        // if/elif/url/firstof/cycle/... : every variable in the tag is read.
        for (const v of vars(rest, restOff)) top().push({ kind: "var", v });
        if (!BUILTIN_TAGS.has(name) && /^\w+$/.test(name)) top().push(tagCall(name, rest, restOff, at, at + m[0].length));
    }
  }
  return root;
}

/**
 * The template a Django generic view renders when it names none: `<app_label>/<model_name><suffix>.html`, where
 * the suffix is the view's `template_name_suffix` ("_list" for list views, "_detail" for detail views by default).
 */
export function genericTemplateName(model: { app: string; name: string }, suffix: string): string {
  return `${model.app}/${model.name.toLowerCase()}${suffix}.html`;
}
