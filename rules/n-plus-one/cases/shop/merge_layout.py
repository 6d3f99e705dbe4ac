# A fix that adds to an existing select_related()/prefetch_related() call keeps the call valid Python, whatever
# its layout: after a trailing comma, before a comment, into empty parentheses.
from .models import Book


def one_per_line():
    books = Book.objects.prefetch_related(
        "tags",
        "shelves",
    )
    for book in books:
        print([r.title for r in book.reviews.all()])  # expect: n-plus-one


def commented():
    books = Book.objects.select_related("editor"  # the editor's name is shown
    )
    for book in books:
        print(book.editor, book.author.name)  # expect: n-plus-one


def empty():
    for book in Book.objects.prefetch_related():
        print([r.title for r in book.reviews.all()])  # expect: n-plus-one
