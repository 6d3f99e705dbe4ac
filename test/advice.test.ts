/**
 * Advice that must fit the code it is given for: a grouped count where annotate() cannot go, a Count() that keeps
 * the conditions of the query it replaces.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hintsFor } from "./helpers";

const MODELS = `from django.db import models


class Pool(models.Model):
    name = models.CharField(max_length=100)
    counter = models.IntegerField(default=0)


class Registration(models.Model):
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="registrations")
    presence = models.CharField(max_length=10)
`;

describe("queryset-in-loop: counts per row of a locked queryset", () => {
  const TASKS = `from django.db import transaction

from .models import Pool


def check_counters(pool_ids):
    with transaction.atomic():
        for pool in Pool.objects.select_for_update().filter(pk__in=pool_ids):
            if pool.counter != pool.registrations.count():
                raise ValueError(pool.pk)


def show_counts():
    for pool in Pool.objects.all():
        print(pool.registrations.count())
`;

  it("advises one grouped count, not annotate() on a select_for_update() queryset", async () => {
    const hints = await hintsFor({ "events/__init__.py": "", "events/models.py": MODELS, "events/tasks.py": TASKS }, "events/tasks.py", "queryset-in-loop");
    const byLine = new Map(hints.map((h) => [h.range.start.line + 1, h.message]));
    assert.match(byLine.get(9) ?? "", /count them all at once before the loop, Registration\.objects\.filter\(pool__in=\.\.\.\)\.values\("pool"\)\.annotate\(n=Count\("pk"\)\).*row locks/);
    assert.doesNotMatch(byLine.get(9) ?? "", /on the outer queryset/);
    assert.match(byLine.get(15) ?? "", /use annotate\(Count\(\.\.\.\)\) on the outer queryset/);
  });
});

describe("queryset-in-loop: a Prefetch() with the chain of the loop's query", () => {
  const TASKS = `from .models import Pool


def presences():
    for pool in Pool.objects.all():
        for reg in pool.registrations.only("presence").iterator(chunk_size=100):
            print(reg.presence)
`;

  it("leaves the trailing iterator() out of Prefetch(queryset=...), which takes a queryset", async () => {
    const hints = await hintsFor({ "events/__init__.py": "", "events/models.py": MODELS, "events/tasks.py": TASKS }, "events/tasks.py", "queryset-in-loop");
    const message = hints.find((h) => h.range.start.line + 1 === 6)?.message ?? "";
    assert.match(message, /Prefetch\("registrations", queryset=Registration\.objects\.only\("presence"\), to_attr=\.\.\.\)/);
    assert.doesNotMatch(message, /iterator/);
  });
});

describe("serializer-method-query: Count() keeps the chain's conditions", () => {
  const SERIALIZERS = `from django.utils import timezone
from rest_framework import serializers

from .models import Pool


class PoolSerializer(serializers.ModelSerializer):
    present = serializers.SerializerMethodField()
    absent = serializers.SerializerMethodField()
    mine = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()

    class Meta:
        model = Pool
        fields = ["name", "present", "absent", "mine", "total"]

    def get_present(self, obj):
        return obj.registrations.filter(presence="present").count()

    def get_absent(self, obj):
        return obj.registrations.exclude(presence="present").count()

    def get_mine(self, obj):
        return obj.registrations.filter(presence=obj.name).count()

    def get_total(self, obj):
        return obj.registrations.count()
`;
  const VIEWS = `from rest_framework import viewsets

from .models import Pool
from .serializers import PoolSerializer


class PoolViewSet(viewsets.ModelViewSet):
    queryset = Pool.objects.all()
    serializer_class = PoolSerializer
`;

  it("writes filter() and exclude() conditions into Count(filter=...), and says so when it cannot", async () => {
    const hints = await hintsFor({ "events/__init__.py": "", "events/models.py": MODELS, "events/serializers.py": SERIALIZERS, "events/views.py": VIEWS }, "events/serializers.py", "serializer-method-query");
    const byLine = new Map(hints.map((h) => [h.range.start.line + 1, h.message]));
    assert.match(byLine.get(18) ?? "", /annotate\(present=Count\("registrations", filter=Q\(registrations__presence="present"\)\)\)/);
    assert.match(byLine.get(21) ?? "", /annotate\(absent=Count\("registrations", filter=~Q\(registrations__presence="present"\)\)\)/);
    assert.match(byLine.get(24) ?? "", /annotate\(mine=Count\("registrations", filter=Q\(\.\.\.\)\) with the conditions of its filter\(\)\)/);
    assert.match(byLine.get(27) ?? "", /annotate\(total=Count\("registrations"\)\)/);
  });
});

describe("unpaginated-list: pagination_class = None written out", () => {
  const VIEWS = `from rest_framework import generics

from .models import Registration


class RegistrationList(generics.ListAPIView):
    queryset = Registration.objects.all()
    pagination_class = None


class OpenRegistrationList(generics.ListAPIView):
    queryset = Registration.objects.all()
`;

  it("reports the opt-out without a fix that would turn its clients' array into a page", async () => {
    const hints = await hintsFor({ "events/__init__.py": "", "events/models.py": MODELS, "events/views.py": VIEWS }, "events/views.py", "unpaginated-list");
    const byLine = new Map(hints.map((h) => [h.range.start.line + 1, h]));
    assert.match(byLine.get(6)?.message ?? "", /sets pagination_class = None.*page it once its clients can follow pages/);
    assert.deepEqual(byLine.get(6)?.fixes ?? null, []);
    assert.equal(byLine.get(11)?.fixes.length, 1);
  });
});

describe("queryset-in-loop: a query that varies with the outer loop only", () => {
  const TASKS = `from .models import Pool


def by_page(pages):
    for page in pages:
        for name in page["names"]:
            pool = Pool.objects.get(pk=page["pool"])
            print(name, pool.name)


def by_name(names):
    for name in names:
        pool = Pool.objects.get(name=name)
        print(pool.pk)
`;

  it("advises running it once per pass of the outer loop, before the inner one", async () => {
    const hints = await hintsFor({ "events/__init__.py": "", "events/models.py": MODELS, "events/tasks.py": TASKS }, "events/tasks.py", "queryset-in-loop");
    const byLine = new Map(hints.map((h) => [h.range.start.line + 1, h.message]));
    assert.match(byLine.get(7) ?? "", /runs on every iteration of the inner loop but reads nothing that loop changes; run it once per pass of the outer loop, before the inner loop/);
    assert.match(byLine.get(13) ?? "", /runs one query per iteration; fetch them all before the loop/);
  });
});

describe("unpaginated-list: the fix's pagination class", () => {
  const PAGINATION = `from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 50


class OptionalPagination(PageNumberPagination):
    page_size = None
`;
  const VIEWS = `from rest_framework import generics
from rest_framework.pagination import PageNumberPagination

from .models import Pool, Registration
from .pagination import StandardPagination


class OptionalPagination(PageNumberPagination):
    page_size = None


class PoolList(generics.ListAPIView):
    queryset = Pool.objects.all()
    pagination_class = StandardPagination


class OpenPoolList(generics.ListAPIView):
    queryset = Pool.objects.all()
    pagination_class = StandardPagination
`;
  const OTHER = `from rest_framework import generics

from .models import Registration


class RegistrationList(generics.ListAPIView):
    queryset = Registration.objects.all()
`;

  it("takes the project's paginator that its views use, not one whose page_size is None", async () => {
    const files = { "events/__init__.py": "", "events/models.py": MODELS, "events/pagination.py": PAGINATION, "events/views.py": VIEWS, "events/other.py": OTHER };
    const hints = await hintsFor(files, "events/other.py", "unpaginated-list");
    const edits = hints.find((h) => h.range.start.line + 1 === 6)?.fixes[0]?.edits.map((e) => e.newText).join("|") ?? "";
    assert.match(edits, /StandardPagination/);
    assert.match(edits, /from events\.pagination import StandardPagination/);
    const local = await hintsFor({ ...files, "events/other.py": `from rest_framework import generics
from rest_framework.pagination import PageNumberPagination

from .models import Registration


class OptionalPagination(PageNumberPagination):
    page_size = None


class RegistrationList(generics.ListAPIView):
    queryset = Registration.objects.all()
` }, "events/other.py", "unpaginated-list");
    const localEdits = local.find((h) => h.range.start.line + 1 === 11)?.fixes[0]?.edits.map((e) => e.newText).join("|") ?? "";
    assert.match(localEdits, /StandardPagination/);
    assert.doesNotMatch(localEdits, /OptionalPagination/);
  });
});
