from django.db import models
from polymorphic.models import PolymorphicModel


class Template(PolymorphicModel):
    name = models.CharField(max_length=50)

    def recompute(self):
        return self.name


class ProjectTemplate(Template):
    url = models.CharField(max_length=200)


class Schedule(models.Model):
    template = models.ForeignKey(Template, on_delete=models.CASCADE)


def recompute_schedules():
    # select_related would build base Template rows (the subclass's overrides would stop running):
    # the fix is prefetch_related, which goes through the polymorphic manager.
    for schedule in Schedule.objects.all():
        schedule.template.recompute()  # expect: n-plus-one
