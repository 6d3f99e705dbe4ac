from django.db import models


class Repo(models.Model):
    name = models.CharField(max_length=50, unique=True)


class Build(models.Model):
    repo = models.ForeignKey(Repo, on_delete=models.CASCADE)
    result = models.CharField(max_length=20)
    tier = models.IntegerField()  # expect: missing-index


class Suite(models.Model):
    name = models.CharField(max_length=100)


class BuildLog(models.Model):
    build = models.ForeignKey(Build, on_delete=models.CASCADE, related_name="logs")
    suites = models.ManyToManyField(Suite, related_name="logs")
    url = models.CharField(max_length=200)


def failed_suites(repo_id):
    # result is compared on the joined builds beside their indexed repo key: those builds are found through it
    # (treeherder's intermittents query, from the suites through their logs).
    return list(Suite.objects.filter(logs__build__repo__id=repo_id, logs__build__result__in=["busted", "testfailed"]))


def logs_of_tier(tier):
    # Nothing indexed narrows the joined builds: tier gets the hint.
    return list(Suite.objects.filter(logs__build__tier=tier, logs__url__startswith="https://"))


def results_of(result):
    # Build.result has the index a migration creates in SQL (migrations/0007_build_indexes.py): silent.
    return list(Build.objects.filter(result=result)[:20])


from django_scopes import ScopedManager, scopes_disabled  # noqa: E402


class Store(models.Model):
    name = models.CharField(max_length=50, unique=True)


class Shelf(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE)
    label = models.CharField(max_length=20)
    code = models.CharField(max_length=20)  # expect: missing-index

    # django-scopes adds `store=<the active store>` to every query through objects: the store's key narrows them.
    objects = ScopedManager(store="store")


def shelf_labelled(label):
    # Scoped to the active store: silent for label (Tandoor's Unit.name).
    return Shelf.objects.filter(label=label).first()


def shelf_anywhere(code):
    # With scopes disabled, nothing narrows the query: code gets the hint.
    with scopes_disabled():
        return Shelf.objects.filter(code=code).first()


from django.shortcuts import get_object_or_404  # noqa: E402
from rest_framework import viewsets  # noqa: E402
from rest_framework.decorators import action  # noqa: E402


class Poster(models.Model):
    public = models.BooleanField(default=False)
    featured = models.BooleanField(default=False)
    kind = models.CharField(max_length=10)  # expect: missing-index
    posted = models.DateTimeField(auto_now_add=True)


class PosterViewSet(viewsets.ModelViewSet):
    queryset = Poster.objects.all()

    @action(detail=True, queryset=Poster.objects.filter(public=True))
    def metadata(self, request, *args, **kwargs):
        # A detail action's queryset is read for one row by its key (LEGO's gallery metadata): silent for public.
        return get_object_or_404(self.get_queryset(), pk=kwargs["pk"])


def featured_poster(pk):
    # get_object_or_404() adds its pk lookup to the chain: silent for featured.
    return get_object_or_404(Poster.objects.filter(featured=True), pk=pk)


def posters_of_kind(kind):
    return list(Poster.objects.filter(kind=kind)[:10])
