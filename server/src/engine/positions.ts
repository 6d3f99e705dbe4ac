/**
 * The one place where positions are converted.
 *
 * The engine addresses text by offsets into the JavaScript string, which count UTF-16 code units. web-tree-sitter
 * parses JavaScript strings as UTF-16, so a node's startIndex/endIndex are those same offsets (tree-sitter's native
 * byte counts divided by two), and its columns count code units too. LSP positions are (line, UTF-16 character),
 * where a line ends at "\r\n", "\n" or "\r"; tree-sitter rows end only at "\n". Everything that turns an offset
 * into a line/character (diagnostics, fixes, CLI output) or back (LSP edits) goes through LineIndex.
 */

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** tree-sitter's point: row counts "\n" only, column counts UTF-16 code units (web-tree-sitter). */
export interface TsPoint {
  row: number;
  column: number;
}

export class LineIndex {
  /** Offset of the first character of each LSP line. */
  private readonly starts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    if (!text.includes("\r")) {
      // The common case, and much faster: only "\n" ends lines.
      for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
      this.starts = starts;
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      } else if (c === 10 /* \n */) {
        starts.push(i + 1);
      }
    }
    this.starts = starts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Offset where a line's content ends, before its line break. */
  lineEnd(line: number): number {
    if (line + 1 >= this.starts.length) return this.text.length;
    let end = this.starts[line + 1];
    if (end > 0 && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > 0 && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))];
  }

  positionAt(offset: number): Position {
    offset = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    // An offset between "\r" and "\n" belongs at the end of its line.
    const character = Math.min(offset, this.lineEnd(lo)) - this.starts[lo];
    return { line: lo, character };
  }

  /** LSP position to offset; out-of-range lines and characters are clamped, as LSP asks. */
  offsetAt(pos: Position): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.starts.length) return this.text.length;
    const start = this.starts[pos.line];
    return Math.min(start + Math.max(0, pos.character), this.lineEnd(pos.line));
  }

  rangeAt(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  line(line: number): string {
    return this.text.slice(this.lineStart(line), this.lineEnd(line));
  }
}

/** tree-sitter's point for an offset of a text (rows split on "\n" only), for Tree.edit. */
export function tsPointAt(text: string, offset: number): TsPoint {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}
