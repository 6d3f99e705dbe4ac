# rows reached through a reverse ForeignKey manager already hold the object they came from.
# Django's related manager sets _known_related_objects ({Book.author: {author.pk: author}}), and a
# prefetch_related() of a reverse FK sets the forward field on every prefetched row, so `book.author` /
# `review.book` below run no query. The engine reports all three (and proposes select_related("author") /
# prefetch_related("reviews__book") / prefetch_related("book_set__author")). Expected: no n-plus-one here.
# (Not for many-to-many: tag.books.all() rows do not cache anything back.)
from django.shortcuts import get_object_or_404

from .models import Author, Book


def back_reference_after_prefetch():
    for book in Book.objects.prefetch_related("reviews"):
        for review in book.reviews.all():
            print(review.book.title)


def back_reference_on_related_manager(pk):
    author = get_object_or_404(Author, pk=pk)
    for book in author.book_set.all():
        print(book.author.name)


def back_reference_on_prefetched_manager():
    for author in Author.objects.prefetch_related("book_set"):
        for book in author.book_set.all():
            print(book.author.name)
