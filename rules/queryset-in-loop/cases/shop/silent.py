from django.db.models import Count, Exists, OuterRef

from .models import Author, Book, Review, Tag


def query_outside_loop(isbns):
    books = Book.objects.in_bulk(isbns, field_name="isbn")
    total = Book.objects.count()
    for isbn in isbns:
        print(books.get(isbn), total)


def prefetched_count():
    for author in Author.objects.prefetch_related("book_set"):
        # count() on a prefetched relation reads the cache: no query.
        print(author.name, author.book_set.count(), len(author.book_set.all()))


def annotated_count():
    for author in Author.objects.annotate(book_count=Count("book")):
        print(author.name, author.book_count)


def annotated_exists():
    five_stars = Review.objects.filter(book=OuterRef("pk"), rating=5)
    for book in Book.objects.annotate(has_five_stars=Exists(five_stars)):
        if book.has_five_stars:
            print(book.title)


def bulk_create(names):
    Tag.objects.bulk_create([Tag(name=n) for n in names])


def not_a_loop(pk):
    return Book.objects.get(pk=pk).title


def unknown_receiver(services, isbn):
    # Not a queryset the analyzer can identify: silent.
    for service in services:
        service.objects.get(isbn=isbn)
