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
