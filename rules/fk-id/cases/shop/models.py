from django.db import models


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


class Chapter(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="chapters")
    title = models.CharField(max_length=200)

    def save(self, *args, **kwargs):
        self.title = self.title or self.book.title
        super().save(*args, **kwargs)

    def publish(self):
        self.title = self.title.strip()
        self.save()

    @property
    def heading(self):
        return f"{self.book.title}: {self.title}"
