from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class Publisher(models.Model):
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2)


class Author(models.Model):
    name = models.CharField(max_length=200)
    # No related_name: the reverse accessor is publisher.author_set.
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE)


class AuthorProfile(models.Model):
    author = models.OneToOneField(Author, on_delete=models.CASCADE, related_name="profile")
    website = models.URLField(blank=True)


class Tag(models.Model):
    name = models.SlugField(unique=True)


class Tracked(models.Model):
    """Abstract base: every subclass inherits created_by."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class BookQuerySet(models.QuerySet):
    def with_author(self):
        return self.select_related("author")

    def published(self):
        return self.filter(published__isnull=False)


class Book(Tracked):
    title = models.CharField(max_length=300)
    # No related_name: the reverse accessor is author.book_set.
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    # Nullable: select_related() without arguments does not follow it.
    editor = models.ForeignKey(Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="edited_books")
    tags = models.ManyToManyField(Tag, related_name="books")
    published = models.DateField(null=True)

    objects = BookQuerySet.as_manager()

    @property
    def byline(self):
        # Reads author through another property: one query per book unless author is joined.
        return f"{self.title} by {self.writer}"

    @property
    def writer(self):
        return self.author.name

    @property
    def writer_ref(self):
        # author_id is a column of the row: no query.
        return f"{self.title} ({self.writer_key})"

    @property
    def writer_key(self):
        return self.author_id

    @property
    def untagged_peers(self):
        # The tags are compiled into the query as a subquery: they are not loaded.
        return Book.objects.exclude(tags__in=self.tags.all())

    def card(self):
        # The tags are queried anew (order_by after all()): not a read a prefetch serves; the author is one.
        names = [t.name for t in self.tags.all().order_by("name")]
        return f"{self.author.name}: {', '.join(names)}"

    def card_reversed(self):
        # The same reads, written in the other order.
        who = self.author.name
        return f"{who}: {[t.name for t in self.tags.all().order_by('name')]}"

    @property
    def checked_title(self):
        # The author is read only in the raise, which ends the caller's loop: not a read per book.
        if not self.title:
            raise ValueError(f"book by {self.author.name} has no title")
        return self.title

    def hand_over(self, editor):
        # Assigning the relation runs no query (it sets editor_id and caches the object).
        self.editor = editor
        self.title = self.title.strip()


class AudioBook(Book):
    """Multi-table inheritance: AudioBook rows carry Book's fields through a one-to-one join."""

    narrator = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="narrations")
    minutes = models.PositiveIntegerField()


class ReviewManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("book")

    def rated(self, rating):
        # On the manager only: Review.objects.select_related(...).rated(5) would raise AttributeError.
        return self.filter(rating=rating)


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    # related_name="+": no reverse accessor on Author.
    reviewer = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField()

    objects = ReviewManager()


class ShelfQuerySet(models.QuerySet):
    def with_owner(self):
        return self.select_related("owner")


class Shelf(models.Model):
    name = models.CharField(max_length=100)
    owner = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="shelves")
    books = models.ManyToManyField(Book, related_name="shelves")

    objects = models.Manager.from_queryset(ShelfQuerySet)()

    def sorted_titles(self):
        return [b.title for b in self.books.all().order_by("title")]


class Membership(models.Model):
    """The teams a user belongs to: base.html lists them on every page through request.user.memberships."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=20)


class NoteQuerySet(models.QuerySet):
    def recent(self):
        return self.order_by("-id")


class NoteManager(models.Manager):
    def get_queryset(self):
        # Django's custom manager idiom: a new queryset of the model, nothing joined.
        return NoteQuerySet(self.model, using=self._db)


class Note(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()

    objects = NoteManager()


class Imprint(models.Model):
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="imprints")
    owner = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="imprints")
    name = models.CharField(max_length=100, blank=True)

    def save(self, *args, **kwargs):
        # Reads guarded by "is this a new object?" never run for a row loaded from the database.
        is_new = self._state.adding
        if is_new and not self.name:
            self.name = self.publisher.name
        if not self.pk:
            print(self.owner.name)
        super().save(*args, **kwargs)

    def describe(self):
        return f"{self.name} ({self.owner.name})"



class Order(models.Model):
    customer = models.ForeignKey(Author, null=True, on_delete=models.SET_NULL, related_name="orders")
    number = models.CharField(max_length=20)

    def __iter__(self):
        if not hasattr(self, "_lines"):
            self._lines = list(self.lines.all())
        return iter(self._lines)

    @property
    def is_paid(self):
        return self.number != "" and self.has_lines()

    def has_lines(self):
        return any(line.quantity for line in self)

    def first_line(self):
        lines = list(self.lines.all())
        return lines[0] if lines else None


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()


class InvoiceManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("order")


class Invoice(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="invoices")
    number = models.CharField(max_length=20)

    objects = InvoiceManager()


class Branch(models.Model):
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="branches")
    parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(max_length=100)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # self.publisher is read only inside a loop over something else: not a read of every save().
        for alias in self.name.split(","):
            print(alias, self.publisher.name)


class Series(models.Model):
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE)

    def __str__(self):
        return f"{self.publisher.name} series"


class Volume(models.Model):
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.SET_NULL)


class ReaderManager(UserManager):
    """django.contrib.auth's UserManager, joining the card by default."""

    def get_queryset(self):
        return super().get_queryset().select_related("card")


class LibraryCard(models.Model):
    number = models.CharField(max_length=20)


class Reader(AbstractUser):
    card = models.OneToOneField(LibraryCard, null=True, on_delete=models.SET_NULL, related_name="reader")
    objects = ReaderManager()


class Edition(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="editions")
    translator = models.ForeignKey(Author, null=True, on_delete=models.SET_NULL, related_name="translations")
    label = models.CharField(max_length=50)

    @property
    def full_title(self):
        return f"{self.book.title} ({self.label})"

    def __str__(self):
        return self.full_title


class Printing(models.Model):
    """Edition's shape with a property declared the old way: `full_title = property(_get_full_title)`."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="printings")
    translator = models.ForeignKey(Author, null=True, on_delete=models.SET_NULL, related_name="printings")
    label = models.CharField(max_length=50)

    def _get_full_title(self):
        return f"{self.book.title} ({self.label})"

    full_title = property(_get_full_title)

    def __str__(self):
        return self.full_title


class Reprint(models.Model):
    """Its __init__ reads the book: every row loads it as it is built, before a select_related() could attach it."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reprints")
    printer = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="reprints")
    year = models.PositiveIntegerField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label = f"{self.book.title} ({self.year})" if self.book_id else ""
