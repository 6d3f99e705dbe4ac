/** n-plus-one in templates: the fix's method follows the whole path from the row, not only its last step. */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hintsFor } from "./helpers";

const MODELS = `from django.db import models


class Domain(models.Model):
    name = models.CharField(max_length=100)


class User(models.Model):
    name = models.CharField(max_length=100)


class Link(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="links")
    added_by = models.ForeignKey(User, on_delete=models.CASCADE)
`;

const VIEW = `from django.shortcuts import render

from .models import Domain


def domains(request):
    return render(request, "site/domains.html", {"domains": Domain.objects.prefetch_related("links")})
`;

const TEMPLATE = `{% for domain in domains %}
  {% for link in domain.links.all %}{{ link.added_by.name }}{% endfor %}
{% endfor %}
`;

describe("n-plus-one in templates: fix method", () => {
  it("prefetches a foreign key reached through a reverse foreign key (select_related would raise FieldError)", async () => {
    const files = { "site/__init__.py": "", "site/models.py": MODELS, "site/views.py": VIEW, "site/templates/site/domains.html": TEMPLATE, "settings.py": 'INSTALLED_APPS = ["site"]\n' };
    const hints = await hintsFor(files, "site/views.py", "n-plus-one");
    assert.equal(hints.length, 1, hints.map((h) => h.message).join("\n"));
    assert.match(hints[0].message, /prefetch_related\("links__added_by"\)/);
    assert.deepEqual(hints[0].fixes[0].edits.map((e) => e.newText), [', "links__added_by"']);
  });

  it("gives one hint for a row's relation read in the loop's template and in one it includes, with both places", async () => {
    const page = `{% for link in links %}{{ link.added_by.name }}{% include "site/link_row.html" %}{% endfor %}\n`;
    const row = `<small>{{ link.added_by.name }}</small>\n`;
    const view = `from django.shortcuts import render\n\nfrom .models import Link\n\n\ndef links(request):\n    return render(request, "site/links.html", {"links": Link.objects.all()})\n`;
    const files = { "site/__init__.py": "", "site/models.py": MODELS, "site/views.py": view, "site/templates/site/links.html": page, "site/templates/site/link_row.html": row, "settings.py": 'INSTALLED_APPS = ["site"]\n' };
    const hints = await hintsFor(files, "site/views.py", "n-plus-one");
    assert.equal(hints.length, 1, hints.map((h) => `${h.file}: ${h.message}`).join("\n"));
    assert.ok(hints[0].file.endsWith("links.html"));
    const again = hints[0].related.filter((r) => r.file.endsWith("link_row.html"));
    assert.equal(again.length, 1);
    assert.equal(again[0].message, "added_by read again here, for the same row");
    assert.equal(again[0].range.start.line, 0);
  });

  it("joins the single relations read on from the reported one, so one fix settles the path", async () => {
    const models = MODELS + `\n\nclass Bookmark(models.Model):\n    link = models.ForeignKey(Link, on_delete=models.CASCADE)\n`;
    const page = `{% for b in bookmarks %}{{ b.link.domain.name }} {{ b.link.added_by.name }}{% endfor %}\n`;
    const view = `from django.shortcuts import render\n\nfrom .models import Bookmark\n\n\ndef bookmarks(request):\n    return render(request, "site/bookmarks.html", {"bookmarks": Bookmark.objects.all()})\n`;
    const files = { "site/__init__.py": "", "site/models.py": models, "site/views.py": view, "site/templates/site/bookmarks.html": page, "settings.py": 'INSTALLED_APPS = ["site"]\n' };
    const hints = await hintsFor(files, "site/views.py", "n-plus-one");
    assert.equal(hints.length, 1, hints.map((h) => h.message).join("\n"));
    assert.match(hints[0].message, /reads link, then link\.domain, link\.added_by for every Bookmark, one query per row each; add select_related\("link__added_by", "link__domain"\)/);
    assert.deepEqual(hints[0].fixes[0].edits.map((e) => e.newText), ['.select_related("link__added_by", "link__domain")']);
  });
});
