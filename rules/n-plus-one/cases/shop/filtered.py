from django.shortcuts import render

from .filters import BookFilter, JoiningBookFilter
from .listing import paginate_or_404
from .models import Book


def filtered_catalog(request):
    # FilterSet(..., queryset=qs).qs is qs filtered; the helper returns its page or raises Http404.
    book_filter = BookFilter(request.GET, queryset=Book.objects.all())
    books = paginate_or_404(book_filter.qs, request.GET.get("page"))
    return render(request, "shop/filtered.html", {"books": books})


def filtered_joined(request):
    book_filter = JoiningBookFilter(request.GET, queryset=Book.objects.all())
    return render(request, "shop/filtered_joined.html", {"books": book_filter.qs})


def bylines(request):
    return render(request, "shop/bylines.html", {"books": Book.objects.all()})
