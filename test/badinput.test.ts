/**
 * Bad and odd input: oversized files, a minified one-line file, 10,000-deep nesting, non-UTF-8 bytes, binary files
 * named .py, files that vanish mid-scan, symlink loops, unreadable folders (adapted when running as root), 10,000
 * files in one workspace, broken settings and a broken pyproject.toml section. None may hang or crash; each gets
 * one clear message; no message repeats on every keystroke.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { TextDocument } from "vscode-languageserver-textdocument";
import { RULE_IDS, RULES } from "../rules";
import { DEFAULT_CONFIG, resolveConfig } from "../server/src/engine/config";
import { initParser } from "../server/src/engine/parser";
import { Project } from "../server/src/engine/project";
import { CLI, copyExample, diagnosticProblems, LspServer, tempDir, uriOf, waitFor } from "./soak";
import { AUTHOR_BOOK_MODELS, hintsFor } from "./helpers";

const MODELS = AUTHOR_BOOK_MODELS;
const N_PLUS_ONE = `

def book_titles(request):
    for book in Book.objects.all():
        print(book.author.name)
`;

function workspace(files: Record<string, string | Buffer>): string {
  const dir = tempDir("orm-hints-bad-");
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(dir, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return dir;
}

async function scanned(dir: string, raw?: unknown): Promise<Project> {
  await initParser();
  const project = new Project([dir], RULES);
  if (raw !== undefined) project.config = resolveConfig(raw, RULE_IDS).config;
  project.scan();
  return project;
}

const noticesFor = (project: Project, file: string) => project.notices.filter((n) => n.file === file).map((n) => n.message);

/** Runs fn with DJANGO_ORM_HINTS_DEBUG off (the product's mode: a failing rule is swallowed). */
function productMode<T>(fn: () => T): T {
  const saved = process.env.DJANGO_ORM_HINTS_DEBUG;
  process.env.DJANGO_ORM_HINTS_DEBUG = "";
  try {
    return fn();
  } finally {
    process.env.DJANGO_ORM_HINTS_DEBUG = saved;
  }
}

const servers: LspServer[] = [];
after(async () => {
  for (const s of servers) await s.stop();
});

describe("bad input: sizes", () => {
  it("a file over the default 2 MB is skipped with one message, however often it is scanned", async () => {
    const big = `# ${"x".repeat(100)}\n`.repeat(Math.ceil((2 * 1024 * 1024 + 10) / 103));
    const dir = workspace({ "shop/models.py": MODELS, "shop/big.py": big });
    const project = await scanned(dir);
    const file = path.join(dir, "shop", "big.py");
    project.scan();
    project.indexFile(file);
    assert.equal(project.hasFile(file), false);
    const msgs = noticesFor(project, file);
    assert.equal(msgs.length, 1, msgs.join("\n"));
    assert.match(msgs[0], /skipped: 2\.0 MB is over the 2\.0 MB limit \(setting maxFileSize\)/);
    assert.equal(project.textOf(file), null);
  });

  it("a file over a configured smaller maxFileSize is skipped with one message", async () => {
    const dir = workspace({ "shop/models.py": MODELS, "shop/views.py": `from .models import Book\n${"# padding\n".repeat(1000)}${N_PLUS_ONE}` });
    const project = await scanned(dir, { maxFileSize: 4096 });
    const file = path.join(dir, "shop", "views.py");
    project.scan();
    assert.equal(project.hasFile(file), false);
    const msgs = noticesFor(project, file);
    assert.equal(msgs.length, 1, msgs.join("\n"));
    assert.match(msgs[0], /skipped: .* over the .* limit \(setting maxFileSize\)/);
  });

  it("the message for a small configured maxFileSize states the sizes readably", async () => {
    const dir = workspace({ "shop/models.py": MODELS, "shop/views.py": "# padding\n".repeat(1000) });
    const project = await scanned(dir, { maxFileSize: 4096 });
    const [msg] = noticesFor(project, path.join(dir, "shop", "views.py"));
    assert.doesNotMatch(msg, /\b0\.0 MB/, msg);
  });

  it("a minified one-line file (1 MB on one line) is analyzed in bounded time with ranges inside", async () => {
    const parts: string[] = ["from .models import Book", `DATA={${Array.from({ length: 20000 }, (_, i) => `"k${i}":[${i},${i + 1},"v"]`).join(",")}}`];
    for (let i = 0, size = parts.join(";").length; size < 1024 * 1024; i++) {
      parts.push(`x${i}=len(str(${i}))`);
      size += parts[parts.length - 1].length + 1;
    }
    parts.push("q=Book.objects.all()", "n=len(q)");
    const line = parts.join(";");
    const dir = workspace({ "shop/models.py": MODELS, "shop/min.py": line });
    const project = await scanned(dir);
    const file = path.join(dir, "shop", "min.py");
    const t = Date.now();
    const hints = productMode(() => project.analyze(file, line));
    const ms = Date.now() - t;
    console.log(`minified ${line.length} chars on one line: ${hints.length} hints in ${ms} ms`);
    assert.ok(ms < 20000, `took ${ms} ms`);
    const ds = hints.filter((h) => h.file === file).map((h) => ({ range: h.range, message: h.message, code: h.code }));
    assert.deepEqual(diagnosticProblems(line, uriOf(file), ds, "minified"), []);
  });

  it("many reassignments of one queryset name are analyzed in linear time", async () => {
    const text = `from .models import Book\n${"a=Book.objects.filter(title='x');b=len(a);".repeat(1000)}`;
    const dir = workspace({ "shop/models.py": MODELS, "shop/gen.py": text });
    const project = await scanned(dir);
    const t = Date.now();
    productMode(() => project.analyze(path.join(dir, "shop", "gen.py"), text));
    assert.ok(Date.now() - t < 1000, `took ${Date.now() - t} ms`);
  });
});

const DEEP: Record<string, (n: number) => string> = {
  parentheses: (n) => `z = ${"(".repeat(n)}1${")".repeat(n)}`,
  lists: (n) => `z = ${"[".repeat(n)}${"]".repeat(n)}`,
  calls: (n) => `z = ${"f(".repeat(n)}x${")".repeat(n)}`,
  "binary operators": (n) => `z = ${"a + ".repeat(n)}a`,
  attributes: (n) => `z = x${".a".repeat(n)}`,
  "unclosed parentheses": (n) => `z = ${"(".repeat(n)}`,
};

describe("bad input: an annotation with no value", () => {
  it("`total: int` in a function the rules read (a save of the same object, an async loop) breaks no rule", async () => {
    const models = `from django.db import models


class Item(models.Model):
    owner = models.ForeignKey("auth.User", on_delete=models.CASCADE)
    name = models.CharField(max_length=10)
`;
    const tasks = `from .models import Item


def touch(names):
    total: int
    progress = Item.objects.get(pk=1)
    for name in names:
        progress.name = name
        progress.save()


async def names():
    user: object
    async for item in Item.objects.all():
        user = item.owner
        print(user)
`;
    const hints = await hintsFor({ "shop/__init__.py": "", "shop/models.py": models, "shop/tasks.py": tasks }, "shop/tasks.py");
    assert.deepEqual(hints.map((h) => `${h.range.start.line + 1} ${h.code}`).sort(), ["15 async-lazy-load", "15 n-plus-one", "9 save-in-loop"]);
  });
});

describe("bad input: 10,000-deep nesting", () => {
  const dir = workspace({ "shop/models.py": MODELS, "shop/views.py": "" });
  const file = path.join(dir, "shop", "views.py");
  const textFor = (kind: string) => `from .models import Book\n\n${DEEP[kind](10000)}\n${N_PLUS_ONE}\n    ${DEEP[kind](10000)}\n`;

  it("neither the engine nor the server crashes or hangs", async () => {
    const project = await scanned(dir);
    for (const kind of Object.keys(DEEP)) {
      const t = Date.now();
      const text = textFor(kind);
      const hints = productMode(() => project.analyze(file, text));
      const ms = Date.now() - t;
      console.log(`10,000-deep ${kind}: ${hints.length} hints in ${ms} ms`);
      assert.ok(ms < 20000, `${kind}: ${ms} ms`);
    }
    const server = await LspServer.start(dir);
    servers.push(server);
    await server.ready();
    let version = 1;
    const doc = TextDocument.create(uriOf(file), "python", version, textFor("parentheses"));
    await server.open(doc);
    await server.diagnostics(doc.uri, version);
    for (const kind of Object.keys(DEEP)) {
      version++;
      TextDocument.update(doc, [{ text: textFor(kind) }], version);
      await server.change(doc.uri, version, [{ text: doc.getText() }]);
      const p = await server.diagnostics(doc.uri, version, 30000);
      assert.deepEqual(diagnosticProblems(doc.getText(), doc.uri, p.diagnostics, kind), []);
    }
    assert.ok(server.alive);
    assert.deepEqual(server.errors().map((m) => m.message.slice(0, 300)), []);
  });

  const baseline = `from .models import Book\n${N_PLUS_ONE}`;
  for (const kind of ["parentheses", "calls", "binary operators", "attributes"]) {
    it(`a 10,000-deep ${kind} expression does not cost the rest of the file its hints`, async () => {
      const project = await scanned(dir);
      const expected = project.analyze(file, baseline).map((h) => h.code);
      assert.ok(expected.includes("n-plus-one"), "the baseline has the hint");
      const got = productMode(() => project.analyze(file, textFor(kind)).map((h) => h.code));
      assert.ok(got.includes("n-plus-one"), `hints with the deep line: ${got.join(", ") || "none"}`);
    });
  }
});

describe("bad input: encodings and binary files", () => {
  it("non-UTF-8 bytes are decoded with replacement, analyzed, and said once", async () => {
    const latin1 = Buffer.concat([Buffer.from("# caf"), Buffer.from([0xe9, 0x20, 0xff, 0xfe]), Buffer.from(`\nfrom .models import Book\n${N_PLUS_ONE}`)]);
    const dir = workspace({ "shop/models.py": MODELS, "shop/views.py": latin1 });
    const project = await scanned(dir);
    const file = path.join(dir, "shop", "views.py");
    project.scan();
    const text = project.textOf(file)!;
    assert.ok(text.startsWith("# caf\ufffd \ufffd\ufffd\n"), JSON.stringify(text.slice(0, 20)));
    assert.deepEqual(noticesFor(project, file), ["not valid UTF-8: decoded with replacement characters"]);
    assert.ok(project.analyze(file, text).some((h) => h.code === "n-plus-one"));
  });

  it("a binary file named .py is skipped with one message", async () => {
    const bin = Buffer.alloc(4096);
    for (let i = 0; i < bin.length; i++) bin[i] = (i * 7919) % 256;
    const dir = workspace({ "shop/models.py": MODELS, "shop/blob.py": bin, "shop/img.py": Buffer.from("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "latin1") });
    const project = await scanned(dir);
    project.scan();
    for (const name of ["blob.py", "img.py"]) {
      const file = path.join(dir, "shop", name);
      assert.equal(project.hasFile(file), false, name);
      assert.deepEqual(noticesFor(project, file), ["skipped: binary content (NUL bytes)"]);
    }
  });

  it("the CLI reports oversized, binary and non-UTF-8 files once each, and does not crash", () => {
    const dir = workspace({
      "shop/models.py": MODELS,
      "shop/views.py": Buffer.concat([Buffer.from([0xff]), Buffer.from(`\nfrom .models import Book\n${N_PLUS_ONE}`)]),
      "shop/blob.py": Buffer.from([0, 1, 2, 0, 255]),
      "shop/big.py": `# ${"y".repeat(3 * 1024 * 1024)}\n`,
    });
    const r = spawnSync(process.execPath, [CLI, "check", dir], { cwd: dir, encoding: "utf8", timeout: 60000 });
    assert.ok(r.status === 0 || r.status === 1, `exit ${r.status} ${r.signal}: ${r.stderr}`);
    const out = r.stdout + r.stderr;
    for (const [name, what] of [["views.py", /UTF-8/], ["blob.py", /binary/], ["big.py", /MB/]] as const) {
      const lines = out.split("\n").filter((l) => l.includes(name) && what.test(l));
      assert.equal(lines.length, 1, `${name}:\n${out}`);
    }
    assert.doesNotMatch(r.stderr, /internal error/);
  });
});

describe("bad input: hostile workspaces", () => {
  it("a file that vanishes between listing and reading is dropped with one message", async () => {
    const dir = workspace({ "shop/models.py": MODELS, "shop/gone.py": "x = 1\n", "shop/views.py": `from .models import Book\n${N_PLUS_ONE}` });
    const gone = path.join(dir, "shop", "gone.py");
    class Vanishing extends Project {
      override readFile(file: string): string | null {
        if (file === gone && fs.existsSync(gone)) fs.unlinkSync(gone);
        return super.readFile(file);
      }
    }
    await initParser();
    const project = new Vanishing([dir], RULES);
    const { files } = project.scan();
    assert.equal(files, 3, "listed before it vanished");
    assert.equal(project.hasFile(gone), false);
    assert.deepEqual(noticesFor(project, gone), ["cannot read: ENOENT"]);
    assert.ok(project.hasFile(path.join(dir, "shop", "views.py")));
    assert.equal(project.readFile(path.join(dir, "nowhere.py")), null);
  });

  it("symlink loops, dangling links and FIFOs neither hang nor crash the scan", async () => {
    const dir = workspace({ "shop/models.py": MODELS, "shop/views.py": `from .models import Book\n${N_PLUS_ONE}`, "shop/templates/shop/x.html": "{{ x }}" });
    fs.symlinkSync(".", path.join(dir, "shop", "loop"));
    fs.symlinkSync(dir, path.join(dir, "shop", "root-loop"));
    fs.symlinkSync("self.py", path.join(dir, "shop", "self.py"));
    fs.symlinkSync("a.py", path.join(dir, "shop", "b.py"));
    fs.symlinkSync("b.py", path.join(dir, "shop", "a.py"));
    fs.symlinkSync("/nonexistent/target.py", path.join(dir, "shop", "dangling.py"));
    fs.symlinkSync("../..", path.join(dir, "shop", "templates", "shop", "up"));
    const fifo = spawnSync("mkfifo", [path.join(dir, "shop", "fifo.py"), path.join(dir, "shop", "templates", "shop", "pipe.html")]);
    const t = Date.now();
    const project = await scanned(dir);
    assert.ok(Date.now() - t < 10000);
    assert.deepEqual(project.files().map((f) => path.relative(dir, f)).sort(), [path.join("shop", "models.py"), path.join("shop", "views.py")]);
    for (const name of ["self.py", "a.py", "dangling.py", ...(fifo.status === 0 ? ["fifo.py"] : [])]) {
      assert.equal(project.readFile(path.join(dir, "shop", name)), null, name);
    }
    if (fifo.status === 0) assert.equal(project.template("shop/pipe.html"), null, "a FIFO template is not read (would block)");
    assert.ok(project.analyze(path.join(dir, "shop", "views.py"), `from .models import Book\n${N_PLUS_ONE}`).some((h) => h.code === "n-plus-one"));
  });

  it("an unreadable folder is reported once and the rest is scanned", async () => {
    const dir = workspace({ "shop/models.py": MODELS, "locked/secret.py": "x = 1\n", "shop/views.py": `from .models import Book\n${N_PLUS_ONE}` });
    const locked = path.join(dir, "locked");
    fs.chmodSync(locked, 0o000);
    try {
      let blocked = true;
      try {
        fs.readdirSync(locked);
        blocked = false; // root: permissions do not stop reads
      } catch {
        blocked = true;
      }
      if (!blocked) {
        // Running as root: chmod blocks nothing. A folder that cannot be listed: a dangling symlink named like one
        // is skipped (not a directory); a path that turns into a file is reported. Use a folder replaced by a file
        // between listing and reading instead: listWorkspace lists `locked`, then it becomes unreadable.
        fs.chmodSync(locked, 0o755);
        fs.rmSync(locked, { recursive: true });
        fs.symlinkSync("/nonexistent-folder", locked);
      }
      const project = await scanned(dir);
      project.scan();
      const problems = project.notices.filter((n) => n.message.includes("locked"));
      if (blocked) assert.equal(problems.length, 1, project.notices.map((n) => n.message).join("\n"));
      else assert.equal(problems.length, 0, "a dangling folder link is skipped silently");
      assert.ok(project.hasFile(path.join(dir, "shop", "views.py")));
      console.log(`unreadable folder: ${blocked ? "chmod 000 (not root)" : "running as root: used a dangling folder link"}; ${problems.length} message(s)`);
    } finally {
      try {
        fs.chmodSync(locked, 0o755);
      } catch {
        // the link
      }
    }
  });

  it("10,000 files in one workspace: the scan completes", async () => {
    const dir = tempDir("orm-hints-10k-");
    fs.mkdirSync(path.join(dir, "shop"));
    fs.writeFileSync(path.join(dir, "shop", "models.py"), MODELS);
    let t = Date.now();
    for (let d = 0; d < 100; d++) {
      const sub = path.join(dir, `app${d}`);
      fs.mkdirSync(sub);
      for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(sub, `m${f}.py`), f % 10 === 0 ? `from shop.models import Book\n\ndef v${f}(request):\n    return Book.objects.filter(title="x")\n` : `X_${d}_${f} = ${f}\n`);
    }
    const writeMs = Date.now() - t;
    t = Date.now();
    const project = await scanned(dir);
    const scanMs = Date.now() - t;
    t = Date.now();
    const hints = project.analyze(path.join(dir, "app0", "m0.py"), project.textOf(path.join(dir, "app0", "m0.py"))!);
    console.log(`10,000 files: written in ${writeMs} ms, scanned in ${scanMs} ms, one file analyzed in ${Date.now() - t} ms (${hints.length} hints)`);
    assert.equal(project.files().length, 10001);
    assert.equal(project.notices.length, 0, project.notices.map((n) => n.message).join("\n"));
  });
});

describe("bad input: broken configuration", () => {
  const cases: [string, unknown, RegExp][] = [
    ["rules not an object", { rules: "off" }, /^rules: /],
    ["a rule with a bad severity", { rules: { "n-plus-one": 5 } }, /^rules\.n-plus-one: /],
    ["an unknown rule id", { rules: { "no-such-rule": "off" } }, /^rules\.no-such-rule: /],
    ["a non-numeric threshold", { wideModelThreshold: "wide" }, /^wideModelThreshold: /],
    ["a threshold out of range", { wideModelThreshold: 0 }, /^wideModelThreshold: /],
    ["a negative maxFileSize", { maxFileSize: -1 }, /^maxFileSize: /],
    ["a string maxFileSize", { maxFileSize: "2MB" }, /^maxFileSize: /],
    ["a NaN maxFileSize", { maxFileSize: Number.NaN }, /^maxFileSize: /],
  ];
  for (const [what, raw, key] of cases) {
    it(`settings with ${what}: defaults plus one message naming the key`, () => {
      const { config, problems } = resolveConfig(raw, RULE_IDS);
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(problems[0], key);
      assert.deepEqual(config, { ...DEFAULT_CONFIG, rules: {} });
    });
  }

  it("settings that are not an object give the defaults and one message", () => {
    for (const raw of ["x", 3, [1], true]) {
      const { config, problems } = resolveConfig(raw, RULE_IDS);
      assert.equal(problems.length, 1, `${JSON.stringify(raw)}: ${problems}`);
      assert.deepEqual(config, { ...DEFAULT_CONFIG, rules: {} });
    }
  });

  it("a broken pyproject.toml [tool.django-orm-hints] section: defaults plus one message naming the bad key", async () => {
    let mod: typeof import("../server/src/engine/pyproject");
    try {
      mod = await import("../server/src/engine/pyproject");
    } catch {
      console.log("server/src/engine/pyproject.ts is not there: skipped");
      return;
    }
    const defaults = mod.settingsToConfig(mod.emptySettings(), RULE_IDS);
    const bad: [string, string][] = [
      ["wide-model-threshold", 'wide-model-threshold = "big"'],
      ["max-file-size", "max-file-size = -5"],
      ["select", 'select = ["no-such-rule"]'],
      ["ignore", "ignore = 3"],
      ["exclude", "exclude = { a = 1 }"],
      ["severity.n-plus-one", 'severity = { n-plus-one = "loud" }'],
      ["nonsense", "nonsense = true"],
    ];
    for (const [key, line] of bad) {
      const r = mod.parsePyproject(`[tool.django-orm-hints]\n${line}\n`, "pyproject.toml", RULE_IDS);
      assert.equal(r.problems.length, 1, `${key}: ${r.problems.join("\n")}`);
      assert.ok(r.problems[0].includes(key), `${key}: ${r.problems[0]}`);
      assert.deepEqual(mod.settingsToConfig(r.settings, RULE_IDS), defaults, key);
    }
    const broken = mod.parsePyproject("[tool.django-orm-hints\nselect = [", "pyproject.toml", RULE_IDS);
    assert.equal(broken.problems.length, 1, broken.problems.join("\n"));
    assert.match(broken.problems[0], /not valid TOML/);
    const dir = workspace({ "pyproject.toml": "[tool.django-orm-hints]\nwide-model-threshold = -1\n", "shop/models.py": MODELS });
    fs.mkdirSync(path.join(dir, ".git"));
    const loaded = mod.loadPyproject(dir, RULE_IDS);
    assert.equal(loaded.problems.length, 1);
    assert.match(loaded.problems[0], /wide-model-threshold/);
    assert.deepEqual(loaded.config, defaults);
  });
});

describe("bad input: the server says each thing once", () => {
  it("warnings and notices are sent once across many didChange and a settings change", async () => {
    const root = copyExample();
    fs.writeFileSync(path.join(root, "pyproject.toml"), "[tool.django-orm-hints]\nwide-model-threshold = \"wide\"\n");
    fs.mkdirSync(path.join(root, ".git"), { recursive: true });
    fs.writeFileSync(path.join(root, "catalog", "blob.py"), Buffer.from([0, 1, 2, 3]));
    fs.writeFileSync(path.join(root, "catalog", "latin.py"), Buffer.from([0x23, 0xe9, 0x0a]));
    fs.writeFileSync(path.join(root, "catalog", "big.py"), `# ${"z".repeat(3 * 1024 * 1024)}\n`);
    const settings = { maxFileSize: "huge", rules: { "n-plus-one": "loud" } };
    const server = await LspServer.start(root, { settings });
    servers.push(server);
    await server.ready();
    const file = path.join(root, "catalog", "views.py");
    const doc = TextDocument.create(uriOf(file), "python", 1, fs.readFileSync(file, "utf8") + "\ndef broken(:\n");
    await server.open(doc);
    await server.diagnostics(doc.uri, 1);
    for (let i = 0; i < 60; i++) {
      const end = doc.positionAt(doc.getText().length);
      const change = { range: { start: end, end }, text: i % 2 ? "x" : "(" };
      TextDocument.update(doc, [change], doc.version + 1);
      await server.change(doc.uri, doc.version, [change]);
      if (i % 10 === 0) await server.diagnostics(doc.uri, doc.version);
    }
    await server.changeConfiguration(settings);
    await server.diagnostics(doc.uri, doc.version);
    await new Promise((r) => setTimeout(r, 300));
    const counts = new Map<string, number>();
    for (const m of server.messages) counts.set(`${m.kind} ${m.message}`, (counts.get(`${m.kind} ${m.message}`) ?? 0) + 1);
    const repeated = [...counts].filter(([, n]) => n > 1).map(([m, n]) => `${n}x ${m.slice(0, 200)}`);
    assert.deepEqual(repeated, [], "no message is sent twice");
    const said = server.messages.map((m) => m.message).join("\n");
    for (const expected of [/wide-model-threshold/, /maxFileSize/, /rules\.n-plus-one/, /blob\.py: skipped: binary/, /latin\.py: not valid UTF-8/, /big\.py: skipped: 3\.0 MB/, /views\.py: has syntax errors/]) {
      assert.match(said, expected);
    }
    await waitFor("the server to be alive", () => server.alive, 100);
  });

  it("an open document over maxFileSize is skipped with one message, not analyzed on every keystroke", async () => {
    const root = copyExample();
    const server = await LspServer.start(root, { settings: { maxFileSize: 4096 } });
    servers.push(server);
    await server.ready();
    const file = path.join(root, "catalog", "views.py");
    const text = fs.readFileSync(file, "utf8");
    assert.ok(text.length > 4096);
    const doc = TextDocument.create(uriOf(file), "python", 1, text);
    await server.open(doc);
    const p = await server.diagnostics(doc.uri, 1);
    for (let i = 0; i < 5; i++) {
      const change = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: "#" };
      TextDocument.update(doc, [change], doc.version + 1);
      await server.change(doc.uri, doc.version, [change]);
    }
    await server.diagnostics(doc.uri, doc.version);
    const about = server.messages.filter((m) => m.message.includes(file) && /maxFileSize|limit|skipped/.test(m.message));
    assert.equal(about.length, 1, server.messages.map((m) => m.message).join("\n"));
    assert.deepEqual(p.diagnostics, []);
  });
});
