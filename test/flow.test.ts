/**
 * Queryset flow (engine/flow.ts), checked through what the n-plus-one and queryset-in-loop rules report on small
 * multi-file workspaces: where a queryset comes from, what it joined or prefetched, how its rows are used, and
 * where the quick fix edits the queryset's construction (applied, then the hint must be gone).
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LineIndex } from "../server/src/engine/positions";
import type { Hint } from "../server/src/engine/types";
import { applyFix, hintsFor } from "./helpers";

const MODELS = `from django.db import models


class Publisher(models.Model):
    name = models.CharField(max_length=100)


class Author(models.Model):
    name = models.CharField(max_length=100)
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE)


class Tag(models.Model):
    name = models.CharField(max_length=100)


class BookQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def with_author(self):
        return self.select_related("author")


class JoinedManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("author").prefetch_related("tags")


class Book(models.Model):
    title = models.CharField(max_length=100)
    published = models.BooleanField(default=False)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    editor = models.ForeignKey(Author, null=True, on_delete=models.SET_NULL, related_name="edited_books")
    tags = models.ManyToManyField(Tag)

    objects = BookQuerySet.as_manager()
    joined = JoinedManager()


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    rating = models.IntegerField()


class Base(models.Model):
    owner = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="%(class)s_owned")

    class Meta:
        abstract = True


class Shelf(Base):
    label = models.CharField(max_length=10)
`;

const HEAD = `from django.db.models import Count, F, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from shop.models import Author, Book, Review, Shelf, Tag


`;

const VIEW = "shop/views.py";

async function run(body: string, code?: string): Promise<{ text: string; hints: Hint[] }> {
  const text = HEAD + body;
  const hints = await hintsFor({ "shop/__init__.py": "", "shop/models.py": MODELS, [VIEW]: text }, VIEW, code);
  return { text, hints };
}

/** The source text a hint's range covers. */
function covered(text: string, h: { range: Hint["range"] }): string {
  const li = new LineIndex(text);
  return text.slice(li.offsetAt(h.range.start), li.offsetAt(h.range.end));
}

function show(hints: Hint[]): string {
  return hints.map((h) => `${h.range.start.line + 1}:${h.range.start.character + 1} [${h.code}] ${h.message}`).join("\n") || "(none)";
}

async function nPlusOne(body: string): Promise<{ text: string; hints: Hint[]; spans: string[] }> {
  const { text, hints } = await run(body, "n-plus-one");
  return { text, hints, spans: hints.map((h) => covered(text, h)) };
}

async function silent(body: string): Promise<void> {
  const { hints } = await run(body, "n-plus-one");
  assert.deepEqual(hints.map((h) => h.message), [], `expected no n-plus-one in:\n${body}`);
}

/** Applies the hint's first fix, re-analyzes and returns the new text and remaining n-plus-one hints. */
async function fixed(text: string, hint: Hint): Promise<{ text: string; hints: Hint[] }> {
  const out = applyFix(text, hint);
  const hints = await hintsFor({ "shop/__init__.py": "", "shop/models.py": MODELS, [VIEW]: out }, VIEW, "n-plus-one");
  return { text: out, hints };
}

describe("flow: where querysets come from", () => {
  it("follows manager chains", async () => {
    const r = await nPlusOne(`def f():
    for b in Book.objects.filter(published=True).exclude(title="").order_by("title").distinct():
        print(b.author.name)
`);
    assert.deepEqual(r.spans, ["b.author"], show(r.hints));
    assert.match(r.hints[0].message, /one query per Book to load author/);
    assert.match(r.hints[0].message, /select_related\("author"\)/);
    await silent(`def f():
    for b in Book.objects.filter(published=True).select_related("author").order_by("title"):
        print(b.author.name)
`);
  });

  it("follows custom queryset methods (as_manager)", async () => {
    const r = await nPlusOne(`def f():
    for b in Book.objects.published():
        print(b.author.name)
`);
    assert.deepEqual(r.spans, ["b.author"], show(r.hints));
    await silent(`def f():
    for b in Book.objects.with_author():
        print(b.author.name)
    for b in Book.objects.published().with_author().filter(title="x"):
        print(b.author.name)
`);
  });

  it("knows what a manager's get_queryset() joins", async () => {
    await silent(`def f():
    for b in Book.joined.all():
        print(b.author.name, [t.name for t in b.tags.all()])
`);
    const r = await nPlusOne(`def f():
    for b in Book.joined.filter(published=True):
        print(b.editor.name)
`);
    assert.deepEqual(r.spans, ["b.editor"], show(r.hints));
  });

  it("follows related managers (default and related_name accessors)", async () => {
    const r = await nPlusOne(`def f():
    for a in Author.objects.all():
        for b in a.book_set.all():
            print(b.title)
    for b in Book.objects.all():
        print([r.rating for r in b.reviews.all()])
    for a in Author.objects.all():
        print(list(a.edited_books.all()))
`);
    assert.deepEqual(r.spans, ["a.book_set", "b.reviews", "a.edited_books"], show(r.hints));
    assert.match(r.hints[0].message, /prefetch_related\("book_set"\)/);
    await silent(`def f():
    for a in Author.objects.prefetch_related("book_set", "edited_books"):
        for b in a.book_set.all():
            print(b.title)
        print(list(a.edited_books.all()))
`);
  });

  it("follows rows of a related manager of one instance", async () => {
    const r = await nPlusOne(`def f(pk):
    author = Author.objects.get(pk=pk)
    for b in author.book_set.filter(published=True):
        print(b.editor.name)
`);
    assert.deepEqual(r.spans, ["b.editor"], show(r.hints));
  });

  it("follows get_object_or_404 with a model or a queryset", async () => {
    const r = await nPlusOne(`def f(pk):
    author = get_object_or_404(Author, pk=pk)
    for b in author.book_set.all():
        print(b.editor.name)
`);
    assert.deepEqual(r.spans, ["b.editor"], show(r.hints));
    await silent(`def f(pk):
    author = get_object_or_404(Author.objects.prefetch_related("book_set__editor"), pk=pk)
    for b in author.book_set.all():
        print(b.editor.name)
`);
  });

  it("follows list(qs), slicing and indexing", async () => {
    const r = await nPlusOne(`def f():
    books = list(Book.objects.filter(published=True))
    for b in books:
        print(b.author.name)
    for b in Book.objects.all()[:10]:
        print(b.editor.name)
    for b in sorted(Book.objects.all(), key=lambda x: x.title):
        print(b.author.name)
`);
    assert.deepEqual(r.spans, ["b.author", "b.editor", "b.author"], show(r.hints));
    await silent(`def f():
    books = list(Book.objects.select_related("author"))
    for b in books:
        print(b.author.name)
    for b in Book.objects.select_related("editor")[5:10]:
        print(b.editor.name)
`);
  });

  it("follows reassignment: qs = qs.select_related(...)", async () => {
    await silent(`def f():
    qs = Book.objects.filter(published=True)
    qs = qs.select_related("author")
    for b in qs:
        print(b.author.name)
`);
    const r = await nPlusOne(`def f():
    qs = Book.objects.select_related("author")
    qs = Book.objects.filter(published=True)
    for b in qs:
        print(b.author.name)
`);
    assert.deepEqual(r.spans, ["b.author"], show(r.hints));
  });

  it("follows querysets returned by a function of the same file", async () => {
    const r = await nPlusOne(`def recent():
    return Book.objects.filter(published=True)[:20]


def f():
    for b in recent():
        print(b.author.name)
`);
    assert.deepEqual(r.spans, ["b.author"], show(r.hints));
  });

  it("follows models bound at module level with get_model(app, name)", async () => {
    const r = await nPlusOne(`from django.apps import apps

from oscar.core.loading import get_model

Shelved = get_model("shop", "Book")
Writer = apps.get_model("shop", "author")


def f():
    for b in Shelved.objects.all():
        print(b.author.name)
    for a in Writer.objects.all():
        print(a.publisher.name)
`);
    assert.deepEqual(r.spans, ["b.author", "a.publisher"], show(r.hints));
    await silent(`from oscar.core.loading import get_model

Shelved = get_model("shop", "Missing")


def f():
    for b in Shelved.objects.all():
        print(b.author.name)
`);
  });

  it("is silent for parameters hinted QuerySet[Book] (what was loaded is unknown)", async () => {
    await silent(`def f(books: QuerySet[Book], more: "QuerySet[Book]"):
    for b in books:
        print(b.author.name)
    for b in more:
        print(b.editor.name, list(b.tags.all()))
`);
  });

  it("is silent when the origin is unknown", async () => {
    await silent(`from elsewhere import load_books


def f(request, books):
    for b in books:
        print(b.author.name)
    for b in load_books():
        print(b.author.name)
    for b in request.user.books.all():
        print(b.author.name)
`);
  });

  it("treats auto_prefetch models as already batched", async () => {
    const files = {
      "shop/__init__.py": "",
      "shop/models.py": MODELS,
      "lib/__init__.py": "",
      "lib/models.py": `import auto_prefetch
from django.db import models


class Writer(auto_prefetch.Model):
    name = models.CharField(max_length=10)


class Novel(auto_prefetch.Model):
    writer = auto_prefetch.ForeignKey(Writer, on_delete=models.CASCADE)
`,
      "lib/views.py": `from lib.models import Novel


def f():
    for n in Novel.objects.filter(id__gt=1):
        print(n.writer.name)
`,
    };
    const hints = await hintsFor(files, "lib/views.py", "n-plus-one");
    assert.deepEqual(hints.map((h) => h.message), []);
  });

  it("treats querysets with fetch_mode(FETCH_PEERS) as already batched", async () => {
    await silent(`from django.db import models


def f():
    for b in Book.objects.fetch_mode(models.FETCH_PEERS):
        print(b.author.name)
    for b in Book.objects.filter(published=True).fetch_mode(models.FETCH_PEERS):
        print(b.editor.name)
`);
  });
});

describe("flow: what a queryset loaded", () => {
  it("is silent for Prefetch(to_attr) lists, and still reports the plain accessor", async () => {
    await silent(`def f():
    qs = Author.objects.prefetch_related(
        Prefetch("book_set", queryset=Book.objects.select_related("editor"), to_attr="books")
    )
    for a in qs:
        for b in a.books:
            print(b.editor.name)
`);
    const r = await nPlusOne(`def f():
    qs = Author.objects.prefetch_related(Prefetch("book_set", to_attr="books"))
    for a in qs:
        print(len(a.books), list(a.book_set.all()))
`);
    assert.deepEqual(r.spans, ["a.book_set"], show(r.hints));
  });

  it("follows Prefetch(queryset=...) options into the prefetched rows", async () => {
    await silent(`def f():
    for a in Author.objects.prefetch_related(Prefetch("book_set", queryset=Book.objects.select_related("editor"))):
        for b in a.book_set.all():
            print(b.editor.name)
`);
    const r = await nPlusOne(`def f():
    for a in Author.objects.prefetch_related(Prefetch("book_set", queryset=Book.objects.filter(published=True))):
        for b in a.book_set.all():
            print(b.editor.name)
`);
    assert.deepEqual(r.spans, ["b.editor"], show(r.hints));
  });

  it("is silent for values() and values_list() rows", async () => {
    await silent(`def f():
    for row in Book.objects.values("title", "author__name"):
        print(row["author__name"])
    for title, name in Book.objects.values_list("title", "author__name"):
        print(title, name)
    for d in Book.objects.filter(published=True).values():
        print(d["author_id"])
`);
  });

  it("is silent for annotated names", async () => {
    await silent(`def f():
    for b in Book.objects.annotate(author_name=F("author__name"), n=Count("reviews")):
        print(b.author_name, b.n)
`);
  });

  it("is silent for the _id column of a foreign key", async () => {
    await silent(`def f():
    for b in Book.objects.all():
        print(b.author_id, b.editor_id, b.title, b.pk)
`);
  });

  it("reports nested paths with the full lookup", async () => {
    const r = await nPlusOne(`def f():
    for b in Book.objects.select_related("author"):
        print(b.author.publisher.name)
`);
    assert.deepEqual(r.spans, ["b.author.publisher"], show(r.hints));
    assert.match(r.hints[0].message, /author__publisher/);
    await silent(`def f():
    for b in Book.objects.select_related("author__publisher"):
        print(b.author.name, b.author.publisher.name)
    for b in Book.objects.select_related():
        print(b.author.publisher.name)
`);
  });

  it("reports one hint, not one per segment, for a path with nothing joined", async () => {
    const r = await nPlusOne(`def f():
    for b in Book.objects.all():
        print(b.author.publisher.name)
`);
    assert.equal(r.hints.length, 1, show(r.hints));
  });

  it("reports forward, reverse and many-to-many relations and inherited foreign keys", async () => {
    const r = await nPlusOne(`def f():
    for b in Book.objects.all():
        print(b.editor.name)
        print([t.name for t in b.tags.all()])
    for s in Shelf.objects.all():
        print(s.owner.name)
    for a in Author.objects.all():
        print(a.shelf_owned.count())
`);
    assert.deepEqual(r.spans, ["b.editor", "b.tags", "s.owner"], show(r.hints));
    assert.match(r.hints[1].message, /prefetch_related\("tags"\)/);
  });

  it("reports in comprehensions, generator expressions, nested and async loops", async () => {
    const r = await nPlusOne(`async def f():
    names = [b.author.name for b in Book.objects.all()]
    total = sum(len(b.editor.name) for b in Book.objects.all())
    for p in range(3):
        for b in Book.objects.filter(published=True):
            print(b.author.name)
    async for b in Book.objects.all():
        print(b.editor.name)
    return names, total
`);
    assert.deepEqual(r.spans, ["b.author", "b.editor", "b.author", "b.editor"], show(r.hints));
  });

  it("reports nothing outside loops", async () => {
    await silent(`def f(pk):
    b = Book.objects.get(pk=pk)
    print(b.author.name, list(b.tags.all()))
    first = Book.objects.first()
    return first.editor
`);
  });
});

describe("flow: the fix edits the queryset's construction", () => {
  it("inserts select_related after the manager where the queryset is built", async () => {
    const r = await nPlusOne(`def f():
    books = Book.objects.filter(published=True)
    titles = []
    for b in books:
        titles.append(b.author.name)
    return titles
`);
    assert.equal(r.hints.length, 1, show(r.hints));
    const h = r.hints[0];
    assert.equal(h.fixes[0].title, 'Add select_related("author") to the queryset');
    const edit = h.fixes[0].edits[0];
    assert.equal(covered(r.text, { range: { start: edit.range.start, end: edit.range.start } }), "");
    const line = r.text.split("\n")[edit.range.start.line];
    assert.equal(line, "    books = Book.objects.filter(published=True)", "the edit is on the line that builds the queryset");
    assert.equal(h.related[0]?.range.start.line, edit.range.start.line, "relatedInformation points there too");
    const after = await fixed(r.text, h);
    assert.ok(after.text.includes('    books = Book.objects.select_related("author").filter(published=True)\n'), after.text);
    assert.deepEqual(after.hints.map((x) => x.message), []);
  });

  it("merges into an existing select_related call", async () => {
    const r = await nPlusOne(`def f():
    for b in Book.objects.select_related("editor").filter(published=True):
        print(b.editor.name, b.author.name)
`);
    assert.deepEqual(r.spans, ["b.author"], show(r.hints));
    const after = await fixed(r.text, r.hints[0]);
    assert.ok(after.text.includes('Book.objects.select_related("editor", "author").filter(published=True)'), after.text);
    assert.deepEqual(after.hints.map((x) => x.message), []);
  });

  it("merges into an existing select_related call in another function of the same file", async () => {
    const r = await nPlusOne(`def base_books():
    return Book.objects.select_related("editor").filter(published=True)


def view():
    out = []
    for b in base_books():
        out.append((b.editor.name, b.author.name))
    return out
`);
    assert.deepEqual(r.spans, ["b.author"], show(r.hints));
    const edit = r.hints[0].fixes[0]?.edits[0];
    assert.ok(edit, "a fix");
    assert.equal(r.text.split("\n")[edit.range.start.line], '    return Book.objects.select_related("editor").filter(published=True)');
    const after = await fixed(r.text, r.hints[0]);
    assert.ok(after.text.includes('return Book.objects.select_related("editor", "author").filter(published=True)'), after.text);
    assert.deepEqual(after.hints.map((x) => x.message), []);
  });

  it("adds prefetch_related for reverse and many-to-many relations", async () => {
    const r = await nPlusOne(`def f():
    authors = Author.objects.all()
    for a in authors:
        print([b.title for b in a.book_set.all()])
`);
    assert.equal(r.hints.length, 1, show(r.hints));
    const after = await fixed(r.text, r.hints[0]);
    assert.ok(after.text.includes('authors = Author.objects.prefetch_related("book_set").all()'), after.text);
    assert.deepEqual(after.hints.map((x) => x.message), []);
  });

  it("merges into an existing prefetch_related call", async () => {
    const r = await nPlusOne(`def f():
    for b in Book.objects.prefetch_related("reviews"):
        print(list(b.reviews.all()), list(b.tags.all()))
`);
    assert.deepEqual(r.spans, ["b.tags"], show(r.hints));
    const after = await fixed(r.text, r.hints[0]);
    assert.ok(after.text.includes('Book.objects.prefetch_related("reviews", "tags")'), after.text);
    assert.deepEqual(after.hints.map((x) => x.message), []);
  });

  it("fixes a nested path with its full lookup", async () => {
    const r = await nPlusOne(`def f():
    for b in Book.objects.select_related("author"):
        print(b.author.publisher.name)
`);
    const after = await fixed(r.text, r.hints[0]);
    assert.ok(after.text.includes('Book.objects.select_related("author", "author__publisher")'), after.text);
    assert.deepEqual(after.hints.map((x) => x.message), []);
  });

  it("fixes a nested path with nothing joined in one step", async () => {
    const r = await nPlusOne(`def f():
    for b in Book.objects.all():
        print(b.author.publisher.name)
`);
    assert.equal(r.hints.length, 1, show(r.hints));
    const after = await fixed(r.text, r.hints[0]);
    assert.deepEqual(after.hints.map((x) => x.message), [], `one fix joins the whole path:\n${after.text}`);
  });

  it("uses the file's quote style", async () => {
    const r = await nPlusOne(`def f():
    for b in Book.objects.filter(title='x', published=True).exclude(title='y'):
        print(b.author.name, 'a', 'b', 'c', 'd')
`.replace(/"/g, "'"));
    // HEAD uses double quotes for nothing but the header: the body's single quotes dominate.
    const after = await fixed(r.text, r.hints[0]);
    assert.ok(after.text.includes("Book.objects.select_related('author').filter("), after.text);
  });
});

describe("flow: queries in loops", () => {
  async function queries(body: string) {
    const { text, hints } = await run(body, "queryset-in-loop");
    return { text, hints, spans: hints.map((h) => covered(text, h)) };
  }

  it("reports get / first / count / exists / aggregate / create per iteration", async () => {
    const r = await queries(`def f(ids):
    for i in ids:
        Book.objects.get(pk=i)
        Book.objects.filter(author_id=i).first()
        Review.objects.filter(book_id=i).count()
        Review.objects.filter(book_id=i).exists()
        Review.objects.filter(book_id=i).aggregate(n=Count("id"))
        Tag.objects.create(name=str(i))
`);
    assert.equal(r.hints.length, 6, show(r.hints));
    assert.match(r.hints[0].message, /Book get\(\)/);
    assert.match(r.hints[0].message, /in_bulk|pk__in/);
    assert.match(r.hints[5].message, /bulk_create/);
  });

  it("reports a count on a related manager of each row", async () => {
    const r = await queries(`def f():
    for a in Author.objects.all():
        print(a.book_set.count())
`);
    assert.deepEqual(r.spans, ["a.book_set.count()"], show(r.hints));
    assert.match(r.hints[0].message, /Author\.book_set\.count\(\)/);
    assert.match(r.hints[0].message, /annotate\(Count/);
  });

  it("offers to hoist a loop-invariant query", async () => {
    const r = await queries(`def f(ids):
    out = []
    for i in ids:
        out.append((i, Tag.objects.count()))
    return out
`);
    assert.equal(r.hints.length, 1, show(r.hints));
    assert.match(r.hints[0].message, /does not depend on the loop/);
    const fix = r.hints[0].fixes[0];
    assert.ok(fix, "a hoist fix");
    const out = applyFix(r.text, r.hints[0]);
    assert.ok(out.includes("    tag_count = Tag.objects.count()\n    for i in ids:\n        out.append((i, tag_count))\n"), out);
  });

  it("does not report queries outside loops or loops over plain data", async () => {
    const r = await queries(`def f():
    n = Book.objects.count()
    for i in range(n):
        print(i)
    return Book.objects.get(pk=1)
`);
    assert.deepEqual(r.hints.map((h) => h.message), []);
  });
});
