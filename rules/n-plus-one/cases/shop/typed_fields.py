"""Fields written with django-stubs type parameters are the same fields."""
from django.db import models


class Studio(models.Model):
    name = models.CharField(max_length=100)


class Recording(models.Model):
    title = models.CharField(max_length=100)
    studio = models.ForeignKey["Studio", "Studio"](Studio, on_delete=models.CASCADE)


def recording_studios():
    for recording in Recording.objects.all():
        print(recording.studio.name)  # expect: n-plus-one
