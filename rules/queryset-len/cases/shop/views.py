from django.shortcuts import get_object_or_404, render

from .models import Author, Book


def stats(request):
    books = Book.objects.filter(price__gt=10)
    n = len(books)  # expect: queryset-len
    cheap = len(Book.objects.filter(price__lt=5).exclude(stock=0))  # expect: queryset-len
    return render(request, "stats.html", {"n": n, "cheap": cheap})


def author_stats(request, pk):
    author = get_object_or_404(Author, pk=pk)
    books = author.book_set.all()
    return render(request, "author.html", {"n": len(books)})  # expect: queryset-len


def sliced(request):
    recent = Book.objects.order_by("-id")[:10]
    return render(request, "recent.html", {"n": len(recent)})  # expect: queryset-len


def filtered_later(request):
    books = Book.objects.all()
    n = len(books)  # expect: queryset-len
    books = books.filter(stock__gt=0)
    return render(request, "stats.html", {"n": n, "in_stock": books.count()})
