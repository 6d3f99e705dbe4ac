"""DRF views that inherit their get_queryset(), serializer_class or queryset from classes of the project."""
from rest_framework import mixins, serializers, viewsets

from .models import AudioBook, Book


class AuthorLinkField(serializers.HyperlinkedRelatedField):
    # Serializes the author row itself, not a PKOnlyObject: one query per book unless author is joined.
    def use_pk_only_optimization(self):
        return False


class BookLinkSerializer(serializers.ModelSerializer):
    author = AuthorLinkField(view_name="author-detail", read_only=True)

    class Meta:
        model = Book
        fields = ("title", "author")


class JoinedBookViewSet(viewsets.GenericViewSet):
    queryset = Book.objects.all()
    serializer_class = BookLinkSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "list":
            qs = qs.select_related("author")
        return qs


class OrderedBookViewSet(JoinedBookViewSet, mixins.ListModelMixin):
    # The inherited get_queryset() joins author on this queryset (super().get_queryset() is self.queryset.all()).
    queryset = Book.objects.order_by("title")
    serializer_class = BookLinkSerializer


class FilteredJoinedBookViewSet(JoinedBookViewSet, mixins.ListModelMixin):
    queryset = Book.objects.all()

    def get_queryset(self):
        # super() is JoinedBookViewSet's get_queryset(), which joins author.
        return super().get_queryset().filter(published__isnull=False)


class AuthorJoinMixin:
    def get_queryset(self):
        return super().get_queryset().select_related("author")


class EditorJoinMixin:
    def get_queryset(self):
        return super().get_queryset().select_related("editor")


class MixedBookViewSet(AuthorJoinMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Book.objects.filter(published__isnull=False)
    serializer_class = BookLinkSerializer


class EditorJoinedBookViewSet(EditorJoinMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Book.objects.all()  # expect: n-plus-one
    serializer_class = BookLinkSerializer


class MixinLastBookViewSet(mixins.ListModelMixin, viewsets.GenericViewSet, AuthorJoinMixin):
    # GenericViewSet's get_queryset() comes first along the bases: the mixin's is never called.
    queryset = Book.objects.all()  # expect: n-plus-one
    serializer_class = BookLinkSerializer


class PublishedRowsMixin:
    def get_queryset(self):
        return Book.objects.filter(published__isnull=False)


class OtherRowsBookViewSet(PublishedRowsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    # The rows come from the mixin, not from this queryset: a fix here would not reach them.
    queryset = Book.objects.all()
    serializer_class = BookLinkSerializer


class BookBaseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    # Every subclass lists its own rows: this queryset serves none of them, a fix here reaches none.
    queryset = Book.objects.all()
    serializer_class = BookLinkSerializer


class AudioBookLinkSerializer(BookLinkSerializer):
    class Meta:
        model = AudioBook
        fields = ("title", "author", "minutes")


class AudioBookViewSet(BookBaseViewSet):
    queryset = AudioBook.objects.all()  # expect: n-plus-one
    serializer_class = AudioBookLinkSerializer


class RecentBookViewSet(BookBaseViewSet):
    # serializer_class comes from the base.
    queryset = Book.objects.order_by("-published")  # expect: n-plus-one


class SharedBookViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Book.objects.all()  # expect: n-plus-one
    serializer_class = BookLinkSerializer


class PublishedSharedBookViewSet(SharedBookViewSet):
    # Built on the base's queryset: the fix there reaches this view too.
    def get_queryset(self):
        return super().get_queryset().filter(published__isnull=False)


class FilterJoinMixin:
    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return queryset.select_related("author")


class FilterJoinedBookViewSet(FilterJoinMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    # DRF's list() serializes filter_queryset(get_queryset()): the mixin's filter_queryset() joins author.
    serializer_class = BookLinkSerializer

    def get_queryset(self):
        return Book.objects.filter(published__isnull=False)


class OwnFilterBookViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Book.objects.all()
    serializer_class = BookLinkSerializer

    def filter_queryset(self, queryset):
        return queryset.filter(title__icontains=self.request.query_params.get("q", "")).prefetch_related("author")


class FilterOnlyBookViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    # A filter_queryset() that only filters joins nothing.
    queryset = Book.objects.all()  # expect: n-plus-one
    serializer_class = BookLinkSerializer

    def filter_queryset(self, queryset):
        return queryset.filter(title__icontains="x")
