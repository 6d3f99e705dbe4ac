from django.shortcuts import render

from .models import Author, Book, Export


def evaluated_once(request):
    books = Book.objects.filter(stock__gt=0)
    # fine: the test fills the result cache and the loop reuses it
    if books:
        for book in books:
            print(book.title)
    return render(request, "books.html", {})


def rendered_after(request):
    books = Book.objects.filter(stock__gt=0)
    if not books:
        return render(request, "empty.html", {})
    return render(request, "books.html", {"books": books})


def a_list(request):
    books = list(Book.objects.all())
    if books:
        return render(request, "books.html", {"books": books})
    return render(request, "empty.html", {})


def prefetched(request):
    authors = Author.objects.prefetch_related("book_set")
    return render(request, "authors.html", {"rows": [a for a in authors if a.book_set.all()]})


def default_value(request):
    books = Book.objects.filter(stock__gt=0)
    chosen = books or None
    return render(request, "books.html", {"books": chosen})


def parameter(books):
    if books:
        return "some"
    return "none"


def count_used(request):
    n = Book.objects.count()
    if n > 0:
        return render(request, "books.html", {"n": n})
    return render(request, "empty.html", {})


def count_then_iterated(request):
    books = Book.objects.filter(stock__gt=0)
    if books.count() > 0:
        return render(request, "books.html", {"books": books})
    return render(request, "empty.html", {})


def counted_unique(request, email, title):
    # A unique column (or the primary key): at most one row, COUNT costs what EXISTS does.
    if Author.objects.filter(email=email).count() > 0:
        return render(request, "taken.html", {})
    if Book.objects.filter(pk=title).count():
        return render(request, "taken.html", {})
    return render(request, "free.html", {})


def counted_unique_together(request, book, filename, address):
    # Columns unique together (unique_together, a UniqueConstraint): one row at most, as for a unique column.
    if Export.objects.filter(book=book, filename=filename).count() > 0:
        return render(request, "taken.html", {})
    if Export.objects.filter(address=address).count() > 0:
        return render(request, "taken.html", {})
    return render(request, "free.html", {})
