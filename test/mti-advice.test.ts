/** Multi-table inheritance children: Django's bulk_create() raises ValueError on them, so no hint advises it. */
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
