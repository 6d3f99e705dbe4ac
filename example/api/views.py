from django.db.models import Count
from rest_framework import generics, viewsets
from rest_framework.pagination import PageNumberPagination

from catalog.models import Author, Book, Review

from .serializers import AuthorSerializer, BookSerializer, BookStatsSerializer, ReviewSerializer


class StandardPagination(PageNumberPagination):
    page_size = 50


# unbounded list: no pagination_class, and settings have no DEFAULT_PAGINATION_CLASS
class BookViewSet(viewsets.ModelViewSet):
    # N+1: BookSerializer reads category and author.name, and neither is joined
    queryset = Book.objects.all()
    serializer_class = BookSerializer
    lookup_field = "slug"

    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user)


class PublishedBookList(generics.ListAPIView):
    # fine: both relations the serializer reads are joined, and it is paginated
    queryset = Book.objects.published().select_related("author", "category")
    serializer_class = BookSerializer
    pagination_class = StandardPagination


class BookStatsList(generics.ListAPIView):
    queryset = Book.objects.all()
    serializer_class = BookStatsSerializer
    pagination_class = StandardPagination


class AuthorViewSet(viewsets.ReadOnlyModelViewSet):
    # fine: book_count comes from annotate(), not from a query per author
    queryset = Author.objects.annotate(book_count=Count("book"))
    serializer_class = AuthorSerializer
    pagination_class = StandardPagination


class ReviewViewSet(viewsets.ReadOnlyModelViewSet):
    # fine: ReviewManager.get_queryset() joins book, which ReviewSerializer reads
    queryset = Review.objects.all()
    serializer_class = ReviewSerializer
    pagination_class = StandardPagination
