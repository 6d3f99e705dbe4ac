/** The parsing module: incremental snapshots equal fresh ones, and WASM memory stays flat over many parses. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { IncrementalDocument, initParser, parseText, pointAfter, useRawCursor, type SyntaxNode } from "../server/src/engine/parser";
import { tsPointAt } from "../server/src/engine/positions";
import { REPO } from "./helpers";

function shape(n: SyntaxNode): unknown {
  return [n.type, n.start, n.end, n.field, n.children.map(shape)];
}

function parentsAreRight(n: SyntaxNode): boolean {
  return n.children.every((c) => c.parent === n && parentsAreRight(c));
}

/** A small seeded generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SAMPLE = fs.readFileSync(path.join(REPO, "example", "catalog", "views.py"), "utf8");
// Classes with methods and nested classes (Meta): edits inside a class reuse its untouched body statements.
const CLASSES = fs.readFileSync(path.join(REPO, "example", "api", "views.py"), "utf8") + fs.readFileSync(path.join(REPO, "example", "orders", "models.py"), "utf8");
const SNIPPETS = ["x", "\n", "    ", "book.author", "(", ")", ":", "\n    for b in Book.objects.all():\n        b.author\n", "# é😀\n", "", "'", "def f():\n    pass\n", "\r\n", "y\r"];

describe("parser: incremental snapshots", () => {
  it("tells tree-sitter the same edit points as a scan of the whole text (pointAfter)", () => {
    const random = rng(42);
    let text = SAMPLE;
    for (let i = 0; i < 500; i++) {
      const start = Math.floor(random() * text.length);
      const end = Math.min(text.length, start + Math.floor(random() * 40));
      const insert = SNIPPETS[Math.floor(random() * SNIPPETS.length)].replace(/\r/g, "");
      const at = tsPointAt(text, start);
      assert.deepEqual(pointAfter(at, text, start, end), tsPointAt(text, end), `old end, edit ${i}`);
      const next = text.slice(0, start) + insert + text.slice(end);
      assert.deepEqual(pointAfter(at, insert, 0, insert.length), tsPointAt(next, start + insert.length), `new end, edit ${i}`);
      text = next;
    }
  });

  it("equal a fresh parse after each of 400 random edits (seeded)", async () => {
    await initParser();
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const random = rng(seed);
      const doc = new IncrementalDocument(seed > 4 ? CLASSES : SAMPLE);
      doc.syntax();
      for (let i = 0; i < 100; i++) {
        const t = doc.text;
        const start = Math.floor(random() * t.length);
        const end = Math.min(t.length, start + Math.floor(random() * 12));
        const insert = SNIPPETS[Math.floor(random() * SNIPPETS.length)];
        // Sometimes two edits before one parse.
        doc.applyChanges([{ start, end: random() < 0.5 ? start : end, text: insert }]);
        if (random() < 0.3) {
          const p = Math.floor(random() * doc.text.length);
          doc.applyChanges([{ start: p, end: p, text: "z" }]);
        }
        const inc = doc.syntax();
        const fresh = parseText(doc.text);
        assert.deepEqual(shape(inc.root), shape(fresh.root), `seed ${seed}, edit ${i}: incremental snapshot differs from a fresh parse`);
        assert.equal(inc.hasErrors, fresh.hasErrors, `seed ${seed}, edit ${i}: hasErrors`);
        assert.ok(parentsAreRight(inc.root), `seed ${seed}, edit ${i}: parent links`);
      }
      doc.dispose();
    }
  });
});

describe("parser: a text whose whole tree is an error", () => {
  it("gives the root the type ERROR, fresh and incremental, and the rules run on it", async () => {
    await initParser();
    // tree-sitter answers some garbage with an ERROR root, whose symbol is outside the grammar's table of names.
    const garbage = "**.)1notif";
    const fresh = parseText(garbage);
    assert.equal(fresh.root.type, "ERROR");
    assert.ok(fresh.hasErrors);
    const doc = new IncrementalDocument("x = 1\n");
    doc.syntax();
    doc.applyChanges([{ start: 0, end: 6, text: garbage }]);
    assert.equal(doc.syntax().root.type, "ERROR");
    assert.deepEqual(shape(doc.syntax().root), shape(fresh.root));
    const { hintsFor } = await import("./helpers");
    // Rules walk up to the root comparing types (a storm run crashed on `undefined.endsWith`).
    assert.deepEqual(await hintsFor({ "shop/views.py": garbage }, "shop/views.py"), []);
  });
});

describe("parser: reuse inside a class", () => {
  it("keeps the untouched methods of a changed class, moved, and re-reads the touched one", async () => {
    await initParser();
    const text = "class A:\n    def f(self):\n        return 1\n\n    def g(self):\n        return 2\n\n    def h(self):\n        return 3\n";
    const doc = new IncrementalDocument(text);
    const before = doc.syntax().root.children[0].children.find((c) => c.field === "body")!.children;
    const at = text.indexOf("return 2") + "return ".length;
    doc.applyChanges([{ start: at, end: at + 1, text: "22" }]);
    const after = doc.syntax().root.children[0].children.find((c) => c.field === "body")!.children;
    assert.equal(after[0], before[0], "f is reused");
    assert.notEqual(after[1], before[1], "g is read again");
    assert.equal(after[2], before[2], "h is reused");
    assert.equal(after[2].start, text.indexOf("def h") + 1, "h moved with the edit");
    assert.deepEqual(shape(doc.syntax().root), shape(parseText(doc.text).root));
    assert.ok(parentsAreRight(doc.syntax().root));
    doc.dispose();
  });
});

describe("parser: the raw cursor", () => {
  it("copies the same tree as web-tree-sitter's public TreeCursor API (non-ASCII, errors, deep nesting, incremental)", async () => {
    await initParser();
    // The raw walk is what the engine uses; this fails if the runtime stops exposing it.
    assert.equal(useRawCursor(true), true, "the raw cursor exports were not found on the web-tree-sitter module");
    const deep = "x = " + "[".repeat(300) + "]".repeat(300) + "\n";
    const texts = [
      SAMPLE,
      CLASSES,
      "# é😀 ünïcode\ntitle = '日本語'; Book.objects.filter(name='ß').select_related('author')\n",
      "def f(:\n    for b in Book.objects.all(\n        b.author\n",
      "a = 1\r\nb = 2\rc = (\r\n",
      deep,
      "",
      "\ufeffimport os\n",
    ];
    try {
      for (const text of texts) {
        useRawCursor(true);
        const fast = parseText(text);
        useRawCursor(false);
        const slow = parseText(text);
        assert.deepEqual(shape(fast.root), shape(slow.root), `raw walk differs for ${JSON.stringify(text.slice(0, 40))}`);
        assert.equal(fast.hasErrors, slow.hasErrors);
        assert.ok(parentsAreRight(fast.root));
      }
      // Incremental snapshots walk only the changed statements: the same with either cursor.
      for (const raw of [true, false]) {
        useRawCursor(raw);
        const doc = new IncrementalDocument(CLASSES);
        doc.syntax();
        const at = CLASSES.indexOf("def ") + 4;
        doc.applyChanges([{ start: at, end: at, text: "é" }]);
        assert.deepEqual(shape(doc.syntax().root), shape(parseText(doc.text).root), `incremental, raw=${raw}`);
        doc.dispose();
      }
    } finally {
      useRawCursor(true);
    }
  });
});

describe("parser: memory", () => {
  it("stays flat over many parses and document lifetimes (trees are deleted)", async () => {
    await initParser();
    const big = SAMPLE.repeat(8);
    const cycle = () => {
      parseText(big);
      const doc = new IncrementalDocument(big);
      doc.syntax();
      for (let i = 0; i < 5; i++) {
        doc.applyChanges([{ start: i * 10, end: i * 10, text: "x" }]);
        doc.syntax();
      }
      doc.dispose();
    };
    for (let i = 0; i < 20; i++) cycle();
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 80; i++) cycle();
    gc?.();
    const after = process.memoryUsage().rss;
    // A leaked tree of this file is about 1 MB of WASM heap: 200 leaks would add about 80 MB.
    assert.ok(after - before < 40 * 1024 * 1024, `RSS grew by ${((after - before) / 1048576).toFixed(1)} MB over 80 parse cycles`);
  });
});
