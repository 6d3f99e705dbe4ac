/**
 * Module-level functions of the project, found by the name a file calls them by: defined in the file itself, or
 * imported from one of the project's modules (`from .utils import helper`). For rules that look one call deep.
 */
import { parseText, type SyntaxNode } from "./parser";
import type { RuleContext } from "./rule";
import { topLevelFunction } from "./syntax";

export { topLevelFunction };

export interface ProjectFunction {
  def: SyntaxNode;
  file: string;
  text: string;
}

/** Parses of other modules, kept for a few only: holding every imported module's tree would grow with the project. */
const parsed = new Map<string, ProjectModule>();
const KEPT = 16;

export interface ProjectModule {
  file: string;
  text: string;
  root: SyntaxNode;
}


/**
 * The function a plain name called in the analyzed file refers to, or null. `mentions`: a quick test on the text
 * of another module before parsing it (most calls are of functions that do not matter to the caller).
 */
export function projectFunction(ctx: RuleContext, name: string, mentions?: RegExp): ProjectFunction | null {
  const local = topLevelFunction(ctx.text, ctx.syntax.root, name);
  if (local) return { def: local, file: ctx.file, text: ctx.text };
  const imp = ctx.index.factsOf(ctx.file)?.imports[name];
  if (!imp || !imp.includes(".") || imp.startsWith("@")) return null;
  const other = projectModule(ctx, imp.slice(0, imp.lastIndexOf(".")), mentions);
  if (!other || other.file === ctx.file) return null;
  const def = topLevelFunction(other.text, other.root, imp.slice(imp.lastIndexOf(".") + 1));
  return def ? { def, file: other.file, text: other.text } : null;
}

/**
 * A module of the project by its dotted name (one file only), parsed; the parses of a few recent modules are kept.
 * `mentions`: a quick test on its text before parsing it.
 */
export function projectModule(ctx: RuleContext, mod: string, mentions?: RegExp): ProjectModule | null {
  const file = moduleFile(ctx, mod);
  return file ? projectFile(ctx, file, mentions) : null;
}

/** A file of the project, parsed; the parses of a few recent files are kept. `mentions` as for projectModule. */
export function projectFile(ctx: RuleContext, file: string, mentions?: RegExp): ProjectModule | null {
  const text = ctx.project.textOf(file);
  if (text === null || (mentions && !mentions.test(text))) return null;
  let hit = parsed.get(file);
  if (hit && hit.text === text) parsed.delete(file);
  else hit = { file, text, root: parseText(text).root };
  parsed.set(file, hit);
  if (parsed.size > KEPT) parsed.delete(parsed.keys().next().value!);
  return hit;
}

/** The one project file of a dotted module (`shop.utils` -> .../shop/utils.py or .../shop/utils/__init__.py). */
export function moduleFile(ctx: RuleContext, mod: string): string | null {
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

/** Settings modules: `settings.py`, `settings_prod.py`, and the modules of a `settings/` package. */
const SETTINGS_FILE = /settings[^\\/]*\.py$|[\\/]settings[\\/][^\\/]*\.py$/;

/** The text of each settings module of the project, for rules that read a setting the index does not keep. */
export function settingsTexts(ctx: RuleContext): string[] {
  return (ctx.project.filesMatching?.(SETTINGS_FILE) ?? []).map((f) => ctx.project.textOf(f) ?? "");
}
