from django.db.models import Avg
from rest_framework import serializers

from .models import Author, Book, Review


class BookSerializer(serializers.ModelSerializer):
    review_count = serializers.SerializerMethodField()
    has_reviews = serializers.SerializerMethodField()
    average = serializers.SerializerMethodField()
    best = serializers.SerializerMethodField()
    same_author = serializers.SerializerMethodField(method_name="books_by_author")

    class Meta:
        model = Book
        fields = ["id", "title", "review_count", "has_reviews", "average", "best", "same_author"]

    def get_review_count(self, obj):
        return obj.reviews.count()  # expect: serializer-method-query

    def get_has_reviews(self, obj):
        return obj.reviews.filter(rating__gte=4).exists()  # expect: serializer-method-query

    def get_average(self, obj):
        return obj.reviews.aggregate(avg=Avg("rating"))["avg"]  # expect: serializer-method-query

    def get_best(self, book):
        best = Review.objects.filter(book=book).order_by("-rating").first()  # expect: serializer-method-query
        return best.rating if best else None

    def books_by_author(self, obj):
        return [b.title for b in Book.objects.filter(author_id=obj.author_id)]  # expect: serializer-method-query


class AuthorSerializer(serializers.ModelSerializer):
    titles = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "name", "titles"]

    def get_titles(self, obj):
        return obj.book_set.filter(stock__gt=0).values_list("title", flat=True)  # expect: serializer-method-query


class AuthorCardSerializer(serializers.ModelSerializer):
    """Built for one author in a view, but also with many=True: a list."""

    book_count = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "book_count"]

    def get_book_count(self, obj):
        return Book.objects.filter(author=obj).count()  # expect: serializer-method-query


def author_card(author):
    return AuthorCardSerializer(author).data


def author_cards(authors):
    return AuthorCardSerializer(authors, many=True).data


class TypedFastPathSerializer(serializers.ModelSerializer):
    """The view may annotate book_count: then the query is only a fallback (the parameter is typed)."""

    book_count = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "book_count"]

    def get_book_count(self, author: Author) -> int:
        if hasattr(author, "book_count_annotated"):
            return author.book_count_annotated
        return Book.objects.filter(author=author).count()


class AuthorSummary(serializers.ModelSerializer):
    """Not named *Serializer, and a list view's serializer_class: a query per listed author."""

    book_count = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "book_count"]

    def get_book_count(self, obj):
        return obj.book_set.count()  # expect: serializer-method-query


class AuthorRowSerializer(serializers.ModelSerializer):
    """Returned for list by get_serializer_class(): one query per author of the page."""

    book_count = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "book_count"]

    def get_book_count(self, obj):
        return obj.book_set.count()  # expect: serializer-method-query


class AuthorLineSerializer(serializers.ModelSerializer):
    """The serializer_class of a viewset whose own list() serializes the queryset: one query per author."""

    book_count = serializers.SerializerMethodField()

    class Meta:
        model = Author
        fields = ["id", "book_count"]

    def get_book_count(self, obj):
        return obj.book_set.count()  # expect: serializer-method-query
