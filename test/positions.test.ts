/**
 * engine/positions.ts: the one place where offsets (UTF-16 code units of the JS string) turn into LSP line/character
 * positions and tree-sitter points. Checked with accents, CJK, emoji outside the BMP, tabs, CRLF, lone CR and
 * BOM-stripped text; then end to end, through the analysis, on a CRLF file with emoji and CJK before the hint.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { decode } from "../server/src/engine/files";
import { IncrementalDocument, initParser, parseText, type SyntaxNode } from "../server/src/engine/parser";
import { LineIndex, tsPointAt } from "../server/src/engine/positions";
import { AUTHOR_BOOK_MODELS, hintsFor, projectFor, writeTree } from "./helpers";

/** Reference implementation: split on \r\n | \r | \n, count UTF-16 code units. */
function refPosition(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const parts = before.split(/\r\n|\r|\n/);
  // An offset between "\r" and "\n" sits at the end of its line.
  if (before.endsWith("\r") && text[offset] === "\n") {
    return { line: parts.length - 2, character: parts[parts.length - 2].length };
  }
  return { line: parts.length - 1, character: parts[parts.length - 1].length };
}

const SAMPLES: Record<string, string> = {
  ascii: "abc\ndef\n\nxyz",
  accents: "café = 1\nnaïve = 'résumé'\n",
  cjk: "名前 = '日本語'\nx = 1\n",
  emoji: "a = '😀'\nb = '👍🏽x'\n😀😀\n",
  tabs: "\tdef f():\n\t\treturn 1\n",
  crlf: "x = 1\r\ny = '😀'\r\n\r\nz",
  lonecr: "a\rb😀\rc",
  mixed: "α\r\nβ\rγ\n😀\r\n\tend",
  trailing: "line\n",
  empty: "",
};

describe("positions: LineIndex", () => {
  it("counts lines on \\r\\n, \\r and \\n alike", () => {
    assert.equal(new LineIndex("").lineCount, 1);
    assert.equal(new LineIndex("a").lineCount, 1);
    assert.equal(new LineIndex("a\n").lineCount, 2);
    assert.equal(new LineIndex("a\r\nb").lineCount, 2);
    assert.equal(new LineIndex("a\rb").lineCount, 2);
    assert.equal(new LineIndex("a\r\rb").lineCount, 3);
    assert.equal(new LineIndex("a\n\rb").lineCount, 3);
    assert.equal(new LineIndex("a\r\n\r\nb").lineCount, 3);
  });

  it("gives line text without the line break", () => {
    const li = new LineIndex(SAMPLES.mixed);
    assert.deepEqual([0, 1, 2, 3, 4].map((l) => li.line(l)), ["α", "β", "γ", "😀", "\tend"]);
    const cr = new LineIndex("a\r\nb\r\n");
    assert.equal(cr.line(0), "a");
    assert.equal(cr.line(1), "b");
    assert.equal(cr.line(2), "");
    assert.equal(cr.lineEnd(0), 1);
    assert.equal(cr.lineStart(1), 3);
  });

  it("counts characters in UTF-16 code units: emoji outside the BMP are 2", () => {
    const text = "x = '😀' + y";
    const li = new LineIndex(text);
    const y = text.indexOf("y");
    assert.equal(y, 11); // "x = '" (5) + 2 code units + "' + " (4)
    assert.deepEqual(li.positionAt(y), { line: 0, character: 11 });
    // Accents (precomposed) and CJK are one code unit each.
    const t2 = "é名 z";
    assert.deepEqual(new LineIndex(t2).positionAt(t2.indexOf("z")), { line: 0, character: 3 });
    // A tab is one character, not a tab stop.
    assert.deepEqual(new LineIndex("\t\tz").positionAt(2), { line: 0, character: 2 });
    // Skin-tone modifier: two astral code points, 4 code units.
    const t3 = "👍🏽x";
    assert.deepEqual(new LineIndex(t3).positionAt(t3.indexOf("x")), { line: 0, character: 4 });
  });

  for (const [name, text] of Object.entries(SAMPLES)) {
    it(`maps every offset like the reference and round-trips (${name})`, () => {
      const li = new LineIndex(text);
      for (let off = 0; off <= text.length; off++) {
        const pos = li.positionAt(off);
        assert.deepEqual(pos, refPosition(text, off), `offset ${off} of ${JSON.stringify(text)}`);
        const back = li.offsetAt(pos);
        // Every offset round-trips, except the one between "\r" and "\n", which maps to the line's end.
        const expected = text[off - 1] === "\r" && text[off] === "\n" ? off - 1 : off;
        assert.equal(back, expected, `round trip of offset ${off} (${JSON.stringify(pos)}) in ${JSON.stringify(text)}`);
      }
      // And every valid position round-trips the other way.
      for (let line = 0; line < li.lineCount; line++) {
        const len = li.line(line).length;
        for (let ch = 0; ch <= len; ch++) assert.deepEqual(li.positionAt(li.offsetAt({ line, character: ch })), { line, character: ch });
      }
    });
  }

  it("clamps out-of-range positions and offsets, as LSP asks", () => {
    const text = "ab\r\ncd😀\nlast";
    const li = new LineIndex(text);
    // Character past the line end: the line end, never the next line (nor between \r and \n).
    assert.equal(li.offsetAt({ line: 0, character: 99 }), 2);
    assert.equal(li.offsetAt({ line: 1, character: 99 }), text.indexOf("\nlast"));
    // Line past the end: end of text; negative line: 0; negative character: the line start.
    assert.equal(li.offsetAt({ line: 7, character: 0 }), text.length);
    assert.equal(li.offsetAt({ line: -1, character: 3 }), 0);
    assert.equal(li.offsetAt({ line: 1, character: -5 }), 4);
    // Offsets past either end.
    assert.deepEqual(li.positionAt(-3), { line: 0, character: 0 });
    assert.deepEqual(li.positionAt(text.length + 10), { line: 2, character: 4 });
    // lineStart clamps too.
    assert.equal(li.lineStart(99), li.lineStart(2));
    assert.equal(li.lineStart(-1), 0);
  });

  it("puts a position between \\r and \\n at the end of its line", () => {
    const text = "ab\r\ncd";
    const li = new LineIndex(text);
    assert.deepEqual(li.positionAt(3), { line: 0, character: 2 });
    assert.deepEqual(li.positionAt(4), { line: 1, character: 0 });
  });

  it("rangeAt gives start and end positions", () => {
    const text = "x\r\n😀 book.author\r\n";
    const li = new LineIndex(text);
    const s = text.indexOf("book");
    assert.deepEqual(li.rangeAt(s, s + "book.author".length), { start: { line: 1, character: 3 }, end: { line: 1, character: 14 } });
  });

  it("works on text whose BOM was stripped when it was decoded", () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("é = 1\r\nb = '😀'\r\n", "utf8")]);
    const d = decode(bytes);
    assert.equal(d.replaced, false);
    assert.equal(d.text.charCodeAt(0), "é".charCodeAt(0), "the BOM is gone");
    const li = new LineIndex(d.text);
    assert.deepEqual(li.positionAt(d.text.indexOf("b")), { line: 1, character: 0 });
    assert.deepEqual(li.positionAt(d.text.indexOf("'😀'") + 3), { line: 1, character: 7 });
  });
});

describe("positions: tsPointAt (tree-sitter points for Tree.edit)", () => {
  it("counts rows on \\n only and columns in code units", () => {
    const text = "a😀\r\nb\rc\nd";
    assert.deepEqual(tsPointAt(text, 0), { row: 0, column: 0 });
    assert.deepEqual(tsPointAt(text, 3), { row: 0, column: 3 }); // after the emoji
    assert.deepEqual(tsPointAt(text, 4), { row: 0, column: 4 }); // the \r is still on row 0
    assert.deepEqual(tsPointAt(text, 5), { row: 1, column: 0 });
    assert.deepEqual(tsPointAt(text, 7), { row: 1, column: 2 }); // a lone \r does not start a row
    assert.deepEqual(tsPointAt(text, text.length), { row: 2, column: 1 });
    assert.deepEqual(tsPointAt("", 0), { row: 0, column: 0 });
  });

  it("agrees with the points web-tree-sitter reports for nodes", async () => {
    const parser = await initParser();
    const text = "# 日本語 😀\r\nx = '名前😀'\r\nif x:\r\n\ty = 'é' + x\n😀z = 1\n";
    const tree = parser.parse(text);
    assert.ok(tree);
    try {
      let checked = 0;
      const visit = (n: NonNullable<typeof tree>["rootNode"]) => {
        assert.equal(text.slice(n.startIndex, n.endIndex), n.text, `${n.type}: indexes count UTF-16 code units`);
        assert.deepEqual({ row: n.startPosition.row, column: n.startPosition.column }, tsPointAt(text, n.startIndex), `${n.type} start at ${n.startIndex}`);
        assert.deepEqual({ row: n.endPosition.row, column: n.endPosition.column }, tsPointAt(text, n.endIndex), `${n.type} end at ${n.endIndex}`);
        checked++;
        for (const c of n.namedChildren) if (c) visit(c);
      };
      visit(tree.rootNode);
      assert.ok(checked > 10);
    } finally {
      tree.delete();
    }
  });

  it("lets an incremental reparse after edits near emoji and CRLF match a fresh parse", async () => {
    await initParser();
    let text = "# 😀 名前\r\ndef f():\r\n    x = '😀'\r\n    return x\r\n";
    const doc = new IncrementalDocument(text);
    const shape = (n: SyntaxNode): unknown => [n.type, n.start, n.end, n.children.map(shape)];
    try {
      doc.syntax();
      const edits = [
        { at: text.indexOf("x = "), del: 1, ins: "yé" },
        { at: text.indexOf("'😀'"), del: 0, ins: "'名😀' + " },
        { at: 0, del: 0, ins: "import os\r\n" },
        { at: -1, del: 0, ins: "\r\ny = f()  # 日本\r\n" },
      ];
      for (const e of edits) {
        const start = e.at < 0 ? doc.text.length : e.at;
        doc.applyChanges([{ start, end: start + e.del, text: e.ins }]);
        text = text.slice(0, start) + e.ins + text.slice(start + e.del);
        assert.equal(doc.text, text);
        const inc = doc.syntax();
        assert.deepEqual(shape(inc.root), shape(parseText(text).root), `after inserting ${JSON.stringify(e.ins)}`);
        assert.equal(inc.hasErrors, false, `no parse errors after inserting ${JSON.stringify(e.ins)}`);
      }
    } finally {
      doc.dispose();
    }
  });
});

const MODELS = AUTHOR_BOOK_MODELS;

/** Expected LSP range of `needle` on the line that contains `marker`, by JS string index. */
function expectedRange(text: string, marker: string, needle: string) {
  const lines = text.split(/\r\n|\r|\n/);
  const line = lines.findIndex((l) => l.includes(marker));
  assert.ok(line >= 0, `marker ${marker}`);
  const character = lines[line].indexOf(needle);
  return { start: { line, character }, end: { line, character: character + needle.length } };
}

describe("positions: end to end through the analysis", () => {
  const view = [
    "# -*- coding: utf-8 -*-",
    "# 書籍の一覧 😀 — café",
    "from shop.models import Book",
    "",
    "TITLE = '👍🏽 名前'",
    "",
    "",
    "def titles():",
    "    out = []",
    "    for book in Book.objects.all():",
    "        out.append(('😀😀', '日本語', book.author))  # marker-1 😀",
    "    # a second read in the same iteration uses the cache: this loop is another queryset",
    "    for book in Book.objects.filter(title='名前'):",
    "        print('é', '🎉', book.title, book.author.name)  # marker-2",
    "    return out",
    "",
  ].join("\r\n");

  it("reports n-plus-one exactly on `book.author` after emoji and CJK on the same and earlier lines (CRLF)", async () => {
    const hints = await hintsFor({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/views.py": view }, "shop/views.py", "n-plus-one");
    assert.equal(hints.length, 2, hints.map((h) => h.message).join("\n"));
    assert.deepEqual(hints[0].range, expectedRange(view, "marker-1", "book.author"));
    assert.deepEqual(hints[1].range, expectedRange(view, "marker-2", "book.author"));
    // Sanity: the emoji really shift UTF-16 columns away from code point columns.
    const line = view.split("\r\n")[12];
    assert.notEqual(line.indexOf("book.author"), [...line.slice(0, line.indexOf("book.author"))].length);
  });

  it("gives fix edits and related information in the same UTF-16 positions", async () => {
    const hints = await hintsFor({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/views.py": view }, "shop/views.py", "n-plus-one");
    const h = hints[0];
    const rel = h.related[0];
    assert.ok(rel, "relatedInformation points at the queryset");
    const lines = view.split("\r\n");
    const qsLine = lines.findIndex((l) => l.includes("Book.objects.all()"));
    assert.equal(rel.range.start.line, qsLine);
    assert.equal(rel.range.start.character, lines[qsLine].indexOf("Book.objects"));
    const edit = h.fixes[0]?.edits[0];
    assert.ok(edit, "a fix");
    assert.equal(edit.range.start.line, qsLine);
    assert.equal(edit.range.start.character, lines[qsLine].indexOf("Book.objects") + "Book.objects".length);
  });

  it("reports the same positions for a file read from disk with a BOM", async () => {
    const dir = writeTree({ "shop/__init__.py": "", "shop/models.py": MODELS });
    const file = path.join(dir, "shop", "views.py");
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(view, "utf8")]));
    const project = await projectFor(dir);
    const text = project.textOf(file);
    assert.equal(text, view, "the BOM is stripped on reading");
    const hints = project.analyze(file, text!).filter((h) => h.code === "n-plus-one");
    assert.deepEqual(hints.map((h) => h.range), [expectedRange(view, "marker-1", "book.author"), expectedRange(view, "marker-2", "book.author")]);
  });

  // Python accepts lone-CR line endings (language reference, "Physical lines"); LSP counts them as line breaks.
  it("reports the right line on lone-CR line endings", async () => {
    const cr = view.replace(/\r\n/g, "\r");
    const hints = await hintsFor({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/views.py": cr }, "shop/views.py", "n-plus-one");
    assert.deepEqual(hints.map((h) => h.range), [expectedRange(cr, "marker-1", "book.author"), expectedRange(cr, "marker-2", "book.author")]);
  });
});
