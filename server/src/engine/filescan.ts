/**
 * What a rule derives from each workspace file's text, kept per file while the file does not change
 * (`ProjectView.changesTo`): after an edit only the edited file is read again, not the workspace. The file being
 * analyzed is always taken from its current text and not kept (it changes with every keystroke).
 */
import type { RuleContext } from "./rule";

const caches = new WeakMap<object, Map<string, Map<string, { changes: number; value: unknown }>>>();

export function perFile<T>(ctx: RuleContext, key: string, files: readonly string[], derive: (text: string | null, file: string) => T): { file: string; value: T }[] {
  let byKey = caches.get(ctx.project);
  if (!byKey) caches.set(ctx.project, (byKey = new Map()));
  let cache = byKey.get(key);
  if (!cache) byKey.set(key, (cache = new Map()));
  const out: { file: string; value: T }[] = [];
  for (const file of files) {
    if (file === ctx.file) {
      out.push({ file, value: derive(ctx.text, file) });
      continue;
    }
    const changes = ctx.project.changesTo?.(file) ?? -1;
    let hit = cache.get(file);
    if (!hit || hit.changes !== changes || changes < 0) {
      hit = { changes, value: derive(ctx.project.textOf(file), file) };
      cache.set(file, hit);
    }
    out.push({ file, value: hit.value as T });
  }
  return out;
}
