/**
 * Re-analysis after an edit reuses the last analysis for the statements the edit cannot have changed. This checks
 * that it is honest: after every edit, the hints of the incremental analysis (as the language server runs it)
 * equal those of a fresh analysis of the same text, on every example and rule-case file, for edits that keep
 * the code meaningful (typing in names, deleting and duplicating lines, adding a join, blank lines, comments,
 * imports) and for random ones.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { RULES } from "../rules";
import { analyzeFile } from "../server/src/engine/analyze";
import { extractFacts } from "../server/src/engine/facts";
import { IncrementalDocument, initParser, parseText, type SyntaxNode } from "../server/src/engine/parser";
import { Project } from "../server/src/engine/project";
import type { Hint } from "../server/src/engine/types";
import { AUTHOR_BOOK_MODELS, writeTree } from "./helpers";
import { loadCorpus, Rng, type CorpusFile } from "./soak";

const shape = (n: SyntaxNode): unknown => [n.type, n.start, n.end, n.field, n.children.map(shape)];
const view = (hs: Hint[]) => hs.map((h) => JSON.stringify([h.file, h.range, h.code, h.message, h.related, h.fixes]));

interface Edit {
  start: number;
  end: number;
  text: string;
}

const WORD = /[A-Za-z_][A-Za-z0-9_]*/g;

/** One edit of a kind picked at random, at a random place. */
function randomEdit(text: string, r: Rng): Edit {
  const lineStarts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  const line = r.int(lineStarts.length);
  const ls = lineStarts[line];
  const le = line + 1 < lineStarts.length ? lineStarts[line + 1] : text.length;
  const content = text.slice(ls, le);
  const words = [...content.matchAll(WORD)];
  switch (r.int(9)) {
    case 0:
    case 1: {
      // a keystroke inside a name
      if (!words.length) return { start: ls, end: ls, text: "\n" };
      const w = words[r.int(words.length)];
      const at = ls + w.index! + r.int(w[0].length + 1);
      return { start: at, end: at, text: "x" };
    }
    case 2: {
      // backspace inside a name
      if (!words.length) return { start: ls, end: ls, text: "" };
      const w = words[r.int(words.length)];
      const at = ls + w.index! + r.int(w[0].length);
      return { start: at, end: at + 1, text: "" };
    }
    case 3:
      // delete the line
      return { start: ls, end: le, text: "" };
    case 4: {
      // duplicate another line here
      const other = r.int(lineStarts.length);
      const os = lineStarts[other];
      const oe = other + 1 < lineStarts.length ? lineStarts[other + 1] : text.length;
      const copy = text.slice(os, oe);
      return { start: ls, end: ls, text: copy.endsWith("\n") ? copy : copy + "\n" };
    }
    case 5: {
      // join a relation where a queryset is built
      const m = [...text.matchAll(/\.objects\.(all|filter)\(/g)];
      if (!m.length) return { start: ls, end: ls, text: "\n" };
      const at = m[r.int(m.length)].index! + ".objects".length;
      return { start: at, end: at, text: r.chance(0.5) ? '.select_related("author")' : '.prefetch_related("books")' };
    }
    case 6:
      return { start: ls, end: ls, text: r.chance(0.5) ? "\n" : "# a comment\n" };
    case 7:
      return { start: ls, end: ls, text: r.chance(0.5) ? "from django.views.decorators.cache import cache_page\n" : "import requests\n" };
    default: {
      // a random character somewhere
      const at = r.int(text.length + 1);
      const chars = "()[]:'\"., =\n\tab_";
      return r.chance(0.5) ? { start: at, end: at, text: chars[r.int(chars.length)] } : { start: at, end: Math.min(text.length, at + 1 + r.int(3)), text: "" };
    }
  }
}

describe("incremental re-analysis", () => {
  let corpus: CorpusFile[];
  before(async () => {
    await initParser();
    corpus = loadCorpus();
  });

  it("equals a fresh analysis after every edit, and reuses statements", () => {
    const projects = new Map<string, Project>();
    let edits = 0;
    let reused = 0;
    let otherTrees = 0;
    for (const [n, c] of corpus.entries()) {
      let project = projects.get(c.root);
      if (!project) {
        project = new Project([c.root], RULES);
        project.incremental = true;
        project.scan();
        projects.set(c.root, project);
      }
      // INCREMENTAL_SEED replays or varies the edits (default: fixed).
      const r = new Rng((Number(process.env.INCREMENTAL_SEED ?? 0) || 0x1c0ffee) ^ n);
      const doc = new IncrementalDocument(c.text);
      project.setOverlay(c.file, doc.text);
      project.analyze(c.file, doc.text, doc.syntax());
      for (let k = 0; k < 24; k++) {
        const e = randomEdit(doc.text, r);
        doc.applyChanges([e]);
        project.setOverlay(c.file, doc.text);
        const syntax = doc.syntax();
        const got = view(project.analyze(c.file, doc.text, syntax));
        // (tests and migrations are not analyzed: no memo)
        if ((project.analysisOf(c.file)?.reused ?? 0) > 0) reused++;
        const freshSyntax = parseText(doc.text);
        // In a file that does not parse, tree-sitter's incremental re-parse can recover from the error differently
        // than a parse from scratch: the trees differ and so may the hints, which is not this test's subject.
        if (JSON.stringify(shape(syntax.root)) !== JSON.stringify(shape(freshSyntax.root))) {
          otherTrees++;
          edits++;
          continue;
        }
        assert.equal(JSON.stringify(extractFacts(syntax, c.file, "m")), JSON.stringify(extractFacts(freshSyntax, c.file, "m")), "facts");
        const fresh = view(analyzeFile({ file: c.file, relPath: project.relPathOf(c.file), syntax: freshSyntax, index: project.index, config: project.config, project, rules: RULES }));
        assert.deepEqual(got, fresh, `${path.relative(c.root, c.file)} after edit ${k} (${JSON.stringify(e)}):\n${doc.text}`);
        // Now and then against a new project too: the model index kept (or patched) across edits must be the one
        // a fresh scan builds.
        if (k % 12 === 11) {
          const other = new Project([c.root], RULES);
          other.setOverlay(c.file, doc.text);
          other.scan();
          assert.deepEqual(got, view(other.analyze(c.file, doc.text)), `${path.relative(c.root, c.file)} after edit ${k}, against a new project:\n${doc.text}`);
        }
        edits++;
      }
      // Closed: the file is what is on disk again (as the server does on close).
      project.setOverlay(c.file, null);
      project.indexFile(c.file);
      doc.dispose();
    }
    if (process.env.INCREMENTAL_DEBUG) console.log(`${edits} edits, reused in ${reused}, other trees in ${otherTrees}`);
    assert.ok(otherTrees < edits / 20, `tree-sitter recovered differently in ${otherTrees} of ${edits} edits`);
    assert.ok(edits > 500, `${edits} edits`);
    // Reuse must really happen: these random edits leave the file unparsable much of the time (then it is analyzed
    // whole), but many analyses still keep statements.
    assert.ok(reused > edits / 10, `reused in ${reused} of ${edits} analyses`);
  });
});

/**
 * A project on a temporary tree, kept as the language server keeps it (incremental), and documents opened in it:
 * `edit` replaces the first occurrence of a string, as typing would, and `analyze` re-analyzes the document.
 */
function workspace(files: Record<string, string>) {
  const root = writeTree(files);
  const project = new Project([root], RULES);
  project.incremental = true;
  project.scan();
  const open = (rel: string) => {
    const file = path.join(root, ...rel.split("/"));
    const doc = new IncrementalDocument(files[rel]);
    project.setOverlay(file, doc.text);
    const analyze = () => project.analyze(file, doc.text, doc.syntax());
    const edit = (find: string, replace: string) => {
      const at = doc.text.indexOf(find);
      assert.ok(at >= 0, find);
      doc.applyChanges([{ start: at, end: at + find.length, text: replace }]);
      project.setOverlay(file, doc.text);
    };
    return { file, doc, analyze, edit };
  };
  return { root, project, open };
}

/** Unrelated functions, so an edit elsewhere leaves most of a test module reusable. */
const FILLER = ["other", "another", "yet_another", "one_more"].map((name, i) => `def ${name}():\n    return ${i + 1}\n`).join("\n\n");

describe("incremental re-analysis follows names between statements", () => {
  before(initParser);

  const setup = (views: string, more: Record<string, string> = {}) => {
    const w = workspace({ "shop/models.py": AUTHOR_BOOK_MODELS, "shop/views.py": views, ...more });
    const { analyze, edit, file } = w.open("shop/views.py");
    return { analyze, edit, project: w.project, file };
  };
  const codes = (hs: Hint[]) => hs.map((h) => `${h.range.start.line}:${h.code}`);

  it("a module-level loop sees a function start and stop reading its variable", () => {
    const models = `from django.db import models


class Article(models.Model):
    title = models.CharField(max_length=300)
    slug = models.SlugField()
    body = models.TextField()
    metadata = models.JSONField(default=dict)
`;
    const t = setup(
      `from shop.models import Article

for article in Article.objects.all():
    print(article.title)


def a():
    return 1


def b():
    return 2


def c():
    return 3


def later():
    for article in []:
        print(article.slug)
`,
      { "shop/models.py": models },
    );
    assert.deepEqual(codes(t.analyze()), ["2:missing-only"]);
    // The function now reads the module-level loop's last row: the loop's rows are used after it, no hint.
    t.edit("    for article in []:\n        print", "    print");
    assert.deepEqual(codes(t.analyze()), []);
    assert.ok(t.project.analysisOf(t.file)!.reused > 0, "the unrelated functions were reused");
    t.edit("    print(article.slug)", "    for article in []:\n        print(article.slug)");
    assert.deepEqual(codes(t.analyze()), ["2:missing-only"]);
  });

  it("a loop over a helper's queryset sees the join added in the helper", () => {
    const t = setup(`from shop.models import Book


def books():
    return Book.objects.all()


${FILLER}

def and_another():
    return 5


def titles():
    return [b.author.name for b in books()]
`);
    assert.deepEqual(codes(t.analyze()), ["28:n-plus-one"]);
    t.edit("Book.objects.all()", 'Book.objects.select_related("author")');
    assert.deepEqual(codes(t.analyze()), []);
    assert.ok(t.project.analysisOf(t.file)!.reused > 0, "the unrelated function was reused");
    t.edit('select_related("author")', "all()");
    assert.deepEqual(codes(t.analyze()), ["28:n-plus-one"]);
  });

  it("module-level code that uses a changed name is examined again", () => {
    const t = setup(`from shop.models import Book


def books():
    return Book.objects.all()


for b in books():
    print(b.author.name)
`);
    assert.deepEqual(codes(t.analyze()), ["8:n-plus-one"]);
    t.edit("Book.objects.all()", 'Book.objects.select_related("author")');
    assert.deepEqual(codes(t.analyze()), []);
    // The loop had nothing to report last time; now it has.
    t.edit('select_related("author")', "all()");
    assert.deepEqual(codes(t.analyze()), ["8:n-plus-one"]);
  });

  it("renaming the helper the loop calls drops the loop's hint", () => {
    const t = setup(`from shop.models import Book


def books():
    return Book.objects.all()


def titles():
    return [b.author.name for b in books()]
`);
    assert.deepEqual(codes(t.analyze()), ["8:n-plus-one"]);
    t.edit("def books", "def bookz");
    assert.deepEqual(codes(t.analyze()), []);
  });

  it("a loop that calls a helper sees the save added to or dropped from the helper", () => {
    const t = setup(`from shop.models import Book


def mark(book):
    book.title = book.title.upper()
    book.save()


${FILLER}

def shout():
    for book in Book.objects.all():
        mark(book)
`);
    const saves = () => codes(t.analyze()).filter((c) => c.endsWith("save-in-loop"));
    assert.deepEqual(saves(), ["26:save-in-loop"]);
    t.edit("    book.save()\n", "");
    assert.deepEqual(saves(), []);
    assert.ok(t.project.analysisOf(t.file)!.reused > 0, "the unrelated functions were reused");
    t.edit("book.title.upper()\n", "book.title.upper()\n    book.save()\n");
    assert.deepEqual(saves(), ["26:save-in-loop"]);
  });

  it("a loop that calls an imported helper follows edits to the helper's module", () => {
    const saving = "def mark(book):\n    book.title = book.title.upper()\n    book.save()\n";
    const t = setup(`from shop.models import Book
from shop.utils import mark


def shout():
    for book in Book.objects.all():
        mark(book)
`, { "shop/utils.py": saving });
    const utils = path.join(path.dirname(t.file), "utils.py");
    const saves = () => codes(t.analyze()).filter((c) => c.endsWith("save-in-loop"));
    assert.deepEqual(saves(), ["6:save-in-loop"]);
    t.project.setOverlay(utils, saving.replace("    book.save()\n", ""));
    assert.deepEqual(saves(), []);
    t.project.setOverlay(utils, saving);
    assert.deepEqual(saves(), ["6:save-in-loop"]);
  });
});

describe("rows handed to a function", () => {
  before(initParser);

  it("follow edits to the function, in this file and in another one", () => {
    const views = `from shop.helpers import imported_label
from shop.models import Book


def label(book):
    return book.title


${FILLER}

def labels():
    return [label(b) for b in Book.objects.all()]


def imported_labels():
    return [imported_label(b) for b in Book.objects.all()]
`;
    const helpers = `def imported_label(book):
    return book.title
`;
    const { project, open } = workspace({ "shop/__init__.py": "", "shop/models.py": AUTHOR_BOOK_MODELS, "shop/views.py": views, "shop/helpers.py": helpers });
    const v = open("shop/views.py");
    const lines = () => v.analyze().filter((h) => h.code === "n-plus-one").map((h) => h.range.start.line);
    assert.deepEqual(lines(), []);
    v.edit("return book.title", "return book.author.name");
    assert.deepEqual(lines(), [25], "the loop now loads author through label()");
    assert.ok(project.analysisOf(v.file)!.reused > 0, "the unrelated functions were reused");
    v.edit("return book.author.name", "return book.title");
    assert.deepEqual(lines(), []);
    const h = open("shop/helpers.py");
    h.analyze();
    h.edit("book.title", "book.author.name");
    h.analyze();
    assert.deepEqual(lines(), [29], "the other file's function now loads author");
  });
});

/** Author and Book (a foreign key and a property reading a column), for the tests of reads across files. */
const BOOK_WITH_LABEL = `from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)

    @property
    def label(self):
        return self.title
`;

describe("edits to what a method reads", () => {
  before(initParser);

  it("keep the index, and other files' hints follow them", () => {
    const models = BOOK_WITH_LABEL;
    const views = `from shop.models import Book


def labels():
    return [b.label for b in Book.objects.all()]
`;
    const { project, open } = workspace({ "shop/__init__.py": "", "shop/models.py": models, "shop/views.py": views });
    // views.py is open too: its analysis and flow are kept between analyses.
    const v = open("shop/views.py");
    const n1 = () => v.analyze().filter((h) => h.code === "n-plus-one").length;
    assert.equal(n1(), 0);
    const index = project.index;
    const m = open("shop/models.py");
    m.analyze();
    m.edit("self.title", "self.author.name");
    m.analyze();
    assert.equal(project.index, index, "no rebuild for a change inside a method body");
    assert.equal(index.version, 1);
    assert.equal(n1(), 1, "the loop now reads author through the property");
  });
});

describe("edits to classes the index built nothing from", () => {
  before(initParser);

  it("patch the index in place; edits to models rebuild it; both give a new project's hints", () => {
    const views = `from rest_framework import serializers

from shop.models import Book


class BookSerializer(serializers.ModelSerializer):
    count = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ["title", "count"]

    def get_count(self, obj):
        return 1
`;
    // A list of books serialized elsewhere: the serializer's methods run once per row.
    const lists = "from shop.api import BookSerializer\n\n\ndef books(qs):\n    return BookSerializer(qs, many=True).data\n";
    const { root, project, open } = workspace({ "shop/__init__.py": "", "shop/models.py": AUTHOR_BOOK_MODELS, "shop/api.py": views, "shop/lists.py": lists });
    const { file, doc, analyze, edit } = open("shop/api.py");
    const codes = () => analyze().map((h) => h.code);
    const fresh = () => {
      const other = new Project([root], RULES);
      other.setOverlay(file, doc.text);
      other.scan();
      return other.analyze(file, doc.text).map((h) => h.code);
    };
    assert.deepEqual(codes(), []);
    const index = project.index;
    // A new method and a query in the serializer: its facts change, it is not a model.
    edit("        return 1\n", "        return Book.objects.filter(author=obj.author).count()\n\n    def get_other(self, obj):\n        return 2\n");
    assert.deepEqual(codes(), ["serializer-method-query"]);
    assert.equal(project.index, index, "the index was patched, not rebuilt");
    assert.deepEqual(codes(), fresh());
    // A field-like assignment could make a class a model: rebuild.
    edit('    count = serializers.SerializerMethodField()', '    count = serializers.SerializerMethodField()\n    other = serializers.CharField()');
    codes();
    assert.notEqual(project.index, index, "rebuilt");
    assert.deepEqual(codes(), fresh());
  });
});

describe("a change to a serializer's methods", () => {
  before(initParser);

  it("reaches the open view that uses it, without a rebuild", () => {
    const ser = `from rest_framework import serializers

from shop.models import Book


class BookSerializer(serializers.ModelSerializer):
    who = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ["title", "who"]

    def get_who(self, obj):
        return obj.title
`;
    const api = `from rest_framework import viewsets

from shop.models import Book
from shop.serializers import BookSerializer


class BookViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Book.objects.all()
    serializer_class = BookSerializer
    pagination_class = None
`;
    const { project, open } = workspace({ "shop/__init__.py": "", "shop/models.py": AUTHOR_BOOK_MODELS, "shop/serializers.py": ser, "shop/api.py": api });
    const s = open("shop/serializers.py");
    const a = open("shop/api.py");
    const apiHints = () => a.analyze().filter((h) => h.code === "n-plus-one").length;
    s.analyze();
    assert.equal(apiHints(), 0);
    const index = project.index;
    s.edit("obj.title", "obj.author.name");
    s.analyze();
    assert.equal(project.index, index, "no rebuild");
    assert.equal(apiHints(), 1, "the viewset's queryset now needs author");
  });
});

describe("a list view built on a project class in another file", () => {
  before(initParser);

  it("follows edits to the base class's get_context_data", () => {
    const base = `from django.views.generic.base import TemplateResponseMixin
from django.views.generic.list import BaseListView


class ReportView(TemplateResponseMixin, BaseListView):
    def get_context_data(self, *args, object_list=None, **kwargs):
        queryset = object_list if object_list is not None else self.object_list
        return super().get_context_data(*args, object_list=queryset.select_related("author"), **kwargs)
`;
    const views = `from shop.base import ReportView
from shop.models import Book


class BookReport(ReportView):
    template_name = "shop/report.html"

    def get_queryset(self):
        return Book.objects.all()
`;
    const { open } = workspace({
      "shop/__init__.py": "",
      "shop/models.py": AUTHOR_BOOK_MODELS,
      "shop/base.py": base,
      "shop/views.py": views,
      "shop/templates/shop/report.html": "{% for b in object_list %}{{ b.author.name }}{% endfor %}\n",
    });
    const v = open("shop/views.py");
    const hints = () => v.analyze().filter((h) => h.code === "n-plus-one").map((h) => path.basename(h.file));
    assert.deepEqual(hints(), [], "the base class joins author");
    const b = open("shop/base.py");
    b.analyze();
    b.edit('.select_related("author")', "");
    b.analyze();
    assert.deepEqual(hints(), ["report.html"], "the base class no longer joins author");
    b.edit("object_list=queryset", "object_list=self.cached()");
    b.analyze();
    assert.deepEqual(hints(), [], "rows from elsewhere: silent");
  });
});

describe("graphene resolvers", () => {
  before(initParser);

  const models = BOOK_WITH_LABEL;
  const types = `import graphene
from graphene_django import DjangoObjectType

from shop.models import Book


class BookType(DjangoObjectType):
    class Meta:
        model = Book

    @staticmethod
    def resolve_label(root, info):
        return root.label

    @staticmethod
    def resolve_author_name(root, info):
        return root.author.name


${FILLER}
`;
  const schema = `import graphene

from shop.types import BookType


class Query(graphene.ObjectType):
    books = graphene.List(BookType)
`;

  it("follows the file that lists the type and the model's properties", () => {
    const { open } = workspace({ "shop/__init__.py": "", "shop/models.py": models, "shop/types.py": types, "shop/schema.py": schema });
    const t = open("shop/types.py");
    const hints = () => t.analyze().filter((h) => h.code === "n-plus-one").map((h) => h.range.start.line);
    assert.deepEqual(hints(), [16], "root.author is read for every listed book");
    t.edit("return 1", "return 10");
    assert.deepEqual(hints(), [16], "an edit elsewhere keeps it");
    const s = open("shop/schema.py");
    s.edit("graphene.List(BookType)", "graphene.Field(BookType)");
    s.analyze();
    assert.deepEqual(hints(), [], "returned alone: once per request");
    s.edit("graphene.Field(BookType)", "graphene.List(graphene.NonNull(BookType))");
    s.analyze();
    assert.deepEqual(hints(), [16]);
    const m = open("shop/models.py");
    m.edit("return self.title", "return self.author.name");
    m.analyze();
    assert.deepEqual(hints(), [12, 16], "the property now reads author");
  });

  it("follows a List of the type in another statement of the same file", () => {
    // In a function: an edit there changes no class the index knows.
    const same = `${types}

def book_list_field():
    return graphene.List(BookType)
`;
    const { open } = workspace({ "shop/__init__.py": "", "shop/models.py": models, "shop/types.py": same });
    const t = open("shop/types.py");
    const hints = () => t.analyze().filter((h) => h.code === "n-plus-one").map((h) => h.range.start.line);
    assert.deepEqual(hints(), [16]);
    t.edit("graphene.List(BookType)", "graphene.Field(BookType)");
    assert.deepEqual(hints(), [], "no longer listed");
    t.edit("graphene.Field(BookType)", "graphene.List(BookType)");
    assert.deepEqual(hints(), [16]);
    t.edit("(DjangoObjectType)", "(graphene.InputObjectType)");
    assert.deepEqual(hints(), [], "not an object type");
  });
});

describe("serializer-method-query and where the serializer is used", () => {
  before(initParser);

  const serializers = `from rest_framework import serializers

from shop.models import Author, Book


class CardSerializer(serializers.ModelSerializer):
    count = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "count"]

    def get_count(self, obj):
        return Book.objects.filter(author=obj).count()
`;
  const views = `from shop.serializers import CardSerializer


def card(author):
    return CardSerializer(author).data
`;

  it("reports once another file serializes a list, and stops when it no longer does", () => {
    const { open } = workspace({ "shop/__init__.py": "", "shop/models.py": AUTHOR_BOOK_MODELS, "shop/serializers.py": serializers, "shop/views.py": views });
    const s = open("shop/serializers.py");
    const hints = () => s.analyze().filter((h) => h.code === "serializer-method-query").map((h) => h.range.start.line);
    assert.deepEqual(hints(), [], "built for one author only");
    const v = open("shop/views.py");
    v.edit("CardSerializer(author).data", "CardSerializer(author.friends.all(), many=True).data");
    v.analyze();
    assert.deepEqual(hints(), [13], "many=True in another file");
    v.edit("CardSerializer(author.friends.all(), many=True).data", "CardSerializer(author).data");
    v.analyze();
    assert.deepEqual(hints(), [], "one object again");
  });
});
