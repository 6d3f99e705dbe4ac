"""Related field classes of the project: DRF's pk-only optimization serializes the key column, with no query."""
from django.conf import settings
from rest_framework import serializers, viewsets

from .models import Book


class DomainLinkField(serializers.HyperlinkedRelatedField):
    # Loads the row only in some configurations: not known here.
    def use_pk_only_optimization(self):
        if settings.DEBUG:
            return False
        return super().use_pk_only_optimization()


class LinkSettingMixin:
    def use_pk_only_optimization(self):
        return getattr(settings, "LINKS_BY_PK", True)


class SettingLinkField(LinkSettingMixin, serializers.HyperlinkedRelatedField):
    pass


class PlainLinkField(serializers.HyperlinkedRelatedField):
    """Keeps DRF's pk-only optimization (looks the row up by pk)."""


class SlugLinkField(serializers.HyperlinkedRelatedField):
    # Looks the row up by slug: the row is loaded to build the link.
    lookup_field = "slug"


class RowLinkField(PlainLinkField):
    def use_pk_only_optimization(self):
        """The link needs the related row."""
        return False


class DomainLinkSerializer(serializers.ModelSerializer):
    author = DomainLinkField(view_name="author-detail", read_only=True)

    class Meta:
        model = Book
        fields = ("title", "author")


class SettingLinkSerializer(serializers.ModelSerializer):
    author = SettingLinkField(view_name="author-detail", read_only=True)

    class Meta:
        model = Book
        fields = ("title", "author")


class PlainLinkSerializer(serializers.ModelSerializer):
    author = PlainLinkField(view_name="author-detail", read_only=True)

    class Meta:
        model = Book
        fields = ("title", "author")


class SlugLinkSerializer(serializers.ModelSerializer):
    author = SlugLinkField(view_name="author-detail", read_only=True)

    class Meta:
        model = Book
        fields = ("title", "author")


class RowLinkSerializer(serializers.ModelSerializer):
    author = RowLinkField(view_name="author-detail", read_only=True)

    class Meta:
        model = Book
        fields = ("title", "author")


class DomainLinkViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DomainLinkSerializer
    queryset = Book.objects.all()


class SettingLinkViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SettingLinkSerializer
    queryset = Book.objects.all()


class PlainLinkViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PlainLinkSerializer
    queryset = Book.objects.all()


class SlugLinkViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SlugLinkSerializer
    queryset = Book.objects.all()  # expect: n-plus-one


class RowLinkViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RowLinkSerializer
    queryset = Book.objects.all()  # expect: n-plus-one


class SlugArgumentSerializer(serializers.ModelSerializer):
    # lookup_field given to DRF's own field: the row is loaded to build the link.
    author = serializers.HyperlinkedRelatedField(view_name="author-detail", lookup_field="slug", read_only=True)

    class Meta:
        model = Book
        fields = ("title", "author")


class PkArgumentSerializer(serializers.ModelSerializer):
    author = serializers.HyperlinkedRelatedField(view_name="author-detail", lookup_field="pk", read_only=True)

    class Meta:
        model = Book
        fields = ("title", "author")


class SlugArgumentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SlugArgumentSerializer
    queryset = Book.objects.all()  # expect: n-plus-one


class PkArgumentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PkArgumentSerializer
    queryset = Book.objects.all()
