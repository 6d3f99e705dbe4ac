"""Helpers that views hand rows to: what they read on their parameter is read once per row."""
from django.template.loader import render_to_string


def author_line(book):
    return f"{book.title} by {book.author.name}"


def describe(book, with_tags=False):
    # Handed on: what author_line reads counts too.
    text = author_line(book)
    if with_tags:
        text += ", ".join(t.name for t in book.tags.all())
    return text


def key_only(book):
    # Columns of the row only: no query.
    return f"{book.pk}:{book.author_id}"


def counted(book):
    # A count runs its own query whatever is prefetched: queryset-in-loop's business, not a missing prefetch.
    return book.tags.count()


def rebound(book):
    book = book.shelves.first()
    return book.owner.name


def row_html(book):
    return render_to_string("shop/book_row.html", {"book": book})
