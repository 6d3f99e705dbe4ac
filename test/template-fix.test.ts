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
});
