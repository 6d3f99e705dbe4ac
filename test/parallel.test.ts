/**
 * A check on several threads gives the same hints and notices as one thread: on the example project, on a
 * generated project, and on a tree with unreadable and odd files.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { generate } from "../bench/generate";
import { runCheck, type CheckOptions } from "../server/src/cli/check";
import { workerCount } from "../server/src/cli/parallel";
import { AUTHOR_BOOK_MODELS, EXAMPLE, tempDir, writeTree } from "./helpers";

const saved = process.env.DJANGO_ORM_HINTS_WORKERS;
after(() => {
  if (saved === undefined) delete process.env.DJANGO_ORM_HINTS_WORKERS;
  else process.env.DJANGO_ORM_HINTS_WORKERS = saved;
});

async function checkWith(workers: number, opts: CheckOptions): Promise<{ hints: string[]; notices: string[] }> {
  process.env.DJANGO_ORM_HINTS_WORKERS = String(workers);
  const r = await runCheck(opts);
  return { hints: r.hints.map((h) => JSON.stringify(h)), notices: r.notices.map((n) => `${n.file ?? ""}: ${n.message}`) };
}

describe("parallel check", () => {
  it("uses threads only when asked or for a big enough project", () => {
    process.env.DJANGO_ORM_HINTS_WORKERS = "1";
    assert.equal(workerCount(10_000), 1);
    process.env.DJANGO_ORM_HINTS_WORKERS = "3";
    assert.equal(workerCount(5), 3);
    delete process.env.DJANGO_ORM_HINTS_WORKERS;
    assert.equal(workerCount(3), 1);
  });

  it("gives the example project's hints", async () => {
    const one = await checkWith(1, { paths: [EXAMPLE], format: "json" });
    const two = await checkWith(2, { paths: [EXAMPLE], format: "json" });
    assert.ok(one.hints.length > 20);
    assert.deepEqual(two, one);
  });

  it("reports a template that views on different threads render once", async () => {
    const view = (name: string) => `from django.shortcuts import render\n\nfrom shop.models import Book\n\n\ndef ${name}(request):\n    return render(request, "shop/books.html", {"books": Book.objects.all()})\n`;
    const root = writeTree({
      "shop/__init__.py": "",
      "shop/models.py": AUTHOR_BOOK_MODELS,
      "shop/a.py": view("a"),
      "shop/b.py": view("b"),
      "shop/templates/shop/books.html": "{% for book in books %}{{ book.author.name }}{% endfor %}\n",
    });
    const one = await checkWith(1, { paths: [root], format: "json" });
    const two = await checkWith(2, { paths: [root], format: "json" });
    assert.equal(one.hints.filter((h) => h.includes("books.html")).length, 1, one.hints.join("\n"));
    assert.deepEqual(two, one);
  });

  it("gives a generated project's hints, with several threads", async () => {
    const dir = tempDir("orm-hints-par-");
    const corpus = generate(12_000, dir);
    const one = await checkWith(1, { paths: [corpus.root], format: "json" });
    const three = await checkWith(3, { paths: [corpus.root], format: "json" });
    assert.ok(one.hints.length > 50, `${one.hints.length} hints`);
    assert.deepEqual(three, one);
  });

  it("reports unreadable, binary and oversized files the same way", async () => {
    const root = writeTree({
      "shop/__init__.py": "",
      "shop/models.py": "from django.db import models\n\n\nclass Book(models.Model):\n    title = models.CharField(max_length=9)\n",
      "shop/bad.py": "x = 1\n",
      "shop/views.py": "from shop.models import Book\n\n\ndef f():\n    for b in Book.objects.filter(title='x'):\n        print(b.title)\n",
      "shop/broken.py": "def f(:\n",
    });
    fs.writeFileSync(path.join(root, "shop", "binary.py"), Buffer.from([0x61, 0, 0x62]));
    fs.writeFileSync(path.join(root, "shop", "latin1.py"), Buffer.from("x = 'caf\xe9'\n", "latin1"));
    fs.writeFileSync(path.join(root, "shop", "big.py"), `x = 1\n${"# filler\n".repeat(300_000)}`);
    const one = await checkWith(1, { paths: [root], format: "json" });
    const two = await checkWith(2, { paths: [root], format: "json" });
    assert.ok(one.notices.some((n) => /binary/.test(n)) && one.notices.some((n) => /limit/.test(n)), one.notices.join("\n"));
    assert.deepEqual(two, one);
  });
});
