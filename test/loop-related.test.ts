/** queryset-in-loop's related information points at the loop that repeats the query. */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AUTHOR_BOOK_MODELS, hintsFor } from "./helpers";

const JOB = `from shop.models import Author, Book


def run(names):
    for name in names:
        author = Author.objects.get(name=name)
        for book in Book.objects.filter(author=author):
            print(book.title)
`;

describe("queryset-in-loop: the loop it names", () => {
  it("is the loop that repeats the query, not the loop the queryset feeds", async () => {
    const hints = await hintsFor({ "shop/__init__.py": "", "shop/models.py": AUTHOR_BOOK_MODELS, "shop/jobs.py": JOB }, "shop/jobs.py", "queryset-in-loop");
    const iterated = hints.find((h) => h.range.start.line === 6);
    assert.ok(iterated, hints.map((h) => `${h.range.start.line + 1}: ${h.message}`).join("\n"));
    assert.deepEqual(iterated.related?.map((r) => [r.message, r.range.start.line + 1]), [["the loop", 5]]);
  });
});

const CUSTOM = `from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class BookQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


class Book(models.Model):
    title = models.CharField(max_length=100)
    published = models.BooleanField(default=False)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    objects = BookQuerySet.as_manager()
`;

const CUSTOM_JOB = `from shop.models import Author


def run():
    for author in Author.objects.prefetch_related("book_set"):
        for book in author.book_set.published():
            print(book.title)
`;

describe("a project QuerySet method on a relation in a loop", () => {
  it("is a query per row whatever is prefetched, with Prefetch(queryset=...) advice, and no n-plus-one prefetch fix", async () => {
    const hints = await hintsFor({ "shop/__init__.py": "", "shop/models.py": CUSTOM, "shop/jobs.py": CUSTOM_JOB }, "shop/jobs.py");
    assert.deepEqual(hints.map((h) => [h.code, h.range.start.line + 1]), [["queryset-in-loop", 6]]);
    assert.match(hints[0].message, /Prefetch\("book_set", queryset=Book\.objects\.published\(\), to_attr=\.\.\.\)/);
  });
});
