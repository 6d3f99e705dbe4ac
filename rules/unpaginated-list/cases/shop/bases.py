from rest_framework import viewsets
from rest_framework.response import Response

from .models import Author, Book


class BaseViewSet(viewsets.ModelViewSet):
    """Every subclass lists in its own way: the default list() is never routed."""

    model = None


class AuthorViewSet(BaseViewSet):
    queryset = Author.objects.all()

    def list(self, request):
        return Response(self.paginate_queryset(self.get_queryset()))


class BookViewSet(BaseViewSet):
    queryset = Book.objects.all()

    def list(self, request):
        return Response([])


class SharedViewSet(viewsets.ModelViewSet):  # expect: unpaginated-list
    """One subclass keeps the default list()."""

    model = None


class PlainAuthorViewSet(SharedViewSet):
    queryset = Author.objects.all()
