from django.db import models

from .base import Tracked
from .people import Author


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True)

    def __str__(self):
        return self.name


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class BookQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_on__isnull=False)

    def with_author(self):
        return self.select_related("author")


class Book(Tracked):
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=300, unique=True)
    # No related_name: the reverse accessor is author.book_set.
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    # String reference "app_label.Model".
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="books"
    )
    # No related_name: the reverse accessor is tag.book_set.
    tags = models.ManyToManyField(Tag, blank=True)
    co_authors = models.ManyToManyField(Author, blank=True, related_name="co_authored_books")
    published_on = models.DateField(null=True, blank=True, db_index=True)

    objects = BookQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title"]

    def __str__(self):
        return self.title


class AudioBook(Book):
    """Multi-table inheritance: one extra table joined to Book by a OneToOne."""

    narrator = models.CharField(max_length=200)
    duration_minutes = models.PositiveIntegerField()


class Edition(models.Model):
    """The "wide" model: many columns, including a large text body and JSON."""

    class Format(models.TextChoices):
        HARDCOVER = "hc", "Hardcover"
        PAPERBACK = "pb", "Paperback"
        EBOOK = "eb", "E-book"

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="editions")
    isbn = models.CharField(max_length=13, unique=True)
    format = models.CharField(max_length=2, choices=Format.choices)
    language = models.CharField(max_length=8, db_index=True)
    page_count = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=8, decimal_places=2)
    printed_on = models.DateField(null=True, blank=True)
    cover_url = models.URLField(blank=True)
    full_text = models.TextField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)

    def __str__(self):
        return self.isbn


class ReviewManager(models.Manager):
    def get_queryset(self):
        # Every review query joins its book.
        return super().get_queryset().select_related("book")


class Review(Tracked):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    body = models.TextField(blank=True)

    objects = ReviewManager()

    class Meta:
        ordering = ["-created_at"]
