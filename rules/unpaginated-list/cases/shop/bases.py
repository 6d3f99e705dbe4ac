from rest_framework import viewsets
from rest_framework.pagination import LimitOffsetPagination
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


class FuzzyViewSet(viewsets.ModelViewSet):
    """Its subclasses page, some through an intermediate mixin (Tandoor's TreeMixin): never routed unpaged."""

    def get_queryset(self):
        return self.queryset.filter(title__icontains=self.request.query_params.get("q", ""))


class TreeMixin(FuzzyViewSet):
    def move(self, request, pk):
        return Response([])


class PagedBookViewSet(TreeMixin):
    queryset = Book.objects.all()
    pagination_class = LimitOffsetPagination


class PagedAuthorViewSet(FuzzyViewSet):
    queryset = Author.objects.all()
    pagination_class = LimitOffsetPagination


class HalfPagedViewSet(viewsets.ModelViewSet):  # expect: unpaginated-list
    """A subclass of its mixin keeps the default list()."""

    model = None


class HalfMixin(HalfPagedViewSet):
    pass


class UnpagedBookViewSet(HalfMixin):
    queryset = Book.objects.all()
