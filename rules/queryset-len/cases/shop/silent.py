from django.shortcuts import get_list_or_404, render

from .models import Author, Book


def listed_then_counted(request):
    books = list(Book.objects.all())
    return render(request, "books.html", {"books": books, "n": len(books)})


def counted_then_iterated(request):
    books = Book.objects.filter(stock__gt=0)
    n = len(books)
    titles = [b.title for b in books]
    return render(request, "books.html", {"titles": titles, "n": n})


def counted_then_rendered(request):
    books = Book.objects.filter(stock__gt=0)
    return render(request, "books.html", {"books": books, "n": len(books)})


def counted_then_returned():
    books = Book.objects.all()
    if len(books) > 3:
        return books
    return None


def from_parameter(books):
    return len(books)


def from_404(request):
    books = get_list_or_404(Book, stock__gt=0)
    return render(request, "books.html", {"n": len(books)})


def prefetched(request):
    authors = Author.objects.prefetch_related("book_set")
    return render(request, "authors.html", {"rows": [(a.name, len(a.book_set.all())) for a in authors]})


def values_rows_used(request):
    rows = Book.objects.values("title")
    return render(request, "books.html", {"rows": rows, "n": len(rows)})


def via_locals(request):
    books = Book.objects.all()
    n = len(books)
    return render(request, "books.html", locals())


def iterator(request):
    return len(list(Book.objects.iterator()))
