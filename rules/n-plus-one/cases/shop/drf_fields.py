"""Meta.fields built from another serializer's Meta.fields."""
from rest_framework import serializers, viewsets

from .models import Author, AuthorProfile, Book, Review

BOOK_FIELDS = ("id",)


class StampedSerializer(serializers.ModelSerializer):
    class Meta:
        fields = ("id",)


class AuthorBriefSerializer(StampedSerializer):
    class Meta:
        model = Author
        fields = StampedSerializer.Meta.fields + ("name",)


class BookDetailSerializer(StampedSerializer):
    author = AuthorBriefSerializer(read_only=True)
    editor = AuthorBriefSerializer(read_only=True)

    class Meta:
        model = Book
        fields = StampedSerializer.Meta.fields + ("title", "author", "editor")


class BookBriefSerializer(BookDetailSerializer):
    # A subclass need not list the fields its parent declares: editor is not serialized.
    class Meta:
        model = Book
        fields = StampedSerializer.Meta.fields + ("title", "author")


class BookBriefMetaSerializer(BookDetailSerializer):
    # Meta inherits BookBriefSerializer.Meta's fields.
    class Meta(BookBriefSerializer.Meta):
        pass


class BookSplatSerializer(BookDetailSerializer):
    class Meta:
        model = Book
        fields = (*BookBriefSerializer.Meta.fields, "published")


class BookConstantSerializer(BookDetailSerializer):
    # BOOK_FIELDS is not a Meta's fields: what it holds is not read, so editor is not known to be serialized.
    class Meta:
        model = Book
        fields = BOOK_FIELDS + ("title", "author")


class BookBylineSerializer(StampedSerializer):
    # Declared here, so DRF requires it in Meta.fields whatever BOOK_FIELDS holds.
    author_name = serializers.CharField(source="author.name")

    class Meta:
        model = Book
        fields = BOOK_FIELDS + ("title", "author_name")


class ReviewSerializer(StampedSerializer):
    book = BookBriefSerializer(read_only=True)

    class Meta:
        model = Review
        fields = StampedSerializer.Meta.fields + ("rating", "book")


class BookDetailViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BookDetailSerializer
    queryset = Book.objects.select_related("author")  # expect: n-plus-one


class BookBriefViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BookBriefSerializer
    queryset = Book.objects.select_related("author")


class BookBriefMetaViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BookBriefMetaSerializer
    queryset = Book.objects.select_related("author")


class BookSplatViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BookSplatSerializer
    queryset = Book.objects.all()  # expect: n-plus-one


class BookConstantViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BookConstantSerializer
    queryset = Book.objects.select_related("author")


class BookBylineViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BookBylineSerializer
    queryset = Book.objects.all()  # expect: n-plus-one


class ReviewViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ReviewSerializer
    # Review's manager joins book; the nested BookBriefSerializer reads author, not editor.
    queryset = Review.objects.select_related("book__author")


class TagNamesSerializer(serializers.ModelSerializer):
    tag_names = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ("id", "tag_names")

    def get_tag_names(self, obj):
        # A new query per book whatever is prefetched: serializer-method-query's business, not a prefetch to add.
        return list(obj.tags.all().values_list("name", flat=True))


class TagNamesViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TagNamesSerializer
    queryset = Book.objects.all()


class TagListSerializer(serializers.ModelSerializer):
    tag_list = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ("id", "tag_list")

    def get_tag_list(self, obj):
        return [t.name for t in obj.tags.all()]


class TagListViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TagListSerializer
    queryset = Book.objects.all()  # expect: n-plus-one


class OwnProfileSerializer(serializers.ModelSerializer):
    author = AuthorBriefSerializer(read_only=True)

    class Meta:
        model = AuthorProfile
        fields = ("id", "website", "author")


class OwnProfileViewSet(viewsets.ReadOnlyModelViewSet):
    # A one-to-one filtered by equality: at most one row, so the serializer's reads run once.
    serializer_class = OwnProfileSerializer
    queryset = AuthorProfile.objects.all()

    def get_queryset(self):
        return self.queryset.filter(author=self.request.user.author)


class BookListingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Book
        fields = ("id", "title")


class BookFullSerializer(serializers.ModelSerializer):
    author = AuthorBriefSerializer(read_only=True)

    class Meta:
        model = Book
        fields = ("id", "title", "author")

    @classmethod
    def many_init(cls, *args, **kwargs):
        # Lists are serialized by the lean class, which reads no relation.
        kwargs["child"] = BookListingSerializer()
        return serializers.ListSerializer(*args, **kwargs)


class BookFullViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BookFullSerializer
    queryset = Book.objects.all()
