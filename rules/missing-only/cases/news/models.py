from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=200)


class Article(models.Model):
    """Wide: eleven columns, including a large body and JSON metadata."""

    title = models.CharField(max_length=300)
    slug = models.SlugField(unique=True)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="articles")
    summary = models.CharField(max_length=500)
    body = models.TextField()
    metadata = models.JSONField(default=dict)
    status = models.CharField(max_length=20)
    views = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    @property
    def is_popular(self):
        return self.views > 1000

    def get_absolute_url(self):
        return f"/articles/{self.slug}/"


class Event(models.Model):
    """Narrow, but with a large text column."""

    name = models.CharField(max_length=200)
    starts = models.DateTimeField()
    description = models.TextField()


class Tag(models.Model):
    """Narrow, small columns only: loading it whole costs nothing worth a hint."""

    name = models.SlugField(unique=True)
    color = models.CharField(max_length=7)


class PublishedManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(status="published")


class Post(models.Model):
    title = models.CharField(max_length=300)
    slug = models.SlugField(unique=True)
    summary = models.CharField(max_length=500)
    body = models.TextField()
    status = models.CharField(max_length=20)
    views = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    published = PublishedManager()


class Mention(models.Model):
    """Points at any object: reading `target` needs the two columns GenericForeignKey names."""

    kind = models.CharField(max_length=20)
    note = models.TextField()
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    target = GenericForeignKey("content_type", "object_id")


class Tally(models.Model):
    """Narrow: its TextFields with choices hold one-letter codes, not big text."""

    kind = models.TextField(choices=[("A", "added"), ("R", "removed")])
    scope = models.TextField(choices=[("P", "present"), ("H", "historic")])
    count = models.IntegerField()


class SavedFilter(models.Model):
    """Narrow, with one large column: worth only() when a loop leaves `rules` unread, not when it reads it."""

    owner = models.ForeignKey("auth.User", on_delete=models.CASCADE)
    name = models.CharField(max_length=40)
    rules = models.JSONField(default=dict)
    public = models.BooleanField(default=False)


class Membership(models.Model):
    """Wide, and its __init__ reads two fields as each row is built."""

    member = models.CharField(max_length=100)
    project = models.CharField(max_length=100)
    joined = models.BooleanField(default=False)
    authorized = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._was_joined = self.joined
        self._was_authorized = self.authorized


class Snapshot(models.Model):
    """Wide, and its __init__ copies every field by name: which ones it reads is not known."""

    a = models.CharField(max_length=100)
    b = models.CharField(max_length=100)
    c = models.CharField(max_length=100)
    d = models.TextField(blank=True)
    e = models.TextField(blank=True)
    f = models.DateTimeField(auto_now=True)
    g = models.DateTimeField(auto_now=True)
    h = models.IntegerField(default=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._initial = {f.name: getattr(self, f.name) for f in self._meta.fields}


class LeanManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().defer("body")


class Page(models.Model):
    """As wide as Article, but its default manager already chooses the columns (defer("body"))."""

    title = models.CharField(max_length=300)
    slug = models.SlugField(unique=True)
    summary = models.CharField(max_length=500)
    body = models.TextField()
    metadata = models.JSONField(default=dict)
    status = models.CharField(max_length=20)
    views = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = LeanManager()
