from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    published = models.DateField(null=True)
