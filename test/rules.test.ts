/**
 * Every rule folder is tested the same way:
 * - its doc (rules/<id>/README.md) has the fixed headings, its "Example" blocks report the rule and its
 *   "Use instead" blocks do not (they run against the models in test/fixtures/doc-models);
 * - its cases (rules/<id>/cases/, one small workspace) report the rule exactly on the lines annotated
 *   `# expect: <id>`; a file X.py with a sibling X.py.fixed must turn into it when the rule's safe fixes are
 *   applied, and the fixed text must report nothing more for the rule.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { RULES } from "../rules";
import { applyFix, expectations, fixAll, hintsFor, projectFor, REPO, tempDir, writeTree } from "./helpers";

const HEADINGS = ["What it does", "Why is this bad?", "Example", "Use instead", "Fix safety"];
const DOC_MODELS = path.join(REPO, "test", "fixtures", "doc-models");

function sections(md: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current = "";
  let inCode = false;
  let code: string[] = [];
  for (const line of md.split("\n")) {
    const h = /^## (.+?)\s*$/.exec(line);
    if (!inCode && h) {
      current = h[1];
      out.set(current, out.get(current) ?? []);
      continue;
    }
    if (/^```python\s*$/.test(line) && !inCode) {
      inCode = true;
      code = [];
      continue;
    }
    if (/^```\s*$/.test(line) && inCode) {
      inCode = false;
      out.get(current)?.push(code.join("\n") + "\n");
      continue;
    }
    if (inCode) code.push(line);
  }
  return out;
}

function copyDir(from: string, to: string): void {
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const s = path.join(from, e.name);
    const d = path.join(to, e.name);
    if (e.isDirectory()) {
      fs.mkdirSync(d, { recursive: true });
      copyDir(s, d);
    } else fs.copyFileSync(s, d);
  }
}

function htmlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...htmlFiles(p));
    else if (e.name.endsWith(".html")) out.push(p);
  }
  return out.sort();
}

function pyFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...pyFiles(p));
    else if (e.name.endsWith(".py")) out.push(p);
  }
  return out.sort();
}

for (const rule of RULES) {
  const id = rule.meta.id;
  const folder = path.join(REPO, "rules", id);
  describe(`rule ${id}`, () => {
    it("has a doc with the fixed headings", () => {
      const doc = path.join(folder, "README.md");
      assert.ok(fs.existsSync(doc), `${id} has no README.md`);
      const s = sections(fs.readFileSync(doc, "utf8"));
      for (const h of HEADINGS) assert.ok(s.has(h), `${id}/README.md lacks "## ${h}"`);
      assert.ok(s.get("Example")!.length > 0, "Example has a python block");
      assert.ok(s.get("Use instead")!.length > 0, "Use instead has a python block");
    });

    it("reports its doc's Example blocks and not its Use instead blocks", async () => {
      const s = sections(fs.readFileSync(path.join(folder, "README.md"), "utf8"));
      const blocks = [...(s.get("Example") ?? []).map((code) => ({ code, bad: true })), ...(s.get("Use instead") ?? []).map((code) => ({ code, bad: false }))];
      for (const [i, b] of blocks.entries()) {
        const dir = tempDir();
        copyDir(DOC_MODELS, dir);
        // Route the example's views, as a project would (cache-page-candidate only speaks of routed views).
        const views = [...b.code.matchAll(/^def (\w+)\(request|^class (\w+)\(/gm)].map((m) => (m[1] ? `views_${i}.${m[1]}` : `views_${i}.${m[2]}.as_view()`));
        const urls = `from django.urls import path\n\nfrom . import views_${i}\n\nurlpatterns = [\n${views.map((v, j) => `    path("v${j}/", ${v}),`).join("\n")}\n]\n`;
        writeTree({ [`shop/views_${i}.py`]: b.code, "shop/urls.py": urls }, dir);
        const project = await projectFor(dir);
        const file = path.join(dir, `shop/views_${i}.py`);
        // Some rules report in another file than the example (missing-index: on the model field).
        const hints = [file, ...pyFiles(dir).filter((f) => f !== file)].flatMap((f) => project.analyze(f, f === file ? b.code : fs.readFileSync(f, "utf8"))).filter((h) => h.code === id);
        if (b.bad) assert.ok(hints.length > 0, `Example block ${i} of ${id} should report:\n${b.code}`);
        else assert.deepEqual(hints.map((h) => h.message), [], `Use instead block of ${id} should not report:\n${b.code}`);
      }
    });

    it("reports exactly the annotated lines of its cases", async () => {
      const cases = path.join(folder, "cases");
      assert.ok(fs.existsSync(cases), `${id} has no cases/ folder`);
      const dir = tempDir();
      copyDir(cases, dir);
      const project = await projectFor(dir);
      let expected = 0;
      for (const file of pyFiles(dir)) {
        const text = fs.readFileSync(file, "utf8");
        const want = [...expectations(text)].filter(([, ids]) => ids.includes(id)).map(([line]) => line).sort((a, b) => a - b);
        expected += want.length;
        const got = project.analyze(file, text).filter((h) => h.code === id && h.file === file);
        const gotLines = [...new Set(got.map((h) => h.range.start.line + 1))].sort((a, b) => a - b);
        const rel = path.relative(dir, file);
        assert.deepEqual(gotLines, want, `${id} in ${rel}: reported lines ${JSON.stringify(gotLines)}, annotated ${JSON.stringify(want)}\n${got.map((h) => `  ${h.range.start.line + 1}: ${h.message}`).join("\n")}`);
        const fixedPath = `${file}.fixed`;
        if (fs.existsSync(fixedPath)) {
          const fixed = fixAll(project, file, text, id);
          assert.equal(fixed, fs.readFileSync(fixedPath, "utf8"), `${rel}: safe fixes of ${id} give a different text than ${rel}.fixed`);
          const after = project.analyze(file, fixed).filter((h) => h.code === id && h.file === file && h.fixes.some((f) => f.safe));
          assert.deepEqual(after.map((h) => h.message), [], `${rel}: safe-fixable ${id} hints remain after fixing`);
          project.analyze(file, text);
        }
      }
      // Templates: hints that the views place in them, annotated `{# expect: <id> #}` at the end of the line.
      const templateHints = pyFiles(dir).flatMap((f) => project.analyze(f, fs.readFileSync(f, "utf8"))).filter((h) => h.code === id && !h.file.endsWith(".py"));
      for (const file of htmlFiles(dir)) {
        const text = fs.readFileSync(file, "utf8");
        const want = text.split(/\r\n|\r|\n/).flatMap((line, i) => (new RegExp(`\\{#\\s*expect:\\s*[^#]*\\b${id}\\b[^#]*#\\}\\s*$`).test(line) ? [i + 1] : []));
        expected += want.length;
        const gotLines = [...new Set(templateHints.filter((h) => h.file === file).map((h) => h.range.start.line + 1))].sort((a, b) => a - b);
        assert.deepEqual(gotLines, want, `${id} in ${path.relative(dir, file)}: reported lines ${JSON.stringify(gotLines)}, annotated ${JSON.stringify(want)}`);
      }
      assert.ok(expected > 0, `${id}'s cases annotate no line`);
    });
  });
}

describe("missing-index: the db_index=True fix", () => {
  const MODELS = [
    "from django.db import models",
    "",
    "",
    "class Stamped(models.Model):",
    "    stamp = models.DateTimeField()",
    "",
    "    class Meta:",
    "        abstract = True",
    "",
    "",
    "class Port(Stamped):",
    "    code = models.CharField(max_length=10)",
    "    label = models.CharField(max_length=10,)",
    "    name = models.CharField(",
    "        max_length=64,",
    '        db_collation="natural_sort"  # sorted naturally',
    "    )",
    "    state = models.CharField(",
    "        max_length=20,  # short",
    "    )",
    "    rank = models.IntegerField(  # place in the list",
    "    )",
    "    url = models.CharField(max_length=2000)",
    "",
    "",
    "class Cable(Stamped):",
    "    length = models.IntegerField(default=0)",
    "",
    "",
    "class Plug(Stamped):",
    "    pins = models.IntegerField(default=0)",
    "",
  ].join("\n");
  const VIEWS = [
    "from .models import Cable, Port",
    "",
    "",
    "def ports(request, x):",
    "    Port.objects.filter(code=x, label=x, name=x, state=x, rank=x, url=x)",
    "    Port.objects.filter(stamp__gte=x)",
    "    return Cable.objects.order_by('stamp')",
    "",
  ].join("\n");

  async function fixed(field: string, eol = "\n"): Promise<{ text: string; message: string }> {
    const models = MODELS.replace(/\n/g, eol);
    const dir = writeTree({ "net/models.py": models, "net/views.py": VIEWS });
    const project = await projectFor(dir);
    const file = path.join(dir, "net", "models.py");
    const hints = project.analyze(file, models).filter((h) => h.code === "missing-index");
    const hint = hints.find((h) => MODELS.split("\n")[h.range.start.line].trimStart().startsWith(`${field} =`));
    assert.ok(hint, `no missing-index hint on ${field}: ${hints.map((h) => h.message).join("; ")}`);
    return { text: hint.fixes?.length ? applyFix(models, hint).replace(new RegExp(eol, "g"), "\n") : models, message: hint.message };
  }

  it("offers no db_index=True for a key longer than 768 characters, and advises a hash index", async () => {
    const { text, message } = await fixed("url");
    assert.equal(text, MODELS);
    assert.match(message, /index a hash of it \(PostgreSQL's HashIndex in Meta\.indexes, or a short digest column\)$/);
  });

  it("goes after the last argument on one line", async () => {
    assert.match((await fixed("code")).text, /code = models\.CharField\(max_length=10, db_index=True\)\n/);
    assert.match((await fixed("label")).text, /label = models\.CharField\(max_length=10, db_index=True\)\n/);
  });

  it("keeps a multi-line call's layout and its comments", async () => {
    assert.match((await fixed("name")).text, /\n {8}db_collation="natural_sort", db_index=True {2}# sorted naturally\n {4}\)\n/);
    assert.match((await fixed("state")).text, /\n {8}max_length=20, {2}# short\n {8}db_index=True,\n {4}\)\n/);
  });

  it("fills empty parentheses that hold only a comment", async () => {
    assert.match((await fixed("rank")).text, /rank = models\.IntegerField\( {2}# place in the list\n {4}db_index=True\)\n/);
  });

  it("keeps CRLF and lone-CR line ends", async () => {
    for (const eol of ["\r\n", "\r"]) {
      assert.match((await fixed("state", eol)).text, /\n {8}max_length=20, {2}# short\n {8}db_index=True,\n {4}\)\n/, JSON.stringify(eol));
      assert.match((await fixed("name", eol)).text, /\n {8}db_collation="natural_sort", db_index=True {2}# sorted naturally\n {4}\)\n/, JSON.stringify(eol));
    }
  });

  it("names the base, and the concrete models whose queries use its field (not Plug, never queried), and indexes only theirs", async () => {
    const { message, text } = await fixed("stamp");
    assert.match(message, /^Missing index: Stamped\.stamp \(inherited by (Port, Cable|Cable, Port)\) is filtered on in 1 place and ordered by in 1 place/);
    assert.match(message, /db_index=True here would also index Plug, with no query found that filters on it$/);
    assert.doesNotMatch(text, /db_index=True/);
    assert.match(text, /class Port\(Stamped\):[\s\S]*\n {4}class Meta\(Stamped\.Meta\):\n {8}indexes = \[models\.Index\(fields=\["stamp"\]\)\]\n\n\nclass Cable/);
    assert.match(text, /class Cable\(Stamped\):\n {4}length = models\.IntegerField\(default=0\)\n\n {4}class Meta\(Stamped\.Meta\):\n {8}indexes = \[models\.Index\(fields=\["stamp"\]\)\]\n/);
  });
});

describe("missing-index: the composite index fix for a pruned log read within one parent", () => {
  const VIEWS = [
    "from .models import Flip",
    "",
    "",
    "def prune(check, t):",
    "    check.flip_set.filter(created__lt=t).delete()",
    "",
    "",
    "def events(check, start):",
    "    return list(Flip.objects.filter(owner=check, created__gte=start).order_by('-created')[:50])",
    "",
  ].join("\n");
  const HEAD = "from django.db import models\n\n\nclass Check(models.Model):\n    name = models.CharField(max_length=10, default='')\n\n\n";

  async function fixed(flip: string, eol = "\n"): Promise<string | null> {
    const models = (HEAD + flip).replace(/\n/g, eol);
    const [hint] = await hintsFor({ "hc/models.py": models, "hc/views.py": VIEWS }, "hc/models.py", "missing-index");
    assert.ok(hint, "no missing-index hint");
    assert.match(hint.message, /^Missing index: Flip\.created orders and bounds the rows of one Check \(narrowed by owner\) in 3 places, and Flip rows are pruned by age/);
    assert.match(hint.message, /Add models\.Index\(fields=\["owner", "created"\]\) to Meta\.indexes/);
    if (!hint.fixes.length) return null;
    assert.equal(hint.fixes[0].title, "Add an index on (owner, created) to Meta.indexes");
    return applyFix(models, hint).replace(new RegExp(eol, "g"), "\n").slice(HEAD.length);
  }
  const FIELDS = "class Flip(models.Model):\n    owner = models.ForeignKey(Check, models.CASCADE)\n    created = models.DateTimeField()\n";

  it("adds a class Meta at the end of a model that has none", async () => {
    assert.equal(await fixed(FIELDS + "\n    def __str__(self):\n        return 'x'  # shown\n"), FIELDS + "\n    def __str__(self):\n        return 'x'  # shown\n\n    class Meta:\n        indexes = [models.Index(fields=['owner', 'created'])]\n");
  });

  it("adds indexes to a Meta without them", async () => {
    const got = await fixed(FIELDS + "\n    class Meta:\n        get_latest_by = 'created'  # newest\n");
    assert.equal(got, FIELDS + "\n    class Meta:\n        get_latest_by = 'created'  # newest\n        indexes = [models.Index(fields=['owner', 'created'])]\n");
  });

  it("appends to Meta.indexes in the list's layout, keeping comments", async () => {
    const multi = "        indexes = [\n            # unprocessed\n            models.Index(fields=['processed']),  # partial\n        ]\n";
    assert.equal(await fixed(FIELDS + "    processed = models.DateTimeField(null=True)\n\n    class Meta:\n" + multi), FIELDS + "    processed = models.DateTimeField(null=True)\n\n    class Meta:\n" + "        indexes = [\n            # unprocessed\n            models.Index(fields=['processed']),  # partial\n            models.Index(fields=['owner', 'created']),\n        ]\n");
    const one = "\n    class Meta:\n        indexes = [models.Index(fields=['owner'])]\n";
    assert.equal(await fixed(FIELDS + one), FIELDS + "\n    class Meta:\n        indexes = [models.Index(fields=['owner']), models.Index(fields=['owner', 'created'])]\n");
    const empty = "\n    class Meta:\n        indexes = []\n";
    assert.equal(await fixed(FIELDS + empty), FIELDS + "\n    class Meta:\n        indexes = [models.Index(fields=['owner', 'created'])]\n");
    const noComma = "\n    class Meta:\n        indexes = [\n            models.Index(fields=['owner'])\n        ]\n";
    assert.equal(await fixed(FIELDS + noComma), FIELDS + "\n    class Meta:\n        indexes = [\n            models.Index(fields=['owner']),\n            models.Index(fields=['owner', 'created'])\n        ]\n");
  });

  it("keeps CRLF and lone-CR line ends", async () => {
    for (const eol of ["\r\n", "\r"]) {
      assert.equal(await fixed(FIELDS + "\n    class Meta:\n        get_latest_by = 'created'\n", eol), FIELDS + "\n    class Meta:\n        get_latest_by = 'created'\n        indexes = [models.Index(fields=['owner', 'created'])]\n", JSON.stringify(eol));
    }
  });

  it("extends the Meta of an abstract base in a new class Meta", async () => {
    const base = "class Stamped(models.Model):\n    class Meta:\n        abstract = True\n        get_latest_by = 'pk'\n\n\n";
    const based = base + FIELDS.replace("(models.Model)", "(Stamped)");
    assert.equal(await fixed(based), based + "\n    class Meta(Stamped.Meta):\n        indexes = [models.Index(fields=['owner', 'created'])]\n");
  });

  it("offers no fix where the edit is not plain: indexes built by an expression, a comment after an element with no comma, a base whose Meta is not known", async () => {
    assert.equal(await fixed(FIELDS + "\n    class Meta:\n        indexes = BASE_INDEXES + []\n"), null);
    assert.equal(await fixed(FIELDS + "\n    class Meta:\n        indexes = [\n            models.Index(fields=['owner'])  # by owner\n        ]\n"), null);
    const mixed = "class Audited:\n    pass\n\n\n" + FIELDS.replace("(models.Model)", "(Audited, models.Model)");
    assert.equal(await fixed(mixed), null);
  });
});

describe("unpaginated-list: pagination_class = None under a default paginator", () => {
  const SETTINGS = 'REST_FRAMEWORK = {"DEFAULT_PAGINATION_CLASS": "shop.pagination.Pager", "PAGE_SIZE": 50}\n';
  const MODELS = "from django.db import models\n\n\nclass Event(models.Model):\n    name = models.CharField(max_length=10)\n    starts = models.DateTimeField()\n";
  const view = (line: string) =>
    `from rest_framework import viewsets\n\nfrom .models import Event\n\n\nclass EventViewSet(viewsets.ReadOnlyModelViewSet):\n    queryset = Event.objects.all()\n${line}    serializer_class = None\n`;

  it("is reported with no fix: the explicit opt-out is a decision the endpoint's clients are built on", async () => {
    const views = view("    pagination_class = None\n");
    const [hint] = await hintsFor({ "shop/settings.py": SETTINGS, "shop/models.py": MODELS, "shop/views.py": views }, "shop/views.py", "unpaginated-list");
    assert.ok(hint, "no unpaginated-list hint");
    assert.match(hint.message, /opting out of the settings' DEFAULT_PAGINATION_CLASS/);
    assert.match(hint.message, /\{count, next, previous, results\}, instead of the array they read now$/);
    assert.equal(hint.fixes.length, 0);
  });

  it("is silent when the default paginator has no size: it pages only when the client asks", async () => {
    const at = async (settings: string, pager?: string) => {
      const files: Record<string, string> = { "shop/settings.py": settings, "shop/models.py": MODELS, "shop/views.py": view("    pagination_class = None\n") };
      if (pager) files["shop/pagination.py"] = pager;
      return (await hintsFor(files, "shop/views.py", "unpaginated-list")).length;
    };
    const stock = 'REST_FRAMEWORK = {"DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination"}\n';
    assert.equal(await at(stock), 0);
    assert.equal(await at('REST_FRAMEWORK = {"DEFAULT_PAGINATION_CLASS": "drf_link_header_pagination.LinkHeaderLimitOffsetPagination"}\n'), 0);
    const own = 'REST_FRAMEWORK = {"DEFAULT_PAGINATION_CLASS": "shop.pagination.Pager"}\n';
    const pager = (line: string) => `from rest_framework.pagination import PageNumberPagination\n\n\nclass Pager(PageNumberPagination):\n${line}`;
    assert.equal(await at(own, pager("    page_size = 25\n")), 1);
    assert.equal(await at(own, pager("    page_size = None\n")), 0);
    assert.equal(await at(own, pager("    page_size_query_param = 'size'\n")), 0);
  });

  it("offers no fix when the line carries a comment", async () => {
    const views = view("    pagination_class = None  # clients expect a plain list\n");
    const [hint] = await hintsFor({ "shop/settings.py": SETTINGS, "shop/models.py": MODELS, "shop/views.py": views }, "shop/views.py", "unpaginated-list");
    assert.ok(hint, "no unpaginated-list hint");
    assert.equal(hint.fixes.length, 0);
  });
});

describe("queryset-truthiness: a multi-line queryset", () => {
  it("is named on one line in the message and the fix title, and the fix keeps its layout", async () => {
    const models = "from django.db import models\n\n\nclass Image(models.Model):\n    exercise = models.IntegerField(db_index=True)\n    is_main = models.BooleanField(db_index=True)\n";
    const views = "from .models import Image\n\n\ndef main_image(exercise):\n    if not Image.objects.filter(\n        exercise=exercise,\n        is_main=True,\n    ).count():\n        return None\n    return 1\n";
    const [hint] = await hintsFor({ "app/models.py": models, "app/views.py": views }, "app/views.py", "queryset-truthiness");
    assert.ok(hint, "no queryset-truthiness hint");
    assert.match(hint.message, /use not Image\.objects\.filter\(exercise=exercise, is_main=True\)\.exists\(\), which/);
    assert.equal(hint.fixes[0].title, "Replace with Image.objects.filter(exercise=exercise, is_main=True).exists()");
    assert.match(applyFix(views, hint), /if not Image\.objects\.filter\(\n {8}exercise=exercise,\n {8}is_main=True,\n {4}\)\.exists\(\):/);
  });
});

describe("queryset-in-loop: the advice for a count per iteration", () => {
  const models = "from django.db import models\n\n\nclass Author(models.Model):\n    name = models.CharField(max_length=50)\n\n\nclass Book(models.Model):\n    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n";
  it("says annotate on the outer queryset only when the loop runs over one", async () => {
    const views = [
      "from .models import Author, Book",
      "",
      "",
      "def per_author():",
      "    for author in Author.objects.all():",
      "        print(Book.objects.filter(author=author).count())",
      "",
      "",
      "def per_name(names):",
      "    for name in names:",
      "        print(Book.objects.filter(author__name=name).count())",
      "",
    ].join("\n");
    const hints = await hintsFor({ "app/models.py": models, "app/views.py": views }, "app/views.py", "queryset-in-loop");
    const at = (line: number) => hints.find((h) => h.range.start.line === line)?.message ?? "(none)";
    assert.match(at(5), /use annotate\(Count\(\.\.\.\)\) on the outer queryset/);
    assert.match(at(10), /count every key at once before the loop/);
  });

  it("says prefetch on the outer queryset only when the loop runs over one", async () => {
    const views = [
      "from .models import Author, Book",
      "",
      "",
      "def per_author():",
      "    for author in Author.objects.all():",
      "        if Book.objects.filter(author=author):",
      "            print(author.name)",
      "",
      "",
      "def per_name(names):",
      "    for name in names:",
      "        if Book.objects.filter(author__name=name):",
      "            print(name)",
      "",
    ].join("\n");
    const hints = await hintsFor({ "app/models.py": models, "app/views.py": views }, "app/views.py", "queryset-in-loop");
    const at = (line: number) => hints.find((h) => h.range.start.line === line)?.message ?? "(none)";
    assert.match(at(5), /prefetch_related\(\) the relation on the outer queryset/);
    assert.match(at(11), /fetch the rows for every key at once before the loop with filter\(\.\.\.__in=\.\.\.\) and group them in a dict/);
  });

  it("does not say prefetch for a related chain a prefetch does not serve (values_list, filter)", async () => {
    const views = [
      "from .models import Author",
      "",
      "",
      "def ids_per_author():",
      "    for author in Author.objects.all():",
      '        print(list(author.book_set.values_list("id", flat=True)))',
      "",
    ].join("\n");
    const hints = await hintsFor({ "app/models.py": models, "app/views.py": views }, "app/views.py", "queryset-in-loop");
    const at = (line: number) => hints.find((h) => h.range.start.line === line)?.message ?? "(none)";
    assert.match(at(5), /fetch the rows for every row at once before the loop with filter\(\.\.\.__in=\.\.\.\).*a prefetch serves only \.all\(\)/);
    assert.doesNotMatch(at(5), /prefetch_related\(\)/);
  });
});

describe("unpaginated-list: settings kept in a class", () => {
  it("reads REST_FRAMEWORK's DEFAULT_PAGINATION_CLASS from a settings class attribute", async () => {
    const models = "from django.db import models\n\n\nclass Book(models.Model):\n    title = models.CharField(max_length=50)\n    published = models.DateField()\n";
    const views = "from rest_framework import viewsets\n\nfrom .models import Book\n\n\nclass BookViewSet(viewsets.ModelViewSet):\n    queryset = Book.objects.all()\n";
    const settings = (body: string) => `class Settings:\n    pass\n\n\nclass CommunitySettings(Settings):\n    DEBUG = False\n${body}`;
    const hints = async (body: string) => {
      return (await hintsFor({ "app/models.py": models, "app/views.py": views, "app/settings.py": settings(body) }, "app/views.py", "unpaginated-list")).length;
    };
    assert.equal(await hints('    REST_FRAMEWORK = {"DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination", "PAGE_SIZE": 10}\n'), 0);
    assert.equal(await hints("    REST_FRAMEWORK = {}\n"), 1);
  });
});

describe("queryset-in-loop: a query that reads nothing the loop binds, in a loop that writes", () => {
  it("says it may run once before the loop, not to batch it by key", async () => {
    const models = "from django.db import models\n\n\nclass Status(models.Model):\n    name = models.CharField(max_length=20)\n\n\nclass Task(models.Model):\n    status = models.ForeignKey(Status, null=True, on_delete=models.SET_NULL)\n";
    const views = "from .models import Status, Task\n\n\ndef close_all(tasks):\n    for task in tasks:\n        task.status = Status.objects.get(name=\"closed\")\n        task.save()\n";
    const [hint] = await hintsFor({ "app/models.py": models, "app/views.py": views }, "app/views.py", "queryset-in-loop");
    assert.ok(hint, "no queryset-in-loop hint");
    assert.match(hint.message, /runs on every iteration; if nothing in the loop changes its result, run it once before the loop/);
  });
  it("says the same of a queryset built and iterated in the loop from names the loop does not bind", async () => {
    const models = "from django.db import models\n\n\nclass Channel(models.Model):\n    name = models.CharField(max_length=20)\n\n\nclass Incident(models.Model):\n    channel = models.ForeignKey(Channel, on_delete=models.CASCADE)\n    ended_on = models.DateTimeField(null=True)\n";
    const views = [
      "import json",
      "",
      "from django.http import JsonResponse",
      "",
      "from .models import Channel, Incident",
      "",
      "",
      "def sync(request, channel_id):",
      "    channel = Channel.objects.get(id=channel_id)",
      "    for cmd in json.loads(request.body)[\"cmds\"]:",
      "        if cmd[\"cmd\"] == \"status\":",
      "            ongoing = Incident.objects.filter(ended_on=None, channel=channel)",
      "            for incident in ongoing:",
      "                print(incident.pk)",
      "        for incident in Incident.objects.filter(channel=channel, pk=cmd[\"id\"]):",
      "            print(incident.pk)",
      "    return JsonResponse({})",
      "",
    ].join("\n");
    const hints = await hintsFor({ "app/models.py": models, "app/views.py": views }, "app/views.py", "queryset-in-loop");
    assert.equal(hints.length, 2, hints.map((h) => h.message).join("\n"));
    assert.match(hints[0].message, /iterating a Incident queryset built inside the loop runs on every iteration; if nothing in the loop changes its result, run it once before the loop/);
    // Built from the loop's own value: one query per key.
    assert.match(hints[1].message, /iterating a Incident queryset built inside the loop runs one query per iteration; fetch the rows for every key at once/);
  });
});

describe("queryset-in-loop: get_or_create() of a constant in a loop", () => {
  it("says it may run once before the loop: the same row comes back on every pass", async () => {
    const models = "from django.db import models\n\n\nclass Kind(models.Model):\n    code = models.CharField(max_length=20, unique=True)\n\n\nclass Metric(models.Model):\n    kind = models.ForeignKey(Kind, on_delete=models.CASCADE)\n    day = models.DateField()\n";
    const tasks = "from .models import Kind, Metric\n\n\ndef record(days):\n    for day in days:\n        kind = Kind.objects.get_or_create(code=\"visits\")[0]\n        Metric.objects.create(kind=kind, day=day)\n";
    const hints = await hintsFor({ "app/models.py": models, "app/tasks.py": tasks }, "app/tasks.py", "queryset-in-loop");
    const got = hints.find((h) => /get_or_create/.test(h.message));
    assert.ok(got, hints.map((h) => h.message).join("\n"));
    assert.match(got.message, /Kind get_or_create\(\) runs on every iteration; if nothing in the loop changes its result, run it once before the loop$/);
    assert.equal(got.fixes.length, 0);
  });
});

describe("queryset-in-loop: create() whose new row the loop goes on to use", () => {
  it("says where bulk_create() sets primary keys", async () => {
    const models = "from django.db import models\n\n\nclass Host(models.Model):\n    name = models.CharField(max_length=20)\n\n\nclass Port(models.Model):\n    host = models.ForeignKey(Host, on_delete=models.CASCADE)\n\n\nclass Address(models.Model):\n    port = models.ForeignKey(Port, null=True, on_delete=models.SET_NULL)\n";
    const views = [
      "from .models import Address, Port",
      "",
      "",
      "def wire(hosts, addresses):",
      "    for host, address in zip(hosts, addresses):",
      "        port = Port.objects.create(host=host)",
      "        address.port = port",
      "        address.save()",
      "",
      "",
      "def ports(hosts):",
      "    for host in hosts:",
      "        Port.objects.create(host=host)",
      "",
    ].join("\n");
    const hints = (await hintsFor({ "app/models.py": models, "app/views.py": views }, "app/views.py", "queryset-in-loop")).filter((h) => /create\(\)/.test(h.message));
    assert.equal(hints.length, 2, hints.map((h) => h.message).join("\n"));
    assert.match(hints[0].message, /bulk_create\(\) \(the loop uses the new rows: bulk_create\(\) sets their primary keys on PostgreSQL, SQLite and MariaDB, not on MySQL\)$/);
    assert.match(hints[1].message, /bulk_create\(\)$/);
  });
});

describe("serializer-method-query: the advised annotation names the relation as a query does", () => {
  const models =
    "from django.db import models\n\n\nclass Plan(models.Model):\n    name = models.CharField(max_length=20)\n\n\n" +
    "class Entry(models.Model):\n    plan = models.ForeignKey(Plan, on_delete=models.CASCADE)\n\n\n" +
    "class Note(models.Model):\n    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name=\"notes\", related_query_name=\"note\")\n";
  const serializers =
    "from rest_framework import serializers\n\nfrom .models import Plan\n\n\nclass PlanSerializer(serializers.ModelSerializer):\n" +
    "    entries = serializers.SerializerMethodField()\n    notes = serializers.SerializerMethodField()\n\n" +
    "    class Meta:\n        model = Plan\n        fields = [\"name\", \"entries\", \"notes\"]\n\n" +
    "    def get_entries(self, obj):\n        return obj.entry_set.count()\n\n    def get_notes(self, obj):\n        return obj.notes.count()\n";
  const views = "from rest_framework import viewsets\n\nfrom .models import Plan\nfrom .serializers import PlanSerializer\n\n\nclass PlanViewSet(viewsets.ModelViewSet):\n    queryset = Plan.objects.all()\n    serializer_class = PlanSerializer\n";
  it("Count(\"entry\") for entry_set, Count(\"note\") for a related_query_name (Count(\"entry_set\") raises FieldError)", async () => {
    const hints = await hintsFor({ "app/models.py": models, "app/serializers.py": serializers, "app/views.py": views }, "app/serializers.py", "serializer-method-query");
    const messages = hints.map((h) => h.message).sort();
    assert.equal(messages.length, 2, messages.join("\n"));
    assert.match(messages[0], /runs Plan\.entry_set\.count\(\) .*annotate\(entries=Count\("entry"\)\)/);
    assert.match(messages[1], /runs Plan\.notes\.count\(\) .*annotate\(notes=Count\("note"\)\)/);
  });
});

describe("queryset-truthiness: a count compared with zero", () => {
  const models = "from django.db import models\n\n\nclass Review(models.Model):\n    rating = models.IntegerField(db_index=True)\n";
  it("is not taken for a second count of itself, and a real second count is the related place", async () => {
    const views = [
      "from .models import Review",
      "",
      "",
      "def any_reviews(rating):",
      "    reviews = Review.objects.filter(rating=rating)",
      "    return reviews.count() > 0",
      "",
      "",
      "def summary(rating):",
      "    reviews = Review.objects.filter(rating=rating)",
      '    return {"any": reviews.count() > 0, "n": reviews.count()}',
      "",
    ].join("\n");
    const hints = await hintsFor({ "app/models.py": models, "app/views.py": views }, "app/views.py", "queryset-truthiness");
    const [once, twice] = hints;
    assert.match(once.message, /use reviews\.exists\(\)/);
    assert.deepEqual(once.related, []);
    assert.match(twice.message, /reviews\.count\(\) runs again in this function/);
    assert.equal(twice.related.length, 1);
    assert.deepEqual(twice.related[0].range.start, { line: 10, character: 45 });
  });
});

describe("cache-page-candidate: a login required site-wide", () => {
  const models = "from django.db import models\n\n\nclass Book(models.Model):\n    title = models.CharField(max_length=300)\n";
  const views = "from django.http import JsonResponse\n\nfrom .models import Book\n\n\ndef titles(request):\n    return JsonResponse({\"titles\": list(Book.objects.values_list(\"title\", flat=True))})\n";
  const urls = "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [path(\"titles/\", views.titles)]\n";
  const at = async (middleware: string) =>
    (await hintsFor({ "shop/models.py": models, "shop/views.py": views, "shop/urls.py": urls, "shop/settings.py": `MIDDLEWARE = [\n${middleware}]\n` }, "shop/views.py", "cache-page-candidate")).length;
  it("is silent when MIDDLEWARE puts every view behind a login", async () => {
    assert.equal(await at('    "django.contrib.sessions.middleware.SessionMiddleware",\n'), 1);
    assert.equal(await at('    "django.contrib.auth.middleware.AuthenticationMiddleware",\n    "django.contrib.auth.middleware.LoginRequiredMiddleware",\n'), 0);
    assert.equal(await at('    "dojo.middleware.LoginRequiredMiddleware",\n'), 0);
  });

  it("finds the middleware where the settings build the list elsewhere, and not in a comment", async () => {
    const settings = (line: string) => `BASE_MIDDLEWARE = [\n    "django.contrib.sessions.middleware.SessionMiddleware",\n${line}]\nMIDDLEWARE = BASE_MIDDLEWARE\nMIDDLEWARE = [m for m in MIDDLEWARE if m != "x.Other"]\n`;
    const n = async (line: string) =>
      (await hintsFor({ "shop/models.py": models, "shop/views.py": views, "shop/urls.py": urls, "shop/settings.py": settings(line) }, "shop/views.py", "cache-page-candidate")).length;
    assert.equal(await n('    "dojo.middleware.LoginRequiredMiddleware",\n'), 0);
    assert.equal(await n('    # "dojo.middleware.LoginRequiredMiddleware",\n'), 1);
  });

  it("is silent when the settings cache the whole site", async () => {
    assert.equal(await at('    "django.middleware.cache.UpdateCacheMiddleware",\n    "django.middleware.common.CommonMiddleware",\n    "django.middleware.cache.FetchFromCacheMiddleware",\n'), 0);
  });

  it("is silent when the module wraps the view after its definition", async () => {
    const wrapped = `${views}\n\ntitles = cache_page(60 * 5)(titles)\n`;
    const n = (await hintsFor({ "shop/models.py": models, "shop/views.py": wrapped, "shop/urls.py": urls }, "shop/views.py", "cache-page-candidate")).length;
    assert.equal(n, 0);
    const other = `${views}\n\nother_titles = cache_page(60 * 5)(titles)\n`;
    assert.equal((await hintsFor({ "shop/models.py": models, "shop/views.py": other, "shop/urls.py": urls }, "shop/views.py", "cache-page-candidate")).length, 1);
  });
});

describe("cache-page-candidate: DRF views and the browsable API", () => {
  const models = "from django.db import models\n\n\nclass Book(models.Model):\n    title = models.CharField(max_length=300)\n";
  const api = "from rest_framework.response import Response\nfrom rest_framework.views import APIView\n\nfrom .models import Book\n\n\nclass BookCount(APIView):\n    def get(self, request):\n        return Response({\"n\": Book.objects.count()})\n";
  const urls = "from django.urls import path\n\nfrom . import api\n\nurlpatterns = [path(\"count/\", api.BookCount.as_view())]\n";
  const at = async (settings: string) =>
    (await hintsFor({ "shop/models.py": models, "shop/api.py": api, "shop/urls.py": urls, "shop/settings.py": settings }, "shop/api.py", "cache-page-candidate")).length;
  it("reports a view only when the settings' renderers draw no HTML page", async () => {
    assert.equal(await at("DEBUG = False\n"), 0);
    assert.equal(await at('REST_FRAMEWORK = {"DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]}\n'), 1);
    assert.equal(await at('REST_FRAMEWORK = {\n    "DEFAULT_RENDERER_CLASSES": (\n        "rest_framework.renderers.JSONRenderer",\n        "rest_framework.renderers.BrowsableAPIRenderer",\n    ),\n}\n'), 0);
    assert.equal(await at('REST_FRAMEWORK = {"DEFAULT_RENDERER_CLASSES": RENDERERS}\n'), 0);
  });
  it("leaves function and class views alone when the settings' permissions restrict every view", async () => {
    const fn = "from rest_framework.decorators import api_view\nfrom rest_framework.response import Response\n\nfrom .models import Book\n\n\n@api_view([\"GET\"])\ndef book_count(request):\n    return Response({\"n\": Book.objects.count()})\n";
    const json = '"DEFAULT_RENDERER_CLASSES": ("rest_framework.renderers.JSONRenderer",)';
    const fnUrls = "from django.urls import path\n\nfrom . import fn\n\nurlpatterns = [path(\"n/\", fn.book_count)]\n";
    const count = async (settings: string) =>
      (await hintsFor({ "shop/models.py": models, "shop/api.py": api, "shop/fn.py": fn, "shop/urls.py": fnUrls, "shop/settings.py": settings }, "shop/fn.py", "cache-page-candidate")).length + (await at(settings));
    assert.equal(await count(`REST_FRAMEWORK = {${json}}\n`), 2);
    assert.equal(await count(`REST_FRAMEWORK = {\n    ${json},\n    "DEFAULT_PERMISSION_CLASSES": ("rest_framework.permissions.IsAuthenticated",),\n}\n`), 0);
  });
});

describe("n-plus-one in the admin: a column that reads a relation and then one of its relations", () => {
  it("gives one hint, for the longer path, naming both loads", async () => {
    const models = [
      "from django.db import models",
      "",
      "",
      "class Tournament(models.Model):",
      "    name = models.CharField(max_length=50)",
      "",
      "",
      "class Round(models.Model):",
      "    tournament = models.ForeignKey(Tournament, on_delete=models.CASCADE)",
      "",
      "    def __str__(self):",
      '        return f"{self.tournament.name} round"',
      "",
      "",
      "class Event(models.Model):",
      "    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.SET_NULL)",
      "",
    ].join("\n");
    const admin = "from django.contrib import admin\n\nfrom .models import Event\n\n\n@admin.register(Event)\nclass EventAdmin(admin.ModelAdmin):\n    list_display = (\"round\",)\n";
    const hints = await hintsFor({ "app/models.py": models, "app/admin.py": admin }, "app/admin.py", "n-plus-one");
    assert.equal(hints.length, 1, hints.map((h) => h.message).join("\n"));
    assert.match(hints[0].message, /reads round, then round\.tournament for every row \(round\), one query per row for each; add "round__tournament" to list_select_related/);
  });
});

describe("slow-call-in-view: an HTTP call whose answer the view uses", () => {
  const views = [
    "import requests",
    "from django.http import HttpResponse, JsonResponse",
    "",
    "",
    "def notify(request):",
    '    requests.post("https://hooks.example.com/x", json={"u": request.user.pk}, timeout=5)',
    '    return HttpResponse("ok")',
    "",
    "",
    "def profile(request):",
    '    me = requests.get("https://auth.example.com/me")',
    "    return JsonResponse(me.json())",
    "",
  ].join("\n");
  it("asks for a task when only the call matters, and for a timeout when the view needs the answer", async () => {
    const hints = await hintsFor({ "shop/views.py": views }, "shop/views.py", "slow-call-in-view");
    assert.equal(hints.length, 2);
    assert.match(hints[0].message, /requests\.post\(\) waits on a remote HTTP service.*move it to a background task/);
    assert.match(hints[1].message, /requests\.get\(\) has no timeout, and the view needs its answer, so it cannot move to a background task; pass timeout=/);
  });
});

describe("unpaginated-list: a Django list view whose template renders no page links", () => {
  const models = "from django.db import models\n\n\nclass Book(models.Model):\n    title = models.CharField(max_length=300)\n    added = models.DateTimeField()\n";
  const views = "from django.views.generic import ListView\n\nfrom .models import Book\n\n\nclass BookList(ListView):\n    model = Book\n    template_name = \"shop/books.html\"\n";
  const at = (template: string, extra: Record<string, string> = {}) =>
    hintsFor({ "shop/models.py": models, "shop/views.py": views, "shop/templates/shop/books.html": template, ...extra }, "shop/views.py", "unpaginated-list");
  it("offers paginate_by only when the template shows the other pages", async () => {
    const [bare] = await at("{% for book in object_list %}{{ book.title }}{% endfor %}\n");
    assert.match(bare.message, /add page links to shop\/books\.html \(page_obj\): it has none, so paginate_by alone would hide every row after the first page/);
    assert.equal(bare.fixes.length, 0);
    const [paged] = await at("{% for book in object_list %}{{ book.title }}{% endfor %}\n{% if page_obj.has_next %}<a href=\"?page={{ page_obj.next_page_number }}\">next</a>{% endif %}\n");
    assert.doesNotMatch(paged.message, /page links/);
    assert.equal(paged.fixes.length, 1);
    const [included] = await at("{% for book in object_list %}{{ book.title }}{% endfor %}\n{% include \"shop/pager.html\" %}\n", { "shop/templates/shop/pager.html": "{% if is_paginated %}...{% endif %}\n" });
    assert.equal(included.fixes.length, 1);
    // Two levels down: the list extends a base that includes the pager.
    const [deeper] = await at("{% extends \"shop/base_list.html\" %}{% block rows %}{{ object_list|length }}{% endblock %}\n", {
      "shop/templates/shop/base_list.html": "{% block rows %}{% endblock %}{% include \"shop/pager.html\" %}\n",
      "shop/templates/shop/pager.html": "{% if is_paginated %}...{% endif %}\n",
    });
    assert.equal(deeper.fixes.length, 1);
    assert.doesNotMatch(deeper.message, /page links/);
  });
  it("offers no paginate_by when the template cannot be read", async () => {
    // A template name computed at run time: whether the page shows page links is not known.
    const computed = views.replace('    template_name = "shop/books.html"\n', "\n    def get_template_names(self):\n        return [self.request.GET.get(\"t\", \"shop/books.html\")]\n");
    const [hint] = await hintsFor({ "shop/models.py": models, "shop/views.py": computed }, "shop/views.py", "unpaginated-list");
    assert.match(hint.message, /set paginate_by, and make sure its template renders page links \(page_obj\)$/);
    assert.equal(hint.fixes.length, 0);
  });
  it("offers no paginate_by when a parent or include of the template cannot be read (a package's base may or may not page)", async () => {
    const [hint] = await at('{% extends "base.html" %}{% block content %}{% for book in object_list %}{{ book.title }}{% endfor %}{% endblock %}\n');
    assert.match(hint.message, /set paginate_by, and make sure its template renders page links \(page_obj\)$/);
    assert.equal(hint.fixes.length, 0);
    const [included] = await at('{% for book in object_list %}{{ book.title }}{% endfor %}{% include "pagination/links.html" %}\n');
    assert.equal(included.fixes.length, 0);
  });
  it("is silent when the template pages the list itself (dj-pagination, django-el-pagination)", async () => {
    // A paginate_by would page the already paged rows again, on the same ?page= parameter.
    const auto = '{% load pagination_tags %}{% autopaginate object_list 15 %}{% for book in object_list %}{{ book.title }}{% endfor %}{% paginate %}\n';
    assert.deepEqual(await at(auto), []);
    assert.deepEqual(await at('{% extends "shop/list_base.html" %}\n', { "shop/templates/shop/list_base.html": auto.replace(/object_list/g, "book_list") }), []);
    assert.deepEqual(await at('{% load el_pagination_tags %}{% lazy_paginate 20 object_list %}{% for book in object_list %}{{ book.title }}{% endfor %}{% show_more %}\n'), []);
    // Another list paged in the template: this one is not.
    assert.equal((await at('{% autopaginate other_list 15 %}{% for book in object_list %}{{ book.title }}{% endfor %}\n')).length, 1);
  });
  it("is silent when the template shows rows of another name only, though it extends a base the workspace lacks", async () => {
    // A site's base template renders the child's blocks; it does not know the list.
    const template = '{% extends "base.html" %}{% block content %}{% for s in shelves %}{{ s }}{% endfor %}{% endblock %}\n';
    assert.deepEqual(await at(template), []);
    // An include the workspace lacks may show it.
    assert.equal((await at('{% for s in shelves %}{{ s }}{% endfor %}{% include "widgets/rows.html" %}\n')).length, 1);
  });
});

describe("n-plus-one: rows of a relation the instance's queryset prefetched", () => {
  const models = [
    "from django.db import models",
    "",
    "",
    "class Publisher(models.Model):",
    "    name = models.CharField(max_length=50)",
    "",
    "",
    "class Author(models.Model):",
    "    name = models.CharField(max_length=50)",
    "",
    "",
    "class Book(models.Model):",
    "    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name=\"books\")",
    "    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE)",
    "",
  ].join("\n");

  it("extends the prefetch where the instance was fetched, with no select_related() fix on the related manager", async () => {
    const views = [
      "from .models import Author",
      "",
      "",
      "def report(pk):",
      "    author = Author.objects.prefetch_related(\"books\").get(pk=pk)",
      "    return [book.publisher.name for book in author.books.all()]",
      "",
    ].join("\n");
    const [hint] = await hintsFor({ "shop/models.py": models, "shop/views.py": views }, "shop/views.py", "n-plus-one");
    assert.match(hint.message, /add prefetch_related\("books__publisher"\) where the Author queryset that prefetches books is built \(a select_related\(\) on books would query again\)$/);
    // The fix extends that prefetch, where get() fetched the author; nothing on the loop's related manager.
    assert.equal(hint.fixes.length, 1);
    assert.equal(applyFix(views, hint), views.replace('prefetch_related("books")', 'prefetch_related("books", "books__publisher")'));
  });

  it("for an instance reached through a relation, extends the prefetch of the queryset the first one came from", async () => {
    const views = [
      "from .models import Book",
      "",
      "",
      "def report(pk):",
      "    book = Book.objects.select_related(\"author\").prefetch_related(\"author__books\").get(pk=pk)",
      "    return [b.publisher.name for b in book.author.books.all()]",
      "",
    ].join("\n");
    const [hint, ...more] = await hintsFor({ "shop/models.py": models, "shop/views.py": views }, "shop/views.py", "n-plus-one");
    assert.equal(more.length, 0);
    assert.match(hint.message, /add prefetch_related\("author__books__publisher"\) where the Book queryset that prefetches author__books is built \(a select_related\(\) on books would query again\)$/);
    assert.equal(applyFix(views, hint), views.replace('prefetch_related("author__books")', 'prefetch_related("author__books", "author__books__publisher")'));
  });
});

describe("n-plus-one (DRF): a view queryset with only()", () => {
  it("offers no select_related() fix, which would raise FieldError on a deferred foreign key", async () => {
    const models = "from django.db import models\n\n\nclass Author(models.Model):\n    name = models.CharField(max_length=50)\n\n\nclass Book(models.Model):\n    title = models.CharField(max_length=50)\n    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n";
    const api = [
      "from rest_framework import serializers, viewsets",
      "",
      "from .models import Book",
      "",
      "",
      "class BookSerializer(serializers.ModelSerializer):",
      "    author_name = serializers.CharField(source=\"author.name\")",
      "",
      "    class Meta:",
      "        model = Book",
      "        fields = (\"id\", \"title\", \"author_name\")",
      "",
      "",
      "class BookViewSet(viewsets.ReadOnlyModelViewSet):",
      "    serializer_class = BookSerializer",
      "    queryset = Book.objects.only(\"id\", \"title\")",
      "",
    ].join("\n");
    const [hint] = await hintsFor({ "shop/models.py": models, "shop/api.py": api }, "shop/api.py", "n-plus-one");
    assert.match(hint.message, /add select_related\("author"\) to this queryset, and name the relation in its only\(\)$/);
    assert.equal(hint.fixes.length, 0);
  });
});


describe("n-plus-one (DRF): a get_queryset() that reads every row before returning them", () => {
  it("offers no prefetch, which would load the related rows of the whole table, and says why", async () => {
    const models = "from django.db import models\n\n\nclass Ticket(models.Model):\n    title = models.CharField(max_length=50)\n\n    def set_extra(self):\n        self.extra = self.title.upper()\n\n\nclass FollowUp(models.Model):\n    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE)\n    comment = models.TextField()\n";
    const api = (loop: string) =>
      [
        "from rest_framework import serializers, viewsets",
        "",
        "from .models import FollowUp, Ticket",
        "",
        "",
        "class FollowUpSerializer(serializers.ModelSerializer):",
        "    class Meta:",
        "        model = FollowUp",
        "        fields = (\"id\", \"comment\")",
        "",
        "",
        "class TicketSerializer(serializers.ModelSerializer):",
        "    followup_set = FollowUpSerializer(many=True, read_only=True)",
        "",
        "    class Meta:",
        "        model = Ticket",
        "        fields = (\"id\", \"title\", \"followup_set\")",
        "",
        "",
        "class TicketViewSet(viewsets.ModelViewSet):",
        "    serializer_class = TicketSerializer",
        "",
        "    def get_queryset(self):",
        "        tickets = Ticket.objects.all()",
        loop,
        "        return tickets",
        "",
      ].join("\n");
    const [whole] = await hintsFor({ "shop/models.py": models, "shop/api.py": api("        for ticket in tickets:\n            ticket.set_extra()") }, "shop/api.py", "n-plus-one");
    assert.match(whole.message, /add prefetch_related\("followup_set"\) to this queryset; but get_queryset\(\) reads every row before DRF pages them, so a prefetch there would load the related rows of the whole queryset: read only the page first$/);
    assert.equal(whole.fixes.length, 0);
    assert.equal(whole.related[0].message, "every row is read here, before DRF pages them");
    // Lazy until DRF pages it: the prefetch serves the page.
    const [lazy] = await hintsFor({ "shop/models.py": models, "shop/api.py": api("        tickets = tickets.filter(title__gt=\"\")") }, "shop/api.py", "n-plus-one");
    assert.doesNotMatch(lazy.message, /reads every row/);
    assert.equal(lazy.fixes.length, 1);
  });
});
describe("n-plus-one in a loop: only() and defer(), written or in the manager", () => {
  const models = (manager: string) =>
    "from django.db import models\n\n\nclass Publisher(models.Model):\n    name = models.CharField(max_length=50)\n\n\n" +
    "class Author(models.Model):\n    name = models.CharField(max_length=50)\n    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE)\n\n\n" +
    `class BookManager(models.Manager):\n    def get_queryset(self):\n        return super().get_queryset()${manager}\n\n\n` +
    "class Book(models.Model):\n    title = models.CharField(max_length=50)\n    body = models.TextField()\n    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n\n    objects = BookManager()\n";
  const views = (chain: string) => `from .models import Book\n\n\ndef titles():\n    for book in Book.objects${chain}:\n        print(book.title, book.author.name)\n`;
  const hint = async (manager: string, chain: string) => (await hintsFor({ "shop/models.py": models(manager), "shop/views.py": views(chain) }, "shop/views.py", "n-plus-one"))[0];
  it("fixes a queryset whose only()/defer() keeps the foreign key column", async () => {
    for (const [manager, chain] of [["", '.defer("body")'], ["", '.only("title", "author")'], ['.defer("body")', ".all()"]]) {
      const h = await hint(manager, chain);
      assert.match(h.message, /add select_related\("author"\) where the queryset is built$/, `${manager} ${chain}`);
      assert.equal(h.fixes.length, 1, `${manager} ${chain}`);
    }
  });
  it("offers no fix when the column is left out, and says where", async () => {
    const only = await hint("", '.only("title")');
    assert.match(only.message, /, and name the relation in its only\(\)$/);
    assert.equal(only.fixes.length, 0);
    const deferred = await hint("", '.defer("author")');
    assert.match(deferred.message, /, and take it out of its defer\(\)$/);
    assert.equal(deferred.fixes.length, 0);
    // Further along the join path: defer("author__publisher") with select_related("author__publisher").
    const nested = (await hintsFor({ "shop/models.py": models(""), "shop/views.py": views('.defer("author__publisher")').replace("book.author.name", "book.author.publisher.name") }, "shop/views.py", "n-plus-one"))[0];
    assert.match(nested.message, /add select_related\("author__publisher"\) where the queryset is built, and take it out of its defer\(\)$/);
    assert.equal(nested.fixes.length, 0);
    const byManager = await hint('.only("title")', ".all()");
    assert.match(byManager.message, /, and name the relation in its only\(\)$/);
    assert.equal(byManager.fixes.length, 0);
  });
});
