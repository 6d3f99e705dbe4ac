/** queryset-truthiness: what the message and fix title say match what the fix does. */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AUTHOR_BOOK_MODELS, applyFix, hintsFor } from "./helpers";

const VIEW = `from shop.models import Book


def can_delete(author):
    if not (
        Book.objects.filter(author=author).count()
        or Book.objects.filter(title=author.name).count()
    ):
        return True
    return False


def lonely(author):
    if not Book.objects.filter(author=author):
        return True
    return False
`;

describe("queryset-truthiness messages", () => {
  it("does not move a `not` around an `or` chain onto each operand", async () => {
    const hints = await hintsFor({ "shop/__init__.py": "", "shop/models.py": AUTHOR_BOOK_MODELS, "shop/views.py": VIEW }, "shop/views.py", "queryset-truthiness");
    const inChain = hints.filter((h) => h.range.start.line === 5 || h.range.start.line === 6);
    assert.equal(inChain.length, 2, hints.map((h) => `${h.range.start.line}: ${h.message}`).join("\n"));
    for (const h of inChain) {
      assert.doesNotMatch(h.message, /use not /, h.message);
      assert.match(h.message, /use Book\.objects\.filter\(.*\)\.exists\(\)/, h.message);
      assert.doesNotMatch(h.fixes[0].title, /^Replace with not /, h.fixes[0].title);
    }
    const fixed = applyFix(VIEW, inChain[0]);
    assert.match(fixed, /if not \(\n\s+Book\.objects\.filter\(author=author\)\.exists\(\)\n/);
  });

  it("keeps the `not` that applies to the queryset itself", async () => {
    const hints = await hintsFor({ "shop/__init__.py": "", "shop/models.py": AUTHOR_BOOK_MODELS, "shop/views.py": VIEW }, "shop/views.py", "queryset-truthiness");
    const direct = hints.find((h) => h.range.start.line === 13);
    assert.ok(direct, hints.map((h) => `${h.range.start.line}: ${h.message}`).join("\n"));
    assert.match(direct.message, /use not Book\.objects\.filter\(author=author\)\.exists\(\)/, direct.message);
  });
});
