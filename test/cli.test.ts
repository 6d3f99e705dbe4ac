/**
 * The command line, spawned as a user runs it (`node bin/django-orm-hints.js`, built by `npm run build`):
 * the `check --format json` contract, exit codes, --root, the text format, bad input, --help and --version.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { RULES } from "../rules";
import { LineIndex } from "../server/src/engine/positions";
import { AUTHOR_BOOK_MODELS, CLI, EXAMPLE, projectFor, REPO, writeTree } from "./helpers";

interface Pos {
  line: number;
  character: number;
}
interface Range {
  start: Pos;
  end: Pos;
}
interface JsonHint {
  file: string;
  range: Range;
  code: string;
  severity: string;
  message: string;
  fixes: { title: string; edits: { file: string; range: Range; newText: string }[] }[];
}

function cli(args: string[], cwd = REPO): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", timeout: 30000, env: { ...process.env, DJANGO_ORM_HINTS_DEBUG: "" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[], cwd = REPO): { status: number | null; hints: JsonHint[]; stderr: string } {
  const r = cli(["check", "--format", "json", ...args], cwd);
  let hints: JsonHint[];
  try {
    hints = JSON.parse(r.stdout);
  } catch (e) {
    throw new Error(`stdout is not JSON (${(e as Error).message}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return { status: r.status, hints, stderr: r.stderr };
}

const MODELS = AUTHOR_BOOK_MODELS;
const BAD_VIEW = `from shop.models import Book


def titles():
    return [(b.title, b.author.name) for b in Book.objects.all()]
`;
const GOOD_VIEW = `from shop.models import Book


def titles():
    return [(b.title, b.author.name) for b in Book.objects.select_related("author")]
`;

function isPos(p: unknown): p is Pos {
  const x = p as Pos;
  return !!x && Number.isInteger(x.line) && Number.isInteger(x.character) && x.line >= 0 && x.character >= 0 && Object.keys(x).sort().join() === "character,line";
}

/** Checks one hint's shape and that its ranges fit the file's text in UTF-16 units. */
function checkShape(h: JsonHint): void {
  assert.deepEqual(Object.keys(h).sort(), ["code", "file", "fixes", "message", "range", "severity"]);
  assert.ok(path.isAbsolute(h.file), `file is absolute: ${h.file}`);
  assert.ok(fs.existsSync(h.file), `file exists: ${h.file}`);
  assert.ok(RULES.some((r) => r.meta.id === h.code), `code is a rule id: ${h.code}`);
  assert.ok(["error", "warning", "information", "hint"].includes(h.severity), h.severity);
  assert.equal(typeof h.message, "string");
  assert.ok(h.message.length > 0);
  const checkRange = (file: string, r: Range) => {
    assert.ok(isPos(r.start) && isPos(r.end), `range is {start,end} of {line,character}: ${JSON.stringify(r)}`);
    assert.deepEqual(Object.keys(r).sort(), ["end", "start"]);
    const li = new LineIndex(fs.readFileSync(file, "utf8").replace(/^\uFEFF/, ""));
    for (const p of [r.start, r.end]) {
      assert.ok(p.line < li.lineCount, `line ${p.line} in ${file}`);
      assert.ok(p.character <= li.line(p.line).length, `character ${p.character} within line ${p.line} of ${file}`);
    }
    assert.ok(r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character), "start <= end");
  };
  checkRange(h.file, h.range);
  assert.ok(Array.isArray(h.fixes));
  for (const f of h.fixes) {
    assert.deepEqual(Object.keys(f).sort(), ["edits", "title"]);
    assert.equal(typeof f.title, "string");
    assert.ok(f.edits.length > 0);
    for (const e of f.edits) {
      assert.deepEqual(Object.keys(e).sort(), ["file", "newText", "range"]);
      assert.ok(path.isAbsolute(e.file));
      assert.equal(typeof e.newText, "string");
      checkRange(e.file, e.range);
    }
  }
}

describe("cli: check --format json", () => {
  it("reports the example project: shape, absolute files, UTF-16 ranges, exit 1", async () => {
    const { status, hints, stderr } = json([EXAMPLE]);
    assert.equal(status, 1, stderr);
    assert.ok(Array.isArray(hints) && hints.length > 0);
    for (const h of hints) checkShape(h);
    const codes = new Set(hints.map((h) => h.code));
    // The foundation's rules (issue 2, section 5) all show in the example.
    for (const id of ["n-plus-one", "queryset-in-loop", "missing-only", "cache-page-candidate"]) assert.ok(codes.has(id), `the example shows ${id}`);
    assert.ok(hints.some((h) => h.fixes.length > 0), "some hints carry fixes");
    // The CLI reports exactly what the engine finds.
    const project = await projectFor(EXAMPLE);
    const engine = project.files().flatMap((f) => project.analyze(f, project.textOf(f)!)).map((h) => `${h.file}:${h.range.start.line}:${h.range.start.character}:${h.code}`);
    assert.deepEqual(hints.map((h) => `${h.file}:${h.range.start.line}:${h.range.start.character}:${h.code}`).sort(), engine.sort());
  });

  it("prints [] and exits 0 when there are no hints", () => {
    const dir = writeTree({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/views.py": GOOD_VIEW });
    const { status, hints, stderr } = json([dir]);
    assert.deepEqual(hints, []);
    assert.equal(status, 0, stderr);
  });

  it("gives 0-based UTF-16 positions, past emoji and CJK, and fixes that make the hint go away", () => {
    const view = `from shop.models import Book\r\n\r\n\r\ndef titles():\r\n    return [('😀名', b.author.name) for b in Book.objects.all()]  # 日本\r\n`;
    const dir = writeTree({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/views.py": view });
    const file = path.join(dir, "shop", "views.py");
    const { status, hints } = json([dir]);
    assert.equal(status, 1);
    assert.equal(hints.length, 1, JSON.stringify(hints, null, 1));
    const [h] = hints;
    checkShape(h);
    assert.equal(h.file, file);
    assert.equal(h.code, "n-plus-one");
    const line = view.split("\r\n")[4];
    const ch = line.indexOf("b.author");
    assert.deepEqual(h.range, { start: { line: 4, character: ch }, end: { line: 4, character: ch + "b.author".length } });
    // Apply the first fix's edits to the file and check again: nothing left.
    const fix = h.fixes[0];
    assert.ok(fix, "a fix");
    let text = fs.readFileSync(file, "utf8");
    const li = new LineIndex(text);
    for (const e of fix.edits.map((e) => ({ ...e, s: li.offsetAt(e.range.start), t: li.offsetAt(e.range.end) })).sort((a, b) => b.s - a.s)) {
      assert.equal(e.file, file);
      text = text.slice(0, e.s) + e.newText + text.slice(e.t);
    }
    fs.writeFileSync(file, text);
    assert.ok(text.includes("Book.objects.select_related('author').all()") || text.includes('Book.objects.select_related("author").all()'), text);
    const again = json([dir]);
    assert.deepEqual(again.hints, []);
    assert.equal(again.status, 0);
  });
});

describe("cli: --root and paths", () => {
  const tree = () =>
    writeTree({
      "shop/__init__.py": "",
      "shop/models.py": MODELS,
      "shop/views.py": BAD_VIEW,
      "other/__init__.py": "",
      "other/views.py": BAD_VIEW,
    });

  it("defaults --root to the common folder of the paths", () => {
    const dir = tree();
    const both = json([path.join(dir, "shop", "views.py"), path.join(dir, "other", "views.py")]);
    assert.equal(both.status, 1);
    assert.deepEqual(both.hints.map((h) => path.relative(dir, h.file)).sort(), [path.join("other", "views.py"), path.join("shop", "views.py")]);
    // Alone, other/views.py is its own root: the models in shop/ are not indexed, so nothing is known.
    const alone = json([path.join(dir, "other", "views.py")]);
    assert.deepEqual(alone.hints, []);
    assert.equal(alone.status, 0);
  });

  it("takes the model index from --root and reports only the given paths", () => {
    const dir = tree();
    for (const args of [["--root", dir], [`--root=${dir}`]]) {
      const r = json([...args, path.join(dir, "other", "views.py")]);
      assert.equal(r.status, 1, r.stderr);
      assert.deepEqual(r.hints.map((h) => h.file), [path.join(dir, "other", "views.py")]);
    }
  });

  it("resolves relative paths and --root against the working folder, and defaults to it", () => {
    const dir = tree();
    const rel = json(["--root", ".", "other"], dir);
    assert.deepEqual(rel.hints.map((h) => h.file), [path.join(dir, "other", "views.py")]);
    const dflt = json([], dir);
    assert.equal(dflt.hints.length, 2);
    assert.ok(dflt.hints.every((h) => path.isAbsolute(h.file)));
  });

  it("skips virtualenvs, node_modules and .gitignored files", () => {
    const dir = writeTree({
      "shop/__init__.py": "",
      "shop/models.py": MODELS,
      ".gitignore": "build/\n",
      "build/views.py": BAD_VIEW,
      "node_modules/pkg/views.py": BAD_VIEW,
      ".venv/lib/views.py": BAD_VIEW,
      "env/pyvenv.cfg": "home = /usr/bin\n",
      "env/lib/views.py": BAD_VIEW,
      "shop/views.py": GOOD_VIEW,
    });
    const r = json([dir]);
    assert.deepEqual(r.hints.map((h) => path.relative(dir, h.file)), []);
    assert.equal(r.status, 0);
  });
});

describe("cli: hints placed in templates", () => {
  it("reports a base template's hint once, however many views render pages that extend it", () => {
    const view = (name: string) => `from django.shortcuts import render\n\n\ndef ${name}(request):\n    return render(request, "shop/${name}.html", {})\n`;
    const dir = writeTree({
      "shop/__init__.py": "",
      "shop/models.py": MODELS + `    owner = models.ForeignKey("auth.User", on_delete=models.CASCADE)\n`,
      "shop/settings.py": `TEMPLATES = [{"OPTIONS": {"context_processors": ["django.contrib.auth.context_processors.auth"]}}]\n`,
      "shop/views.py": view("home") + "\n\n" + view("about").split("\n\n\n")[1],
      "shop/more.py": view("help"),
      "shop/templates/shop/base.html": "{% for b in user.book_set.all %}{{ b.author.name }}{% endfor %}\n{% block content %}{% endblock %}\n",
      "shop/templates/shop/home.html": '{% extends "shop/base.html" %}\n',
      "shop/templates/shop/about.html": '{% extends "shop/base.html" %}\n',
      "shop/templates/shop/help.html": '{% extends "shop/base.html" %}\n',
    });
    const r = json(["--root", dir, dir]);
    assert.deepEqual(r.hints.map((h) => `${path.relative(dir, h.file)}:${h.range.start.line}:${h.code}`), [`${path.join("shop", "templates", "shop", "base.html")}:0:n-plus-one`]);
  });
});

describe("cli: exit code 2 for usage errors", () => {
  const dir = writeTree({ "a.py": "x = 1\n" });
  const cases: [string, string[], RegExp][] = [
    ["an unknown flag", ["check", "--bogus", dir], /--bogus/],
    ["a bad --format", ["check", "--format", "xml", dir], /format/],
    ["--format without a value", ["check", "--format"], /format/],
    ["a missing path", ["check", path.join(dir, "nope.py")], /nope\.py/],
    ["--root that is a file", ["check", "--root", path.join(dir, "a.py"), dir], /root/],
    ["--root that does not exist", ["check", "--root", path.join(dir, "missing"), dir], /root/],
    ["an unknown command", ["lint", dir], /lint/],
    ["no command", [], /Usage/],
  ];
  for (const [name, args, message] of cases) {
    it(`exits 2 for ${name}, with a message on stderr and nothing on stdout`, () => {
      const r = cli(args);
      assert.equal(r.status, 2, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.match(r.stderr + (args.length ? "" : r.stdout), message);
      if (args.length) assert.equal(r.stdout, "");
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, "no stack trace");
    });
  }
});

describe("cli: text format", () => {
  it("prints `path:line:col: severity [code] message` lines matching the JSON, then a summary", () => {
    const dir = writeTree({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/views.py": BAD_VIEW, "shop/more.py": BAD_VIEW.replace("def titles", "# 😀 ü\ndef titles") });
    const text = cli(["check", "."], dir);
    assert.equal(text.status, 1, text.stderr);
    const { hints } = json(["."], dir);
    const lines = text.stdout.trimEnd().split("\n");
    // Hint lines; anything else (source excerpts, blank lines) is indented or not of the `path:line:col: ` form.
    const body = lines.slice(0, -1).filter((l) => /^[^\s|].*?:\d+:\d+: /.test(l));
    assert.equal(body.length, hints.length, text.stdout);
    const re = /^(.+):(\d+):(\d+): (error|warning|information|hint) \[([a-z-]+)\] (.+)$/;
    body.forEach((l, i) => {
      const m = re.exec(l);
      assert.ok(m, `line shape: ${l}`);
      const h = hints[i];
      assert.equal(path.resolve(dir, m[1]), h.file, "path relative to the working folder");
      assert.ok(!path.isAbsolute(m[1]));
      assert.equal(Number(m[2]), h.range.start.line + 1, "1-based line");
      assert.equal(Number(m[3]), h.range.start.character + 1, "1-based column");
      assert.equal(m[4], h.severity);
      assert.equal(m[5], h.code);
      assert.equal(m[6], h.message);
    });
    assert.match(lines[lines.length - 1], /^Found 2 hints in 2 files/);
  });

  it("says so when there are no hints", () => {
    const dir = writeTree({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/views.py": GOOD_VIEW });
    const r = cli(["check", "--format=text", dir]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^No hints in 3 files\./m);
  });
});

describe("cli: bad input files", () => {
  it("reads a file with invalid UTF-8 with a message on stderr, and keeps going", () => {
    const dir = writeTree({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/views.py": BAD_VIEW });
    fs.writeFileSync(path.join(dir, "shop", "latin1.py"), Buffer.concat([Buffer.from("# caf"), Buffer.from([0xe9, 0xff]), Buffer.from("\n" + BAD_VIEW)]));
    const r = json([dir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /latin1\.py/);
    assert.match(r.stderr, /UTF-8/);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.deepEqual(r.hints.map((h) => path.basename(h.file)).sort(), ["latin1.py", "views.py"], "the file is still analyzed");
  });

  it("skips a binary file with a message", () => {
    const dir = writeTree({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/views.py": BAD_VIEW });
    fs.writeFileSync(path.join(dir, "shop", "blob.py"), Buffer.from([0x00, 0x01, 0x02, 0x00]));
    const r = json([dir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /blob\.py.*binary/);
    assert.equal(r.hints.length, 1);
  });

  it("does not crash on a file with syntax errors, and still checks the others", () => {
    const dir = writeTree({
      "shop/__init__.py": "",
      "shop/models.py": MODELS,
      "shop/views.py": BAD_VIEW,
      "shop/broken.py": "def f(:\n    for b in Book.objects.all(\n        print(b.author\nclass\n",
    });
    const r = json([dir]);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.equal(r.status, 1);
    assert.ok(r.hints.some((h) => h.file === path.join(dir, "shop", "views.py")));
  });

  it("says on stderr that a file has syntax errors", () => {
    const dir = writeTree({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/broken.py": "def f(:\n    pass\n" });
    const r = json([dir]);
    assert.match(r.stderr, /broken\.py.*syntax/i);
  });
});

describe("cli: --help and --version", () => {
  it("--help prints usage with both commands and exits 0", () => {
    for (const flag of ["--help", "-h"]) {
      const r = cli([flag]);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /Usage/);
      assert.match(r.stdout, /django-orm-hints check .*\[PATH\.\.\.\]/);
      assert.match(r.stdout, /--root DIR/);
      assert.match(r.stdout, /--format/);
      assert.match(r.stdout, /\bjson\b/);
      assert.match(r.stdout, /django-orm-hints lsp --stdio/);
      for (const rule of RULES) assert.ok(r.stdout.includes(rule.meta.id), `help lists ${rule.meta.id}`);
    }
  });

  it("--version prints the package version and exits 0", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string };
    const r = cli(["--version"]);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, `django-orm-hints ${pkg.version}\n`);
  });

  it("package.json's bin points at the built entry", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { bin: Record<string, string> };
    assert.equal(path.resolve(REPO, pkg.bin["django-orm-hints"]), CLI);
    assert.match(fs.readFileSync(CLI, "utf8"), /^#!\/usr\/bin\/env node/);
  });
});
