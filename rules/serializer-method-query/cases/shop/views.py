from rest_framework import viewsets

from .models import Book
from .silent import CountedWithPrefetch


class BookViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Book.objects.prefetch_related("tags")
    serializer_class = CountedWithPrefetch
