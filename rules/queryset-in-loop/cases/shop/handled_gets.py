from django.core.exceptions import ObjectDoesNotExist

from .models import Book, Review

REVIEWS = "reviews"


def positions(book, other_book):
    # getattr() hides the relation from the analysis; the handler says what get() looks up.
    theirs = getattr(other_book, REVIEWS)
    for review in getattr(book, REVIEWS).all():
        try:
            match = theirs.get(rating=review.rating)  # expect: queryset-in-loop
            print(match.pk)
        except Review.DoesNotExist:
            pass


def cached_lookups(cache, keys):
    # dict-like get() with a positional key is not a query, whatever the handler says.
    for key in keys:
        try:
            print(cache.get(key))
        except Book.DoesNotExist:
            pass


def either_model(source, titles):
    # Two models in the handler: which one get() returns is not known.
    for title in titles:
        try:
            print(source.get(title=title))
        except (Book.DoesNotExist, Review.DoesNotExist):
            pass


def any_model(source, titles):
    for title in titles:
        try:
            print(source.get(title=title))
        except ObjectDoesNotExist:
            pass


def once(source, title):
    try:
        return source.get(title=title)
    except Book.DoesNotExist:
        return None


def in_the_handler(source, titles):
    for title in titles:
        try:
            print(title)
        except Book.DoesNotExist:
            print(source.get(title=title))
