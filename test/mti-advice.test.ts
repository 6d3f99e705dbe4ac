/**
 * Multi-table inheritance children: Django's bulk_create() raises ValueError on them, so no hint advises it; and
 * their parents' columns live in the parents' tables, where an index must go.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hintsFor } from "./helpers";

const MODELS = `from django.db import models


class Job(models.Model):
    created = models.DateTimeField(auto_now_add=True)


class ImportJob(Job):
    source = models.CharField(max_length=100)


class Tag(models.Model):
    name = models.CharField(max_length=100)
`;

const TASKS = `from .models import ImportJob, Tag


def queue_imports(sources):
    for source in sources:
        ImportJob.objects.create(source=source)


def queue_tags(names):
    for name in names:
        Tag.objects.create(name=name)


def build_imports(sources):
    for source in sources:
        job = ImportJob(source=source)
        job.save()
`;

describe("multi-table children: no bulk_create() advice", () => {
  it("queryset-in-loop advises a transaction for a multi-table child, bulk_create() for a plain model", async () => {
    const hints = await hintsFor({ "jobs/__init__.py": "", "jobs/models.py": MODELS, "jobs/tasks.py": TASKS }, "jobs/tasks.py", "queryset-in-loop");
    const byLine = new Map(hints.map((h) => [h.range.start.line + 1, h.message]));
    assert.match(byLine.get(6) ?? "", /bulk_create\(\) does not work on ImportJob, a multi-table child; wrap the loop in transaction\.atomic\(\)/);
    assert.match(byLine.get(11) ?? "", /save them with bulk_create\(\)/);
  });

  it("save-in-loop does not advise bulk_create() for new objects of a multi-table child", async () => {
    const hints = await hintsFor({ "jobs/__init__.py": "", "jobs/models.py": MODELS, "jobs/tasks.py": TASKS }, "jobs/tasks.py", "save-in-loop");
    assert.deepEqual(hints.map((h) => h.message), []);
  });
});

describe("multi-table children: missing-index names the table that holds the column", () => {
  const STAMPED = `from django.db import models


class Stamped(models.Model):
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Book(Stamped):
    title = models.CharField(max_length=100)
    owner = models.ForeignKey("Shelf", on_delete=models.CASCADE)


class Work(Book):
    notes = models.TextField()


class Shelf(Stamped):
    name = models.CharField(max_length=100)
    owner_id = models.IntegerField()
`;
  const VIEWS = `from .models import Work


def recent(request):
    return list(Work.objects.filter(updated__gte=request.since))
`;

  it("advises Book's Meta.indexes for a column Work inherits from Book (Meta.indexes on Work fails check E016)", async () => {
    const files = { "lib/__init__.py": "", "lib/models.py": STAMPED, "lib/views.py": VIEWS };
    const hints = await hintsFor(files, "lib/models.py", "missing-index");
    assert.equal(hints.length, 1, hints.map((h) => h.message).join("\n"));
    assert.match(hints[0].message, /Stamped\.updated \(inherited by Book\).*Meta\.indexes of Book /);
    assert.doesNotMatch(hints[0].message, /Work/);
  });
});
