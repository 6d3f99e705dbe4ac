from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .models import Author, Book
from .serializers import AuthorLineSerializer, AuthorSerializer, AuthorSummary, BookSerializer, TypedFastPathSerializer
from .silent import ContextCounts, CountedWithPrefetch, DetailOnly, extend_schema


class BookViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Book.objects.prefetch_related("tags")
    serializer_class = CountedWithPrefetch


class CatalogViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Book.objects.all()
    serializer_class = BookSerializer


class AuthorViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Author.objects.all()
    serializer_class = AuthorSerializer

    @extend_schema(responses=DetailOnly(many=True))
    @action(detail=True, serializer_class=DetailOnly)
    def detail_card(self, request, pk):
        return Response(DetailOnly(self.get_object()).data)

    def list_counts(self, request):
        return Response(ContextCounts(Author.objects.all(), many=True, context={"counts": {}}).data)


def typed_cards(request):
    return Response(TypedFastPathSerializer(Author.objects.all(), many=True).data)


class AuthorSummaryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Author.objects.all()
    serializer_class = AuthorSummary


def starred(request, pk):
    from .silent import StarredSerializer

    author = Author.objects.get(pk=pk)
    return Response(StarredSerializer(author).data)


class AuthorPagesViewSet(viewsets.ModelViewSet):
    queryset = Author.objects.all()

    def get_serializer_class(self):
        from .serializers import AuthorRowSerializer
        from .silent import AuthorDetailSerializer, AuthorStaffDetailSerializer

        if self.action == "list":
            return AuthorRowSerializer
        if self.action in ["retrieve", "update", "partial_update"]:
            if (
                self.request.user.is_staff
                and self.request.user.is_active
            ):
                return AuthorStaffDetailSerializer
            return AuthorDetailSerializer
        return super().get_serializer_class()


class AuthorLinesViewSet(viewsets.GenericViewSet):
    queryset = Author.objects.all()
    serializer_class = AuthorLineSerializer

    def list(self, request):
        return Response(self.get_serializer(self.get_queryset(), many=True).data)
