/** What the engine analyzes at all: test code and migrations give no hints. */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as path from "node:path";
import { AUTHOR_BOOK_MODELS, hintsFor, projectFor, tempDir, writeTree } from "./helpers";

const MODELS = AUTHOR_BOOK_MODELS;
const LOOP = `from shop.models import Book


def run():
    for book in Book.objects.all():
        print(book.author.name)
        Book.objects.create(title=book.title, author=book.author)
`;

describe("analyze: files that are not checked", () => {
  it("reports in ordinary modules", async () => {
    const hints = await hintsFor({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/jobs.py": LOOP }, "shop/jobs.py");
    assert.ok(hints.some((h) => h.code === "n-plus-one"), hints.map((h) => h.code).join(","));
  });

  it("reports in a workspace that lives under a folder named tests (the path counts from the workspace root)", async () => {
    const dir = writeTree({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/jobs.py": LOOP }, path.join(tempDir(), "tests", "migrations", "project"));
    const project = await projectFor(dir);
    const hints = project.analyze(path.join(dir, "shop", "jobs.py"), LOOP);
    assert.ok(hints.some((h) => h.code === "n-plus-one"), hints.map((h) => h.code).join(","));
  });

  for (const rel of ["shop/tests/test_jobs.py", "shop/tests.py", "shop/test_jobs.py", "shop/jobs_tests.py", "conftest.py", "shop/migrations/0002_backfill.py", "plugins/dev-site-fixture/shop/management/commands/seed.py", "shop/management/commands/loaddevfixture.py", "shop/testing.py", "shop/testutils/orders.py", "shop/management/commands/generate_test_data.py", "unittests/test_jobs.py", "shop/db_migrations/0002_backfill.py"]) {
    it(`gives no hints in ${rel}`, async () => {
      const hints = await hintsFor({ "shop/__init__.py": "", "shop/models.py": MODELS, [rel]: LOOP }, rel);
      assert.deepEqual(hints.map((h) => h.code), []);
    });
  }

  // A data migration's helpers kept outside migrations/: they take `apps` and work on historical models.
  it("gives no hints in a migration helper module (utils/migrations.py using apps.get_model)", async () => {
    const hints = await hintsFor({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/utils/migrations.py": LOOP + "\n\ndef backfill(apps, schema_editor):\n    return apps.get_model(\"shop\", \"Book\")\n" }, "shop/utils/migrations.py");
    assert.deepEqual(hints.map((h) => h.code), []);
  });

  it("reports in a module named for migrations that does not use historical models", async () => {
    const hints = await hintsFor({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/utils/migrations.py": LOOP }, "shop/utils/migrations.py");
    assert.ok(hints.some((h) => h.code === "n-plus-one"), hints.map((h) => h.code).join(","));
  });

  it("gives no hints in a module of factory_boy factories", async () => {
    const hints = await hintsFor({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/factory.py": "import factory\n" + LOOP }, "shop/factory.py");
    assert.deepEqual(hints.map((h) => h.code), []);
  });

  // What the module is, wherever it lives: MIGRATION_MODULES can point anywhere, and a shared TestCase base can have
  // any name.
  const heads: [string, string][] = [
    ["a migration class", "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = []\n\n\n"],
    ["a TestCase import", "from django.test import TestCase\n"],
    ["a TestCase import in parentheses", "from rest_framework.test import (\n    APIClient,\n    APITestCase,\n)\n"],
    ["pytest", "import pytest\n"],
  ];
  for (const [what, head] of heads) {
    it(`gives no hints in a module with ${what}`, async () => {
      const hints = await hintsFor({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/base_case.py": head + LOOP }, "shop/base_case.py");
      assert.deepEqual(hints.map((h) => h.code), []);
    });
  }

  it("reports in a module that imports other things from django.test", async () => {
    const hints = await hintsFor({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/render.py": "from django.test import RequestFactory\n" + LOOP }, "shop/render.py");
    assert.ok(hints.some((h) => h.code === "n-plus-one"), hints.map((h) => h.code).join(","));
  });

  it("reports in a module named factory.py that is not factory_boy's", async () => {
    const hints = await hintsFor({ "shop/__init__.py": "", "shop/models.py": MODELS, "shop/factory.py": LOOP }, "shop/factory.py");
    assert.ok(hints.some((h) => h.code === "n-plus-one"), hints.map((h) => h.code).join(","));
  });
});
