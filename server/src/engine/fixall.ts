/**
 * Fix-all: applies the safe fixes, then analyzes again and repeats (fixes next to each other can collide, so
 * fixes computed before an edit are never merged with later ones). Returns the final text and the changed span.
 */
import { LineIndex } from "./positions";
import type { Hint } from "./types";

export interface FixAllResult {
  text: string;
  /** Changed span: [start, oldEnd) in the original text became [start, newEnd) in the result. */
  start: number;
  oldEnd: number;
  newEnd: number;
  applied: number;
}

export function applySafeFixesOnce(text: string, hints: Hint[], file: string): { text: string; applied: number } {
  const li = new LineIndex(text);
  const chosen: { start: number; end: number; newText: string }[] = [];
  let applied = 0;
  for (const h of hints) {
    const fix = h.fixes.find((f) => f.safe && f.edits.every((e) => e.file === file));
    if (!fix) continue;
    const edits = fix.edits.map((e) => ({ start: li.offsetAt(e.range.start), end: li.offsetAt(e.range.end), newText: e.newText }));
    const clashes = edits.some((e) => chosen.some((c) => e.start < c.end && c.start < e.end || (e.start === c.start && e.end === c.end)));
    if (clashes) continue;
    chosen.push(...edits);
    applied++;
  }
  chosen.sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of chosen) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return { text: out, applied };
}

export function applyFixRounds(text: string, analyze: (text: string) => Hint[], file?: string, maxRounds = 10): FixAllResult {
  let current = text;
  let applied = 0;
  for (let round = 0; round < maxRounds; round++) {
    const hints = analyze(current);
    const target = file ?? hints[0]?.file;
    if (!target) break;
    const r = applySafeFixesOnce(current, hints, target);
    if (!r.applied || r.text === current) break;
    current = r.text;
    applied += r.applied;
  }
  let start = 0;
  while (start < text.length && start < current.length && text[start] === current[start]) start++;
  // Never split a surrogate pair.
  if (start > 0 && start < text.length && /[\uD800-\uDBFF]/.test(text[start - 1])) start--;
  let oldEnd = text.length;
  let newEnd = current.length;
  while (oldEnd > start && newEnd > start && text[oldEnd - 1] === current[newEnd - 1]) {
    oldEnd--;
    newEnd--;
  }
  if (oldEnd < text.length && /[\uDC00-\uDFFF]/.test(text[oldEnd])) {
    oldEnd++;
    newEnd++;
  }
  return { text: current, start, oldEnd, newEnd, applied };
}
