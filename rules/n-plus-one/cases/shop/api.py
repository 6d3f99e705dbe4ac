from rest_framework import serializers, viewsets

from .models import Author, Book, Imprint, Publisher


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


class CurrentBookViewSet(viewsets.ModelViewSet):
    """Answers one row of its own (get_object); its queryset lists none."""

    serializer_class = BookSerializer
    queryset = Book.objects.none()

    def get_object(self):
        return Book.objects.get(pk=self.kwargs["pk"])


class LatestBookViewSet(viewsets.ModelViewSet):
    """No queryset at all: DRF does not read `model`, and get_object() answers one row (galaxy_ng's current user)."""

    serializer_class = BookSerializer
    model = Book

    def get_object(self):
        return Book.objects.latest("published")


class ImprintOfPublisherSerializer(serializers.ModelSerializer):
    # Each prefetched imprint carries its publisher (Django caches the back-reference).
    publisher_name = serializers.CharField(source="publisher.name")

    class Meta:
        model = Imprint
        fields = ["id", "name", "publisher_name"]


class PublisherSerializer(serializers.ModelSerializer):
    imprints = ImprintOfPublisherSerializer(many=True)

    class Meta:
        model = Publisher
        fields = ["id", "name", "imprints"]


class PublisherViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PublisherSerializer
    queryset = Publisher.objects.prefetch_related("imprints")


class ImprintWithOwnerSerializer(serializers.ModelSerializer):
    publisher_name = serializers.CharField(source="publisher.name")
    # owner is another relation of Imprint: not loaded by prefetching publisher.imprints.
    owner_name = serializers.CharField(source="owner.name")

    class Meta:
        model = Imprint
        fields = ["id", "publisher_name", "owner_name"]


class PublisherOwnersSerializer(serializers.ModelSerializer):
    imprints = ImprintWithOwnerSerializer(many=True)

    class Meta:
        model = Publisher
        fields = ["id", "imprints"]


class PublisherOwnersViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PublisherOwnersSerializer
    queryset = Publisher.objects.prefetch_related("imprints")  # expect: n-plus-one


class OwnerImprintsSerializer(serializers.ModelSerializer):
    # Reached from Author.imprints (the reverse of Imprint.owner): publisher is not the back-reference.
    imprints = ImprintOfPublisherSerializer(many=True)

    class Meta:
        model = Author
        fields = ["id", "imprints"]


class OwnerImprintsViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OwnerImprintsSerializer
    queryset = Author.objects.prefetch_related("imprints")  # expect: n-plus-one
