from rest_framework import serializers, viewsets

from .models import Author, Book


class AuthorNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = ["id", "name"]


class BookSerializer(serializers.ModelSerializer):
    author = AuthorNameSerializer()

    class Meta:
        model = Book
        fields = ["id", "title", "author"]


class BookViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BookSerializer
    queryset = Book.objects.all()  # expect: n-plus-one


class SchemaBookViewSet(viewsets.ReadOnlyModelViewSet):
    """The schema generator's early return lists no rows; the real one joins author."""

    serializer_class = BookSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Book.objects.none()
        return Book.objects.select_related("author")


class EmptyOrderedBookViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BookSerializer

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Book.objects.none().order_by("id")
        return Book.objects.filter(published__isnull=False)  # expect: n-plus-one
