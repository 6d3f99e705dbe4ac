from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import ListView
from rest_framework import generics, mixins, viewsets
from rest_framework.generics import ListAPIView

from .models import Author, Book, Review
from .serializers import BookSerializer


class BookList(ListView):  # expect: unpaginated-list
    model = Book


class MyBooks(LoginRequiredMixin, ListView):  # expect: unpaginated-list
    queryset = Book.objects.filter(stock__gt=0)
    paginate_by = None


class BookViewSet(viewsets.ModelViewSet):  # expect: unpaginated-list
    queryset = Book.objects.all()
    serializer_class = BookSerializer


class ReviewList(generics.ListAPIView):  # expect: unpaginated-list
    """Every review."""

    queryset = Review.objects.all()
    serializer_class = BookSerializer


class AuthorList(ListAPIView):  # expect: unpaginated-list
    queryset = Author.objects.all()
    serializer_class = BookSerializer
    pagination_class = None


class TitleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):  # expect: unpaginated-list
    queryset = Book.objects.only("title")
    serializer_class = BookSerializer


class HalfCursor(ListView):  # expect: unpaginated-list
    model = Book
    PAGE_SIZE = 50

    def get_queryset(self):
        after = self.request.GET.get("after")
        if after:
            return Book.objects.filter(id__gt=int(after))[: self.PAGE_SIZE]
        return Book.objects.order_by("id")


class SkipFirst(ListView):  # expect: unpaginated-list
    model = Book

    def get_queryset(self):
        # No upper bound: every row after the first ten.
        return Book.objects.order_by("id")[10:]


class Grouped(ListView):  # expect: unpaginated-list
    """get_queryset() builds a dict: the hint stands, but paginate_by = 25 would break the page (no fix)."""

    model = Book

    def get_queryset(self):
        out = {"in_stock": [], "sold_out": []}
        for book in Book.objects.all():
            out["in_stock" if book.stock else "sold_out"].append(book)
        return out


class BookReviews(viewsets.ModelViewSet):  # expect: unpaginated-list
    # Filtered on a foreign key: every review of a book, however many.
    queryset = Review.objects.all()

    def get_queryset(self):
        return self.queryset.filter(book=self.kwargs["book"])


class Shelf(ListView):  # expect: unpaginated-list
    # The template shows the list by its context_object_name, two templates down.
    model = Book
    context_object_name = "shelf"
    template_name = "shop/shelf.html"


class SplitShelf(ListView):  # expect: unpaginated-list
    # get_context_data() hands the rows on under another name, which the template shows.
    model = Book
    context_object_name = "books"
    template_name = "shop/book_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["just_missed"] = [b for b in context["books"] if not b.stock]
        return context

