/** Python's method resolution order (C3), over classes of any representation that carry a unique key. */

/**
 * The C3 merge of `self` with its bases' linearizations (`seqs`, each starting with that base) and the list of
 * direct bases: `self` followed by the classes in method resolution order, or null when they cannot be ordered
 * (Python raises TypeError there). The lists in `seqs` are consumed.
 */
export function c3Merge<T extends { key: string }>(self: T, seqs: T[][], direct: T[]): T[] | null {
  const lists = [...seqs, [...direct]];
  const out: T[] = [self];
  for (;;) {
    const rest = lists.filter((q) => q.length);
    if (!rest.length) return out;
    const head = rest.map((q) => q[0]).find((h) => !rest.some((q) => q.slice(1).some((x) => x.key === h.key)));
    if (!head) return null;
    out.push(head);
    for (const q of rest) if (q[0].key === head.key) q.shift();
  }
}
