/**
 * Custom template tags and filters of the project (`@register.simple_tag`, `@register.inclusion_tag(...)`,
 * `@register.filter` in an app's templatetags/<library>.py): which attribute chains the function reads on each of
 * its parameters, so `{% avatar_url user %}` in a loop counts as reading `user.wagtail_userprofile` per row.
 */
import { attributeChain, outermostAttribute } from "../../server/src/engine/facts";
import { parseText, type SyntaxNode } from "../../server/src/engine/parser";
import type { RuleContext } from "../../server/src/engine/rule";
import { callParts, field, nodeText, stringValue } from "../../server/src/engine/syntax";

export interface TagFunction {
  file: string;
  /** Parameters that template arguments fill, in order (without the context of takes_context=True). */
  params: string[];
  /** Attribute chains read on each of those parameters (`user.profile.avatar` -> ["profile", "avatar"]). */
  reads: Map<string, { chain: string[]; start: number; end: number }[]>;
}

/** Attribute chains read on the given names in a function body (outermost attribute of each chain). */
function chainsOn(text: string, body: SyntaxNode, names: string[]): Map<string, { chain: string[]; start: number; end: number }[]> {
  const out = new Map<string, { chain: string[]; start: number; end: number }[]>();
  const reassigned = new Set<string>();
  const stack = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === "function_definition" || n.type === "lambda" || n.type === "class_definition") continue;
    if (n.type === "assignment" || n.type === "augmented_assignment" || n.type === "for_statement") {
      const l = field(n, "left");
      if (l?.type === "identifier" && names.includes(nodeText(text, l))) reassigned.add(nodeText(text, l));
    }
    if (outermostAttribute(n)) {
      const c = attributeChain(text, n);
      if (c && names.includes(c.root)) {
        if (!out.has(c.root)) out.set(c.root, []);
        out.get(c.root)!.push({ chain: c.chain, start: n.start, end: n.end });
      }
    }
    for (const c of n.children) stack.push(c);
  }
  // A parameter rebound in the body may no longer be the row: its reads say nothing.
  for (const r of reassigned) out.delete(r);
  return out;
}

/** The registered name and kind of a decorated function, from `@register.simple_tag(name="x")` and the like. */
function registration(text: string, decorated: SyntaxNode, fname: string): { name: string; filter: boolean; takesContext: boolean } | null {
  for (const d of decorated.children) {
    if (d.type !== "decorator") continue;
    const expr = d.children[0];
    if (!expr) continue;
    const call = expr.type === "call" ? expr : null;
    const head = nodeText(text, call ? field(call, "function")! : expr);
    const m = /^(?:\w+\.)?(simple_tag|inclusion_tag|filter)$/.exec(head);
    if (!m || !/^register\./.test(head)) continue;
    const parts = call ? callParts(text, call) : null;
    const kwName = parts ? stringValue(text, parts.kwargs.get("name")) : null;
    const filterName = m[1] === "filter" && parts ? stringValue(text, parts.args[0]) : null;
    const takes = parts?.kwargs.get("takes_context");
    return { name: kwName ?? filterName ?? fname, filter: m[1] === "filter", takesContext: !!takes && nodeText(text, takes) === "True" };
  }
  return null;
}

function loadLibrary(ctx: RuleContext, lib: string): Map<string, TagFunction> | null {
  if (!/^\w+$/.test(lib)) return null;
  const files = ctx.project.filesMatching?.(new RegExp(`[\\\\/]templatetags[\\\\/]${lib}\\.py$`)) ?? [];
  // Two apps with a library of the same name: which one a template gets depends on INSTALLED_APPS order.
  if (files.length !== 1) return null;
  const text = ctx.project.textOf(files[0]);
  if (text === null || !/register\.(simple_tag|inclusion_tag|filter)/.test(text)) return null;
  const root = parseText(text).root;
  const out = new Map<string, TagFunction | null>();
  for (const s of root.children) {
    if (s.type !== "decorated_definition") continue;
    const def = field(s, "definition");
    if (def?.type !== "function_definition") continue;
    const fname = nodeText(text, field(def, "name")!);
    const reg = registration(text, s, fname);
    if (!reg) continue;
    const key = `${reg.filter ? "|" : ""}${reg.name}`;
    const params: string[] = [];
    for (const p of field(def, "parameters")?.children ?? []) {
      const id = p.type === "identifier" ? p : p.type === "typed_parameter" ? p.children.find((c) => c.type === "identifier") : field(p, "name");
      if (!id || p.type === "list_splat_pattern" || p.type === "dictionary_splat_pattern") break;
      params.push(nodeText(text, id));
    }
    if (reg.takesContext) params.shift();
    const body = field(def, "body");
    // Defined twice: unsure which one is registered last.
    out.set(key, out.has(key) || !body ? null : { file: files[0], params, reads: chainsOn(text, body, params) });
  }
  const clean = new Map<string, TagFunction>();
  for (const [k, v] of out) if (v) clean.set(k, v);
  return clean;
}

/** The project function behind a tag or filter of the libraries a template loads (null when unsure). */
export function tagFunction(ctx: RuleContext, libs: string[], name: string, filter: boolean): TagFunction | null {
  const key = `${filter ? "|" : ""}${name}`;
  const found: TagFunction[] = [];
  for (const lib of libs) {
    const load = () => loadLibrary(ctx, lib);
    const table = ctx.project.memo ? ctx.project.memo(`tags:${lib}`, load) : load();
    const f = table?.get(key);
    if (f) found.push(f);
  }
  return found.length === 1 ? found[0] : null;
}
