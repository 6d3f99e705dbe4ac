from django.db import models
from django_scopes import ScopedManager


class Publisher(models.Model):
    name = models.CharField(max_length=200)


class Author(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)
    publisher = models.ForeignKey(Publisher, null=True, on_delete=models.SET_NULL, related_name="authors")


class Tag(models.Model):
    name = models.SlugField(unique=True)


class Book(models.Model):
    title = models.CharField(max_length=300, unique=True)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    editor = models.ForeignKey(Author, null=True, on_delete=models.SET_NULL, related_name="edited", db_column="editor_ref")
    tags = models.ManyToManyField(Tag, related_name="books")
    price = models.DecimalField(max_digits=8, decimal_places=2)
    stock = models.PositiveIntegerField(default=0)


class Edition(models.Model):
    book = models.ForeignKey(Book, to_field="title", on_delete=models.CASCADE, related_name="editions")
    isbn = models.CharField(max_length=13, unique=True)


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()


class AuditedNote(models.Model):
    """Overrides save(): bulk_create() would skip it, so building these in a loop gets no hint."""
    text = models.TextField()

    def save(self, *args, **kwargs):
        self.text = self.text.strip()
        super().save(*args, **kwargs)


class Stamped(models.Model):
    """An abstract base whose save() its children inherit."""

    updated = models.DateTimeField(null=True)

    def save(self, *args, **kwargs):
        self.updated = None
        super().save(*args, **kwargs)

    class Meta:
        abstract = True


class Shelf(Stamped):
    name = models.CharField(max_length=100)


class Loan(models.Model):
    """A post_save receiver is connected in signals.py through apps.get_model()."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="loans")


class Sortable(models.Model):
    """Its save() only numbers new rows: saving a loaded row runs none of it."""

    sort_order = models.IntegerField(null=True)

    def save(self, *args, **kwargs):
        if self.pk is None:
            self.sort_order = 0
        super().save(*args, **kwargs)

    class Meta:
        abstract = True


class Chapter(Sortable):
    title = models.CharField(max_length=200)


class FileCleanupMixin:
    def delete(self, *args, **kwargs):
        self.attachment.delete(save=False)
        return super().delete(*args, **kwargs)


class Attachment(FileCleanupMixin, models.Model):
    objects = ScopedManager(book="book")

    attachment = models.FileField()
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="attachments")
    private = models.BooleanField(default=False)


class Export(models.Model):
    code = models.CharField(max_length=20, unique=True)
    modified_on = models.DateTimeField(auto_now=True)
    progress_current = models.IntegerField(default=0)
    result = models.IntegerField(default=0)
