from django.db import models

from .access import AccessMixin


class Publisher(AccessMixin, models.Model):
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

    @property
    def is_tagged(self):
        return self.tags.all().count() > 0  # expect: queryset-truthiness


class Edition(models.Model):
    book = models.ForeignKey(Book, to_field="title", on_delete=models.CASCADE, related_name="editions")
    isbn = models.CharField(max_length=13, unique=True)


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()


class Export(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="exports")
    filename = models.CharField(max_length=255)
    kind = models.CharField(max_length=10)
    address = models.GenericIPAddressField(null=True)

    class Meta:
        unique_together = ("book", "filename")
        constraints = [
            models.UniqueConstraint(fields=["address"], name="unique_export_address"),
            models.UniqueConstraint(fields=["book", "kind"], condition=models.Q(kind="pdf"), name="one_pdf_per_book"),
        ]
