from rest_framework import generics, serializers, viewsets
from rest_framework.response import Response

from .models import Author, AuthorProfile, Book


class AnnotatedSerializer(serializers.ModelSerializer):
    review_count = serializers.IntegerField(read_only=True)
    tags = serializers.SerializerMethodField()
    label = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ["id", "review_count", "tags", "label"]

    def get_tags(self, obj):
        # reads the prefetch cache when the view prefetches tags
        return [t.name for t in obj.tags.all()]

    def get_label(self, obj):
        return f"{obj.title} ({obj.author_id})"

    def helper(self, obj):
        # not a SerializerMethodField
        return obj.reviews.count()


class CountedWithPrefetch(serializers.ModelSerializer):
    tag_count = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ["id", "tag_count"]

    def get_tag_count(self, obj):
        # BookViewSet prefetches tags, so count() reads the cache
        return obj.tags.count()


class PlainObject:
    total = serializers.SerializerMethodField()

    def get_total(self, obj):
        return obj.reviews.count()


class MeSerializer(serializers.ModelSerializer):
    """Only ever built for the signed-in author: its methods run once per response, not once per row."""

    book_count = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "book_count"]

    def get_book_count(self, obj):
        return Book.objects.filter(author=obj).count()


def me(request):
    return MeSerializer(request.user.author).data


class AnnotatedFastPathSerializer(serializers.ModelSerializer):
    """The view annotates book_count; the query is only a fallback for other callers."""

    book_count = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "book_count"]

    def get_book_count(self, obj):
        if hasattr(obj, "book_count_annotated"):
            return obj.book_count_annotated
        return Book.objects.filter(author=obj).count()


def annotated_cards(authors):
    return AnnotatedFastPathSerializer(authors, many=True).data


class ContextCounts(serializers.ModelSerializer):
    """The view puts the page's counts in the context; the query is the fallback for one object."""

    book_count = serializers.SerializerMethodField()
    review_count = serializers.SerializerMethodField()
    bio = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "book_count", "review_count", "bio"]

    def get_book_count(self, obj):
        try:
            return self.context["counts"][obj.pk]
        except KeyError:
            return Book.objects.filter(author=obj).count()

    def get_review_count(self, obj):
        try:
            return len(obj.prefetched_reviews)
        except AttributeError:
            return obj.book_set.count()

    def get_bio(self, obj):
        # Creates the profile of an author who has none: it runs once for that author, not per row.
        try:
            profile = obj.profile
        except AuthorProfile.DoesNotExist:
            profile = AuthorProfile.objects.create(author=obj)
        return profile.bio


class DetailOnly(serializers.ModelSerializer):
    """Named only by an @action(detail=True) and in schema documentation: one object per response."""

    book_count = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "book_count"]

    def get_book_count(self, obj):
        return obj.book_set.count()


class NeverNamed(serializers.ModelSerializer):
    """Nothing in the project names it: no list runs it."""

    book_count = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "book_count"]

    def get_book_count(self, obj):
        return obj.book_set.count()


def extend_schema(**kwargs):
    return lambda f: f


class ReceiptSerializer(serializers.ModelSerializer):
    """The serializer_class of a view that only retrieves: one object per response."""

    book_count = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "book_count"]

    def get_book_count(self, obj):
        return obj.book_set.count()


class ReceiptView(generics.RetrieveAPIView):
    queryset = Author.objects.all()
    serializer_class = ReceiptSerializer


class ProfileCardSerializer(serializers.ModelSerializer):
    """The serializer_class of a viewset whose own list() answers with the requester's row (onadata's ConnectViewSet)."""

    book_count = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "book_count"]

    def get_book_count(self, obj):
        return obj.book_set.count()


class ProfileViewSet(viewsets.GenericViewSet):
    queryset = Author.objects.all()
    serializer_class = ProfileCardSerializer

    def list(self, request, *args, **kwargs):
        return Response(ProfileCardSerializer(request.user.author).data)


class StarredSerializer(serializers.ModelSerializer):
    """Built for one author (views.py: StarredSerializer(author)); its __init__ names it in super(), no list."""

    star_count = serializers.SerializerMethodField()

    def __init__(self, *args, **kwargs):
        super(StarredSerializer, self).__init__(*args, **kwargs)

    class Meta:
        model = Author
        fields = ["id", "star_count"]

    def get_star_count(self, obj):
        return Book.objects.filter(author=obj, stock__gt=0).count()


class SummarySerializer(serializers.ModelSerializer):
    """Built only with many=False written out, on a queryset: one object (LibrePhotos' PhotoDetailsSummarySerializer)."""

    book_count = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "book_count"]

    def get_book_count(self, obj):
        return obj.book_set.count()


def author_summary(request, pk):
    return SummarySerializer(Author.objects.filter(pk=pk), many=False).data


class AuthorDetailSerializer(serializers.ModelSerializer):
    """Returned by get_serializer_class() only for retrieve, itself and through a subclass: one object per response."""

    book_count = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "book_count"]

    def get_book_count(self, obj):
        return obj.book_set.count()


class AuthorStaffDetailSerializer(AuthorDetailSerializer):
    class Meta(AuthorDetailSerializer.Meta):
        fields = AuthorDetailSerializer.Meta.fields + ["name"]


class AuthorFullSerializer(serializers.ModelSerializer):
    """Only its subclasses list, and they leave book_count out or compute it their own way (KPI's AssetSerializer)."""

    book_count = serializers.SerializerMethodField()
    review_count = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "book_count", "review_count"]

    def get_book_count(self, obj):
        return obj.book_set.count()

    def get_review_count(self, obj):
        return obj.book_set.filter(title__startswith="R").count()


class AuthorListSerializer(AuthorFullSerializer):
    class Meta:
        model = Author
        fields = ["id", "review_count"]

    def get_review_count(self, obj):
        return self.context["review_counts"].get(obj.pk, 0)


class AuthorListViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Author.objects.all()
    serializer_class = AuthorListSerializer
