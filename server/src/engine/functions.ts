/**
 * Module-level functions of the project, found by the name a file calls them by: defined in the file itself, or
 * imported from one of the project's modules (`from .utils import helper`). For rules that look one call deep.
 */
import { parseText, type SyntaxNode } from "./parser";
import type { RuleContext } from "./rule";
import { field, nodeText } from "./syntax";

export interface ProjectFunction {
  def: SyntaxNode;
  file: string;
  text: string;
}

/** Parses of other modules, kept for a few only: holding every imported module's tree would grow with the project. */
const parsed = new Map<string, { text: string; root: SyntaxNode }>();
const KEPT = 16;

/** The one top-level `def name` of a module (null when there are several or none). */
export function topLevelFunction(text: string, root: SyntaxNode, name: string): SyntaxNode | null {
  let found: SyntaxNode | null = null;
  for (const s of root.children) {
    const d = s.type === "decorated_definition" ? field(s, "definition") : s;
    if (d?.type !== "function_definition" || nodeText(text, field(d, "name")!) !== name) continue;
    if (found) return null;
    found = d;
  }
  return found;
}

/** The function a plain name called in the analyzed file refers to, or null. */
export function projectFunction(ctx: RuleContext, name: string): ProjectFunction | null {
  const local = topLevelFunction(ctx.text, ctx.syntax.root, name);
  if (local) return { def: local, file: ctx.file, text: ctx.text };
  const imp = ctx.index.factsOf(ctx.file)?.imports[name];
  if (!imp || !imp.includes(".") || imp.startsWith("@")) return null;
  const mod = imp.slice(0, imp.lastIndexOf("."));
  const file = moduleFile(ctx, mod);
  if (!file || file === ctx.file) return null;
  const text = ctx.project.textOf(file);
  if (text === null) return null;
  let hit = parsed.get(file);
  if (hit && hit.text === text) parsed.delete(file);
  else hit = { text, root: parseText(text).root };
  parsed.set(file, hit);
  if (parsed.size > KEPT) parsed.delete(parsed.keys().next().value!);
  const def = topLevelFunction(text, hit.root, imp.slice(imp.lastIndexOf(".") + 1));
  return def ? { def, file, text } : null;
}

/** The one project file of a dotted module (`shop.utils` -> .../shop/utils.py or .../shop/utils/__init__.py). */
function moduleFile(ctx: RuleContext, mod: string): string | null {
  const locate = (): string | null => {
    const rel = mod.split(".").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[\\\\/]");
    const files = (ctx.project.filesMatching?.(new RegExp(`(^|[\\\\/])${rel}(\\.py|[\\\\/]__init__\\.py)$`)) ?? []).filter((f) => {
      const m = ctx.index.factsOf(f)?.module;
      return !!m && (m === mod || m.endsWith(`.${mod}`));
    });
    return files.length === 1 ? files[0] : null;
  };
  return ctx.project.memo ? ctx.project.memo(`module-file:${mod}`, locate) : locate();
}
