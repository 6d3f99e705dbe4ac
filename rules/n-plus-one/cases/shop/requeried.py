from .models import Book


def cards(request):
    # Each method queries the tags anew (no prefetch would serve it) and reads the author: the author is reported,
    # whichever read the method writes first.
    a = [book.card() for book in Book.objects.all()]  # expect: n-plus-one
    b = [book.card_reversed() for book in Book.objects.all()]  # expect: n-plus-one
    return a, b
