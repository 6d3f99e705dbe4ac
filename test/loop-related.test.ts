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
