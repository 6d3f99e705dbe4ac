import type { OffsetFix, Rule, RuleContext } from "../../server/src/engine/rule";
import { callParts, nodeText, strip, walkExamined } from "../../server/src/engine/syntax";
import { isSimpleChain, lazyQuerysetAt, rowsUsedElsewhere } from "../../server/src/engine/rows";

function check(ctx: RuleContext): void {
  if (!ctx.mentions(/\blen\s*\(/)) return;
  walkExamined(ctx, (n) => {
    if (n.type !== "call") return;
    const parts = callParts(ctx.text, n);
    if (!parts || parts.func.type !== "identifier" || nodeText(ctx.text, parts.func) !== "len") return;
    if (parts.args.length !== 1 || parts.kwargs.size || parts.splat) return;
    const arg = parts.args[0];
    const q = lazyQuerysetAt(ctx, arg, false);
    if (!q || rowsUsedElsewhere(ctx, arg, n)) return;
    const inner = strip(arg);
    const recv = nodeText(ctx.text, inner);
    const simple = isSimpleChain(inner);
    const fixes: OffsetFix[] = [{
      title: `Replace with ${simple ? recv : `(${recv})`}.count()`,
      safe: simple,
      edits: [{ file: ctx.file, start: n.start, end: n.end, newText: `${simple ? recv : `(${recv})`}.count()` }],
    }];
    ctx.report({
      start: n.start,
      end: n.end,
      message: `len(${recv}) fetches every ${q.model} row of the ${q.what} only to count them, and the rows are not used afterwards; use ${simple ? recv : `(${recv})`}.count(), a SELECT COUNT(*)`,
      fixes,
    });
  });
}

export const rule: Rule = {
  meta: { id: "queryset-len", summary: "len() of a queryset whose rows are not used", defaultSeverity: "warning", fixable: true },
  check,
};
