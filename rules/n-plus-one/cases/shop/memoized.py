"""A relation read under a memoizing `if`: once per distinct key, which the cache bounds, not once per row."""
from .models import Book

publisher_names = {}


def publisher_name(book):
    author_id = book.author_id
    if publisher_names.get(author_id) is None:
        publisher_names[author_id] = book.author.publisher.name
    return publisher_names[author_id]


def titles_with_publishers():
    return [(book.title, publisher_name(book)) for book in Book.objects.filter(published__isnull=False)]


def editors_by_author():
    editors = {}
    for book in Book.objects.all():
        if book.author_id not in editors:
            editors[book.author_id] = book.author.name
    return editors


def uncached_publisher(book):
    return book.author.publisher.name


def titles_uncached():
    return [(book.title, uncached_publisher(book)) for book in Book.objects.filter(published__isnull=False)]  # expect: n-plus-one
