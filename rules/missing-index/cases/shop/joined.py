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
