/** Runs the rules over one file and turns their offset reports into hints with UTF-16 line/character ranges. */
import type { Config } from "./config";
import { severityFor } from "./config";
import { isSuppressed } from "./fixes";
import { analyzeFlow, type FileFlow } from "./flow";
import { TEST_OR_MIGRATION, type ModelIndex } from "./models";
import type { Syntax } from "./parser";
import { LineIndex } from "./positions";
import type { ProjectView, Report, Rule } from "./rule";
import { docsUrl, type Hint } from "./types";

export interface AnalyzeInput {
  file: string;
  syntax: Syntax;
  index: ModelIndex;
  config: Config;
  project: ProjectView;
  rules: readonly Rule[];
}

export function analyzeFile(input: AnalyzeInput): Hint[] {
  const { file, syntax, index, config, project, rules } = input;
  // Tests and migrations loop over queries on purpose (fixtures, query-count assertions, data migrations): their
  // hints would be noise, and their queries do not count for missing-index either.
  if (TEST_OR_MIGRATION.test(file.replace(/\\/g, "/"))) return [];
  const lines = new LineIndex(syntax.text);
  const lineIndexes = new Map<string, LineIndex>([[file, lines]]);
  const linesOf = (f: string): LineIndex | null => {
    let li = lineIndexes.get(f);
    if (!li) {
      const t = project.textOf(f);
      if (t === null) return null;
      li = new LineIndex(t);
      lineIndexes.set(f, li);
    }
    return li;
  };
  let flow: FileFlow | null = null;
  const hints: Hint[] = [];
  for (const rule of rules) {
    const severity = severityFor(config, rule.meta.id, rule.meta.defaultSeverity);
    if (!severity) continue;
    const report = (r: Report) => {
      const target = r.file ?? file;
      const li = linesOf(target);
      if (!li) return;
      const range = li.rangeAt(r.start, r.end);
      if (isSuppressed(li.line(range.start.line), rule.meta.id)) return;
      const related = (r.related ?? []).flatMap((x) => {
        const rl = linesOf(x.file);
        return rl ? [{ file: x.file, range: rl.rangeAt(x.start, x.end), message: x.message }] : [];
      });
      const fixes = (r.fixes ?? []).flatMap((fx) => {
        const edits = fx.edits.map((e) => {
          const el = linesOf(e.file);
          return el ? { file: e.file, range: el.rangeAt(e.start, e.end), newText: e.newText } : null;
        });
        if (!edits.length || edits.some((e) => e === null)) return [];
        return [{ title: fx.title, safe: fx.safe, edits: edits as NonNullable<(typeof edits)[number]>[] }];
      });
      hints.push({ file: target, range, code: rule.meta.id, severity, message: r.message, related, fixes, docsUrl: docsUrl(rule.meta.id) });
    };
    try {
      rule.check({
        file, text: syntax.text, syntax, lines, index, project, options: { wideModelThreshold: config.wideModelThreshold },
        flow: () => (flow ??= analyzeFlow(syntax, file, index)),
        report,
      });
    } catch (e) {
      // A rule that fails on odd code must not take the others down; it says nothing for this file.
      if (process.env.DJANGO_ORM_HINTS_DEBUG) throw e;
    }
  }
  hints.sort((a, b) => a.file.localeCompare(b.file) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code));
  return hints;
}
